import type { LoggedRequest } from './server';

/**
 * Which preview stage a logged request is: structured stages by the schema they ask for, the two
 * free-text ones by whether a system prompt was sent (the response has one, the baseline none).
 */
export function stageOf(request: LoggedRequest): string {
  const keys = Object.keys(request.body.generationConfig?.responseJsonSchema?.properties ?? {});
  for (const [key, stage] of [['ideas', 'brainstorm'], ['realistic', 'critique'], ['sharpened', 'sharpen'], ['score', 'autorate'], ['message', 'scenario']]) {
    if (keys.includes(key)) return stage;
  }
  return request.body.systemInstruction ? 'response' : 'baseline';
}

import type { GenerateRequest, ModelProvider, Usage } from '../../providers/provider';
import { ModelAnswerError } from '../../providers/provider';
import { schemaProblems, SCHEMAS, type StructuredStage } from '../schemas';
import type { Template, TemplateStage } from '../templates';

/** Which model each role uses (the method: a fast model to generate and for the baseline, a strong one to judge and answer). */
export interface StageModels {
  readonly brainstorm: string;
  readonly critique: string;
  readonly baseline: string;
  readonly response: string;
  readonly autorate: string;
}

export const DEFAULT_MODELS: StageModels = {
  brainstorm: 'gemini-2.5-flash',
  critique: 'gemini-2.5-pro',
  baseline: 'gemini-2.5-flash',
  response: 'gemini-2.5-pro',
  autorate: 'gemini-2.5-pro',
};

/** What every stage runs with. `usage` is added to as calls complete. */
export interface StageContext {
  readonly provider: ModelProvider;
  /** The baseline may come from another provider (the model being trained, OpenAI-compatible). */
  readonly baselineProvider?: ModelProvider;
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly signal?: AbortSignal;
  readonly usage: { inputTokens: number; outputTokens: number };
}

/** A stage that failed for good: its name and what went wrong, shown for that scenario. */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

function add(ctx: StageContext, usage: Usage): void {
  ctx.usage.inputTokens += usage.inputTokens;
  ctx.usage.outputTokens += usage.outputTokens;
}

/**
 * Asks `provider` for an answer and reads it with `read`, which returns the value or a problem
 * string. A blocked, empty or unreadable answer is asked for once more; a second one is a
 * StageError (never a made-up value). Transport failures were already retried by the request
 * policy and become a StageError at once; a cancellation passes through as it is.
 */
async function askTwice<T>(
  ctx: StageContext,
  stage: string,
  request: GenerateRequest,
  read: (text: string) => { value: T } | { problem: string },
  provider = ctx.provider,
): Promise<T> {
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await provider.generate(request, ctx.signal);
      add(ctx, result.usage);
      const answer = read(result.text);
      if ('value' in answer) return answer.value;
      problem = answer.problem;
    } catch (error) {
      if (!(error instanceof ModelAnswerError)) throw wrap(stage, error, ctx.signal);
      problem = error.message;
    }
  }
  throw new StageError(stage, `${problem} (asked twice)`);
}

/** A structured answer: generated with the stage's JSON schema, parsed and validated (see `askTwice`). */
export function structured<S extends StructuredStage>(ctx: StageContext, stage: S, request: Omit<GenerateRequest, 'responseJsonSchema'>): Promise<any> {
  return askTwice(ctx, stage, { ...request, responseJsonSchema: SCHEMAS[stage] }, (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { problem: `the answer is not JSON (${JSON.stringify(text.slice(0, 80))})` };
    }
    const problem = schemaProblems(stage, value);
    return problem ? { problem } : { value };
  });
}

/** A free-text answer (see `askTwice`). */
export function text(ctx: StageContext, stage: string, request: GenerateRequest, provider = ctx.provider): Promise<string> {
  return askTwice(ctx, stage, request, (answer) => ({ value: answer }), provider);
}

function wrap(stage: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return error;
  return new StageError(stage, error instanceof Error ? error.message : String(error));
}

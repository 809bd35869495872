import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import { askText } from '../../llm/ask';
import type { StageContext } from './stage';

/**
 * Stage 6: the answer from the strong model with the trait in its system prompt, told to embody it
 * without exaggeration and without mentioning any document. The system prompt never reaches the record.
 */
export function response(ctx: StageContext, chunk: TraitChunk, message: string): Promise<string> {
  const systemInstruction = render(ctx.templates.response, { trait: chunk.text, context: chunk.context });
  return askText(ctx, 'response', { model: ctx.models.response, systemInstruction, messages: [{ role: 'user', text: message }] });
}

import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import { STAGE_THINKING, structured, type StageContext } from './stage';

export interface Critique {
  readonly verdict: 'keep' | 'rewrite';
  readonly reasons: string;
  /** The message to use from here on: the rewrite when the verdict is "rewrite", else the original. */
  readonly final: string;
}

/** Stage 3: is the message realistic, and does it elicit the trait? Rewritten if not (strong model, thinking hard). */
export async function critique(ctx: StageContext, chunk: TraitChunk, message: string): Promise<Critique> {
  const prompt = render(ctx.templates.critique, { trait: chunk.text, message });
  const a = await structured(ctx, 'critique', { model: ctx.models.critique, messages: [{ role: 'user', text: prompt }], temperature: 0, thinking: STAGE_THINKING.critique });
  const rewrite = typeof a.rewrite === 'string' && a.rewrite.trim() ? a.rewrite : undefined;
  // A "rewrite" verdict without a rewrite keeps the original rather than inventing one.
  const verdict = a.verdict === 'rewrite' && rewrite ? 'rewrite' : 'keep';
  return { verdict, reasons: a.reasons, final: verdict === 'rewrite' ? rewrite! : message };
}

import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import { askStructured } from '../../llm/ask';
import { STAGE_SCHEMAS } from '../schemas';
import { STAGE_THINKING, type StageContext } from './stage';

export interface Critique {
  readonly verdict: 'keep' | 'rewrite';
  readonly reasons: string;
  /** The message to use from here on: the rewrite when the verdict is "rewrite", else the original. */
  readonly final: string;
}

/** Stage 3: is the message realistic, and does it elicit the trait? Rewritten if not (strong model, thinking hard). */
export async function critique(ctx: StageContext, chunk: TraitChunk, message: string): Promise<Critique> {
  const prompt = render(ctx.templates.critique, { trait: chunk.text, message });
  const a = await askStructured(
    ctx,
    'critique',
    { model: ctx.models.critique, messages: [{ role: 'user', text: prompt }], temperature: 0, thinking: STAGE_THINKING.critique },
    STAGE_SCHEMAS.critique,
  );
  const rewrite = a.rewrite?.trim() ? a.rewrite : undefined;
  // A "rewrite" verdict without a rewrite keeps the original rather than inventing one.
  const verdict = a.verdict === 'rewrite' && rewrite ? 'rewrite' : 'keep';
  return { verdict, reasons: a.reasons, final: verdict === 'rewrite' ? rewrite! : message };
}

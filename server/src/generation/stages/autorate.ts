import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import { askStructured } from '../../llm/ask';
import { STAGE_SCHEMAS } from '../schemas';
import { STAGE_THINKING, type StageContext } from './stage';

export interface Rating {
  /** 1..10. */
  readonly score: number;
  readonly verdict: 'keep' | 'reject';
  readonly reasons: string;
}

/** Stage 7: how well the answer embodies the trait, and how good it is otherwise (strong model, thinking hard). */
export async function autorate(ctx: StageContext, chunk: TraitChunk, message: string, answer: string): Promise<Rating> {
  const prompt = render(ctx.templates.autorate, { trait: chunk.text, message, response: answer });
  const a = await askStructured(
    ctx,
    'autorate',
    { model: ctx.models.autorate, messages: [{ role: 'user', text: prompt }], temperature: 0, thinking: STAGE_THINKING.autorate },
    STAGE_SCHEMAS.autorate,
  );
  return { score: a.score, verdict: a.verdict, reasons: a.reasons };
}

import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import { askStructured } from '../../llm/ask';
import { STAGE_SCHEMAS } from '../schemas';
import { STAGE_THINKING, type StageContext } from './stage';

export interface Sharpening {
  readonly sharpened: boolean;
  readonly reason: string;
  readonly message: string;
}

/** Stage 5: if the baseline is generic, rewrite the message so the trait has to show (strong model, thinking hard). */
export async function sharpen(ctx: StageContext, chunk: TraitChunk, message: string, baselineAnswer: string): Promise<Sharpening> {
  const prompt = render(ctx.templates.sharpen, { trait: chunk.text, message, baseline: baselineAnswer });
  const a = await askStructured(
    ctx,
    'sharpen',
    { model: ctx.models.critique, messages: [{ role: 'user', text: prompt }], temperature: 0, thinking: STAGE_THINKING.sharpen },
    STAGE_SCHEMAS.sharpen,
  );
  const sharpened = a.sharpened === true && a.message.trim() !== message.trim();
  return { sharpened, reason: a.reason, message: sharpened ? a.message : message };
}

import { askText } from '../../llm/ask';
import type { StageContext } from './stage';

/** Stage 4: the answer with no system prompt at all (fast model, or the model being trained). */
export function baseline(ctx: StageContext, message: string): Promise<string> {
  return askText(
    ctx,
    'baseline',
    { model: ctx.models.baseline, messages: [{ role: 'user', text: message }] },
    ctx.baselineProvider ?? ctx.provider,
  );
}

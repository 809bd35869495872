import type { TraitChunk } from '../chunk';
import { render } from '../../llm/templates';
import type { Idea } from './brainstorm';
import { askStructured } from '../../llm/ask';
import { STAGE_SCHEMAS } from '../schemas';
import { STAGE_THINKING, type StageContext } from './stage';

/** Stage 2: the single-turn user message for one idea (fast model, little thinking). */
export async function scenario(ctx: StageContext, chunk: TraitChunk, idea: Idea): Promise<string> {
  const prompt = render(ctx.templates.scenario, { ...idea, trait: chunk.text });
  const answer = await askStructured(
    ctx,
    'scenario',
    { model: ctx.models.brainstorm, messages: [{ role: 'user', text: prompt }], temperature: 1, thinking: STAGE_THINKING.scenario },
    STAGE_SCHEMAS.scenario,
  );
  return answer.message;
}

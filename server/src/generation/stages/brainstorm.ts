import type { TraitChunk } from '../chunk';
import { render } from '../templates';
import { structured, type StageContext } from './stage';

/** A situation where the trait matters: what happens, how the trait shows, why it matters. */
export interface Idea {
  readonly what: string;
  readonly how: string;
  readonly why: string;
}

/** Stage 1: `count` distinct situations for the trait (fast model). */
export async function brainstorm(ctx: StageContext, chunk: TraitChunk, count: number): Promise<Idea[]> {
  const prompt = render(ctx.templates.brainstorm, { trait: chunk.text, context: chunk.context, count });
  const answer = await structured(ctx, 'brainstorm', { model: ctx.models.brainstorm, messages: [{ role: 'user', text: prompt }], temperature: 1 });
  return (answer.ideas as Idea[]).map(({ what, how, why }) => ({ what, how, why }));
}

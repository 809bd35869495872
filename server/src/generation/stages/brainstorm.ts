import { count as countOf } from '../../format';
import type { TraitChunk } from '../chunk';
import { ask, StageError } from '../../llm/ask';
import { jsonSchemaOf, parseStructured } from '../../llm/structured';
import { render } from '../../llm/templates';
import { brainstormSchema, STAGE_SCHEMAS } from '../schemas';
import { STAGE_THINKING, type StageContext } from './stage';

/** A situation where the trait matters: what happens, how the trait shows, why it matters. */
export interface Idea {
  readonly what: string;
  readonly how: string;
  readonly why: string;
}

/**
 * Stage 1: `count` distinct situations for the trait (fast model, little thinking). The request's
 * schema asks for exactly `count` ideas; an answer with fewer (or malformed) is asked for once
 * more, and the longer of the two usable answers is kept — so the result may hold fewer than
 * `count` ideas (never more: extra ones are dropped), and the caller must say so (see
 * `shortfall`). Only a complete answer is cached, so a short one is asked for again next time.
 * Throws StageError when neither answer holds a usable idea.
 */
export async function brainstorm(ctx: StageContext, chunk: TraitChunk, count: number): Promise<Idea[]> {
  const prompt = render(ctx.templates.brainstorm, { trait: chunk.text, context: chunk.context, count });
  let best: Idea[] = [];
  const request = {
    model: ctx.models.brainstorm,
    messages: [{ role: 'user' as const, text: prompt }],
    temperature: 1,
    thinking: STAGE_THINKING.brainstorm,
    responseJsonSchema: jsonSchemaOf(brainstormSchema(count)),
  };
  const answer = await ask<Idea[]>(ctx, 'brainstorm', request, (text) => {
    // Checked against the schema of one idea or more: a short answer is kept as the best so far.
    const parsed = parseStructured(STAGE_SCHEMAS.brainstorm, text);
    if (!('value' in parsed)) return parsed;
    const ideas = parsed.value.ideas.slice(0, count).map(({ what, how, why }) => ({ what, how, why }));
    if (ideas.length > best.length) best = ideas;
    if (ideas.length < count) return { problem: shortfall(count, ideas.length) };
    return { value: ideas };
  });
  if ('value' in answer) return answer.value;
  if (best.length) return best;
  throw new StageError('brainstorm', answer.problem);
}

/** "asked for 3 ideas, got 1": what a short brainstorm says, in scenarios' errors, the panel and the CLI. */
export function shortfall(asked: number, got: number): string {
  return `asked for ${countOf(asked, 'idea')}, got ${got}`;
}

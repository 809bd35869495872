/**
 * What the review sends and reads back: its answer schemas and requests, shared by the review and
 * its estimate so the estimate reads the prompts the review will send.
 */
import { z } from 'zod';
import type { TraitChunk } from '../generation/chunk';
import type { GenerateRequest } from '../llm/provider';
import { render, type Templates } from '../llm/templates';

/** The review's prompt templates (llm/prompts/review-*.md; a workspace may override them). */
export const REVIEW_TEMPLATE_STAGES = ['review-coverage', 'review-tensions'] as const;
export type ReviewTemplateStage = (typeof REVIEW_TEMPLATE_STAGES)[number];
export type ReviewTemplates = Templates<ReviewTemplateStage>;

/**
 * The version of how answers are asked for and read, part of every review request's cache key
 * (beside the template text, the chunk, its context and the model): raise it when the reading of
 * an answer changes, so no answer read the old way is served.
 */
export const REVIEW_PROMPT_VERSION = 1;

/** Pairs the tension pass asks for, at most. */
export const MAX_TENSION_PAIRS = 30;

// Top-level keys distinct from every other stage's (test/fake-gemini/stages.ts tells stages by them).
const QUOTED = z.object({ present: z.boolean(), quote: z.string() });

export const REVIEW_SCHEMAS = {
  'review-coverage': z.object({
    rationale: QUOTED,
    tradeoffs: QUOTED,
    exceptions: QUOTED,
    deliberately_absolute: QUOTED,
    surface_forms: z.array(z.object({ form: z.string().min(1), quote: z.string() })),
  }),
  'review-tensions': z.object({
    tension_pairs: z.array(
      z.object({ a: z.string(), b: z.string(), situation: z.string().min(1), weighed: z.boolean(), quote: z.string() }),
    ),
  }),
} as const;

export type CoverageAnswer = z.infer<(typeof REVIEW_SCHEMAS)['review-coverage']>;
export type TensionsAnswer = z.infer<(typeof REVIEW_SCHEMAS)['review-tensions']>;

/** The stage name of a review request: also its cache key's stage, so it carries REVIEW_PROMPT_VERSION. */
export function reviewStage(stage: ReviewTemplateStage): string {
  return `${stage}@${REVIEW_PROMPT_VERSION}`;
}

/** A request of the review: the rendered template as one user message, at temperature 0, thinking little. */
function request(text: string, model: string): Omit<GenerateRequest, 'responseJsonSchema'> {
  return { model, messages: [{ role: 'user', text }], temperature: 0, thinking: 'low' };
}

/** The coverage request of one trait chunk (its text, and the preamble and group prose as context). */
export function coverageRequest(templates: ReviewTemplates, model: string, chunk: TraitChunk): Omit<GenerateRequest, 'responseJsonSchema'> {
  return request(render(templates['review-coverage'], { context: chunk.context, title: chunk.title, chunk: chunk.text }), model);
}

/**
 * The coverage request asked once more after `answer` quoted what is not in the trait: the first
 * request, the answer, and a turn naming the quotes that were not found.
 */
export function coverageRetryRequest(
  first: Omit<GenerateRequest, 'responseJsonSchema'>,
  answer: CoverageAnswer,
  missing: readonly string[],
): Omit<GenerateRequest, 'responseJsonSchema'> {
  const note = `These quotes are not in the trait's text: ${missing.map((q) => JSON.stringify(q)).join(', ')}. Answer again: copy every quote exactly from between the <trait> tags, or mark the part absent.`;
  return { ...first, messages: [...first.messages, { role: 'model', text: JSON.stringify(answer) }, { role: 'user', text: note }] };
}

/** The tension request over `traits` (id, title, chunk) and the document's priorities text ('' when it has none). */
export function tensionsRequest(
  templates: ReviewTemplates,
  model: string,
  traits: readonly { id: string; title: string; text: string }[],
  priorities: string,
): Omit<GenerateRequest, 'responseJsonSchema'> {
  const list = traits
    .map((t) => `<trait id=${JSON.stringify(t.id)} title=${JSON.stringify(t.title)}>\n${t.text.trim()}\n</trait>`)
    .join('\n\n');
  const prio = priorities.trim()
    ? `The document's priorities section:\n\n<priorities>\n${priorities.trim()}\n</priorities>`
    : 'The document has no priorities section.';
  return request(render(templates['review-tensions'], { traits: list, priorities: prio, max_pairs: MAX_TENSION_PAIRS }), model);
}

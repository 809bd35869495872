import { z } from 'zod';

/** One brainstorm idea: what happens, how the user puts it, why it tests the trait. */
const IDEA = z.object({ what: z.string().min(1), how: z.string().min(1), why: z.string().min(1) });

/**
 * The structured answer of each generation stage (llm/structured.ts: sent as Gemini
 * `responseJsonSchema`, checked on return, typing the answer). Members are in the order the
 * request's JSON Schema lists them, which answer-cache keys depend on.
 */
export const STAGE_SCHEMAS = {
  brainstorm: z.object({ ideas: z.array(IDEA).min(1) }),
  scenario: z.object({ message: z.string().min(1) }),
  critique: z.object({
    realistic: z.boolean(),
    elicits: z.boolean(),
    verdict: z.enum(['keep', 'rewrite']),
    reasons: z.string(),
    rewrite: z.string().optional(),
  }),
  sharpen: z.object({ sharpened: z.boolean(), reason: z.string(), message: z.string().min(1) }),
  autorate: z.object({
    score: z.number().int().min(1).max(10),
    verdict: z.enum(['keep', 'reject']),
    reasons: z.string(),
  }),
  // Midtraining (generation/midtraining.ts). Top-level keys differ from the preview's so a request
  // says which stage it is by its schema alone (test/fake-gemini/stages.ts relies on it).
  'midtraining-ideas': z.object({
    document_ideas: z.array(z.object({ idea: z.string().min(1), trait_ids: z.array(z.string().min(1)).min(1) })).min(1),
  }),
  'midtraining-critique': z.object({
    realistic: z.boolean(),
    consistent: z.boolean(),
    in_genre: z.boolean(),
    reasons: z.string(),
    revised: z.string().min(1),
  }),
} as const;

/** The brainstorm's request schema: exactly `count` ideas (the answer is checked for one or more, see brainstorm.ts). */
export function brainstormSchema(count: number) {
  return z.object({ ideas: z.array(IDEA).min(count).max(count) });
}

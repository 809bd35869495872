import { defineRule } from './rule';

/**
 * TS301 chunk-too-long: a trait's chunk (its section, examples included: what one generation prompt
 * receives) beyond `budget` tokens (default 3000). Tokens are estimated at `charsPerToken` characters
 * each (default 4, Gemini's documented rule of thumb: "a token is equivalent to about 4 characters",
 * ai.google.dev/gemini-api/docs/tokens).
 */
export const chunkTooLongRule = defineRule({
  id: 'TS301',
  name: 'chunk-too-long',
  description: 'Each trait fits the token budget of one generation prompt',
  defaultSeverity: 'warning',
  options: { budget: 3000, charsPerToken: 4 },
  optionsSchema: {
    budget: { type: 'integer', minimum: 1 },
    charsPerToken: { type: 'number', exclusiveMinimum: 0 },
  },
  check({ document, options, report }) {
    for (const trait of document.traits) {
      const tokens = estimateTokens(trait.chunk, options.charsPerToken);
      if (tokens > options.budget) {
        report({
          trait,
          range: trait.heading.titleRange,
          message: `"${trait.title}" is about ${tokens} tokens, over the ${options.budget}-token budget for one generation prompt: split it into narrower traits or move examples out.`,
        });
      }
    }
  },
});

/** Estimated tokens of a text: characters / `charsPerToken`, rounded up. */
export function estimateTokens(text: string, charsPerToken = 4): number {
  return Math.ceil(text.length / charsPerToken);
}

/** A model's list price, in US dollars per 1,000,000 tokens. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/**
 * Google's published paid-tier (Standard) list prices of the default stage models, USD per 1M
 * tokens, text input, as published at https://ai.google.dev/gemini-api/docs/pricing:
 *
 * - gemini-2.5-pro: $1.25 in / $10.00 out for prompts of at most 200k tokens — the tier every
 *   preview prompt is in. Longer prompts cost $2.50 / $15.00; this table does not model that tier.
 * - gemini-2.5-flash: $0.30 in / $2.50 out.
 * - gemini-2.5-flash-lite: $0.10 in / $0.40 out.
 *
 * Output prices include thinking tokens. Batch, Flex and Priority tiers, context caching, audio
 * input and the free tier are priced differently and are not modelled. Prices change: update this
 * table from that page, or pass another table to `estimateCost`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
};

/**
 * The estimated cost in USD of the tokens in `byModel` (model name → input/output tokens, as in
 * StageUsage.byModel) at `prices` (default DEFAULT_PRICES). A model with tokens but no price is
 * left out of `usd` and named in `unpriced` (sorted), so a partial sum is never passed off as the
 * whole; a model with no tokens at all is ignored. Throws nothing; the estimate is only as good as
 * the token counts the provider reported.
 */
export function estimateCost(
  byModel: Readonly<Record<string, { readonly inputTokens: number; readonly outputTokens: number }>>,
  prices: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES,
): { usd: number; unpriced: string[] } {
  let usd = 0;
  const unpriced: string[] = [];
  for (const [model, tokens] of Object.entries(byModel)) {
    if (tokens.inputTokens === 0 && tokens.outputTokens === 0) continue;
    // hasOwn: a model named "constructor" must not find Object.prototype's.
    const price = Object.hasOwn(prices, model) ? prices[model] : undefined;
    if (!price) {
      unpriced.push(model);
      continue;
    }
    usd += (tokens.inputTokens * price.inputPerMillion + tokens.outputTokens * price.outputPerMillion) / 1_000_000;
  }
  return { usd, unpriced: unpriced.sort() };
}

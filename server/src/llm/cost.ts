import { listPrice, MODEL_CATALOGUE } from './catalogue';

/**
 * A model's price, in US dollars per 1,000,000 tokens; `longPrompt` is the higher rate of requests
 * whose prompt is over `aboveInputTokens` (Google's >200k tier), when the model has one.
 */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  readonly longPrompt?: { readonly aboveInputTokens: number; readonly inputPerMillion: number; readonly outputPerMillion: number };
}

/** Tokens spent on one model, as StageUsage.byModel holds them. */
export interface PricedTokens {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The part of these tokens spent in requests whose prompt was over LONG_PROMPT_TOKENS (llm/catalogue.ts), billed at `ModelPrice.longPrompt`. */
  readonly longPrompt?: { readonly inputTokens: number; readonly outputTokens: number };
}

/**
 * The list prices of every model in the catalogue (llm/catalogue.ts) that hold on `day`
 * (default today): Google's Standard tier, text input, thinking billed as output. Batch, Flex,
 * context caching and the free tier are priced differently and not modelled. Users add and
 * override prices with the `traitStudio.prices` setting; pass the merged table to `estimateCost`.
 */
export function defaultPrices(day: Date = new Date()): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  for (const { id } of MODEL_CATALOGUE) {
    const p = listPrice(id, day);
    if (p)
      prices[id] = {
        inputPerMillion: p.inputPerMillion,
        outputPerMillion: p.outputPerMillion,
        ...(p.longPrompt ? { longPrompt: p.longPrompt } : {}),
      };
  }
  return prices;
}

/**
 * The estimated cost in USD of the tokens in `byModel` (model name → tokens, as in
 * StageUsage.byModel) at `prices` (default `defaultPrices()`): input and output at the model's
 * rate, the `longPrompt` part at its long-prompt rate when the price has one. A model with tokens
 * but no price is left out of `usd` and named in `unpriced` (sorted), so a partial sum is never
 * passed off as the whole; a model with no tokens at all is ignored. Throws nothing; the estimate is
 * only as good as the token counts the provider reported.
 */
export function estimateCost(
  byModel: Readonly<Record<string, PricedTokens>>,
  prices: Readonly<Record<string, ModelPrice>> = defaultPrices(),
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
    const long = tokens.longPrompt ?? { inputTokens: 0, outputTokens: 0 };
    const longRate = price.longPrompt ?? price;
    usd +=
      ((tokens.inputTokens - long.inputTokens) * price.inputPerMillion +
        (tokens.outputTokens - long.outputTokens) * price.outputPerMillion +
        long.inputTokens * longRate.inputPerMillion +
        long.outputTokens * longRate.outputPerMillion) /
      1_000_000;
  }
  return { usd, unpriced: unpriced.sort() };
}

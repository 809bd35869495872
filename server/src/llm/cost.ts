import { listPrice, MODEL_CATALOGUE, type TierPrice } from './catalogue';
import { PRICE_TIERS, type PriceTier, type TokenCount, type TokenSplit } from './usage';

/**
 * A model's rates at one tier, in US dollars per 1,000,000 tokens: the catalogue's TierPrice (input,
 * output with thinking, cached input — unknown: billed at the input rate, an upper bound — and the
 * `longPrompt` rates of requests whose prompt is over `aboveInputTokens`, when the model has them).
 */
export type RateCard = TierPrice;

/** A model's price: its Standard rates, and those of the other tiers it is sold at (`tiers.flex`) when known. */
export interface ModelPrice extends RateCard {
  readonly tiers?: Partial<Record<PriceTier, RateCard>>;
}

/** Tokens spent on one model, as StageUsage.byModel holds them. */
export type PricedTokens = Readonly<TokenCount>;

/**
 * The list prices of every model in the catalogue (llm/catalogue.ts) that hold on `day`
 * (default today): Google's Standard tier and, where the catalogue has it, the Flex tier and the
 * cached-input rate; text input, thinking billed as output. Batch, cache storage and the free tier
 * are not modelled. Users add and override prices with the `traitStudio.prices` setting; pass the
 * merged table to `estimateCost`.
 */
export function defaultPrices(day: Date = new Date()): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  for (const { id } of MODEL_CATALOGUE) {
    const p = listPrice(id, day);
    if (p) prices[id] = { ...rateCard(p), ...(p.flex ? { tiers: { flex: rateCard(p.flex) } } : {}) };
  }
  return prices;
}

/** The rates of a catalogue price, without its dates and source. */
function rateCard(p: TierPrice): RateCard {
  return {
    inputPerMillion: p.inputPerMillion,
    outputPerMillion: p.outputPerMillion,
    ...(p.cachedInputPerMillion !== undefined ? { cachedInputPerMillion: p.cachedInputPerMillion } : {}),
    ...(p.longPrompt ? { longPrompt: p.longPrompt } : {}),
  };
}

/**
 * The estimated cost in USD of the tokens in `byModel` (model name → tokens, as in
 * StageUsage.byModel) at `prices` (default `defaultPrices()`): input, cached input and output at
 * the model's rates, the `longPrompt` part at its long-prompt rates when the price has them, the
 * part billed at another tier (`tiers.flex`) at that tier's rates. Cached input with no cached rate
 * known is counted at the input rate (an upper bound). A model with tokens but no price — or with
 * tokens at a tier it has no price for — is left out of `usd` and named in `unpriced` (sorted; the
 * tier in brackets: "gemini-x (flex)"), so a partial sum is never passed off as the whole; a model
 * with no tokens at all is ignored. Throws nothing; the estimate is only as good as the token
 * counts the provider reported.
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
    let standard: TokenCount = tokens;
    for (const tier of PRICE_TIERS) {
      const part = tokens.tiers?.[tier];
      if (!part || (part.inputTokens === 0 && part.outputTokens === 0)) continue;
      standard = minus(standard, part);
      const card = price.tiers?.[tier];
      if (card) usd += costAt(part, card);
      else unpriced.push(`${model} (${tier})`);
    }
    usd += costAt(standard, price);
  }
  return { usd, unpriced: unpriced.sort() };
}

/** The cost in USD of `tokens` (one tier's) at `card`. */
function costAt(tokens: Omit<TokenCount, 'tiers'>, card: RateCard): number {
  const long = tokens.longPrompt ?? { inputTokens: 0, outputTokens: 0 };
  const longCard = card.longPrompt ?? card;
  const cached = tokens.cachedInputTokens ?? 0;
  const longCached = long.cachedInputTokens ?? 0;
  const shortCached = cached - longCached;
  return (
    ((tokens.inputTokens - long.inputTokens - shortCached) * card.inputPerMillion +
      shortCached * (card.cachedInputPerMillion ?? card.inputPerMillion) +
      (tokens.outputTokens - long.outputTokens) * card.outputPerMillion +
      (long.inputTokens - longCached) * longCard.inputPerMillion +
      longCached * (longCard.cachedInputPerMillion ?? longCard.inputPerMillion) +
      long.outputTokens * longCard.outputPerMillion) /
    1_000_000
  );
}

/** `a` without `b` (field by field, long-prompt part too); `a`'s other tiers are dropped. */
function minus(a: TokenCount, b: Omit<TokenCount, 'tiers'>): TokenCount {
  const sub = (x: TokenSplit | undefined, y: TokenSplit | undefined): TokenSplit => ({
    inputTokens: (x?.inputTokens ?? 0) - (y?.inputTokens ?? 0),
    outputTokens: (x?.outputTokens ?? 0) - (y?.outputTokens ?? 0),
    cachedInputTokens: (x?.cachedInputTokens ?? 0) - (y?.cachedInputTokens ?? 0),
  });
  return { ...sub(a, b), longPrompt: sub(a.longPrompt, b.longPrompt) };
}

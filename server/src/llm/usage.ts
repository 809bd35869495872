/** Token accounting of model calls: what each answer spent, summed per model and in total. */
import { LONG_PROMPT_TOKENS } from './catalogue';

/**
 * A price tier a call may be billed at other than Google's Standard one: `flex`, a request sent
 * with `serviceTier: 'flex'` (about half price; llm/catalogue.ts ListPrice.flex). Another tier
 * (batch) slots in here and in ModelPrice.tiers.
 */
export type PriceTier = 'flex';
export const PRICE_TIERS: readonly PriceTier[] = ['flex'];

/** Tokens of one kind of request: input (prompt) and output (answer, thinking included). */
export interface TokenSplit {
  inputTokens: number;
  outputTokens: number;
  /**
   * The part of `inputTokens` the provider served from its context cache (Gemini's
   * `usageMetadata.cachedContentTokenCount`, an OpenAI-compatible server's
   * `usage.prompt_tokens_details.cached_tokens`), billed at the cached rate; absent when none (and
   * in a manifest written before it was counted).
   */
  cachedInputTokens?: number;
}

/** Tokens, as the provider reports them (input = prompt, output = answer, thinking included). */
export interface TokenCount extends TokenSplit {
  /**
   * The part of these tokens spent in requests whose prompt was over LONG_PROMPT_TOKENS
   * (llm/catalogue.ts), which a long-prompt tier prices higher; absent when there were none.
   */
  longPrompt?: TokenSplit;
  /**
   * The part of these tokens billed at another tier than Standard (a Flex request), by tier, each
   * with its own long-prompt part; absent when every call was Standard (and in older manifests).
   */
  tiers?: Partial<Record<PriceTier, Omit<TokenCount, 'tiers'>>>;
}

/**
 * What a run spent: tokens in total and per model name, counting every answer a provider was asked
 * for in this run (a malformed answer asked for again counts twice). Answers served from the cache
 * cost nothing again, so their tokens are not counted; `cachedAnswers` says how many there were.
 * (`cachedAnswers` are answers from Trait Studio's own answer cache; `cachedInputTokens` are prompt
 * tokens the provider's context cache served.)
 */
export interface StageUsage extends TokenCount {
  byModel: Record<string, TokenCount>;
  cachedAnswers: number;
}

/** What one model call reported (GenerateResult.usage), or what an estimate foresees for one. */
export interface CallTokens extends TokenSplit {
  /** The tier the call was billed at; absent: Standard. */
  readonly tier?: PriceTier;
}

/** A StageUsage with nothing spent yet. */
export function emptyUsage(): StageUsage {
  return { inputTokens: 0, outputTokens: 0, byModel: {}, cachedAnswers: 0 };
}

/**
 * Adds `more` into `into` (tokens, cached input tokens, per model with their long-prompt and tier
 * parts, cached answers) and returns `into`. Tolerates parts missing from an older manifest.
 */
export function addUsage(into: StageUsage, more: Partial<StageUsage>): StageUsage {
  addSplit(into, more);
  into.cachedAnswers += more.cachedAnswers ?? 0;
  for (const [model, t] of Object.entries(more.byModel ?? {})) addTokens((into.byModel[model] ??= { inputTokens: 0, outputTokens: 0 }), t);
  return into;
}

/**
 * Counts the tokens of `times` calls of `model` (each `inputTokens` in, `cachedInputTokens` of them
 * from the provider's context cache, `outputTokens` out, billed at `tier`) into `usage`: its totals
 * and `byModel[model]`, the part of a prompt over LONG_PROMPT_TOKENS in `longPrompt`, a Flex call's
 * in `tiers.flex` too. What a model call reports, and what an estimate foresees, is summed here.
 */
export function countCall(usage: StageUsage, model: string, call: CallTokens, times = 1): void {
  const split: TokenSplit = {
    inputTokens: call.inputTokens * times,
    outputTokens: call.outputTokens * times,
    ...(call.cachedInputTokens ? { cachedInputTokens: call.cachedInputTokens * times } : {}),
  };
  const tokens: Omit<TokenCount, 'tiers'> = { ...split, ...(call.inputTokens > LONG_PROMPT_TOKENS ? { longPrompt: { ...split } } : {}) };
  addSplit(usage, split);
  addTokens((usage.byModel[model] ??= { inputTokens: 0, outputTokens: 0 }), {
    ...tokens,
    ...(call.tier ? { tiers: { [call.tier]: tokens } } : {}),
  });
}

/** Adds `more`'s long-prompt and tier parts and its tokens to `into`. */
function addTokens(into: TokenCount, more: TokenCount): void {
  addSplit(into, more);
  if (more.longPrompt) addSplit((into.longPrompt ??= { inputTokens: 0, outputTokens: 0 }), more.longPrompt);
  for (const [tier, part] of Object.entries(more.tiers ?? {}) as [PriceTier, TokenCount][]) {
    const tiers = (into.tiers ??= {});
    addTokens((tiers[tier] ??= { inputTokens: 0, outputTokens: 0 }), part);
  }
}

/** Adds input, output and cached input tokens (the last only when there are any, so older shapes stay as they were). */
function addSplit(into: TokenSplit, more: Partial<TokenSplit>): void {
  into.inputTokens += more.inputTokens ?? 0;
  into.outputTokens += more.outputTokens ?? 0;
  if (more.cachedInputTokens) into.cachedInputTokens = (into.cachedInputTokens ?? 0) + more.cachedInputTokens;
}

/** Token accounting of model calls: what each answer spent, summed per model and in total. */
import { LONG_PROMPT_TOKENS } from './catalogue';

/** Tokens, as the provider reports them (input = prompt, output = answer, thinking included). */
export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
  /**
   * The part of these tokens spent in requests whose prompt was over LONG_PROMPT_TOKENS
   * (llm/catalogue.ts), which a long-prompt tier prices higher; absent when there were none.
   */
  longPrompt?: { inputTokens: number; outputTokens: number };
}

/**
 * What a run spent: tokens in total and per model name, counting every answer a provider was asked
 * for in this run (a malformed answer asked for again counts twice). Answers served from the cache
 * cost nothing again, so their tokens are not counted; `cachedAnswers` says how many there were.
 */
export interface StageUsage extends TokenCount {
  byModel: Record<string, TokenCount>;
  cachedAnswers: number;
}

/** A StageUsage with nothing spent yet. */
export function emptyUsage(): StageUsage {
  return { inputTokens: 0, outputTokens: 0, byModel: {}, cachedAnswers: 0 };
}

/** Adds `more` into `into` (tokens, per model with their long-prompt part, cached answers) and returns `into`. Tolerates parts missing from an older manifest. */
export function addUsage(into: StageUsage, more: Partial<StageUsage>): StageUsage {
  into.inputTokens += more.inputTokens ?? 0;
  into.outputTokens += more.outputTokens ?? 0;
  into.cachedAnswers += more.cachedAnswers ?? 0;
  for (const [model, t] of Object.entries(more.byModel ?? {})) addTokens(into.byModel, model, t);
  return into;
}

/**
 * Counts the tokens of `times` calls of `model` (each `inputTokens` in, `outputTokens` out) into
 * `usage`: its totals and `byModel[model]`, the part of a prompt over LONG_PROMPT_TOKENS in
 * `longPrompt` too. What a model call reports, and what an estimate foresees, is summed here.
 */
export function countCall(
  usage: StageUsage,
  model: string,
  { inputTokens, outputTokens }: { inputTokens: number; outputTokens: number },
  times = 1,
): void {
  const input = inputTokens * times;
  const output = outputTokens * times;
  usage.inputTokens += input;
  usage.outputTokens += output;
  addTokens(usage.byModel, model, {
    inputTokens: input,
    outputTokens: output,
    ...(inputTokens > LONG_PROMPT_TOKENS ? { longPrompt: { inputTokens: input, outputTokens: output } } : {}),
  });
}

/** Adds `tokens` to `byModel[model]` only. */
function addTokens(byModel: Record<string, TokenCount>, model: string, tokens: TokenCount): void {
  const m = (byModel[model] ??= { inputTokens: 0, outputTokens: 0 });
  m.inputTokens += tokens.inputTokens;
  m.outputTokens += tokens.outputTokens;
  if (tokens.longPrompt) {
    const long = (m.longPrompt ??= { inputTokens: 0, outputTokens: 0 });
    long.inputTokens += tokens.longPrompt.inputTokens;
    long.outputTokens += tokens.longPrompt.outputTokens;
  }
}

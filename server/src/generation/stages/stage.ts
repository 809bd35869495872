import { DEFAULT_MODEL, LONG_PROMPT_TOKENS, type ThinkingLevel } from '../../llm/catalogue';
import type { GenerateRequest, GenerateResult, ModelProvider } from '../../llm/provider';
import { ModelAnswerError } from '../../llm/provider';
import { answerProblem, type AnswerLimits } from '../../llm/answerCheck';
import { answerKey, type AnswerCache, type CachedAnswer } from '../../llm/cache';
import { schemaProblems, SCHEMAS, type StructuredStage } from '../schemas';
import type { Template, TemplateStage } from '../../llm/templates';

/** Which model each role uses (the method: a fast model to generate and for the baseline, a strong one to judge and answer). */
export interface StageModels {
  readonly brainstorm: string;
  readonly critique: string;
  readonly baseline: string;
  readonly response: string;
  readonly autorate: string;
}

/** The default model of each role, from the model catalogue (llm/catalogue.ts, DEFAULT_MODEL). */
export const DEFAULT_MODELS: StageModels = {
  brainstorm: DEFAULT_MODEL.fast,
  critique: DEFAULT_MODEL.strong,
  baseline: DEFAULT_MODEL.fast,
  response: DEFAULT_MODEL.strong,
  autorate: DEFAULT_MODEL.strong,
};

/** The role (StageModels key) whose model answers each stage: scenario uses the brainstorm model, sharpen the critique model. */
export const STAGE_ROLE: Readonly<Record<string, keyof StageModels>> = {
  brainstorm: 'brainstorm',
  scenario: 'brainstorm',
  critique: 'critique',
  sharpen: 'critique',
  baseline: 'baseline',
  response: 'response',
  autorate: 'autorate',
  'midtraining-ideas': 'brainstorm',
  'midtraining-draft': 'brainstorm',
  'midtraining-critique': 'critique',
};

/**
 * How hard each stage's model thinks (GenerateRequest.thinking; undefined: the model's default).
 * The fast model's generation stages think little; the strong model's judging stages think hard;
 * the baseline and the response answer as their models would by default, since both are the
 * answers a training record compares.
 */
export const STAGE_THINKING: Readonly<Record<string, ThinkingLevel | undefined>> = {
  brainstorm: 'low',
  scenario: 'low',
  critique: 'high',
  sharpen: 'high',
  baseline: undefined,
  response: undefined,
  autorate: 'high',
};

/**
 * The model version each stage's answer came from, by stage name, as the API reported it
 * (GenerateResult.modelVersion; kept with a cached answer): null when it reported none, or for an
 * answer cached before versions were kept. A stage that has not answered is absent.
 */
export type ModelVersions = Record<string, string | null>;

/**
 * Which model versions answered for each model asked for: requested model id → the distinct
 * versions the API reported for it (sorted; "(not reported)" when an answer came without one),
 * over every stage of `items` whose role `models` names. What a user reads to see which model
 * really answered (an alias or a preview id may be served by a dated version).
 */
export function answeringVersions(items: readonly { readonly modelVersions?: ModelVersions }[], models: StageModels, into: Record<string, string[]> = {}): Record<string, string[]> {
  for (const item of items) {
    for (const [stage, version] of Object.entries(item.modelVersions ?? {})) {
      const role = STAGE_ROLE[stage];
      if (!role) continue;
      const list = (into[models[role]] ??= []);
      const shown = version ?? NOT_REPORTED;
      if (!list.includes(shown)) list.push(shown);
    }
  }
  for (const list of Object.values(into)) list.sort();
  return into;
}

/** How answeringVersions lists an answer whose API reported no model version. */
export const NOT_REPORTED = '(not reported)';

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
  for (const [model, t] of Object.entries(more.byModel ?? {})) addTokens(into, model, t);
  return into;
}

/** Adds `tokens` to `usage.byModel[model]` only (the totals are the caller's). */
function addTokens(usage: StageUsage, model: string, tokens: TokenCount): void {
  const m = (usage.byModel[model] ??= { inputTokens: 0, outputTokens: 0 });
  m.inputTokens += tokens.inputTokens;
  m.outputTokens += tokens.outputTokens;
  if (tokens.longPrompt) {
    const long = (m.longPrompt ??= { inputTokens: 0, outputTokens: 0 });
    long.inputTokens += tokens.longPrompt.inputTokens;
    long.outputTokens += tokens.longPrompt.outputTokens;
  }
}

/** The provider id used when none is given (StageContext.providerId). */
export const DEFAULT_PROVIDER_ID = 'gemini';

/** What every stage runs with. `usage` is added to as calls complete. */
export interface StageContext {
  readonly provider: ModelProvider;
  /** The baseline may come from another provider (the model being trained, OpenAI-compatible). */
  readonly baselineProvider?: ModelProvider;
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly signal?: AbortSignal;
  readonly usage: StageUsage;
  /** Where answers are looked up before asking and kept after (none: always ask, keep nothing). */
  readonly cache?: AnswerCache;
  /** False to skip cache lookups (regenerate) while still writing the new answers; default true. */
  readonly readCache?: boolean;
  /** Which sample of the same request this is, part of the cache key: the scenario's index; default 0. */
  readonly sample?: number;
  /** Names `provider` in cache keys (e.g. "gemini", "vertex-ai"); default DEFAULT_PROVIDER_ID. */
  readonly providerId?: string;
  /**
   * Names `baselineProvider` in cache keys. When a separate baseline provider is given without it,
   * baseline answers are neither read from nor written to the cache: answers of an unnamed endpoint
   * could be mistaken for another's.
   */
  readonly baselineProviderId?: string;
  /** Where each answer's reported model version is put, by stage name (see ModelVersions); none: not kept. */
  readonly versions?: ModelVersions;
  /** What an answer may be (answerCheck.ts); default DEFAULT_ANSWER_LIMITS. */
  readonly answerLimits?: AnswerLimits;
}

/** A stage that failed for good: its name and what went wrong, shown for that scenario. */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

/** Counts what one answer of `model` spent; a prompt over LONG_PROMPT_TOKENS is counted in `longPrompt` too. */
function add(ctx: AskContext, model: string, { inputTokens, outputTokens }: GenerateResult['usage']): void {
  ctx.usage.inputTokens += inputTokens;
  ctx.usage.outputTokens += outputTokens;
  addTokens(ctx.usage, model, { inputTokens, outputTokens, ...(inputTokens > LONG_PROMPT_TOKENS ? { longPrompt: { inputTokens, outputTokens } } : {}) });
}

/** The id naming `provider` in cache keys, or undefined when it has none (its answers are not cached). */
function providerIdOf(ctx: AskContext, provider: ModelProvider): string | undefined {
  if (provider === ctx.provider) return ctx.providerId ?? DEFAULT_PROVIDER_ID;
  if (provider === ctx.baselineProvider) return ctx.baselineProviderId;
  return undefined;
}

/**
 * What asking a model needs of a stage's context: the provider(s) and their ids, the cache, the
 * usage to add to, cancellation. StageContext has it all; other askers (the audit's model pass)
 * give just this.
 */
export type AskContext = Pick<StageContext, 'provider' | 'baselineProvider' | 'providerId' | 'baselineProviderId' | 'cache' | 'readCache' | 'sample' | 'signal' | 'usage' | 'versions' | 'answerLimits'>;

/**
 * Asks `provider` for an answer and reads it with `read`, which returns the value or a problem
 * string. A blocked, empty or unreadable answer — or one answerCheck.ts refuses: cut off at the
 * output token limit, malformed text, over `ctx.answerLimits` — is asked for once more; a second one comes back as
 * `{ problem }` (never a made-up value). Transport failures were already retried by the request
 * policy and become a StageError at once; a cancellation passes through as it is. The model
 * version of the answer used (kept with it in the cache) goes to `ctx.versions[stage]`.
 *
 * With `ctx.cache`, an answer stored under the same key (`answerKey`: provider id, stage, full
 * request, sample) is served without asking, unless `ctx.readCache` is false; a stored answer that
 * `read` rejects is a miss, and is replaced by the next good one. Only answers `read` accepted are
 * stored. The cache failing (rejecting) is a miss or a lost write, never a failed stage.
 */
export async function askUpToTwice<T>(
  ctx: AskContext,
  stage: string,
  request: GenerateRequest,
  read: (text: string) => { value: T } | { problem: string },
  provider = ctx.provider,
): Promise<{ value: T } | { problem: string }> {
  ctx.signal?.throwIfAborted();
  const id = ctx.cache ? providerIdOf(ctx, provider) : undefined;
  const key = ctx.cache && id !== undefined ? answerKey({ providerId: id, stage, request, sample: ctx.sample ?? 0 }) : undefined;
  if (ctx.cache && key && ctx.readCache !== false) {
    const cached = await ctx.cache.get(key).catch(() => undefined);
    // The provider never returns blank text, so a blank cached one is damage, not an answer.
    const usable = cached && cached.text.trim() && !answerProblem(cached.text, undefined, ctx.answerLimits, !!request.responseJsonSchema);
    const answer = usable ? read(cached.text) : undefined;
    if (answer && 'value' in answer) {
      ctx.usage.cachedAnswers += 1;
      if (ctx.versions) ctx.versions[stage] = cached!.modelVersion ?? null;
      return answer;
    }
  }
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await provider.generate(request, ctx.signal);
      add(ctx, request.model, result.usage);
      // A cut-off, malformed or oversized answer is a bad answer like one `read` rejects.
      const unusable = answerProblem(result.text, result.finishReason, ctx.answerLimits, !!request.responseJsonSchema);
      const answer = unusable ? { problem: unusable } : read(result.text);
      if ('value' in answer) {
        if (ctx.versions) ctx.versions[stage] = result.modelVersion ?? null;
        if (ctx.cache && key) await keep(ctx.cache, key, { text: result.text, usage: result.usage, ...(result.modelVersion ? { modelVersion: result.modelVersion } : {}) });
        return answer;
      }
      problem = answer.problem;
    } catch (error) {
      if (!(error instanceof ModelAnswerError)) throw wrap(stage, error, ctx.signal);
      problem = error.message;
    }
  }
  return { problem: `${problem} (asked twice)` };
}

/** askUpToTwice for a stage: a second bad answer is a StageError, which ends the scenario. */
async function askTwice<T>(
  ctx: StageContext,
  stage: string,
  request: GenerateRequest,
  read: (text: string) => { value: T } | { problem: string },
  provider = ctx.provider,
): Promise<T> {
  const answer = await askUpToTwice(ctx, stage, request, read, provider);
  if ('value' in answer) return answer.value;
  throw new StageError(stage, answer.problem);
}

/** Stores an answer; a cache that rejects loses the write and the stage goes on (DiskAnswerCache reports through its onError). */
async function keep(cache: AnswerCache, key: string, answer: CachedAnswer): Promise<void> {
  try {
    await cache.set(key, { text: answer.text, usage: { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens }, ...(answer.modelVersion ? { modelVersion: answer.modelVersion } : {}) });
  } catch {
    // Nothing to do: the answer is in hand; only the next run loses it.
  }
}

/** A structured answer: generated with the stage's JSON schema, parsed and validated (see `askTwice`). */
export function structured<S extends StructuredStage>(ctx: StageContext, stage: S, request: Omit<GenerateRequest, 'responseJsonSchema'>): Promise<any> {
  return askTwice(ctx, stage, { ...request, responseJsonSchema: SCHEMAS[stage] }, (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { problem: `the answer is not JSON (${JSON.stringify(text.slice(0, 80))})` };
    }
    const problem = schemaProblems(stage, value);
    return problem ? { problem } : { value };
  });
}

/** A free-text answer (see `askTwice`). */
export function text(ctx: StageContext, stage: string, request: GenerateRequest, provider = ctx.provider): Promise<string> {
  return askTwice(ctx, stage, request, (answer) => ({ value: answer }), provider);
}

function wrap(stage: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return error;
  return new StageError(stage, error instanceof Error ? error.message : String(error));
}

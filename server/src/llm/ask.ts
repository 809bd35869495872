/**
 * Asking a model: every model call of generation, midtraining and the audit goes through `ask`
 * (or `askStructured` / `askText` on top of it), which looks the answer up in the cache, asks at
 * most twice, checks the answer, counts its tokens and records the model version that gave it.
 */
import type { z } from 'zod';
import { answerProblem, type AnswerLimits } from './answerCheck';
import { answerKey, type AnswerCache, type CachedAnswer } from './cache';
import type { GenerateRequest, ModelProvider } from './provider';
import { ModelAnswerError } from './provider';
import { jsonSchemaOf, parseStructured, type Answer } from './structured';
import { countCall, type StageUsage } from './usage';

/**
 * The model version each stage's answer came from, by stage name, as the API reported it
 * (GenerateResult.modelVersion; kept with a cached answer): null when it reported none, or for an
 * answer cached before versions were kept. A stage that has not answered is absent.
 */
export type ModelVersions = Record<string, string | null>;

/** The provider id used when none is given (AskContext.providerId). */
const DEFAULT_PROVIDER_ID = 'gemini';

/** What asking a model needs: the provider(s) and their ids, the cache, the usage to add to, cancellation. */
export interface AskContext {
  readonly provider: ModelProvider;
  /** The baseline may come from another provider (the model being trained, OpenAI-compatible). */
  readonly baselineProvider?: ModelProvider;
  readonly signal?: AbortSignal;
  /** Added to as calls complete. */
  readonly usage: StageUsage;
  /** Where answers are looked up before asking and kept after (none: always ask, keep nothing). */
  readonly cache?: AnswerCache;
  /** False to skip cache lookups (regenerate) while still writing the new answers; default true. */
  readonly readCache?: boolean;
  /** Which sample of the same request this is, part of the cache key: the scenario's index; default 0. */
  readonly sample?: number;
  /** Names `provider` in cache keys (modelAccess.ts `geminiProviderId`); default DEFAULT_PROVIDER_ID. */
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

/** A stage that failed for good: its name and what went wrong ("stage: reason"). */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

/**
 * Asks `provider` (default `ctx.provider`) for an answer to `request` and reads it with `read`,
 * which returns `{ value }` or `{ problem }`. A blocked, empty or unreadable answer — or one
 * answerCheck.ts refuses: cut off at the output token limit, malformed text, over
 * `ctx.answerLimits` — is asked for once more; a second one resolves `{ problem: "… (asked twice)" }`
 * (never a made-up value). Rejects with a StageError of `stage` when the request fails for good
 * (the request policy already retried it), and with the abort reason when `ctx.signal` aborts.
 * The model version of the answer used goes to `ctx.versions[stage]`; tokens spent to `ctx.usage`.
 *
 * With `ctx.cache`, an answer stored under the same key (`answerKey`: provider id, stage, full
 * request, sample) is served without asking (counted in `usage.cachedAnswers`), unless
 * `ctx.readCache` is false; a stored answer that `read` rejects is a miss and is replaced by the
 * next good one. Only answers `read` accepted are stored. The cache failing is a miss or a lost
 * write, never a failed stage.
 */
export async function ask<T>(
  ctx: AskContext,
  stage: string,
  request: GenerateRequest,
  read: (text: string) => Answer<T>,
  provider = ctx.provider,
): Promise<Answer<T>> {
  ctx.signal?.throwIfAborted();
  const id = ctx.cache ? providerIdOf(ctx, provider) : undefined;
  const key = ctx.cache && id !== undefined ? answerKey({ providerId: id, stage, request, sample: ctx.sample ?? 0 }) : undefined;
  const cached = key && ctx.readCache !== false ? await fromCache(ctx, stage, key, request, read) : undefined;
  if (cached) return cached;
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await provider.generate(request, ctx.signal);
      countCall(ctx.usage, request.model, result.usage);
      // A cut-off, malformed or oversized answer is a bad answer like one `read` rejects.
      const unusable = answerProblem(result.text, result.finishReason, ctx.answerLimits, !!request.responseJsonSchema);
      const answer = unusable ? { problem: unusable } : read(result.text);
      if ('value' in answer) {
        if (ctx.versions) ctx.versions[stage] = result.modelVersion ?? null;
        if (ctx.cache && key)
          await keep(ctx.cache, key, {
            text: result.text,
            usage: result.usage,
            ...(result.modelVersion ? { modelVersion: result.modelVersion } : {}),
          });
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

/** `answer`'s value, or a StageError of `stage` with its problem. */
function valueOf<T>(stage: string, answer: Answer<T>): T {
  if ('value' in answer) return answer.value;
  throw new StageError(stage, answer.problem);
}

/**
 * A structured answer (see `ask`): `request` is sent with `schema` as its JSON Schema, and the
 * answer is parsed and checked against it, then by `check` when given (which may refuse it with a
 * problem, asking again). Resolves `{ value }` typed by the schema (or `check`), or `{ problem }`.
 */
export function tryStructured<T, U = T>(
  ctx: AskContext,
  stage: string,
  request: Omit<GenerateRequest, 'responseJsonSchema'>,
  schema: z.ZodType<T>,
  check?: (value: T) => Answer<U>,
): Promise<Answer<U>> {
  return ask(ctx, stage, { ...request, responseJsonSchema: jsonSchemaOf(schema) }, (text) => {
    const parsed = parseStructured(schema, text);
    if (!('value' in parsed)) return parsed;
    return check ? check(parsed.value) : (parsed as Answer<T> as Answer<U>);
  });
}

/** `tryStructured` whose second bad answer is a StageError of `stage`: resolves the value, typed by `schema`. */
export async function askStructured<T>(
  ctx: AskContext,
  stage: string,
  request: Omit<GenerateRequest, 'responseJsonSchema'>,
  schema: z.ZodType<T>,
): Promise<T> {
  return valueOf(stage, await tryStructured(ctx, stage, request, schema));
}

/** A free-text answer (see `ask`); a second bad answer is a StageError of `stage`. */
export async function askText(ctx: AskContext, stage: string, request: GenerateRequest, provider = ctx.provider): Promise<string> {
  return valueOf(stage, await ask(ctx, stage, request, (answer) => ({ value: answer }), provider));
}

/** The id naming `provider` in cache keys, or undefined when it has none (its answers are not cached). */
function providerIdOf(ctx: AskContext, provider: ModelProvider): string | undefined {
  if (provider === ctx.provider) return ctx.providerId ?? DEFAULT_PROVIDER_ID;
  if (provider === ctx.baselineProvider) return ctx.baselineProviderId;
  return undefined;
}

/** The cached answer under `key` when there is one `read` accepts (counted as a cached answer); undefined for a miss. */
async function fromCache<T>(
  ctx: AskContext,
  stage: string,
  key: string,
  request: GenerateRequest,
  read: (text: string) => Answer<T>,
): Promise<Answer<T> | undefined> {
  const cached = await ctx.cache!.get(key).catch(() => undefined);
  // The provider never returns blank text, so a blank cached one is damage, not an answer.
  if (!cached || !cached.text.trim() || answerProblem(cached.text, undefined, ctx.answerLimits, !!request.responseJsonSchema))
    return undefined;
  const answer = read(cached.text);
  if (!('value' in answer)) return undefined;
  ctx.usage.cachedAnswers += 1;
  if (ctx.versions) ctx.versions[stage] = cached.modelVersion ?? null;
  return answer;
}

/** Stores an answer; a cache that rejects loses the write and the stage goes on (DiskAnswerCache reports through its onError). */
async function keep(cache: AnswerCache, key: string, answer: CachedAnswer): Promise<void> {
  try {
    await cache.set(key, {
      text: answer.text,
      usage: { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens },
      ...(answer.modelVersion ? { modelVersion: answer.modelVersion } : {}),
    });
  } catch {
    // Nothing to do: the answer is in hand; only the next run loses it.
  }
}

function wrap(stage: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return error;
  return new StageError(stage, error instanceof Error ? error.message : String(error));
}

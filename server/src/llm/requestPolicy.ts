import { APIConnectionError, APIError, APIUserAbortError } from 'openai/error';
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { setTimeout as delay } from 'node:timers/promises';
import { ModelAnswerError } from './provider';
import { redact, redactError } from './redact';

/** How every model call is made: timeout, retries with back-off, rate limit, cancellation. */
export interface RequestPolicyOptions {
  /** Per attempt, ms. The SDK has no timeout of its own. Default 60 000. */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** First back-off, ms; doubles each retry, with full jitter. Default 1 000. */
  readonly baseDelayMs?: number;
  /** Longest back-off we choose, ms (a server's RetryInfo may ask for longer, up to `maxRetryDelayMs`). Default 30 000. */
  readonly maxDelayMs?: number;
  /** Longest RetryInfo delay honoured, ms; beyond it the error is final. Default 120 000. */
  readonly maxRetryDelayMs?: number;
  /** Requests (attempts) per minute per model, in any sliding 60 s window. Default unlimited. */
  readonly requestsPerMinute?: number;
  /** Requests in flight per model. Default 4. */
  readonly concurrency?: number;
  /** Waits `ms` unless `signal` aborts first (tests pass one that records and resolves at once). */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** For jitter; tests pass a fixed one. */
  readonly random?: () => number;
  /**
   * Said after the final error of a request the server shed or throttled (HTTP 429 or 503) on its
   * last attempt, e.g. what to do about a Flex request shed under load (FLEX_POLICY). Default none.
   */
  readonly shedAdvice?: string;
}

/**
 * How Flex requests (`serviceTier: 'flex'`) are made. Google's Flex inference page: latency of
 * 1 to 15 minutes, so a client timeout of at least 10 minutes (we wait 15, and tell the server so
 * with X-Server-Timeout, whose default is 600 s); capacity is best-effort and a request may be shed,
 * answered with HTTP 503 UNAVAILABLE (at capacity) or 429 RESOURCE_EXHAUSTED, with no fallback to
 * Standard: the client retries with exponential back-off. So more attempts, spaced further apart,
 * than a Standard request gets, then an error that says what happened.
 */
export const FLEX_POLICY = {
  timeoutMs: 15 * 60_000,
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 120_000,
  maxRetryDelayMs: 300_000,
  shedAdvice:
    'the Flex tier was at capacity every time (it sheds requests under load): run again later to resume, or run at the Standard tier',
} as const satisfies RequestPolicyOptions;

/** Why an attempt failed and whether another may succeed. */
export interface Failure {
  readonly retry: boolean;
  /** The delay the server asked for (a 429's or 503's RetryInfo or `retry-after-ms` / `retry-after` header), ms. */
  readonly retryAfterMs?: number;
  readonly reason: string;
}

/** The final error of a call that failed on every attempt (or could not be retried). */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor(
    message: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** An attempt that outlived `timeoutMs`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Classifies an error from a model call. HTTP errors (an object with a numeric `.status`: @google/genai's
 * `ApiError`, whose `.message` is the JSON body, or the openai SDK's `APIError` subclasses, whose
 * `.message` is "429 <message>" and which carry the response `.headers`) retry on 408/429/5xx. A 429's
 * or 503's delay (a throttled or shed request) comes from a `retry-after-ms` or `retry-after` header (seconds or an HTTP date, RFC 9110
 * §10.2.3) or else from `google.rpc.RetryInfo.retryDelay` ("17s") in the body's `error.details`
 * (Google API error model, google/rpc/error_details.proto). Transport errors retry: the openai SDK's
 * `APIConnectionError` / `APIConnectionTimeoutError` (no status; the fetch error in `.cause`),
 * `TypeError: fetch failed` with a socket code somewhere in its cause chain, and our own timeouts. An
 * error event inside an openai stream (an `APIError` with no status) retries unless its code is a
 * non-retryable HTTP status. The rest do not retry.
 */
export function classify(error: unknown): Failure {
  if (error instanceof TimeoutError) return { retry: true, reason: error.message };
  // Before the status check: the SDK's connection errors are APIErrors without a status.
  if (error instanceof APIConnectionError) {
    const code = transportCode(error);
    return { retry: true, reason: `connection error (${code ?? error.message})` };
  }
  const e = error as { name?: string; status?: unknown; message?: string; headers?: unknown };
  if (typeof e?.status === 'number') {
    // A throttled (429) or shed (503) request may say when to come back.
    const retryAfterMs = e.status === 429 || e.status === 503 ? (retryAfterDelay(e.headers) ?? retryInfoDelay(e.message)) : undefined;
    return { retry: RETRYABLE_STATUS.has(e.status), retryAfterMs, reason: `HTTP ${e.status}: ${apiMessage(e.message, e.status)}` };
  }
  if (error instanceof APIError && !(error instanceof APIUserAbortError)) {
    // The server took the request (HTTP 200) and failed while answering: a fault of the server,
    // worth another attempt unless the event names a status that says otherwise.
    const status = Number(error.code);
    const retry = Number.isInteger(status) && status >= 400 && status < 600 ? RETRYABLE_STATUS.has(status) : true;
    return { retry, reason: `error in the stream${error.code != null ? ` (${error.code})` : ''}: ${error.message}` };
  }
  const code = transportCode(error);
  if (code) return { retry: true, reason: `connection error (${code})` };
  if (e?.name === 'TypeError' && /fetch failed|terminated|socket/i.test(e.message ?? ''))
    return { retry: true, reason: `connection error (${e.message})` };
  return { retry: false, reason: e?.message ?? String(error) };
}

/** The first transport error code (ECONNRESET, UND_ERR_SOCKET, ...) on an error or its causes, if any. */
function transportCode(error: unknown): string | undefined {
  // openai wraps fetch's TypeError, which wraps the socket error: the code sits two causes down.
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && TRANSPORT_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

/**
 * The delay, in ms, that a response's `retry-after-ms` header (ms; openai's own extension) or
 * `retry-after` header (delay-seconds, or an HTTP date: the time left until it, 0 if past) asks for;
 * undefined when neither is present and readable. `headers` is anything with a fetch-style `get`.
 */
export function retryAfterDelay(headers: unknown, now = Date.now()): number | undefined {
  const get = (headers as { get?: unknown } | undefined)?.get;
  if (typeof get !== 'function') return undefined;
  const header = (name: string) => (get.call(headers, name) as string | null | undefined)?.trim();
  const number = /^\d+(?:\.\d+)?$/;
  const ms = header('retry-after-ms');
  if (ms && number.test(ms)) return Math.round(Number(ms));
  const after = header('retry-after');
  if (!after) return undefined;
  if (number.test(after)) return Math.round(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `retryDelay` of a RetryInfo detail in an error body, in ms ("17s", "1.5s"), if any. */
export function retryInfoDelay(body: string | undefined): number | undefined {
  try {
    const details = (JSON.parse(body ?? '') as { error?: { details?: { '@type'?: string; retryDelay?: string }[] } }).error?.details ?? [];
    const delay = details.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
    const m = delay ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    return m ? Math.round(Number(m[1]) * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** The readable part of an HTTP error's message: Gemini's JSON body's `error.message`, or openai's text without its status prefix. */
function apiMessage(message: string | undefined, status: number): string {
  const text = String(message);
  try {
    const inner = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof inner === 'string') return inner;
  } catch {
    // not JSON: the openai SDK's "429 Rate limit reached ..."
  }
  return text.startsWith(`${status} `) ? text.slice(`${status} `.length) : text;
}

/** Waits `ms`; rejects with `signal`'s reason (not timers' AbortError) when it aborts first. */
async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/**
 * Runs model calls under one policy: each attempt waits its turn in the model's queue (sliding-window
 * requests-per-minute and a concurrency cap, p-queue), gets its own timeout, and a failed attempt is
 * retried after a back-off (exponential with full jitter, or the server's RetryInfo delay when it
 * gives one). Cancelling `signal` stops waiting, aborts the attempt in flight and rejects with the
 * signal's reason; it is never retried.
 */
export class RequestPolicy {
  private readonly queues = new Map<string, PQueue>();
  private readonly o: Required<Omit<RequestPolicyOptions, 'shedAdvice'>> & Pick<RequestPolicyOptions, 'shedAdvice'>;

  constructor(options: RequestPolicyOptions = {}) {
    this.o = {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 120_000,
      requestsPerMinute: options.requestsPerMinute ?? Infinity,
      concurrency: options.concurrency ?? 4,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      shedAdvice: options.shedAdvice,
    };
  }

  /** How long one attempt may take, ms. */
  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  /**
   * Calls `attempt(signal)` for `model` until it succeeds, fails for good or `signal` aborts.
   * `onRetry` hears of each retry (for logs and progress). Throws RequestFailedError with the last
   * cause, a ModelAnswerError from `attempt` unchanged (the model answered; there is nothing to
   * retry), or the abort reason when cancelled. The RequestFailedError's message, its cause's and
   * every retry's reason are redacted (redact.ts): no credential a server echoed gets out.
   */
  async run<T>(
    model: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    onRetry?: (failure: Failure, attempt: number, delayMs: number) => void,
  ): Promise<T> {
    const queue = this.queueFor(model);
    signal?.throwIfAborted();
    // p-retry runs the attempts; whether and when to try again is decided here (classify, the
    // server's RetryInfo, our back-off), so its own delay is 0 and no error ends it on its own.
    return pRetry(() => queue.add(() => this.once(attempt, signal), { signal }), {
      retries: Infinity,
      minTimeout: 0,
      shouldConsumeRetry: () => false,
      signal,
      onFailedAttempt: async ({ error, attemptNumber: n }) => {
        if (signal?.aborted) throw signal.reason;
        // A blocked or empty answer is the model's, not the request's: never retried here (the
        // stages ask again if they want), and the caller sees it as what it is.
        if (error instanceof ModelAnswerError) throw error;
        const failure = classify(error);
        const wait = failure.retryAfterMs ?? Math.round(this.o.random() * Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (n - 1)));
        // Every error a model call ends in passes here: what a provider echoed back (the key, a
        // URL's credentials) is redacted before anyone can log, show or write it.
        if (!failure.retry || n >= this.o.maxAttempts || wait > this.o.maxRetryDelayMs) {
          const status = (error as { status?: unknown }).status;
          const advice = this.o.shedAdvice && failure.retry && (status === 429 || status === 503) ? `: ${this.o.shedAdvice}` : '';
          throw new RequestFailedError(
            redact(`${model}: ${failure.reason}${n > 1 ? ` (after ${n} attempts)` : ''}${advice}`),
            n,
            redactError(error),
          );
        }
        onRetry?.({ ...failure, reason: redact(failure.reason) }, n, wait);
        await this.o.sleep(wait, signal);
      },
    });
  }

  private async once<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new TimeoutError(`no answer within ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    try {
      return await attempt(signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal);
    } catch (error) {
      // The SDK rejects with an AbortError when we abort; say which abort it was.
      if (timeout.signal.aborted && !signal?.aborted) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private queueFor(model: string): PQueue {
    let queue = this.queues.get(model);
    if (!queue) {
      const limited = Number.isFinite(this.o.requestsPerMinute);
      queue = new PQueue({
        concurrency: this.o.concurrency,
        ...(limited ? { intervalCap: this.o.requestsPerMinute, interval: 60_000, strict: true } : {}),
      });
      this.queues.set(model, queue);
    }
    return queue;
  }
}

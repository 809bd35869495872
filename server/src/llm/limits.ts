/**
 * Per-model rate limits (requests and input tokens per window) and a cap on calls in flight, put in
 * front of a ModelProvider for one run.
 *
 * How this sits next to RequestPolicy: the provider's RequestPolicy (p-queue, one queue per model)
 * already caps requests per minute per *attempt*, with the timeout and retries. It cannot weigh a
 * request by its tokens, and its window is fixed at 60 s. So the run adds this layer per *call*:
 * - per model, a sliding window of the calls started (time, input tokens): a call is admitted when
 *   the window holds fewer than `requests` calls and its tokens fit beside the window's. Admission
 *   goes through a p-queue of concurrency 1 per model, which gives FIFO order (a large call is not
 *   starved by small ones) and cancellation; p-queue's own interval limit counts tasks, not tokens,
 *   and counting requests with it and tokens elsewhere would admit in two steps that can disagree;
 * - then calls in flight: a p-queue with `concurrency` and priorities (abortable).
 * Retries inside the provider are attempts this layer does not see: cap those with the policy's
 * `requestsPerMinute`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { GenerateRequest, GenerateResult, ModelProvider } from './provider';

export interface RateLimits {
  /** Calls started per model in any window; default unlimited. */
  readonly requests?: number;
  /** Input tokens per model in any window (estimated at start, corrected from the answer); default unlimited. */
  readonly tokens?: number;
  /** The window, ms; default 60 000. */
  readonly windowMs?: number;
  /** Calls in flight, all models together; default unlimited. */
  readonly concurrency?: number;
  /** Called as each call goes to the provider (model, time in ms): for logs and benchmarks. */
  readonly onAdmit?: (model: string, at: number) => void;
}

/** Input tokens of a text, estimated as the lint rules do: 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The server counts a request when it arrives, a little after we start it (queues, the SDK, the
 * connection), and not always the same little. Stretching the window by 2% keeps two calls we
 * started a window apart from arriving less than a window apart.
 */
const GUARD = 0.02;

interface Entry {
  at: number;
  tokens: number;
}

/** The calls started for one model within the window, and the line of calls waiting to start. */
class ModelWindow {
  private entries: Entry[] = [];
  private readonly line = new PQueue({ concurrency: 1 });
  private readonly span: number;
  /** Ends the wait of the call at the head of the line early (a correction may have made room). */
  private wake: (() => void) | undefined;

  constructor(private readonly limits: { requests: number; tokens: number; windowMs: number }) {
    this.span = limits.windowMs * (1 + GUARD);
  }

  /** Waits for room for a call of `tokens` input tokens and records it as started now. Rejects with the abort reason. */
  async admit(tokens: number, signal?: AbortSignal): Promise<Entry> {
    try {
      return await this.line.add(
        async () => {
          for (;;) {
            const now = Date.now();
            const wait = this.waitFor(now, tokens);
            if (wait <= 0) {
              const entry = { at: now, tokens };
              this.entries.push(entry);
              return entry;
            }
            await this.pause(wait, signal);
          }
        },
        { signal },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  /** Replaces a call's estimated tokens by the provider's count. */
  correct(entry: Entry, tokens: number): void {
    entry.tokens = tokens;
    this.wake?.();
  }

  /** How long until a call of `tokens` fits (<= 0: now). */
  private waitFor(now: number, tokens: number): number {
    // Restamped entries (see LimitedProvider.started) may be out of order.
    this.entries = this.entries.filter((e) => now - e.at < this.span).sort((a, b) => a.at - b.at);
    const { requests, tokens: limit } = this.limits;
    let wait = 0;
    if (this.entries.length >= requests) wait = this.entries[this.entries.length - requests].at + this.span - now;
    let used = this.entries.reduce((n, e) => n + e.tokens, 0);
    // Alone in the window, a call larger than the limit still goes: waiting would not make room.
    for (let i = 0; used + tokens > limit && i < this.entries.length; i++) {
      used -= this.entries[i].tokens;
      wait = Math.max(wait, this.entries[i].at + this.span - now);
    }
    return wait;
  }

  /** Sleeps `ms`, or until a correction wakes it; rejects with the abort reason. Only the head of the line sleeps. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const wake = new AbortController();
    this.wake = () => wake.abort();
    try {
      await delay(ms, undefined, { signal: signal ? AbortSignal.any([signal, wake.signal]) : wake.signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!wake.signal.aborted) throw error;
    } finally {
      this.wake = undefined;
    }
  }
}

/**
 * `inner` behind the limits (see the module comment): each call waits for room in its model's
 * window, then for a slot among `concurrency` (higher `priority` first: see `view`), then goes to
 * `inner`. The window comes first so that calls of a model held at its rate do not sit on slots
 * that calls of other models could use. Errors and cancellation pass through as `inner` raises them
 * (a call cancelled while it waits rejects with the signal's reason).
 */
export class LimitedProvider implements ModelProvider {
  private readonly windows = new Map<string, ModelWindow>();
  private readonly slots: PQueue | undefined;
  private readonly limited: boolean;

  constructor(
    private readonly inner: ModelProvider,
    private readonly limits: RateLimits = {},
  ) {
    this.slots = limits.concurrency && Number.isFinite(limits.concurrency) ? new PQueue({ concurrency: limits.concurrency }) : undefined;
    this.limited = Number.isFinite(limits.requests ?? Infinity) || Number.isFinite(limits.tokens ?? Infinity);
  }

  generate(request: GenerateRequest, signal?: AbortSignal, onText?: (textSoFar: string) => void): Promise<GenerateResult> {
    return this.generateAt(0, request, signal, onText);
  }

  embed(model: string, texts: readonly string[], signal?: AbortSignal, dimensions?: number): Promise<number[][]> {
    return this.embedAt(0, model, texts, signal, dimensions);
  }

  /**
   * The same provider with each call's slot priority from `priority()`, asked as the call is made
   * (higher goes first among calls waiting for a slot). A run gives the later stages of an item
   * higher priority, so items that are further along finish first and new ones fill the gaps.
   */
  view(priority: () => number): ModelProvider {
    return {
      generate: (request, signal, onText) => this.generateAt(priority(), request, signal, onText),
      embed: (model, texts, signal, dimensions) => this.embedAt(priority(), model, texts, signal, dimensions),
    };
  }

  private async generateAt(
    priority: number,
    request: GenerateRequest,
    signal?: AbortSignal,
    onText?: (textSoFar: string) => void,
  ): Promise<GenerateResult> {
    const tokens = estimateTokens((request.systemInstruction ?? '') + request.messages.map((m) => m.text).join(''));
    const admitted = await this.admit(request.model, tokens, signal);
    return this.slot(
      async () => {
        this.started(request.model, admitted);
        const result = await this.inner.generate(request, signal, onText);
        // The provider's count replaces our estimate for the rest of the window.
        if (admitted && result.usage.inputTokens > 0) admitted.window.correct(admitted.entry, result.usage.inputTokens);
        return result;
      },
      priority,
      signal,
    );
  }

  private async embedAt(
    priority: number,
    model: string,
    texts: readonly string[],
    signal?: AbortSignal,
    dimensions?: number,
  ): Promise<number[][]> {
    const admitted = await this.admit(
      model,
      texts.reduce((n, t) => n + estimateTokens(t), 0),
      signal,
    );
    return this.slot(
      async () => {
        this.started(model, admitted);
        return this.inner.embed(model, texts, signal, dimensions);
      },
      priority,
      signal,
    );
  }

  private async admit(
    model: string,
    tokens: number,
    signal: AbortSignal | undefined,
  ): Promise<{ window: ModelWindow; entry: Entry } | undefined> {
    signal?.throwIfAborted();
    if (!this.limited) return undefined;
    let window = this.windows.get(model);
    if (!window) {
      const limits = {
        requests: this.limits.requests ?? Infinity,
        tokens: this.limits.tokens ?? Infinity,
        windowMs: this.limits.windowMs ?? 60_000,
      };
      this.windows.set(model, (window = new ModelWindow(limits)));
    }
    return { window, entry: await window.admit(tokens, signal) };
  }

  /**
   * Stamps an admitted call with the time it really goes to the provider: the wait for a slot (and,
   * on a busy event loop, whole milliseconds) lies between the admission and the call, and a call
   * counted from too early would leave its window too early. Until then it counts from its admission.
   */
  private started(model: string, admitted: { entry: Entry } | undefined): void {
    const now = Date.now();
    if (admitted) admitted.entry.at = now;
    this.limits.onAdmit?.(model, now);
  }

  private async slot<T>(task: () => Promise<T>, priority: number, signal: AbortSignal | undefined): Promise<T> {
    if (!this.slots) return task();
    try {
      return await this.slots.add(task, { priority, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }
}

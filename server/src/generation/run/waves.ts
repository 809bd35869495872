/**
 * Batch mode of a run: the stages' model calls collected into waves, one Gemini batch job per stage
 * across all items. The items run the same stage code as a synchronous run (preview.ts runStages,
 * brainstorm, midtraining, the Embedder); their provider is a WaveEngine view that holds each call
 * until every item waits, then sends the calls of the earliest stage waiting as one job, polls it
 * and answers them from its results.
 *
 * Durability: a wave is written to the manifest (state SUBMITTING, its display name) before it is
 * submitted and again (job name, PENDING) as soon as the API names the job, before anything else;
 * each state change is written when polled. A later session replays the items: a call whose key is
 * in a recorded wave of its stage is answered from that job (polled to its end if it is still
 * running), so no wave is submitted twice; a SUBMITTING wave with no job name is looked up by its
 * display name first.
 */
import { createHash, randomUUID } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { TERMINAL_STATES, type BatchService, type BatchState, type EmbedResult, type KeyedResult } from '../../llm/batch';
import type { AnswerCache } from '../../llm/cache';
import { ModelAnswerError, type GenerateRequest, type GenerateResult, type ModelProvider } from '../../llm/provider';
import { redact } from '../../llm/redact';
import { classify } from '../../llm/requestPolicy';
import { PartialEmbeddingError } from './dedup';

/** The order waves go in: the earliest stage with calls waiting is sent first. */
export const WAVE_STAGES = [
  'brainstorm',
  'scenario',
  'critique',
  'baseline',
  'sharpen',
  'response',
  'autorate',
  'embed',
  'midtraining',
] as const;
export type WaveStage = (typeof WAVE_STAGES)[number];

/** A wave's state: the job's (batch.ts BatchState), SUBMITTING before the API has named it, or NOT_SUBMITTED when it never was. */
export type WaveState = BatchState | 'SUBMITTING' | 'NOT_SUBMITTED';

/** One wave in the manifest (`batch.waves`). */
export interface WaveRecord {
  readonly stage: WaveStage;
  /** The job's name (`batches/…`); null while SUBMITTING. */
  job: string | null;
  state: WaveState;
  /** Requests (generation) or texts (embedding) in the job. */
  readonly requests: number;
  /** Requests the job answered with an error (known once it has ended). */
  failed: number;
  readonly model: string;
  /** Its display name in the Batch API, unique to this run and wave. */
  readonly displayName: string;
  /** Why it was sent: the stage's first wave, the requests an earlier wave failed, or a resubmission of an expired job. */
  readonly reason: 'stage' | 'retry' | 'expired';
  /** Embedding waves: SHA-256 of their texts in order (their results come back by position). */
  readonly digest?: string;
  /** Set when a Stop or Ctrl+C cancelled the job. */
  cancelledByUser?: boolean;
}

/** `manifest.batch`: the run's id in display names and its waves, in order of submission. */
export interface BatchRecord {
  readonly runId: string;
  readonly waves: WaveRecord[];
}

/** What the wave engine runs with. */
export interface WaveOptions {
  readonly service: BatchService;
  /** The record found in the manifest (a resumed run), else a new one is made. */
  readonly record?: BatchRecord;
  /** Writes the manifest (with `record`) atomically; called after every change to a wave. */
  readonly persist: () => void;
  readonly signal: AbortSignal;
  /** Waits `ms` unless `signal` aborts (tests inject one that returns at once). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** First poll interval, ms (default 10 000); each poll of a job waits 1.5 times longer, up to `maxPollMs` (default 300 000). */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  readonly log?: (line: string) => void;
}

interface GenerateCall {
  readonly kind: 'generate';
  readonly stage: WaveStage;
  readonly key: string;
  readonly request: GenerateRequest;
  readonly resolve: (result: GenerateResult) => void;
  readonly reject: (error: unknown) => void;
}

interface EmbedCall {
  readonly kind: 'embed';
  readonly stage: 'embed';
  readonly model: string;
  readonly texts: readonly string[];
  /** The reduced embedding dimension asked for, if any. */
  readonly dimensions?: number;
  readonly resolve: (vectors: number[][]) => void;
  readonly reject: (error: unknown) => void;
}

type Call = GenerateCall | EmbedCall;

/** A request that failed inside a batch job twice (or whose job expired twice). */
export class BatchRequestError extends Error {
  override readonly name = 'BatchRequestError';
}

/** Tries of a wave's submit whose failure may be passing (classify: a transport error, 429, 5xx). */
const SUBMIT_ATTEMPTS = 3;

const canonicalJson = configure({ deterministic: true, circularValue: Error });

/** Collects the stages' calls into waves and runs them as batch jobs (see the module comment). */
export class WaveEngine {
  readonly record: BatchRecord;
  private readonly pending: Call[] = [];
  /** How often each request key has been asked this session: the n-th ask of a request is its own request (ask.ts asks a bad answer again). */
  private readonly asked = new Map<string, number>();
  /** Recorded waves this session has read (by index in `record.waves`). */
  private readonly consumed = new Set<number>();
  /**
   * Results of recorded waves read but not yet asked for this session, by request key, in the order
   * of their waves (a key's first try, then its retry). A recorded wave of a stage may hold a request
   * the session asks only later: an answer ask.ts asks again goes into a later wave of the same stage.
   */
  private readonly recorded = new Map<string, { result: KeyedResult; reason: WaveRecord['reason'] }[]>();
  private inflight = 0;
  private activity = 0;
  private seen = -1;
  private stable = 0;
  private checking = false;
  private busy = false;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly o: WaveOptions) {
    this.record = o.record ?? { runId: randomUUID(), waves: [] };
    this.sleep = o.sleep ?? abortableSleep;
    o.signal.addEventListener('abort', () => this.rejectPending(o.signal.reason), { once: true });
  }

  /** A provider whose calls join the wave of `stage()` (read when the call is made); `sample` tells apart equal requests of different items. */
  view(stage: () => WaveStage, sample: number): ModelProvider {
    return {
      generate: (request) => this.generate(stage(), sample, request),
      embed: (model, texts, _signal, dimensions) => this.embed(model, texts, dimensions),
    };
  }

  /** `cache` with its calls counted as work in progress (a wave waits for them: they may end in a call). */
  trackCache(cache: AnswerCache | undefined): AnswerCache | undefined {
    if (!cache) return undefined;
    return { get: (key) => this.track(cache.get(key)), set: (key, answer) => this.track(cache.set(key, answer)) };
  }

  /** `provider` (one that answers synchronously, e.g. a separate baseline endpoint) with its calls counted as work in progress. */
  trackProvider(provider: ModelProvider): ModelProvider {
    return {
      generate: (request, signal, onText) => this.track(provider.generate(request, signal, onText)),
      embed: (model, texts, signal, dimensions) => this.track(provider.embed(model, texts, signal, dimensions)),
    };
  }

  private generate(stage: WaveStage, sample: number, request: GenerateRequest): Promise<GenerateResult> {
    this.o.signal.throwIfAborted();
    const base = hash({ stage, sample, request });
    const n = this.asked.get(base) ?? 0;
    this.asked.set(base, n + 1);
    const key = n === 0 ? base : hash({ base, n });
    return new Promise((resolve, reject) => this.enqueue({ kind: 'generate', stage, key, request, resolve, reject }));
  }

  private embed(model: string, texts: readonly string[], dimensions?: number): Promise<number[][]> {
    this.o.signal.throwIfAborted();
    return new Promise((resolve, reject) => this.enqueue({ kind: 'embed', stage: 'embed', model, texts, dimensions, resolve, reject }));
  }

  private enqueue(call: Call): void {
    this.pending.push(call);
    this.touch();
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inflight++;
    this.touch();
    try {
      return await work;
    } finally {
      this.inflight--;
      this.touch();
    }
  }

  /** Something happened: look again, after the event loop has turned, whether every item now waits on a wave. */
  private touch(): void {
    this.activity++;
    if (this.checking) return;
    this.checking = true;
    setImmediate(() => this.check());
  }

  /**
   * Sends a wave once nothing but waves is left to wait for: no tracked work in flight and no new
   * call over two turns of the event loop (an item between two stages, or the Embedder gathering
   * texts, makes its next call within a turn).
   */
  private check(): void {
    this.checking = false;
    if (this.busy || this.pending.length === 0 || this.inflight > 0 || this.o.signal.aborted) return;
    if (this.activity !== this.seen) {
      this.seen = this.activity;
      this.stable = 0;
    }
    if (++this.stable < 2) {
      this.checking = true;
      setImmediate(() => this.check());
      return;
    }
    const order = (c: Call) => WAVE_STAGES.indexOf(c.stage);
    const stage = this.pending.reduce((first, c) => (order(c) < order(first) ? c : first)).stage;
    const calls = this.pending.filter((c) => c.stage === stage);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((c) => c.stage !== stage));
    this.busy = true;
    const run = stage === 'embed' ? this.embedWave(calls as EmbedCall[]) : this.generateWave(stage, calls as GenerateCall[]);
    void run
      .catch((error) => {
        for (const call of calls) call.reject(this.o.signal.aborted ? this.o.signal.reason : error);
      })
      .finally(() => {
        this.busy = false;
        this.touch();
      });
  }

  /** Answers `calls` (all of `stage`) from recorded waves, then from new jobs: one per model, retried once, an expired one resubmitted once. */
  private async generateWave(stage: WaveStage, calls: GenerateCall[]): Promise<void> {
    const open = new Map<string, GenerateCall[]>();
    for (const call of calls) open.set(call.key, [...(open.get(call.key) ?? []), call]);
    const failedOnce = new Map<string, string>();
    const settle = (result: KeyedResult, reason: WaveRecord['reason']): void => {
      const waiting = open.get(result.key);
      if (!waiting) return;
      if ('error' in result) {
        if (reason !== 'retry' && !failedOnce.has(result.key)) return void failedOnce.set(result.key, result.error);
        for (const call of waiting) call.reject(new BatchRequestError(`failed inside two batch jobs: ${result.error}`));
      } else if ('blocked' in result) {
        for (const call of waiting) call.reject(new ModelAnswerError(result.blocked.message, result.blocked.finishReason));
      } else {
        for (const call of waiting) call.resolve(result.result);
      }
      open.delete(result.key);
    };
    // Recorded waves first: a resumed run is answered by the jobs it already paid for.
    for (const [index, wave] of this.record.waves.entries()) {
      if (wave.stage !== stage || this.consumed.has(index)) continue;
      this.consumed.add(index);
      for (const result of (await this.finish(wave)) ?? [])
        this.recorded.set(result.key, [...(this.recorded.get(result.key) ?? []), { result, reason: wave.reason }]);
    }
    for (const key of [...open.keys()]) {
      for (const { result, reason } of this.recorded.get(key) ?? []) settle(result, reason);
      this.recorded.delete(key);
    }
    // Then what no recorded job answered (a new stage), then what failed once (the next wave, once).
    for (const reason of ['stage', 'retry'] as const) {
      const todo = [...open.values()].map((waiting) => waiting[0]).filter((c) => failedOnce.has(c.key) === (reason === 'retry'));
      const byModel = new Map<string, GenerateCall[]>();
      for (const call of todo) byModel.set(call.request.model, [...(byModel.get(call.request.model) ?? []), call]);
      for (const [model, group] of byModel) {
        let ended = await this.submitAndFinish(stage, model, group, reason);
        if (ended.state === 'EXPIRED') ended = await this.submitAndFinish(stage, model, group, 'expired');
        for (const r of ended.results) settle(r, reason);
        // A job that failed, expired twice or was cancelled elsewhere answers none of its requests.
        const why = ended.state === 'EXPIRED' ? 'the batch job expired twice' : `the batch job ended ${ended.state}`;
        const answered = new Set(ended.results.map((r) => r.key));
        for (const call of group) if (!answered.has(call.key)) settle({ key: call.key, error: why }, reason);
      }
    }
    for (const [, waiting] of open) for (const call of waiting) call.reject(new BatchRequestError('no batch job answered this request'));
  }

  /** Submits one job of `group` and waits for its end: its final state and results (none unless it succeeded). */
  private async submitAndFinish(
    stage: WaveStage,
    model: string,
    group: GenerateCall[],
    reason: WaveRecord['reason'],
  ): Promise<{ state: WaveState; results: KeyedResult[] }> {
    const wave = this.open(stage, model, group.length, reason);
    this.consumed.add(this.record.waves.length - 1);
    await this.submit(wave, () =>
      this.o.service.submitGenerate(
        model,
        group.map((c) => ({ key: c.key, request: c.request })),
        wave.displayName,
        this.o.signal,
      ),
    );
    const results = await this.finish(wave);
    return { state: wave.state, results: results ?? [] };
  }

  /** Answers the embedding calls from a recorded wave with the same texts, or from a new job. */
  private async embedWave(calls: EmbedCall[]): Promise<void> {
    const texts = calls.flatMap((c) => c.texts);
    const { model, dimensions } = calls[0];
    // The dimension is part of what was asked: a recorded wave at another dimension answers nothing here.
    const digest = createHash('sha256')
      .update(JSON.stringify(dimensions === undefined ? texts : { texts, dimensions }))
      .digest('hex');
    let results: EmbedResult[] | undefined;
    for (const [index, wave] of this.record.waves.entries()) {
      if (wave.stage !== 'embed' || this.consumed.has(index)) continue;
      this.consumed.add(index);
      // Results come back by position: a wave of other texts (an earlier session's) answers nothing here.
      if (wave.digest !== digest) continue;
      results = await this.finishEmbed(wave);
      if (results) break;
    }
    for (let attempt = 0; !results && attempt < 2; attempt++) {
      const wave = this.open('embed', model, texts.length, attempt ? 'expired' : 'stage', digest);
      this.consumed.add(this.record.waves.length - 1);
      await this.submit(wave, () => this.o.service.submitEmbed(model, texts, wave.displayName, this.o.signal, dimensions));
      results = await this.finishEmbed(wave);
    }
    if (!results) throw new BatchRequestError('the embedding batch job expired twice');
    // A call carries the texts of many items (the Embedder's batch): a text that failed fails its own item only.
    let at = 0;
    for (const call of calls) {
      const mine = results.slice(at, (at += call.texts.length));
      if (!mine.some((r) => 'error' in r)) call.resolve(mine.map((r) => (r as { vector: number[] }).vector));
      else
        call.reject(
          new PartialEmbeddingError(
            mine.map((r) => ('error' in r ? undefined : r.vector)),
            mine.map((r) => ('error' in r ? new BatchRequestError(`embedding failed inside the batch job: ${r.error}`) : undefined)),
          ),
        );
    }
  }

  private async finishEmbed(wave: WaveRecord): Promise<EmbedResult[] | undefined> {
    await this.poll(wave);
    if (wave.state !== 'SUCCEEDED' && wave.state !== 'PARTIALLY_SUCCEEDED') return undefined;
    const results = await this.waitForOutput(() => this.o.service.embedResults(wave.job!, this.o.signal));
    wave.failed = results.filter((r) => 'error' in r).length;
    this.o.persist();
    return results;
  }

  /** A new wave, recorded (SUBMITTING) before its job is asked for. */
  private open(stage: WaveStage, model: string, requests: number, reason: WaveRecord['reason'], digest?: string): WaveRecord {
    const wave: WaveRecord = {
      stage,
      job: null,
      state: 'SUBMITTING',
      requests,
      failed: 0,
      model,
      displayName: `trait-studio ${this.record.runId} wave ${this.record.waves.length + 1} ${stage}`,
      reason,
      ...(digest ? { digest } : {}),
    };
    this.record.waves.push(wave);
    this.o.persist();
    return wave;
  }

  /**
   * Submits the wave's job and records its name before anything else happens. A submit that fails
   * on the way (a dropped connection, a 5xx, a 429) may still have made the job: it is looked up by
   * its display name before being tried again (three tries in all, backing off).
   */
  private async submit(wave: WaveRecord, create: () => Promise<string>): Promise<void> {
    let wait = this.o.pollMs ?? 10_000;
    for (let attempt = 1; !wave.job; attempt++) {
      try {
        wave.job = await create();
      } catch (error) {
        if (this.o.signal.aborted || attempt >= SUBMIT_ATTEMPTS || !classify(error).retry) throw error;
        this.o.log?.(
          redact(`batch: submitting the ${wave.stage} wave failed (${classify(error).reason}); looking for it before trying again`),
        );
        wave.job = (await this.o.service.findByDisplayName(wave.displayName, this.o.signal)) ?? null;
        if (!wave.job) await this.sleep(wait, this.o.signal);
        wait = Math.min(this.o.maxPollMs ?? 300_000, Math.round(wait * 1.5));
      }
    }
    wave.state = 'PENDING';
    this.o.persist();
    this.o.log?.(`batch: ${wave.stage} wave submitted as ${wave.job} (${wave.requests} requests)`);
  }

  /** Polls the wave's job to its end and reads its results (undefined when it ended without any). */
  private async finish(wave: WaveRecord): Promise<KeyedResult[] | undefined> {
    await this.poll(wave);
    if (wave.state !== 'SUCCEEDED' && wave.state !== 'PARTIALLY_SUCCEEDED') return undefined;
    const results = await this.waitForOutput(() => this.o.service.generateResults(wave.job!, this.o.signal));
    wave.failed = results.filter((r) => 'error' in r).length;
    this.o.persist();
    return results;
  }

  /**
   * Polls until the wave's job ends, backing off, writing each new state; cancels the job when the
   * run is stopped meanwhile. A wave recorded as SUBMITTING is looked up by its display name first
   * (the session that submitted it died before it could write the name).
   */
  private async poll(wave: WaveRecord): Promise<void> {
    if (wave.state === 'SUBMITTING') {
      const found = await this.o.service.findByDisplayName(wave.displayName, this.o.signal);
      wave.job = found ?? null;
      wave.state = found ? 'PENDING' : 'NOT_SUBMITTED';
      this.o.persist();
    }
    let wait = this.o.pollMs ?? 10_000;
    const max = this.o.maxPollMs ?? 300_000;
    while (wave.job && !TERMINAL_STATES.has(wave.state as BatchState)) {
      try {
        const state = await this.o.service.state(wave.job, this.o.signal);
        if (state !== wave.state) {
          wave.state = state;
          this.o.persist();
          this.o.log?.(`batch: ${wave.stage} wave ${wave.job}: ${state}`);
        }
        if (TERMINAL_STATES.has(state)) break;
        await this.sleep(wait, this.o.signal);
        wait = Math.min(max, Math.round(wait * 1.5));
      } catch (error) {
        if (this.o.signal.aborted) await this.cancel(wave);
        throw error;
      }
    }
  }

  /** The job's output, asked again (backing off) while a SUCCEEDED job has none yet: the output can lag the state. */
  private async waitForOutput<T>(read: () => Promise<T | undefined>): Promise<T> {
    let wait = this.o.pollMs ?? 10_000;
    for (let attempt = 0; attempt < 10; attempt++) {
      const results = await read();
      if (results) return results;
      await this.sleep(wait, this.o.signal);
      wait = Math.min(this.o.maxPollMs ?? 300_000, Math.round(wait * 1.5));
    }
    throw new BatchRequestError('the batch job succeeded but its results never appeared');
  }

  /** Cancels the wave's job (a Stop or Ctrl+C) and records it; a failure to cancel is logged, not thrown. */
  private async cancel(wave: WaveRecord): Promise<void> {
    if (!wave.job) return;
    try {
      await this.o.service.cancel(wave.job);
      wave.state = 'CANCELLED';
      wave.cancelledByUser = true;
      this.o.log?.(`batch: cancelled ${wave.job}`);
    } catch (error) {
      this.o.log?.(redact(`batch: could not cancel ${wave.job}: ${error instanceof Error ? error.message : String(error)}`));
    }
    this.o.persist();
  }

  private rejectPending(reason: unknown): void {
    for (const call of this.pending.splice(0)) call.reject(reason);
  }
}

function hash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)!).digest('hex').slice(0, 40);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

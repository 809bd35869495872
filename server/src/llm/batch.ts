/**
 * Gemini Batch API jobs (`ai.batches` and `ai.files` of @google/genai): generation and embedding
 * requests submitted as one job, polled, read back and cancelled. A job's input goes inline while
 * it is under `inlineLimitBytes` (Google's limit is 20 MB) and through an uploaded JSONL file
 * (Files API) above it. Every call but `submit` runs under the RequestPolicy (retries, timeouts).
 *
 * Wire facts this relies on (checked in the installed SDK 3.1.0, see /docs/batch.md):
 * - calls go to `v1beta` (the SDK's default `v1` is not where Google documents batches and files);
 * - inlined responses are plain objects (no `.text` getter): they are wrapped before reading;
 * - a per-request failure is an `error` next to the request's key, the job still succeeds;
 * - `files.download` in Node writes to a path (it returns nothing).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GenerateContentResponse, GoogleGenAI, type BatchJob } from '@google/genai';
import { sdkRequest, toResult } from './gemini';
import { ModelAnswerError, type GenerateRequest, type GenerateResult } from './provider';
import { registerSecret, registerUrlSecrets, redact } from './redact';
import { RequestPolicy } from './requestPolicy';
import { BATCH_PRICE_SHARE, thinkingConfig } from './catalogue';
import { ModelAccessError, type GeminiEndpoint } from './modelAccess';
import type { ModelPrice } from './cost';

/** Google's limit on an inline batch request, bytes (https://ai.google.dev/gemini-api/docs/batch-mode, 2026-02-19). */
export const INLINE_LIMIT_BYTES = 20_000_000;

/** A job's state as the Gemini API reports it, without its `JOB_STATE_` / `BATCH_STATE_` prefix. */
export type BatchState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'EXPIRED' | 'UNKNOWN';

/** States after which a job changes no more. */
export const TERMINAL_STATES: ReadonlySet<BatchState> = new Set(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED']);

/** One generation request of a job and the key its answer comes back under. */
export interface KeyedRequest {
  readonly key: string;
  readonly request: GenerateRequest;
}

/** One request's outcome: its answer (read as a synchronous answer is) or why it failed. */
export type KeyedResult =
  | { readonly key: string; readonly result: GenerateResult }
  | { readonly key: string; readonly error: string }
  /** The model answered with no usable text (blocked, empty): what a synchronous call throws as ModelAnswerError. */
  | { readonly key: string; readonly blocked: { readonly message: string; readonly finishReason: string } };

/** One embedding request's outcome, in input order: its vector or why it failed. */
export type EmbedResult = { readonly vector: number[] } | { readonly error: string };

/** What the wave logic needs of a batch service (tests and benchmarks inject their own clock, not their own service). */
export interface BatchService {
  /** Submits one generation job of `requests` (all for `model`); resolves its name (`batches/…`). */
  submitGenerate(model: string, requests: readonly KeyedRequest[], displayName: string, signal?: AbortSignal): Promise<string>;
  /** Submits one embedding job of `texts` (each `dimensions` long when given: outputDimensionality); resolves its name. */
  submitEmbed(model: string, texts: readonly string[], displayName: string, signal?: AbortSignal, dimensions?: number): Promise<string>;
  /** The job's state now. */
  state(job: string, signal?: AbortSignal): Promise<BatchState>;
  /** The finished job's generation results; undefined while they are not there yet (the output can lag the state). */
  generateResults(job: string, signal?: AbortSignal): Promise<KeyedResult[] | undefined>;
  /** The finished job's embedding results in input order; undefined while they are not there yet. */
  embedResults(job: string, signal?: AbortSignal): Promise<EmbedResult[] | undefined>;
  /** Asks the API to cancel the job (it ends CANCELLED). */
  cancel(job: string): Promise<void>;
  /** The name of a job with this display name, if one exists (a submit whose answer was lost). */
  findByDisplayName(displayName: string, signal?: AbortSignal): Promise<string | undefined>;
}

export interface GeminiBatchOptions {
  readonly apiKey: string;
  /** Another endpoint speaking Gemini's REST format (tests point this at a local fake). */
  readonly baseUrl?: string;
  readonly policy?: RequestPolicy;
  /** Inline input up to this many bytes (JSON), an uploaded file above; default INLINE_LIMIT_BYTES. */
  readonly inlineLimitBytes?: number;
}

/** The Gemini Developer API's batch jobs (Vertex AI batch prediction is another API, not supported). */
export class GeminiBatchService implements BatchService {
  private readonly client: GoogleGenAI;
  private readonly policy: RequestPolicy;
  private readonly inlineLimit: number;

  constructor(options: GeminiBatchOptions) {
    registerSecret(options.apiKey);
    registerUrlSecrets(options.baseUrl);
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      httpOptions: { apiVersion: 'v1beta', ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) },
    });
    this.policy = options.policy ?? new RequestPolicy();
    this.inlineLimit = options.inlineLimitBytes ?? INLINE_LIMIT_BYTES;
  }

  async submitGenerate(model: string, requests: readonly KeyedRequest[], displayName: string, signal?: AbortSignal): Promise<string> {
    const lines = requests.map((r) => JSON.stringify({ key: r.key, request: wireRequest(r.request) }));
    const job =
      sizeOf(lines) <= this.inlineLimit
        ? await this.client.batches.create({
            model,
            src: requests.map((r) => ({ ...sdkRequest(r.request), metadata: { key: r.key } })),
            config: { displayName, abortSignal: signal },
          })
        : await this.client.batches.create({
            model,
            src: await this.upload(lines, displayName, signal),
            config: { displayName, abortSignal: signal },
          });
    return nameOf(job);
  }

  async submitEmbed(
    model: string,
    texts: readonly string[],
    displayName: string,
    signal?: AbortSignal,
    dimensions?: number,
  ): Promise<string> {
    const reduced = dimensions !== undefined ? { outputDimensionality: dimensions } : {};
    const lines = texts.map((text, i) =>
      JSON.stringify({ key: String(i), request: { model: `models/${model}`, content: { parts: [{ text }] }, ...reduced } }),
    );
    const src =
      sizeOf(lines) <= this.inlineLimit
        ? {
            inlinedRequests: {
              contents: texts.map((text) => ({ role: 'user', parts: [{ text }] })),
              ...(dimensions !== undefined ? { config: reduced } : {}),
            },
          }
        : { fileName: await this.upload(lines, displayName, signal) };
    // The SDK calls this experimental and says so on every call: once per wave is noise, not news.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      return nameOf(await this.client.batches.createEmbeddings({ model, src, config: { displayName, abortSignal: signal } }));
    } finally {
      console.warn = warn;
    }
  }

  async state(job: string, signal?: AbortSignal): Promise<BatchState> {
    return stateOf(await this.get(job, signal));
  }

  async generateResults(job: string, signal?: AbortSignal): Promise<KeyedResult[] | undefined> {
    const dest = (await this.get(job, signal)).dest;
    if (dest?.inlinedResponses) {
      return dest.inlinedResponses.map((r, i) => {
        const key = r.metadata?.key ?? String(i);
        return r.error || !r.response ? { key, error: errorText(r.error) } : readAnswer(key, r.response);
      });
    }
    if (!dest?.fileName) return undefined;
    const results: KeyedResult[] = [];
    await this.download(dest.fileName, signal, (line: { key?: string; response?: object; error?: unknown }) => {
      const key = line.key ?? String(results.length);
      results.push(line.error || !line.response ? { key, error: errorText(line.error) } : readAnswer(key, line.response));
    });
    return results;
  }

  async embedResults(job: string, signal?: AbortSignal): Promise<EmbedResult[] | undefined> {
    const dest = (await this.get(job, signal)).dest;
    const toResult = (r: { response?: { embedding?: { values?: number[] } }; error?: unknown }): EmbedResult =>
      r.response?.embedding?.values ? { vector: r.response.embedding.values } : { error: errorText(r.error) };
    if (dest?.inlinedEmbedContentResponses) return dest.inlinedEmbedContentResponses.map((r) => toResult(r as never));
    if (!dest?.fileName) return undefined;
    const byKey = new Map<number, EmbedResult>();
    await this.download(dest.fileName, signal, (line: { key?: string }) =>
      byKey.set(Number(line.key ?? byKey.size), toResult(line as never)),
    );
    return [...byKey.keys()].sort((a, b) => a - b).map((k) => byKey.get(k)!);
  }

  async cancel(job: string): Promise<void> {
    await this.policy.run('batches', (signal) => this.client.batches.cancel({ name: job, config: { abortSignal: signal } }));
  }

  async findByDisplayName(displayName: string, signal?: AbortSignal): Promise<string | undefined> {
    const pager = await this.policy.run('batches', (s) => this.client.batches.list({ config: { pageSize: 100, abortSignal: s } }), signal);
    for await (const job of pager) if (job.displayName === displayName && job.name) return job.name;
    return undefined;
  }

  private get(job: string, signal?: AbortSignal): Promise<BatchJob> {
    return this.policy.run('batches', (s) => this.client.batches.get({ name: job, config: { abortSignal: s } }), signal);
  }

  /** Uploads JSONL `lines` through the Files API; resolves the file's name (`files/…`). */
  private async upload(lines: readonly string[], displayName: string, signal?: AbortSignal): Promise<string> {
    const blob = new Blob([lines.join('\n') + '\n'], { type: 'application/jsonl' });
    // `.jsonl` has no MIME type the SDK infers: say it (Google's guide uses "jsonl").
    const file = await this.policy.run(
      'files',
      (s) => this.client.files.upload({ file: blob, config: { mimeType: 'jsonl', displayName, abortSignal: s } }),
      signal,
    );
    if (!file.name) throw new Error(`the upload of ${displayName} returned no file name`);
    return file.name;
  }

  /** Downloads a results file to a temporary folder and hands each JSON line to `onLine`, without holding the file in memory. */
  private async download<T>(fileName: string, signal: AbortSignal | undefined, onLine: (line: T) => void): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'trait-studio-batch-'));
    const path = join(dir, `${randomUUID()}.jsonl`);
    try {
      await this.policy.run(
        'files',
        (s) => this.client.files.download({ file: fileName, downloadPath: path, config: { abortSignal: s } }),
        signal,
      );
      const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) if (line.trim()) onLine(JSON.parse(line) as T);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The request in the REST wire form a JSONL input line holds (`generationConfig`, top-level `systemInstruction`). */
export function wireRequest(request: GenerateRequest): object {
  const thinking = thinkingConfig(request.model, request.thinking);
  const generationConfig = {
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.responseJsonSchema ? { responseMimeType: 'application/json', responseJsonSchema: request.responseJsonSchema } : {}),
    ...(thinking ? { thinkingConfig: thinking } : {}),
  };
  return {
    // Field for field what the SDK sends for the same request inline (or synchronously).
    contents: request.messages.map((m) => ({ parts: [{ text: m.text }], role: m.role })),
    ...(request.systemInstruction !== undefined
      ? { systemInstruction: { parts: [{ text: request.systemInstruction }], role: 'user' } }
      : {}),
    generationConfig,
  };
}

/** A job's state from the SDK's `JOB_STATE_*` (or a raw `BATCH_STATE_*`) spelling. */
export function stateOf(job: Pick<BatchJob, 'state'>): BatchState {
  const bare = String(job.state ?? '').replace(/^(JOB|BATCH)_STATE_/, '');
  return (
    (['PENDING', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const).find((s) => s === bare) ??
    (bare === 'QUEUED' ? 'PENDING' : 'UNKNOWN')
  );
}

function nameOf(job: BatchJob): string {
  if (!job.name) throw new Error('the Batch API created a job but returned no name');
  return job.name;
}

/** An inlined or file response read as a synchronous answer is (a plain object gets the SDK class's `.text`). */
function readAnswer(key: string, response: object): KeyedResult {
  try {
    return { key, result: toResult(undefined, Object.assign(new GenerateContentResponse(), response)) };
  } catch (error) {
    if (error instanceof ModelAnswerError) return { key, blocked: { message: error.message, finishReason: error.finishReason } };
    return { key, error: error instanceof Error ? error.message : String(error) };
  }
}

function errorText(error: unknown): string {
  if (!error || typeof error !== 'object') return 'the job returned no answer for this request';
  const { code, message } = error as { code?: number; message?: string };
  return redact(`${code !== undefined ? `${code} ` : ''}${message ?? 'failed inside the batch job'}`);
}

function sizeOf(lines: readonly string[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line) + 1;
  return bytes;
}

/** `prices` at the Batch API's rate (BATCH_PRICE_SHARE of each, long-prompt rates too). */
export function batchPrices(prices: Readonly<Record<string, ModelPrice>>): Record<string, ModelPrice> {
  const share = (n: number) => n * BATCH_PRICE_SHARE;
  return Object.fromEntries(
    Object.entries(prices).map(([model, p]) => [
      model,
      {
        inputPerMillion: share(p.inputPerMillion),
        outputPerMillion: share(p.outputPerMillion),
        ...(p.cachedInputPerMillion !== undefined ? { cachedInputPerMillion: share(p.cachedInputPerMillion) } : {}),
        ...(p.longPrompt
          ? {
              longPrompt: {
                aboveInputTokens: p.longPrompt.aboveInputTokens,
                inputPerMillion: share(p.longPrompt.inputPerMillion),
                outputPerMillion: share(p.longPrompt.outputPerMillion),
                ...(p.longPrompt.cachedInputPerMillion !== undefined
                  ? { cachedInputPerMillion: share(p.longPrompt.cachedInputPerMillion) }
                  : {}),
              },
            }
          : {}),
      },
    ]),
  );
}

/**
 * The batch service of `endpoint`. Throws ModelAccessError for Vertex AI: its batch prediction is
 * another API (Cloud Storage or BigQuery input), not supported here.
 */
export function batchServiceFor(endpoint: GeminiEndpoint, policy: RequestPolicy, inlineLimitBytes?: number): BatchService {
  if ('vertex' in endpoint)
    throw new ModelAccessError(
      'batch mode needs the Gemini API (set GEMINI_API_KEY, or an API key in the settings): Vertex AI batch prediction is not supported; run without batch mode to use Vertex AI',
    );
  return new GeminiBatchService({ apiKey: endpoint.apiKey, baseUrl: endpoint.baseUrl, policy, inlineLimitBytes });
}

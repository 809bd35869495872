/**
 * The fake Gemini's Batch API and Files API, as @google/genai 3.1.0 sends and reads them
 * (docs/batch.md has the wire facts):
 * - `POST /{v}/models/M:batchGenerateContent` (inline `batch.inputConfig.requests.requests[]` of
 *   `{request, metadata:{key}}`, or `inputConfig.fileName` of an uploaded JSONL of `{key, request}`)
 *   and `:asyncBatchEmbedContent` create a job: an Operation whose `metadata.state` is `BATCH_STATE_*`;
 * - `GET /{v}/batches/ID` reports the job's next state from its plan (default PENDING, RUNNING,
 *   SUCCEEDED, one per poll), with its results in `metadata.output` once it has succeeded: inline
 *   for inline input, a `responsesFile` for file input;
 * - `GET /{v}/batches` lists the jobs (`operations`), `POST /{v}/batches/ID:cancel` cancels one;
 * - `POST /upload/{v}/files` (resumable: start, then `upload, finalize`) and
 *   `GET /{v}/files/ID:download?alt=media`.
 * Each request of a job is answered by the fake's responder, exactly as a synchronous call would be;
 * a `status` reply becomes a per-request error. Jobs live in the fake, so one stays RUNNING across a
 * client's restart until `release` lets it go on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { embedText } from '../fakes/embedding';
import { sendJson } from '../fakes/http';
import type { GeminiContent, GeminiRequestBody, LoggedRequest, Reply } from './server';

/** The states a job reports, without the BATCH_STATE_ prefix; HOLD reports RUNNING until `release`. */
export type FakeBatchState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'EXPIRED' | 'HOLD';

export interface FakeBatchJob {
  readonly id: string;
  readonly model: string;
  readonly kind: 'generate' | 'embed';
  readonly displayName: string;
  /** The requests (generation) or embedding contents, with their keys, as received. */
  readonly requests: readonly { readonly key: string; readonly body: GeminiRequestBody | GeminiContent; readonly dimensions?: number }[];
  /** Whether the input came as an uploaded file (then the output is a file too). */
  readonly fromFile: boolean;
  /** States still to report, one per poll; the last one stays. */
  plan: FakeBatchState[];
  state: FakeBatchState;
  released: boolean;
  /** The job's `metadata.output`, made when it first succeeds. */
  output?: object;
}

export interface FakeBatches {
  readonly jobs: Map<string, FakeBatchJob>;
  /** Every batch and file HTTP request, in order: `METHOD path`. */
  readonly http: string[];
  /** Jobs created, per display name (a wave submitted twice shows 2). */
  readonly creates: Map<string, number>;
  /** Chooses the states a new job goes through (default PENDING, RUNNING, SUCCEEDED). */
  setPlan(plan: (job: FakeBatchJob) => FakeBatchState[]): void;
  /** Lets every HOLD job go on to SUCCEEDED. */
  release(): void;
  /**
   * Fails the next creates, in order: `before` answers 503 without making the job, `after` makes
   * the job and then drops the connection (the client never learns its name).
   */
  failCreates(...faults: ('before' | 'after')[]): void;
}

type Answer = (request: LoggedRequest) => Reply;
type Payload = (reply: Reply, model: string) => { response?: object; error?: object };

/** The batch routes of the fake; `handle` answers a request it knows and returns false for one it does not. */
export function fakeBatches(answer: () => Answer, payload: Payload) {
  const jobs = new Map<string, FakeBatchJob>();
  const files = new Map<string, string>();
  const uploads = new Map<string, { displayName?: string }>();
  const http: string[] = [];
  const creates = new Map<string, number>();
  let planOf: (job: FakeBatchJob) => FakeBatchState[] = () => ['PENDING', 'RUNNING', 'SUCCEEDED'];
  let next = 0;
  const createFaults: ('before' | 'after')[] = [];
  const id = (prefix: string) => `${prefix}${(++next).toString(36)}`;

  const operation = (job: FakeBatchJob) => {
    const state = job.state === 'HOLD' ? 'RUNNING' : job.state;
    const done = ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'].includes(state);
    // Answered once, when the job first reports its results (the responder may count what it answers).
    if ((state === 'SUCCEEDED' || state === 'PARTIALLY_SUCCEEDED') && !job.output) job.output = outputOf(job, state);
    const output = job.output;
    return {
      name: `batches/${job.id}`,
      done,
      metadata: {
        '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
        name: `batches/${job.id}`,
        model: `models/${job.model}`,
        displayName: job.displayName,
        state: `BATCH_STATE_${state}`,
        createTime: new Date(0).toISOString(),
        updateTime: new Date(0).toISOString(),
        batchStats: { requestCount: String(job.requests.length) },
        ...(output ? { output } : {}),
      },
      ...(state === 'FAILED' ? { error: { code: 13, message: 'fake job failure' } } : {}),
      ...(output ? { response: output } : {}),
    };
  };

  /** The job's results: one line per request, in input order; PARTIALLY_SUCCEEDED fails every other request. */
  const outputOf = (job: FakeBatchJob, state: string) => {
    const lines = job.requests.map((r, i) => {
      const failed = state === 'PARTIALLY_SUCCEEDED' && i % 2 === 1;
      if (job.kind === 'embed') {
        const text = ((r.body as GeminiContent).parts ?? []).map((p) => p.text).join('');
        return failed
          ? { error: { code: 500, message: 'fake embedding failure' } }
          : { response: { embedding: { values: embedText(text, r.dimensions) } } };
      }
      const body = r.body as GeminiRequestBody;
      const reply = failed
        ? ({ kind: 'status', status: 500, message: 'fake request failure' } as Reply)
        : answer()({
            at: Date.now(),
            method: 'POST',
            model: job.model,
            action: 'generateContent',
            body,
            apiKey: undefined,
            serviceTier: undefined,
            serverTimeout: undefined,
            headers: {},
          });
      return { ...payload(reply, job.model), ...(job.kind === 'generate' ? { metadata: { key: r.key } } : {}) };
    });
    if (!job.fromFile) return { inlinedResponses: { inlinedResponses: lines } };
    const name = `files/out${job.id}`;
    files.set(name, lines.map((l, i) => JSON.stringify({ key: job.requests[i].key, ...l, metadata: undefined })).join('\n') + '\n');
    return { responsesFile: name };
  };

  const create = (kind: FakeBatchJob['kind'], model: string, body: string, res: ServerResponse) => {
    const fault = createFaults.shift();
    if (fault === 'before') return sendJson(res, 503, { error: { code: 503, message: 'fake overload', status: 'UNAVAILABLE' } });
    /** A request line as sent inline (`metadata.key`) or in a file (`key`); `request.content` for embeddings. */
    type Line = {
      key?: string;
      metadata?: { key?: string };
      request: GeminiRequestBody & { content: GeminiContent; outputDimensionality?: number };
    };
    const batch =
      (
        JSON.parse(body || '{}') as {
          batch?: { displayName?: string; inputConfig?: { fileName?: string; file_name?: string; requests?: { requests?: Line[] } } };
        }
      ).batch ?? {};
    const input = batch.inputConfig ?? {};
    const fileName: string | undefined = input.fileName ?? input.file_name;
    let requests: FakeBatchJob['requests'];
    if (fileName) {
      const text = files.get(fileName);
      if (text === undefined)
        return sendJson(res, 400, { error: { code: 400, message: `no file ${fileName}`, status: 'INVALID_ARGUMENT' } });
      requests = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
        .map((l) => ({ key: String(l.key), ...lineRequest(kind, l.request) }));
    } else {
      const list = input.requests?.requests ?? [];
      requests = list.map((r, i) => ({ key: String(r.metadata?.key ?? i), ...lineRequest(kind, r.request) }));
    }
    const job: FakeBatchJob = {
      id: id('b'),
      model,
      kind,
      displayName: batch.displayName ?? '',
      requests,
      fromFile: !!fileName,
      plan: [],
      state: 'PENDING',
      released: false,
    };
    job.plan = planOf(job);
    job.state = job.plan[0] ?? 'PENDING';
    jobs.set(job.id, job);
    creates.set(job.displayName, (creates.get(job.displayName) ?? 0) + 1);
    if (fault === 'after') return void res.socket?.destroy();
    sendJson(res, 200, operation(job));
  };

  /** Moves the job one step along its plan (a HOLD stays until released). */
  const advance = (job: FakeBatchJob) => {
    if (job.state === 'HOLD') {
      if (job.released) job.state = 'SUCCEEDED';
      return;
    }
    if (job.state === 'CANCELLED' || job.plan.length <= 1) return;
    job.plan.shift();
    job.state = job.plan[0];
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): boolean => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/(?:v1|v1beta)\/models\/([^:/]+):(batchGenerateContent|asyncBatchEmbedContent)$/.exec(path)) && req.method === 'POST') {
      http.push(`POST ${path}`);
      create(m[2] === 'batchGenerateContent' ? 'generate' : 'embed', m[1], body, res);
      return true;
    }
    if ((m = /^\/(?:v1|v1beta)\/batches\/([^:/]+)(:cancel)?$/.exec(path))) {
      http.push(`${req.method} ${path}`);
      const job = jobs.get(m[1]);
      if (!job) return (sendJson(res, 404, { error: { code: 404, message: `no batch ${m[1]}`, status: 'NOT_FOUND' } }), true);
      if (m[2]) {
        job.state = 'CANCELLED';
        return (sendJson(res, 200, {}), true);
      }
      advance(job);
      return (sendJson(res, 200, operation(job)), true);
    }
    if (/^\/(?:v1|v1beta)\/batches$/.test(path) && req.method === 'GET') {
      http.push(`GET ${path}`);
      return (sendJson(res, 200, { operations: [...jobs.values()].map((j) => operation(j)) }), true);
    }
    if ((m = /^\/upload\/(v1|v1beta)\/files$/.exec(path)) && req.method === 'POST') {
      http.push(`POST ${path} ${req.headers['x-goog-upload-command']}`);
      const upload = url.searchParams.get('upload_id');
      if (!upload) {
        const uploadId = id('u');
        uploads.set(uploadId, { displayName: (JSON.parse(body || '{}') as { file?: { displayName?: string } }).file?.displayName });
        res.writeHead(200, {
          'x-goog-upload-url': `https://upload.example.invalid/upload/${m[1]}/files?upload_id=${uploadId}&upload_protocol=resumable`,
          'x-goog-upload-status': 'active',
        });
        return (res.end(), true);
      }
      const name = `files/in${upload}`;
      files.set(name, (files.get(name) ?? '') + body);
      const final = String(req.headers['x-goog-upload-command'] ?? '').includes('finalize');
      if (!final) return (res.writeHead(200, { 'x-goog-upload-status': 'active' }), res.end(), true);
      sendJson(
        res,
        200,
        {
          file: {
            name,
            displayName: uploads.get(upload)?.displayName,
            mimeType: 'jsonl',
            sizeBytes: String(Buffer.byteLength(files.get(name)!)),
            state: 'ACTIVE',
          },
        },
        { 'x-goog-upload-status': 'final' },
      );
      return true;
    }
    if ((m = /^\/(?:v1|v1beta)\/files\/([^:/]+):download$/.exec(path)) && req.method === 'GET') {
      http.push(`GET ${path}`);
      const text = files.get(`files/${m[1]}`);
      if (text === undefined) return (sendJson(res, 404, { error: { code: 404, message: 'no such file', status: 'NOT_FOUND' } }), true);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return (res.end(text), true);
    }
    return false;
  };

  const batches: FakeBatches = {
    jobs,
    http,
    creates,
    setPlan: (plan) => void (planOf = plan),
    failCreates: (...faults) => void createFaults.push(...faults),
    release: () => {
      for (const job of jobs.values()) job.released = true;
    },
  };
  return { handle, batches };
}

/** A job line's request as the fake keeps it: an embedding's content and its reduced dimension, or the generation request. */
function lineRequest(
  kind: FakeBatchJob['kind'],
  request: GeminiRequestBody & { content: GeminiContent; outputDimensionality?: number },
): { body: GeminiRequestBody | GeminiContent; dimensions?: number } {
  if (kind !== 'embed') return { body: request };
  return { body: request.content, ...(request.outputDimensionality !== undefined ? { dimensions: request.outputDimensionality } : {}) };
}

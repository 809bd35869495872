/**
 * A local fake of the Gemini REST API (generativelanguage.googleapis.com's wire format, as the SDK
 * sends and reads it), for the
 * real @google/genai SDK to talk to in tests and benchmarks: no test calls the real API.
 *
 * - `POST /{v1|v1beta}/models/M:generateContent` and `:streamGenerateContent?alt=sse` (one
 *   `data: <json>` line per event) answer from a script of `Reply` items (then a default answer);
 * - `POST .../models/M:batchEmbedContents` answers each text's bag-of-words embedding (../fakes/embedding.ts),
 *   of the request's `outputDimensionality` when it has one;
 * - every request is logged with its arrival time, model, path and parsed body;
 * - every answer reports `modelVersion` as `fakeModelVersion(model)` — not the id asked for, as a
 *   real alias or preview id is answered by a dated version — so tests can check it is recorded.
 * Faults are scripted per request (embeddings apart): an HTTP error (429 with RetryInfo, 500, 503), a hang, a reset
 * connection, malformed JSON, a SAFETY or RECITATION finish, an error in the middle of a stream, a
 * Flex request shed under load (`shed`: 503 UNAVAILABLE or 429 RESOURCE_EXHAUSTED, the error body
 * Google documents, with a RetryInfo when asked).
 * - the `serviceTier` a request asked for is in its logged body and `serviceTier`, the
 *   X-Server-Timeout header in `serverTimeout`; an answer to a Flex request reports
 *   `usageMetadata.serviceTier: 'flex'`;
 * - with `setImplicitCaching`, answers report `cachedContentTokenCount` by a deterministic rule
 *   standing in for Gemini's implicit caching (see there).
 */
import type { ServerResponse } from 'node:http';
import { embedText } from '../fakes/embedding';
import { listen, sendJson } from '../fakes/http';
import { fakeBatches, type FakeBatches } from './batches';

export type Reply =
  | { kind: 'text'; text: string; finishReason?: string; inputTokens?: number; outputTokens?: number; thoughtsTokens?: number }
  | { kind: 'status'; status: number; message?: string; retryDelay?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'blocked'; finishReason: 'SAFETY' | 'RECITATION' | 'OTHER' }
  | { kind: 'empty' }
  | { kind: 'stream-error'; chunks: string[]; status: number }
  | { kind: 'shed'; status?: 503 | 429; retryDelay?: string };

export interface LoggedRequest {
  readonly at: number;
  readonly method: string;
  readonly model: string;
  readonly action: string;
  readonly body: GeminiRequestBody;
  /** The API key the SDK sent (x-goog-api-key), to check which key a caller used. */
  readonly apiKey: string | undefined;
  /** The service tier asked for (the body's `serviceTier`, e.g. 'flex'), or undefined: Standard. */
  readonly serviceTier: string | undefined;
  /** The X-Server-Timeout header (seconds) the client sent, if any. */
  readonly serverTimeout: string | undefined;
  /** Every request header, names in lower case (to check no other credential came along). */
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A content the SDK sends: our callers send text parts only. */
export interface GeminiContent {
  readonly role?: string;
  readonly parts: readonly { readonly text: string }[];
}

/**
 * The request body as parsed, typed by the fields the fake and the tests read: `contents`,
 * `systemInstruction` and `generationConfig` on generation and countTokens requests, `requests` on
 * batchEmbedContents. The fake does not validate it: a field the SDK did not send is undefined.
 */
/** The parts of a JSON Schema the tests read; the rest is kept as sent. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly [keyword: string]: unknown;
}

export interface GeminiRequestBody {
  readonly contents: readonly GeminiContent[];
  readonly systemInstruction?: GeminiContent;
  readonly generationConfig?: {
    readonly responseMimeType?: string;
    readonly responseJsonSchema?: JsonSchema;
    readonly thinkingConfig?: { readonly thinkingLevel?: string; readonly thinkingBudget?: number };
  } & Record<string, unknown>;
  readonly requests?: readonly { readonly model?: string; readonly content: GeminiContent; readonly outputDimensionality?: number }[];
  /** Top level, as the SDK sends it (not inside generationConfig). */
  readonly serviceTier?: string;
}

export interface FakeGemini {
  readonly baseUrl: string;
  readonly requests: LoggedRequest[];
  /** Queues replies for the next requests (to any generation endpoint), in order. */
  script(...replies: Reply[]): void;
  /** Queues faults for the next batchEmbedContents requests, in order (then embeddings as usual). */
  scriptEmbeddings(...faults: Extract<Reply, { kind: 'status' | 'hang' | 'reset' | 'malformed' }>[]): void;
  /** Chooses a reply from the request when no scripted one is left (the default echoes). */
  setResponder(responder: (request: LoggedRequest) => Reply): void;
  /** Adds a fixed latency (ms) before every answer. */
  setLatency(ms: number): void;
  /**
   * Turns on the stand-in for implicit caching (off by default, so scripted token counts stay as
   * scripted). While on, a text answer counts its prompt itself: `promptTokenCount` =
   * ceil(prompt characters / 4), and `cachedContentTokenCount` = floor(P / 4) where P is the
   * longest common prefix, in characters, of this prompt with any earlier prompt to the same model
   * — counted only when P ≥ `minPrefixChars` (the real minimum is some thousands of tokens). The
   * prompt is the system instruction's text, a newline, then every content's text in order.
   */
  setImplicitCaching(options: { minPrefixChars: number } | undefined): void;
  /** The Batch and Files APIs (batches.ts): jobs, their HTTP log and creates per display name, their plans. */
  readonly batches: FakeBatches;
  close(): Promise<void>;
}

/** The `modelVersion` the fake reports for an answer of `model`. */
export function fakeModelVersion(model: string): string {
  return `${model}-fake-001`;
}

const ROUTE = /^\/(v1|v1beta)\/models\/([^:/]+):(generateContent|streamGenerateContent|batchEmbedContents|countTokens)$/;

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeGemini(): Promise<FakeGemini> {
  const requests: LoggedRequest[] = [];
  const queue: Reply[] = [];
  const embeddingFaults: Reply[] = [];
  let latency = 0;
  let caching: { minPrefixChars: number } | undefined;
  const seenPrompts = new Map<string, string[]>();
  let responder: (r: LoggedRequest) => Reply = (r) => ({ kind: 'text', text: `echo: ${lastUserText(r.body)}` });
  // A batch job's requests are answered as synchronous ones are: the script first, then the responder.
  const batch = fakeBatches(() => (r) => queue.shift() ?? responder(r), batchPayload);
  const http = await listen(async (req, res, body) => {
    if (batch.handle(req, res, body)) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = ROUTE.exec(url.pathname);
    if (!m || req.method !== 'POST')
      return sendJson(res, 404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}`, status: 'NOT_FOUND' } });
    let parsed: GeminiRequestBody;
    try {
      parsed = JSON.parse(body || '{}') as GeminiRequestBody;
    } catch {
      return sendJson(res, 400, { error: { code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' } });
    }
    const logged: LoggedRequest = {
      at: Date.now(),
      method: req.method,
      model: m[2],
      action: m[3],
      body: parsed,
      apiKey: req.headers['x-goog-api-key'] as string | undefined,
      serviceTier: typeof parsed.serviceTier === 'string' ? parsed.serviceTier : undefined,
      serverTimeout: req.headers['x-server-timeout'] as string | undefined,
      headers: req.headers,
    };
    requests.push(logged);
    if (latency) await new Promise((r) => setTimeout(r, latency));
    if (m[3] === 'batchEmbedContents') {
      const fault = embeddingFaults.shift();
      if (fault) return answer(res, fault, false, http.hung, fakeModelVersion(m[2]));
      return sendJson(res, 200, {
        embeddings: (parsed.requests ?? []).map((r) => ({ values: embedText(textOf(r.content), r.outputDimensionality) })),
      });
    }
    if (m[3] === 'countTokens') return sendJson(res, 200, { totalTokens: Math.ceil(JSON.stringify(parsed.contents ?? '').length / 4) });
    let reply: Answered = queue.shift() ?? responder(logged);
    if (reply.kind === 'text') {
      const flex = logged.serviceTier?.toLowerCase() === 'flex';
      const cache = caching ? implicitCache(seenPrompts, m[2], promptText(parsed), caching.minPrefixChars) : {};
      reply = { ...reply, ...cache, serviceTier: flex ? 'flex' : undefined };
    }
    answer(res, reply, m[3] === 'streamGenerateContent', http.hung, fakeModelVersion(m[2]));
  });
  return {
    baseUrl: http.origin,
    requests,
    script: (...replies) => void queue.push(...replies),
    scriptEmbeddings: (...faults) => void embeddingFaults.push(...faults),
    setResponder: (r) => void (responder = r),
    setLatency: (ms) => void (latency = ms),
    setImplicitCaching: (options) => void (caching = options),
    batches: batch.batches,
    close: http.close,
  };
}

/** A text reply as answered: with the cached tokens and service tier the fake reports for it. */
type Answered = Reply | (Extract<Reply, { kind: 'text' }> & { cachedTokens?: number; serviceTier?: string });

function answer(res: ServerResponse, reply: Answered, stream: boolean, hung: Set<ServerResponse>, version: string): void {
  const usage = reply.kind === 'text' && 'serviceTier' in reply ? { cached: reply.cachedTokens, tier: reply.serviceTier } : {};
  // The usage goes on the event that reports the tokens (the last one of a stream).
  const candidate = (text: string, finishReason: string | undefined, input: number, output: number, thoughts?: number) =>
    event(text, finishReason, input, output, version, thoughts, input > 0 ? usage : {});
  switch (reply.kind) {
    case 'hang':
      hung.add(res);
      return; // never answers; the client must time out
    case 'reset':
      res.socket?.destroy();
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"candidates": [ {"content": ');
      return;
    case 'status': {
      const details = reply.retryDelay
        ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: reply.retryDelay }]
        : undefined;
      sendJson(res, reply.status, {
        error: { code: reply.status, message: reply.message ?? `fake error ${reply.status}`, status: statusName(reply.status), details },
      });
      return;
    }
    case 'shed': {
      // Google's Flex page: a shed request is a standard 503 UNAVAILABLE (at capacity) or 429 RESOURCE_EXHAUSTED.
      const status = reply.status ?? 503;
      const details = reply.retryDelay
        ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: reply.retryDelay }]
        : undefined;
      const message =
        status === 503 ? 'The model is overloaded. Please try again later.' : 'Resource has been exhausted (e.g. check quota).';
      sendJson(res, status, { error: { code: status, message, status: statusName(status), ...(details ? { details } : {}) } });
      return;
    }
    case 'stream-error': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const text of reply.chunks) res.write(`data: ${JSON.stringify(candidate(text, undefined, 0, 0))}\n\n`);
      res.end(
        `data: ${JSON.stringify({ error: { code: reply.status, message: 'fake error mid-stream', status: statusName(reply.status) } })}\n\n`,
      );
      return;
    }
    default: {
      const payload =
        reply.kind === 'blocked'
          ? {
              candidates: [{ finishReason: reply.finishReason, index: 0 }],
              usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 },
              modelVersion: version,
            }
          : reply.kind === 'empty'
            ? { candidates: [], usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 }, modelVersion: version }
            : candidate(
                reply.text,
                reply.finishReason ?? 'STOP',
                reply.inputTokens ?? 10,
                reply.outputTokens ?? Math.ceil(reply.text.length / 4),
                reply.thoughtsTokens,
              );
      if (!stream) return sendJson(res, 200, payload);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (reply.kind === 'text') {
        // Two events: the text in halves, the usage on the last, as the real stream does.
        const half = Math.ceil(reply.text.length / 2);
        res.write(`data: ${JSON.stringify(candidate(reply.text.slice(0, half), undefined, 0, 0))}\n\n`);
        res.end(
          `data: ${JSON.stringify(candidate(reply.text.slice(half), reply.finishReason ?? 'STOP', reply.inputTokens ?? 10, reply.outputTokens ?? Math.ceil(reply.text.length / 4), reply.thoughtsTokens))}\n\n`,
        );
      } else {
        res.end(`data: ${JSON.stringify(payload)}\n\n`);
      }
    }
  }
}

/** A batch job's line for `reply`: the response a synchronous call would get, or a per-request error. */
function batchPayload(reply: Reply, model: string): { response?: object; error?: object } {
  const version = fakeModelVersion(model);
  switch (reply.kind) {
    case 'text':
      return {
        response: event(
          reply.text,
          reply.finishReason ?? 'STOP',
          reply.inputTokens ?? 10,
          reply.outputTokens ?? Math.ceil(reply.text.length / 4),
          version,
          reply.thoughtsTokens,
        ),
      };
    case 'blocked':
      return {
        response: {
          candidates: [{ finishReason: reply.finishReason, index: 0 }],
          usageMetadata: { promptTokenCount: 10 },
          modelVersion: version,
        },
      };
    case 'empty':
      return { response: { candidates: [], usageMetadata: { promptTokenCount: 10 }, modelVersion: version } };
    case 'status':
      return { error: { code: reply.status, message: reply.message ?? `fake error ${reply.status}`, status: statusName(reply.status) } };
    default:
      return { error: { code: 500, message: `fake ${reply.kind}`, status: 'INTERNAL' } };
  }
}

/**
 * A response event; `thoughts` is the thinking tokens a thinking model reports apart from the
 * answer's, `usage.cached` the prompt tokens served from the cache, `usage.tier` the service tier
 * that served it (reported as the live API is said to: `usageMetadata.serviceTier`).
 */
function event(
  text: string,
  finishReason: string | undefined,
  input: number,
  output: number,
  version: string,
  thoughts?: number,
  usage: { cached?: number; tier?: string } = {},
) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: input,
      candidatesTokenCount: output,
      ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
      ...(usage.cached ? { cachedContentTokenCount: usage.cached } : {}),
      totalTokenCount: input + output + (thoughts ?? 0),
      ...(usage.tier ? { serviceTier: usage.tier } : {}),
    },
    modelVersion: version,
    responseId: 'fake-response',
  };
}

function statusName(status: number): string {
  return (
    (
      { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' } as Record<
        number,
        string
      >
    )[status] ?? 'UNKNOWN'
  );
}

function textOf(content: GeminiContent | undefined): string {
  return (content?.parts ?? []).map((p) => p.text ?? '').join('');
}

/** The prompt as implicit caching sees it: the system instruction, a newline, then the contents' texts. */
export function promptText(body: GeminiRequestBody): string {
  return `${textOf(body.systemInstruction)}\n${(body.contents ?? []).map(textOf).join('')}`;
}

/**
 * The prompt and cached tokens of `prompt` to `model` under the fake's implicit caching (see
 * FakeGemini.setImplicitCaching), remembering it for the next requests.
 */
function implicitCache(
  seen: Map<string, string[]>,
  model: string,
  prompt: string,
  minPrefixChars: number,
): { inputTokens: number; cachedTokens: number } {
  const earlier = seen.get(model) ?? [];
  let longest = 0;
  for (const other of earlier) {
    let i = 0;
    while (i < prompt.length && i < other.length && prompt[i] === other[i]) i++;
    longest = Math.max(longest, i);
  }
  seen.set(model, [...earlier, prompt]);
  return { inputTokens: Math.ceil(prompt.length / 4), cachedTokens: longest >= minPrefixChars ? Math.floor(longest / 4) : 0 };
}

function lastUserText(body: GeminiRequestBody): string {
  const contents = body.contents ?? [];
  return textOf(contents[contents.length - 1]);
}

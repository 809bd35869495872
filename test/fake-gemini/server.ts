/**
 * A local fake of the Gemini REST API (generativelanguage.googleapis.com's wire format, as the SDK
 * sends and reads it), for the
 * real @google/genai SDK to talk to in tests and benchmarks: no test calls the real API.
 *
 * - `POST /{v1|v1beta}/models/M:generateContent` and `:streamGenerateContent?alt=sse` (one
 *   `data: <json>` line per event) answer from a script of `Reply` items (then a default answer);
 * - `POST .../models/M:batchEmbedContents` answers each text's bag-of-words embedding (../fakes/embedding.ts);
 * - every request is logged with its arrival time, model, path and parsed body;
 * - every answer reports `modelVersion` as `fakeModelVersion(model)` — not the id asked for, as a
 *   real alias or preview id is answered by a dated version — so tests can check it is recorded.
 * Faults are scripted per request (embeddings apart): an HTTP error (429 with RetryInfo, 500, 503), a hang, a reset
 * connection, malformed JSON, a SAFETY or RECITATION finish, an error in the middle of a stream.
 */
import type { ServerResponse } from 'node:http';
import { embedText } from '../fakes/embedding';
import { listen, sendJson } from '../fakes/http';

export type Reply =
  | { kind: 'text'; text: string; finishReason?: string; inputTokens?: number; outputTokens?: number; thoughtsTokens?: number }
  | { kind: 'status'; status: number; message?: string; retryDelay?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'blocked'; finishReason: 'SAFETY' | 'RECITATION' | 'OTHER' }
  | { kind: 'empty' }
  | { kind: 'stream-error'; chunks: string[]; status: number };

export interface LoggedRequest {
  readonly at: number;
  readonly method: string;
  readonly model: string;
  readonly action: string;
  readonly body: GeminiRequestBody;
  /** The API key the SDK sent (x-goog-api-key), to check which key a caller used. */
  readonly apiKey: string | undefined;
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
  readonly requests?: readonly { readonly model?: string; readonly content: GeminiContent }[];
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
  let responder: (r: LoggedRequest) => Reply = (r) => ({ kind: 'text', text: `echo: ${lastUserText(r.body)}` });
  const http = await listen(async (req, res, body) => {
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
      headers: req.headers,
    };
    requests.push(logged);
    if (latency) await new Promise((r) => setTimeout(r, latency));
    if (m[3] === 'batchEmbedContents') {
      const fault = embeddingFaults.shift();
      if (fault) return answer(res, fault, false, http.hung, fakeModelVersion(m[2]));
      return sendJson(res, 200, { embeddings: (parsed.requests ?? []).map((r) => ({ values: embedText(textOf(r.content)) })) });
    }
    if (m[3] === 'countTokens') return sendJson(res, 200, { totalTokens: Math.ceil(JSON.stringify(parsed.contents ?? '').length / 4) });
    const reply = queue.shift() ?? responder(logged);
    answer(res, reply, m[3] === 'streamGenerateContent', http.hung, fakeModelVersion(m[2]));
  });
  return {
    baseUrl: http.origin,
    requests,
    script: (...replies) => void queue.push(...replies),
    scriptEmbeddings: (...faults) => void embeddingFaults.push(...faults),
    setResponder: (r) => void (responder = r),
    setLatency: (ms) => void (latency = ms),
    close: http.close,
  };
}

function answer(res: ServerResponse, reply: Reply, stream: boolean, hung: Set<ServerResponse>, version: string): void {
  const candidate = (text: string, finishReason: string | undefined, input: number, output: number, thoughts?: number) =>
    event(text, finishReason, input, output, version, thoughts);
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

/** A response event; `thoughts` is the thinking tokens a thinking model reports apart from the answer's. */
function event(text: string, finishReason: string | undefined, input: number, output: number, version: string, thoughts?: number) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: input,
      candidatesTokenCount: output,
      ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
      totalTokenCount: input + output + (thoughts ?? 0),
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

function lastUserText(body: GeminiRequestBody): string {
  const contents = body.contents ?? [];
  return textOf(contents[contents.length - 1]);
}

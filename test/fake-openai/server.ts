/**
 * A local fake of an OpenAI-compatible server (the Chat Completions wire format that vLLM, Ollama and
 * LM Studio speak), for the real openai SDK to talk to in tests: no test calls a real API.
 *
 * - `POST /v1/chat/completions` answers from a script of `Reply` items (then a default echo), as one
 *   JSON `chat.completion`, or with `"stream": true` as SSE: one `data: <chunk json>` event per piece,
 *   a usage-only chunk (empty `choices`) when `stream_options.include_usage` asks for it, then
 *   `data: [DONE]`;
 * - `POST /v1/embeddings` answers from a script of `EmbeddingReply` items (then in order) with
 *   deterministic float vectors of each input, always as float arrays, like servers that ignore
 *   `encoding_format`;
 * - every request is logged with its arrival time, path, parsed body and headers.
 * Faults are scripted per request: an HTTP error (429 with `retry-after` / `retry-after-ms`, 500,
 * 503, 400), a hang before or in the middle of a stream, a reset connection, malformed JSON, an empty
 * answer, a `content_filter` finish, an error event in the middle of a stream.
 */
import type { ServerResponse } from 'node:http';
import { listen, sendJson } from '../fakes/http';
import { embedText } from '../fakes/embedding';

export type Reply =
  /** `usage: false` leaves the usage out, as some servers do. */
  | {
      kind: 'text';
      text: string;
      finishReason?: string;
      inputTokens?: number;
      outputTokens?: number;
      usage?: false;
      /** Prompt tokens served from the server's prompt cache (`usage.prompt_tokens_details.cached_tokens`). */
      cachedTokens?: number;
    }
  /** An OpenAI-style error body; `retryAfter` / `retryAfterMs` become those headers, verbatim. */
  | { kind: 'status'; status: number; message?: string; retryAfter?: string; retryAfterMs?: string }
  | { kind: 'hang' }
  /** Streams `chunks`, then never finishes (a plain request just hangs). */
  | { kind: 'stream-hang'; chunks: string[] }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'empty' }
  | { kind: 'content_filter' }
  /** Streams `chunks`, then an in-stream error event with `code: status` (HTTP 200 all along). */
  | { kind: 'stream-error'; chunks: string[]; status: number };

export type EmbeddingReply =
  /** Vectors of the inputs, listed in reverse order when `reversed` (each keeps its `index`), the last `drop` left out. */
  { kind: 'vectors'; reversed?: boolean; drop?: number } | Extract<Reply, { kind: 'status' | 'hang' | 'reset' }>;

export interface LoggedRequest {
  readonly at: number;
  readonly method: string;
  /** `/v1/chat/completions` or `/v1/embeddings`. */
  readonly path: string;
  readonly body: OpenAIRequestBody;
  /** Request headers, names in lower case. */
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * The request body as parsed, typed by the fields the fake and the tests read (chat completions and
 * embeddings). The fake does not validate it: a field the SDK did not send is undefined.
 */
export interface OpenAIRequestBody {
  readonly model?: string;
  readonly messages?: readonly { readonly role: string; readonly content: unknown }[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly temperature?: number;
  readonly max_tokens?: number;
  readonly response_format?: unknown;
  readonly input?: string | readonly string[];
  readonly encoding_format?: string;
  readonly dimensions?: number;
}

export interface FakeOpenAI {
  /** The API root to give the SDK, `/v1` included. */
  readonly baseUrl: string;
  readonly requests: LoggedRequest[];
  /** Queues replies for the next chat completion requests, in order. */
  script(...replies: Reply[]): void;
  /** Queues replies for the next embedding requests, in order. */
  scriptEmbeddings(...replies: EmbeddingReply[]): void;
  /** Chooses a reply from the request when no scripted one is left (the default echoes the last message). */
  setResponder(responder: (request: LoggedRequest) => Reply): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: LoggedRequest[] = [];
  const queue: Reply[] = [];
  const embeddingQueue: EmbeddingReply[] = [];
  let responder: (r: LoggedRequest) => Reply = (r) => ({ kind: 'text', text: `echo: ${lastText(r.body)}` });
  const http = await listen(async (req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/embeddings')) {
      return sendError(res, 404, `no route ${req.method} ${path}`);
    }
    let parsed: OpenAIRequestBody;
    try {
      parsed = JSON.parse(body || '{}') as OpenAIRequestBody;
    } catch {
      return sendError(res, 400, 'invalid JSON body');
    }
    const logged: LoggedRequest = { at: Date.now(), method: req.method, path, body: parsed, headers: req.headers };
    requests.push(logged);
    if (path === '/v1/embeddings') return answerEmbeddings(res, embeddingQueue.shift() ?? { kind: 'vectors' }, parsed, http.hung);
    const reply = queue.shift() ?? responder(logged);
    answer(res, reply, parsed, http.hung);
  });
  return {
    baseUrl: `${http.origin}/v1`,
    requests,
    script: (...replies) => void queue.push(...replies),
    scriptEmbeddings: (...replies) => void embeddingQueue.push(...replies),
    setResponder: (r) => void (responder = r),
    close: http.close,
  };
}

function answer(res: ServerResponse, reply: Reply, body: OpenAIRequestBody, hung: Set<ServerResponse>): void {
  const stream = body?.stream === true;
  const model = String(body?.model ?? 'fake');
  const includeUsage = body?.stream_options?.include_usage === true;
  switch (reply.kind) {
    case 'hang':
      hung.add(res);
      return; // never answers; the client must time out
    case 'reset':
      res.socket?.destroy();
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ {"message": ');
      return;
    case 'status':
      sendError(res, reply.status, reply.message ?? `fake error ${reply.status}`, {
        ...(reply.retryAfter !== undefined ? { 'retry-after': reply.retryAfter } : {}),
        ...(reply.retryAfterMs !== undefined ? { 'retry-after-ms': reply.retryAfterMs } : {}),
      });
      return;
    case 'stream-hang':
      if (!stream) return void hung.add(res);
      startStream(res);
      event(res, chunk(model, { role: 'assistant', content: '' }, null));
      for (const text of reply.chunks) event(res, chunk(model, { content: text }, null));
      hung.add(res);
      return;
    case 'stream-error':
      startStream(res);
      for (const text of reply.chunks) event(res, chunk(model, { content: text }, null));
      event(res, { error: { message: 'fake error mid-stream', type: 'server_error', param: null, code: reply.status } });
      res.end();
      return;
    default: {
      const { text, finishReason, usage } =
        reply.kind === 'text'
          ? {
              text: reply.text,
              finishReason: reply.finishReason ?? 'stop',
              usage:
                reply.usage === false
                  ? undefined
                  : usageOf(reply.inputTokens ?? 10, reply.outputTokens ?? Math.ceil(reply.text.length / 4), reply.cachedTokens),
            }
          : reply.kind === 'content_filter'
            ? { text: null, finishReason: 'content_filter', usage: usageOf(10, 0) }
            : { text: '', finishReason: 'stop', usage: usageOf(10, 0) };
      if (!stream) {
        return sendJson(res, 200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason }],
          ...(usage ? { usage } : {}),
        });
      }
      // As vLLM streams: a role chunk, the text in pieces (here halves), a chunk with the finish
      // reason, then usage alone when asked for, then [DONE].
      startStream(res);
      event(res, chunk(model, { role: 'assistant', content: '' }, null));
      if (text) {
        const half = Math.ceil(text.length / 2);
        for (const piece of [text.slice(0, half), text.slice(half)]) if (piece) event(res, chunk(model, { content: piece }, null));
      }
      event(res, chunk(model, {}, finishReason));
      if (includeUsage && usage) event(res, { ...chunk(model, {}, null), choices: [], usage });
      res.end('data: [DONE]\n\n');
    }
  }
}

function answerEmbeddings(res: ServerResponse, reply: EmbeddingReply, body: OpenAIRequestBody, hung: Set<ServerResponse>): void {
  if (reply.kind !== 'vectors') return answer(res, reply, {}, hung);
  const input = body?.input;
  const inputs: readonly string[] = Array.isArray(input) ? input : [String(input ?? '')];
  let data = inputs.map((text, index) => ({
    object: 'embedding',
    index,
    embedding: embed(text, typeof body?.dimensions === 'number' ? body.dimensions : undefined),
  }));
  if (reply.drop) data = data.slice(0, Math.max(0, data.length - reply.drop));
  if (reply.reversed) data.reverse();
  sendJson(res, 200, {
    object: 'list',
    data,
    model: String(body?.model ?? 'fake'),
    usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
  });
}

function chunk(model: string, delta: object, finishReason: string | null) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

function usageOf(input: number, output: number, cached?: number) {
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

function event(res: ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

/** An error in OpenAI's shape, `{ error: { message, type, param, code } }`, which vLLM and Ollama also use. */
function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

function lastText(body: OpenAIRequestBody): string {
  const messages = body?.messages ?? [];
  const content = messages[messages.length - 1]?.content;
  return typeof content === 'string' ? content : '';
}

/** The embedding the fake answers for `text` (../fakes/embedding.ts). */
export const embed = embedText;

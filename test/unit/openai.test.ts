import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { APIConnectionError, APIConnectionTimeoutError, APIError, RateLimitError } from 'openai/error';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { ModelAnswerError } from '../../server/src/llm/provider';
import { RequestFailedError, RequestPolicy, TimeoutError, classify, retryAfterDelay } from '../../server/src/llm/requestPolicy';
import { embed, startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

/** The real openai SDK against the local fake; back-offs are recorded, not waited for. */
describe('OpenAI-compatible provider under the request policy (real SDK, fake server)', () => {
  let fake: FakeOpenAI;
  let delays: number[];
  const provider = (options: ConstructorParameters<typeof RequestPolicy>[0] = {}, apiKey?: string) =>
    new OpenAICompatibleProvider({
      baseUrl: fake.baseUrl,
      apiKey,
      policy: new RequestPolicy({ sleep: async (ms) => void delays.push(ms), random: () => 0.5, timeoutMs: 2_000, ...options }),
    });
  const ask = { model: 'local-test', messages: [{ role: 'user' as const, text: 'hello' }] };
  const chats = () => fake.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async () => (fake = await startFakeOpenAI()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    delays = [];
  });

  it('sends the system message only when given, maps roles, and returns text and usage', async () => {
    const p = provider();
    const plain = await p.generate(ask);
    assert.equal(plain.text, 'echo: hello');
    assert.equal(plain.finishReason, 'stop');
    assert.deepEqual(plain.usage, { inputTokens: 10, outputTokens: 3 });
    await p.generate({
      ...ask,
      systemInstruction: 'Be honest.',
      messages: [
        { role: 'user', text: 'hi' },
        { role: 'model', text: 'hello there' },
        { role: 'user', text: 'and now?' },
      ],
      temperature: 0.3,
      maxOutputTokens: 256,
      responseJsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
    });
    const [first, second] = chats();
    assert.deepEqual(first.body.messages, [{ role: 'user', content: 'hello' }]);
    assert.equal(first.body.model, 'local-test');
    assert.equal(first.body.stream, false);
    for (const absent of ['response_format', 'temperature', 'max_tokens', 'stream_options'])
      assert.equal(absent in first.body, false, absent);
    assert.deepEqual(second.body.messages, [
      { role: 'system', content: 'Be honest.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello there' },
      { role: 'user', content: 'and now?' },
    ]);
    assert.equal(second.body.temperature, 0.3);
    assert.equal(second.body.max_tokens, 256);
    assert.deepEqual(second.body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: false },
    });
  });

  it('sends an empty system instruction, which is given, not absent', async () => {
    await provider().generate({ ...ask, systemInstruction: '' });
    assert.deepEqual(chats()[0].body.messages?.[0], { role: 'system', content: '' });
  });

  it('sends a placeholder key when none is given, and nothing from OPENAI_* variables', async () => {
    const saved = { key: process.env.OPENAI_API_KEY, org: process.env.OPENAI_ORG_ID, project: process.env.OPENAI_PROJECT_ID };
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-from-env', OPENAI_ORG_ID: 'org-from-env', OPENAI_PROJECT_ID: 'proj-from-env' });
    try {
      await provider().generate(ask);
      await provider({}, 'sk-local').generate(ask);
    } finally {
      for (const [name, value] of [
        ['OPENAI_API_KEY', saved.key],
        ['OPENAI_ORG_ID', saved.org],
        ['OPENAI_PROJECT_ID', saved.project],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const [plain, keyed] = chats();
    assert.equal(plain.headers.authorization, 'Bearer not-needed');
    assert.equal(keyed.headers.authorization, 'Bearer sk-local');
    assert.equal(plain.headers['openai-organization'], undefined);
    assert.equal(plain.headers['openai-project'], undefined);
    assert.equal(plain.headers['x-stainless-retry-count'], '0');
  });

  it('streams text to onText from an empty start, with the usage of the last chunk', async () => {
    fake.script({ kind: 'text', text: 'complete answer', inputTokens: 7, outputTokens: 2 });
    const seen: string[] = [];
    const result = await provider().generate(ask, undefined, (t) => seen.push(t));
    assert.equal(result.text, 'complete answer');
    assert.equal(result.finishReason, 'stop');
    assert.deepEqual(result.usage, { inputTokens: 7, outputTokens: 2 });
    assert.deepEqual(seen, ['', 'complete', 'complete answer']);
    // The completion's `model` is the version that answered (the fake echoes the id asked for).
    assert.equal(result.modelVersion, ask.model);
    assert.equal((await provider().generate(ask)).modelVersion, ask.model);
    assert.equal(chats()[0].body.stream, true);
    assert.deepEqual(chats()[0].body.stream_options, { include_usage: true });
  });

  it('counts usage as 0 when the server sends none', async () => {
    fake.script({ kind: 'text', text: 'no usage here', usage: false }, { kind: 'text', text: 'nor here', usage: false });
    assert.deepEqual((await provider().generate(ask)).usage, { inputTokens: 0, outputTokens: 0 });
    assert.deepEqual((await provider().generate(ask, undefined, () => {})).usage, { inputTokens: 0, outputTokens: 0 });
  });

  it('waits as long as a 429 retry-after (seconds) or retry-after-ms says, then succeeds', async () => {
    fake.script(
      { kind: 'status', status: 429, retryAfter: '17' },
      { kind: 'status', status: 429, retryAfterMs: '1250', retryAfter: '99' },
      { kind: 'text', text: 'ok' },
    );
    assert.equal((await provider().generate(ask)).text, 'ok');
    assert.deepEqual(delays, [17_000, 1_250]);
    assert.equal(chats().length, 3);
  });

  it('gives up on a 429 that asks for longer than maxRetryDelayMs, with a readable reason', async () => {
    fake.script({ kind: 'status', status: 429, message: 'slow down', retryAfter: '600' });
    await assert.rejects(
      provider().generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 1 && e.message === 'local-test: HTTP 429: slow down',
    );
    assert.deepEqual(delays, []);
  });

  it('retries 500 and 503 with exponential back-off (full jitter), the SDK retrying nothing itself', async () => {
    fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'text', text: 'ok' });
    assert.equal((await provider().generate(ask)).text, 'ok');
    assert.deepEqual(delays, [500, 1000]);
    assert.equal(chats().length, 3);
  });

  it('gives up after the last attempt with the cause, and never retries a 400', async () => {
    fake.script(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 })));
    await assert.rejects(
      provider().generate(ask),
      (e: unknown) =>
        e instanceof RequestFailedError && e.attempts === 4 && /HTTP 503: fake error 503/.test(e.message) && e.cause instanceof APIError,
    );
    assert.equal(chats().length, 4);
    fake.script({ kind: 'status', status: 400, message: 'bad request' });
    await assert.rejects(
      provider().generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 1 && /HTTP 400: bad request$/.test(e.message),
    );
    assert.equal(chats().length, 5);
  });

  it('times out a hung server and retries, and retries a reset connection', async () => {
    fake.script({ kind: 'hang' }, { kind: 'reset' }, { kind: 'text', text: 'ok' });
    assert.equal((await provider({ timeoutMs: 300 }).generate(ask)).text, 'ok');
    assert.equal(chats().length, 3);
    assert.equal(delays.length, 2);
    fake.script({ kind: 'hang' }, { kind: 'hang' });
    await assert.rejects(
      provider({ timeoutMs: 200, maxAttempts: 2 }).generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 2 && e.cause instanceof TimeoutError,
    );
  });

  it('fails a reset connection for good with a connection error once attempts run out', async () => {
    fake.script({ kind: 'reset' }, { kind: 'reset' });
    await assert.rejects(
      provider({ maxAttempts: 2 }).generate(ask),
      (e: unknown) =>
        e instanceof RequestFailedError && e.attempts === 2 && e.cause instanceof APIConnectionError && /connection error/.test(e.message),
    );
  });

  it('times out a stream that stops midway and retries it from the start, never returning the part', async () => {
    fake.script({ kind: 'stream-hang', chunks: ['par'] }, { kind: 'text', text: 'complete answer' });
    const seen: string[] = [];
    const result = await provider({ timeoutMs: 300 }).generate(ask, undefined, (t) => seen.push(t));
    assert.equal(result.text, 'complete answer');
    assert.ok(seen.includes('par'), seen.join('|'));
    assert.equal(seen[seen.length - 1], 'complete answer');
    assert.equal(chats().length, 2);
  });

  it('retries a stream that fails midway with an error event, from the start', async () => {
    fake.script({ kind: 'stream-error', chunks: ['par'], status: 503 }, { kind: 'text', text: 'complete answer' });
    const seen: string[] = [];
    const result = await provider().generate(ask, undefined, (t) => seen.push(t));
    assert.equal(result.text, 'complete answer');
    assert.deepEqual(seen, ['', 'par', '', 'complete', 'complete answer']);
    assert.equal(chats().length, 2);
    fake.script({ kind: 'stream-error', chunks: ['par'], status: 400 });
    await assert.rejects(
      provider().generate(ask, undefined, () => {}),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 1,
    );
  });

  it('reports content-filtered and empty answers as ModelAnswerError, never as text, and does not retry them', async () => {
    for (const stream of [false, true]) {
      fake.requests.length = 0;
      const onText = stream ? () => {} : undefined;
      fake.script({ kind: 'content_filter' });
      await assert.rejects(
        provider().generate(ask, undefined, onText),
        (e: unknown) => e instanceof ModelAnswerError && e.finishReason === 'content_filter',
      );
      fake.script({ kind: 'empty' });
      await assert.rejects(
        provider().generate(ask, undefined, onText),
        (e: unknown) => e instanceof ModelAnswerError && /empty/.test(e.message),
      );
      fake.script({ kind: 'text', text: '  \n ' });
      await assert.rejects(provider().generate(ask, undefined, onText), ModelAnswerError);
      assert.equal(chats().length, 3, `stream: ${stream}`);
    }
  });

  it('reports a malformed answer as a RequestFailedError', async () => {
    fake.script({ kind: 'malformed' });
    await assert.rejects(provider().generate(ask), (e: unknown) => e instanceof RequestFailedError && e.attempts === 1);
  });

  it('cancels a call in flight with the abort reason, without retrying', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = provider({ timeoutMs: 60_000 }).generate(ask, controller.signal);
    while (chats().length === 0) await new Promise((r) => setImmediate(r));
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await assert.rejects(call, (e: unknown) => e === reason);
    assert.equal(chats().length, 1);
    assert.deepEqual(delays, []);
  });

  it('cancels a stream midway with the abort reason, not with the text so far', async () => {
    fake.script({ kind: 'stream-hang', chunks: ['par'] });
    const controller = new AbortController();
    const reason = new Error('cancelled mid-stream');
    const call = provider({ timeoutMs: 60_000 }).generate(ask, controller.signal, (t) => {
      if (t === 'par') controller.abort(reason);
    });
    await assert.rejects(call, (e: unknown) => e === reason);
    assert.equal(chats().length, 1);
  });

  it('embeds texts as floats, in input order even when the server lists them out of order', async () => {
    fake.scriptEmbeddings({ kind: 'vectors', reversed: true });
    const texts = ['a cat sat', 'a dog ran', 'a cat sat', 'birds sing'];
    const vectors = await provider().embed('embed-test', texts);
    assert.deepEqual(
      vectors,
      texts.map((t) => embed(t)),
    );
    assert.notDeepEqual(vectors[0], vectors[1]);
    const [request] = fake.requests;
    assert.equal(request.path, '/v1/embeddings');
    assert.deepEqual(request.body.input, texts);
    assert.equal(request.body.encoding_format, 'float');
  });

  it('retries embeddings like any call, and rejects a wrong number of vectors', async () => {
    fake.scriptEmbeddings({ kind: 'status', status: 503 }, { kind: 'vectors' });
    assert.equal((await provider().embed('embed-test', ['one text'])).length, 1);
    assert.deepEqual(delays, [500]);
    fake.scriptEmbeddings({ kind: 'vectors', drop: 1 });
    await assert.rejects(
      provider().embed('embed-test', ['a b c', 'd e f']),
      (e: unknown) => e instanceof ModelAnswerError && /1 embeddings for 2 texts/.test(e.message),
    );
    const before = fake.requests.length;
    assert.deepEqual(await provider().embed('embed-test', []), []);
    assert.equal(fake.requests.length, before);
  });
});

describe('classify and retryAfterDelay with the openai SDK errors', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(retryAfterDelay(headers({ 'retry-after': '17' }), now), 17_000);
    assert.equal(retryAfterDelay(headers({ 'retry-after': '1.5' }), now), 1_500);
    assert.equal(retryAfterDelay(headers({ 'retry-after-ms': '250', 'retry-after': '17' }), now), 250);
    assert.equal(retryAfterDelay(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now), 30_000);
    assert.equal(retryAfterDelay(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now), 0);
    assert.equal(retryAfterDelay(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterDelay(headers({}), now), undefined);
    assert.equal(retryAfterDelay(undefined, now), undefined);
  });

  it('honours retry-after on a 429 and a 503 (throttled or shed; RFC 9110 §10.2.3) only, and keeps the reason readable', () => {
    const limited = new RateLimitError(429, { message: 'Rate limit reached' }, undefined, headers({ 'retry-after': '3' }));
    assert.deepEqual(classify(limited), { retry: true, retryAfterMs: 3_000, reason: 'HTTP 429: Rate limit reached' });
    const unavailable = APIError.generate(503, { error: { message: 'busy' } }, undefined, headers({ 'retry-after': '3' }));
    assert.deepEqual(classify(unavailable), { retry: true, retryAfterMs: 3_000, reason: 'HTTP 503: busy' });
    const gateway = APIError.generate(504, { error: { message: 'slow' } }, undefined, headers({ 'retry-after': '3' }));
    assert.deepEqual(classify(gateway), { retry: true, retryAfterMs: undefined, reason: 'HTTP 504: slow' });
    const noBody = APIError.generate(502, undefined, undefined, headers({}));
    assert.deepEqual(classify(noBody), { retry: true, retryAfterMs: undefined, reason: 'HTTP 502: status code (no body)' });
  });

  it('retries connection errors and connection timeouts, which have no status', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    const reset = classify(new APIConnectionError({ cause: fetchFailed }));
    assert.equal(reset.retry, true);
    assert.equal(reset.reason, 'connection error (UND_ERR_SOCKET)');
    const timedOut = classify(new APIConnectionTimeoutError());
    assert.equal(timedOut.retry, true);
    assert.match(timedOut.reason, /timed out/);
  });

  it('still reads Gemini-style errors: JSON body, RetryInfo, fetch failures', () => {
    const body = JSON.stringify({
      error: { code: 429, message: 'quota', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' }] },
    });
    assert.deepEqual(classify(Object.assign(new Error(body), { name: 'ApiError', status: 429 })), {
      retry: true,
      retryAfterMs: 17_000,
      reason: 'HTTP 429: quota',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    assert.deepEqual(classify(fetchFailed), { retry: true, reason: 'connection error (ECONNREFUSED)' });
    assert.equal(classify(new Error('something else')).retry, false);
  });
});

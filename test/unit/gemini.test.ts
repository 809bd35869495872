import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { ModelAnswerError } from '../../server/src/llm/provider';
import { RequestFailedError, RequestPolicy, TimeoutError, retryInfoDelay } from '../../server/src/llm/requestPolicy';
import { fakeModelVersion, startFakeGemini, type FakeGemini } from '../fake-gemini/server';

/** The real @google/genai SDK against the local fake; back-offs are recorded, not waited for. */
describe('Gemini provider under the request policy (real SDK, fake server)', () => {
  let fake: FakeGemini;
  let delays: number[];
  const provider = (options: ConstructorParameters<typeof RequestPolicy>[0] = {}) =>
    new GeminiProvider({
      apiKey: 'test-key',
      baseUrl: fake.baseUrl,
      policy: new RequestPolicy({ sleep: async (ms) => void delays.push(ms), random: () => 0.5, timeoutMs: 2_000, ...options }),
    });
  const ask = { model: 'gemini-test', messages: [{ role: 'user' as const, text: 'hello' }] };

  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    delays = [];
  });

  it('sends the system instruction only when given, and returns text and usage', async () => {
    const p = provider();
    const plain = await p.generate(ask);
    assert.equal(plain.text, 'echo: hello');
    assert.deepEqual(plain.usage, { inputTokens: 10, outputTokens: 3 });
    await p.generate({ ...ask, systemInstruction: 'Be honest.', responseJsonSchema: { type: 'object' } });
    const [first, second] = fake.requests;
    assert.equal(first.body.systemInstruction, undefined);
    assert.deepEqual(second.body.systemInstruction?.parts, [{ text: 'Be honest.' }]);
    assert.deepEqual(second.body.generationConfig?.responseJsonSchema, { type: 'object' });
    assert.equal(second.body.generationConfig?.responseMimeType, 'application/json');
  });

  it('counts thinking tokens as output tokens (they are billed as output), streamed or not', async () => {
    fake.script(
      { kind: 'text', text: 'answer', inputTokens: 12, outputTokens: 5, thoughtsTokens: 40 },
      { kind: 'text', text: 'answer', inputTokens: 12, outputTokens: 5, thoughtsTokens: 40 },
    );
    const p = provider();
    assert.deepEqual((await p.generate(ask)).usage, { inputTokens: 12, outputTokens: 45 });
    assert.deepEqual((await p.generate(ask, undefined, () => undefined)).usage, { inputTokens: 12, outputTokens: 45 });
  });

  it('returns the model version the API reports, streamed or not', async () => {
    const p = provider();
    assert.equal((await p.generate(ask)).modelVersion, fakeModelVersion('gemini-test'));
    assert.equal((await p.generate(ask, undefined, () => undefined)).modelVersion, fakeModelVersion('gemini-test'));
  });

  it('sends a thinking level to Gemini 3, a budget to 2.5, and nothing unasked', async () => {
    const p = provider();
    await p.generate({ ...ask, model: 'gemini-3.1-pro-preview', thinking: 'high' });
    await p.generate({ ...ask, model: 'gemini-2.5-pro', thinking: 'low' });
    await p.generate({ ...ask, model: 'gemini-3.8-flash' });
    assert.deepEqual(
      fake.requests.map((r) => r.body.generationConfig?.thinkingConfig),
      [{ thinkingLevel: 'HIGH' }, { thinkingBudget: 1024 }, undefined],
    );
  });

  it('waits as long as a 429 RetryInfo says, then succeeds', async () => {
    fake.script({ kind: 'status', status: 429, retryDelay: '17s' }, { kind: 'text', text: 'ok' });
    assert.equal((await provider().generate(ask)).text, 'ok');
    assert.deepEqual(delays, [17_000]);
    assert.equal(fake.requests.length, 2);
  });

  it('retries 500 and 503 with exponential back-off (full jitter)', async () => {
    fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'text', text: 'ok' });
    assert.equal((await provider().generate(ask)).text, 'ok');
    assert.deepEqual(delays, [500, 1000]);
  });

  it('gives up after the last attempt with the cause, and never retries a 400', async () => {
    fake.script(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 })));
    await assert.rejects(
      provider().generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 4 && /HTTP 503/.test(e.message),
    );
    fake.script({ kind: 'status', status: 400, message: 'bad request' });
    await assert.rejects(
      provider().generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.attempts === 1 && /HTTP 400: bad request/.test(e.message),
    );
  });

  it('times out a hung server and retries, and retries a reset connection', async () => {
    fake.script({ kind: 'hang' }, { kind: 'reset' }, { kind: 'text', text: 'ok' });
    assert.equal((await provider({ timeoutMs: 300 }).generate(ask)).text, 'ok');
    assert.equal(fake.requests.length, 3);
    fake.script({ kind: 'hang' }, { kind: 'hang' });
    await assert.rejects(
      provider({ timeoutMs: 200, maxAttempts: 2 }).generate(ask),
      (e: unknown) => e instanceof RequestFailedError && e.cause instanceof TimeoutError,
    );
  });

  it('reports blocked, empty and malformed answers as errors, never as text', async () => {
    fake.script({ kind: 'blocked', finishReason: 'SAFETY' });
    await assert.rejects(provider().generate(ask), (e: unknown) => e instanceof ModelAnswerError && e.finishReason === 'SAFETY');
    fake.script({ kind: 'empty' });
    await assert.rejects(provider().generate(ask), ModelAnswerError);
    fake.script({ kind: 'malformed' });
    await assert.rejects(provider().generate(ask), RequestFailedError);
  });

  it('streams text, and retries a stream that fails midway from the start', async () => {
    fake.script({ kind: 'stream-error', chunks: ['par'], status: 503 }, { kind: 'text', text: 'complete answer' });
    const seen: string[] = [];
    const result = await provider().generate(ask, undefined, (t) => seen.push(t));
    assert.equal(result.text, 'complete answer');
    assert.ok(seen.includes('par'), seen.join('|'));
    assert.equal(seen[seen.length - 1], 'complete answer');
    assert.match(fake.requests[0].action, /streamGenerateContent/);
  });

  it('cancels a call in flight, without retrying', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = provider({ timeoutMs: 60_000 }).generate(ask, controller.signal);
    while (fake.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(call, /cancelled by the user/);
    assert.equal(fake.requests.length, 1);
  });

  it('embeds texts in order through batchEmbedContents', async () => {
    const vectors = await provider().embed('embed-test', ['a cat', 'a dog', 'a cat']);
    assert.equal(vectors.length, 3);
    assert.deepEqual(vectors[0], vectors[2]);
    assert.equal(fake.requests[0].action, 'batchEmbedContents');
  });

  it('reads RetryInfo delays in seconds', () => {
    const body = (d: string) =>
      JSON.stringify({ error: { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: d }] } });
    assert.equal(retryInfoDelay(body('17s')), 17_000);
    assert.equal(retryInfoDelay(body('1.5s')), 1_500);
    assert.equal(retryInfoDelay('not json'), undefined);
  });
});

describe('request policy rate limit', () => {
  it('never starts more than the per-minute cap in a sliding window', async () => {
    const policy = new RequestPolicy({ requestsPerMinute: 3, concurrency: 10 });
    const started: number[] = [];
    const calls = Array.from({ length: 3 }, () => policy.run('m', async () => void started.push(Date.now())));
    await Promise.all(calls);
    // A fourth call must wait for the window: it has not started while the first three have.
    let fourth = false;
    const waiting = new AbortController();
    const pending = policy.run('m', async () => void (fourth = true), waiting.signal);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(started.length, 3);
    assert.equal(fourth, false);
    waiting.abort(new Error('done waiting'));
    await assert.rejects(pending, /done waiting/);
    // Another model has its own queue.
    let other = false;
    await policy.run('other', async () => void (other = true));
    assert.equal(other, true);
  });
});

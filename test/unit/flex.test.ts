import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { requestPolicy } from '../../server/src/llm/modelAccess';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { FLEX_POLICY, RequestFailedError, RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

/** The Flex tier and cached input through the real SDK against the fake: what is sent, how a shed request is retried, what is counted. */
describe('Flex requests and cached input (real SDK, fake server)', () => {
  let fake: FakeGemini;
  let delays: number[];
  const ask = { model: 'gemini-3.8-flash', messages: [{ role: 'user' as const, text: 'hello' }] };
  /** A provider at `serviceTier` under that tier's policy, its back-offs recorded instead of waited for. */
  const provider = (serviceTier?: 'flex') =>
    new GeminiProvider({
      apiKey: 'test-key',
      baseUrl: fake.baseUrl,
      serviceTier,
      policy: new RequestPolicy({
        ...(serviceTier === 'flex' ? FLEX_POLICY : {}),
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.5,
      }),
    });

  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setImplicitCaching(undefined);
    delays = [];
  });

  it('sends serviceTier flex at the top level and tells the server it waits 15 minutes; a Standard provider sends neither', async () => {
    const flex = await provider('flex').generate(ask);
    const streamed = await provider('flex').generate(ask, undefined, () => undefined);
    const standard = await provider().generate(ask);
    const [a, b, c] = fake.requests;
    assert.equal(a.serviceTier, 'flex');
    assert.equal(a.body.generationConfig?.serviceTier, undefined);
    assert.equal(a.serverTimeout, '900');
    assert.equal(b.serviceTier, 'flex');
    assert.equal(c.serviceTier, undefined);
    assert.equal(c.serverTimeout, undefined);
    assert.equal(flex.usage.tier, 'flex');
    assert.equal(streamed.usage.tier, 'flex');
    assert.equal(standard.usage.tier, undefined);
  });

  it('retries a shed request (503, then 429), waiting what its RetryInfo asks, then answers', async () => {
    fake.script({ kind: 'shed', status: 503, retryDelay: '7s' }, { kind: 'shed', status: 429 }, { kind: 'text', text: 'at last' });
    const result = await provider('flex').generate(ask);
    assert.equal(result.text, 'at last');
    assert.equal(fake.requests.length, 3);
    // 7 s from the 503's RetryInfo; then the Flex back-off: half (random 0.5) of 5 s × 2.
    assert.deepEqual(delays, [7_000, 5_000]);
  });

  it('gives up after the Flex policy’s attempts with an error that says the tier shed the request', async () => {
    fake.script(...Array.from({ length: FLEX_POLICY.maxAttempts }, () => ({ kind: 'shed' as const })));
    await assert.rejects(provider('flex').generate(ask), (error: unknown) => {
      assert.ok(error instanceof RequestFailedError);
      assert.equal(error.attempts, FLEX_POLICY.maxAttempts);
      assert.match(error.message, /HTTP 503: The model is overloaded/);
      assert.match(error.message, /after 8 attempts/);
      assert.match(error.message, /Flex tier was at capacity every time/);
      return true;
    });
    assert.equal(fake.requests.length, FLEX_POLICY.maxAttempts);
    // Exponential with jitter, capped: 2.5, 5, 10, 20, 40, 60, 60 s.
    assert.deepEqual(delays, [2_500, 5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('gives the Flex advice for a request shed with 429 too, and not for one that failed for another reason', async () => {
    const attempts = FLEX_POLICY.maxAttempts;
    fake.script(...Array.from({ length: attempts }, () => ({ kind: 'shed' as const, status: 429 as const })));
    await assert.rejects(provider('flex').generate(ask), (error: unknown) => {
      assert.ok(error instanceof RequestFailedError);
      assert.match(error.message, /HTTP 429: .*after 8 attempts.*Flex tier was at capacity every time/);
      return true;
    });
    // A server error is retried as often, but it says nothing of the tier's capacity.
    fake.script(...Array.from({ length: attempts }, () => ({ kind: 'status' as const, status: 500, message: 'internal error' })));
    await assert.rejects(provider('flex').generate(ask), (error: unknown) => {
      assert.ok(error instanceof RequestFailedError);
      assert.match(error.message, /HTTP 500: internal error \(after 8 attempts\)$/);
      return true;
    });
  });

  it('a Standard request shed the same way fails without the Flex advice', async () => {
    fake.script(...Array.from({ length: 4 }, () => ({ kind: 'shed' as const })));
    await assert.rejects(provider().generate(ask), (error: unknown) => {
      assert.ok(error instanceof RequestFailedError);
      assert.doesNotMatch(error.message, /Flex/);
      return true;
    });
  });

  it('requestPolicy gives Flex at least 15-minute attempts, and Standard the timeout asked for', () => {
    assert.equal(requestPolicy({ timeoutSeconds: 120, perMinute: 0, concurrency: 4, serviceTier: 'flex' }).timeoutMs, 900_000);
    assert.equal(requestPolicy({ timeoutSeconds: 1_800, perMinute: 0, concurrency: 4, serviceTier: 'flex' }).timeoutMs, 1_800_000);
    assert.equal(requestPolicy({ timeoutSeconds: 120, perMinute: 0, concurrency: 4 }).timeoutMs, 120_000);
  });

  it('counts cachedContentTokenCount as cached input, streamed or not', async () => {
    fake.setImplicitCaching({ minPrefixChars: 40 });
    const shared = 'Instructions shared by every request of this stage. '.repeat(4);
    const first = await provider().generate({ ...ask, messages: [{ role: 'user', text: `${shared}item one` }] });
    const second = await provider().generate({ ...ask, messages: [{ role: 'user', text: `${shared}item two` }] });
    const third = await provider().generate(
      { ...ask, messages: [{ role: 'user', text: `${shared}item three` }] },
      undefined,
      () => undefined,
    );
    assert.equal(first.usage.cachedInputTokens, undefined);
    // The prompt is "\n" (no system instruction) + the text; "item t" is shared with "item two" too.
    const prompt = `\n${shared}item two`;
    assert.equal(second.usage.inputTokens, Math.ceil(prompt.length / 4));
    assert.equal(second.usage.cachedInputTokens, Math.floor((1 + shared.length + 'item '.length) / 4));
    assert.equal(third.usage.cachedInputTokens, Math.floor((1 + shared.length + 'item t'.length) / 4));
  });
});

describe('cached input from an OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  before(async () => (fake = await startFakeOpenAI()));
  after(() => fake.close());

  it('reads usage.prompt_tokens_details.cached_tokens', async () => {
    const openai = new OpenAICompatibleProvider({ baseUrl: fake.baseUrl });
    fake.script({ kind: 'text', text: 'hi', inputTokens: 50, outputTokens: 2, cachedTokens: 32 });
    const result = await openai.generate({ model: 'local', messages: [{ role: 'user', text: 'hello' }] });
    assert.deepEqual(result.usage, { inputTokens: 50, outputTokens: 2, cachedInputTokens: 32 });
  });
});

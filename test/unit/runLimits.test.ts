import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosine, Embedder } from '../../server/src/generation/run/dedup';
import { LimitedProvider } from '../../server/src/llm/limits';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import type { GenerateRequest, GenerateResult, ModelProvider } from '../../server/src/llm/provider';

/** A provider that records when each call reached it and answers after `ms`. */
function stub(ms = 1, inputTokens?: (request: GenerateRequest) => number) {
  const calls: { model: string; at: number; tokens: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: ModelProvider = {
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const tokens = inputTokens?.(request) ?? 0;
      calls.push({ model: request.model, at: Date.now(), tokens });
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return { text: 'ok', finishReason: 'STOP', usage: { inputTokens: tokens, outputTokens: 1 } };
    },
    async embed(model: string, texts: readonly string[]): Promise<number[][]> {
      calls.push({ model, at: Date.now(), tokens: 0 });
      return texts.map((t) => [t.length, 1]);
    },
  };
  return { provider, calls, maxInFlight: () => maxInFlight };
}

const request = (model: string, chars = 40): GenerateRequest => ({ model, messages: [{ role: 'user', text: 'x'.repeat(chars) }] });

/** The most calls (or tokens) that reached the provider within any `windowMs`, per model. */
function busiestWindow(calls: { model: string; at: number; tokens: number }[], windowMs: number, weigh: (c: { tokens: number }) => number) {
  const most: Record<string, number> = {};
  for (const c of calls) {
    const inWindow = calls.filter((d) => d.model === c.model && d.at >= c.at && d.at < c.at + windowMs);
    most[c.model] = Math.max(
      most[c.model] ?? 0,
      inWindow.reduce((n, d) => n + weigh(d), 0),
    );
  }
  return most;
}

describe('LimitedProvider', () => {
  it('starts at most `requests` calls per model in any window, each model on its own', async () => {
    const { provider, calls } = stub();
    const limited = new LimitedProvider(provider, { requests: 3, windowMs: 150 });
    await Promise.all([
      ...Array.from({ length: 8 }, () => limited.generate(request('a'))),
      ...Array.from({ length: 4 }, () => limited.generate(request('b'))),
    ]);
    assert.equal(calls.length, 12);
    assert.deepEqual(
      busiestWindow(calls, 150, () => 1),
      { a: 3, b: 3 },
    );
  });

  it('keeps the input tokens of any window within `tokens`, counting what the provider reports', async () => {
    // 400 characters: estimated at 100 tokens; the provider reports 60. By the estimates two fit in
    // 250; once the first answers are counted at 60, a third does (3 × 60 = 180), a fourth never.
    const { provider, calls } = stub(1, () => 60);
    const limited = new LimitedProvider(provider, { tokens: 250, windowMs: 300 });
    await Promise.all(Array.from({ length: 6 }, () => limited.generate(request('a', 400))));
    assert.equal(calls.length, 6);
    assert.deepEqual(
      busiestWindow(calls, 300, (c) => c.tokens),
      { a: 180 },
    );
    assert.deepEqual(
      busiestWindow(calls, 300, () => 1),
      { a: 3 },
    );
    // A call larger than the limit still goes, alone.
    const big = new LimitedProvider(stub().provider, { tokens: 10, windowMs: 150 });
    assert.equal((await big.generate(request('a', 400))).text, 'ok');
  });

  it('caps calls in flight across models, and a cancelled wait rejects with the reason', async () => {
    const s = stub(20);
    const limited = new LimitedProvider(s.provider, { concurrency: 2 });
    await Promise.all(['a', 'b', 'c', 'a', 'b'].map((m) => limited.generate(request(m))));
    assert.equal(s.maxInFlight(), 2);

    const slow = new LimitedProvider(stub().provider, { requests: 1, windowMs: 60_000 });
    await slow.generate(request('a'));
    const controller = new AbortController();
    const waiting = slow.generate(request('a'), controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
  });
});

describe('Embedder', () => {
  it('batches texts asked for together, and serves repeats from the cache', async () => {
    const s = stub();
    const cache = new MemoryAnswerCache();
    const embedder = new Embedder(s.provider, 'e', { cache, providerId: 'gemini' });
    const vectors = await Promise.all(['a', 'bb', 'ccc'].map((t) => embedder.embed(t)));
    assert.deepEqual(vectors, [
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    assert.deepEqual(embedder.stats, { requests: 1, texts: 3 });
    assert.deepEqual(await embedder.embed('bb'), [2, 1]);
    assert.equal(embedder.stats.requests, 1);
    assert.equal(cosine([1, 0], [1, 0]), 1);
    assert.equal(cosine([1, 0], [0, 1]), 0);
    assert.equal(cosine([0, 0], [1, 1]), 0);
  });
});

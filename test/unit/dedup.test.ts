// The pieces of a run's deduplication on their own: cosine similarity, the index of accepted
// prompts, and the embedder's batching and cache. test/unit/run.test.ts tests them in runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnswerCache, CachedAnswer } from '../../server/src/llm/cache';
import { cosine, DedupIndex, Embedder, PartialEmbeddingError } from '../../server/src/generation/run/dedup';
import { ModelAnswerError, type ModelProvider } from '../../server/src/llm/provider';

describe('cosine', () => {
  it('is the cosine of vectors of any length, not only unit ones', () => {
    // 3·4 + 4·3 = 24 over |(3, 4)| · |(4, 3)| = 25.
    assert.equal(cosine([3, 4], [4, 3]), 24 / 25);
    assert.equal(cosine([2, 0], [5, 0]), 1);
    assert.equal(cosine([1, 1], [-1, -1]), -1);
  });

  it('compares the dimensions both vectors have', () => {
    assert.equal(cosine([3, 4], [3, 4, 12]), 1);
    assert.equal(cosine([3, 4, 12], [3, 4]), 1);
  });
});

describe('DedupIndex', () => {
  it('finds the most similar accepted prompt, the earliest of equals', () => {
    const index = new DedupIndex();
    assert.equal(index.nearest([1, 0]), undefined);
    index.add('far', 'a far prompt', [0, 1]);
    index.add('near', 'a near prompt', [1, 1]);
    index.add('farther', 'a farther prompt', [-1, 1]);
    index.add('also-near', 'another near prompt', [2, 2]);
    assert.equal(index.size, 4);
    const nearest = index.nearest([1, 1]);
    assert.ok(nearest);
    assert.deepEqual({ id: nearest.id, prompt: nearest.prompt }, { id: 'near', prompt: 'a near prompt' });
    assert.ok(Math.abs(nearest.similarity - 1) < 1e-6); // float32 vectors
    assert.equal(index.nearest([0, 1])?.id, 'far');
  });
});

/** A provider whose embed answers [length, 1] per text, each call after `release()` when gated. */
function gatedProvider() {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  const provider: ModelProvider = {
    generate: () => Promise.reject(new Error('not used')),
    embed: async (_model, texts) => {
      calls.push([...texts]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return texts.map((t) => [t.length, 1]);
    },
  };
  /** Lets the oldest waiting call answer once it has been made. */
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  /** Resolves with 'call' once the provider has been called more than `before` times, or with `other`'s outcome first. */
  const called = (before: number, other: Promise<unknown>) =>
    Promise.race([
      other.then(() => 'answered without a call'),
      (async () => {
        while (calls.length <= before) await new Promise((r) => setImmediate(r));
        return 'call';
      })(),
    ]);
  return { provider, calls, release, called };
}

describe('Embedder', () => {
  it('sends texts asked for while a call is in flight together, once it returns', async () => {
    const { provider, calls, release } = gatedProvider();
    const embedder = new Embedder(provider, 'e', {});
    const first = embedder.embed('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [['a']]);
    // Three more, in separate turns, while 'a' is in flight.
    const more: Promise<number[]>[] = [];
    for (const text of ['bb', 'ccc', 'dddd']) {
      more.push(embedder.embed(text));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(calls, [['a']], 'a second call went out while the first was in flight');
    await release();
    await release();
    assert.deepEqual(await first, [1, 1]);
    assert.deepEqual(await Promise.all(more), [
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
    assert.deepEqual(calls, [['a'], ['bb', 'ccc', 'dddd']]);
    assert.deepEqual(embedder.stats, { requests: 2, texts: 4 });
  });

  it('rejects every text of a failed call with its error', async () => {
    const error = new Error('embedding refused');
    const provider: ModelProvider = { generate: () => Promise.reject(new Error('not used')), embed: () => Promise.reject(error) };
    const embedder = new Embedder(provider, 'e', {});
    const results = await Promise.allSettled(['a', 'b'].map((t) => embedder.embed(t)));
    assert.deepEqual(
      results.map((r) => r.status === 'rejected' && r.reason),
      [error, error],
    );
  });

  it('uses a cached vector only when it is a non-empty list of finite numbers', async () => {
    const stored: Record<string, string> = {};
    let answer: string | undefined;
    // Answers `answer` for every key (as if a corrupt entry were stored), and keeps what is set.
    const cache: AnswerCache = {
      get: async (): Promise<CachedAnswer | undefined> =>
        answer === undefined ? undefined : { text: answer, usage: { inputTokens: 0, outputTokens: 0 } },
      set: async (key, value) => void (stored[key] = value.text),
    };
    const { provider, calls, release, called } = gatedProvider();
    const embedder = new Embedder(provider, 'e', { cache, providerId: 'gemini' });
    for (const bad of ['[]', '[1, "x"]', '[1, null]', '{"0": 1}', 'not json', '[1, 1e999]']) {
      answer = bad;
      const vector = embedder.embed('abc');
      assert.equal(await called(calls.length, vector), 'call', `served ${bad} from the cache`);
      await release();
      assert.deepEqual(await vector, [3, 1]);
    }
    assert.equal(calls.length, 6);
    assert.deepEqual(Object.values(stored), ['[3,1]'], 'the fresh vector is kept in the cache');
    answer = '[0.5, -2]';
    assert.deepEqual(await embedder.embed('abc'), [0.5, -2]);
    assert.equal(calls.length, 6);
  });
});

describe('Embedder with a reduced dimension', () => {
  it('asks the provider for it, keys the cache by it, and refuses a vector of another length', async () => {
    const asked: (number | undefined)[] = [];
    let length = 3;
    const provider: ModelProvider = {
      generate: () => Promise.reject(new Error('not used')),
      embed: async (_model, texts, _signal, dimensions) => {
        asked.push(dimensions);
        return texts.map(() => Array.from({ length }, () => 0.5));
      },
    };
    const stored = new Map<string, string>();
    const cache: AnswerCache = {
      get: async (key) => (stored.has(key) ? { text: stored.get(key)!, usage: { inputTokens: 0, outputTokens: 0 } } : undefined),
      set: async (key, value) => void stored.set(key, value.text),
    };
    // A full-length vector cached for the same text is no answer to a reduced request.
    await new Embedder({ ...provider, embed: async (_m, texts) => texts.map(() => [1, 2, 3, 4]) }, 'e', { cache, providerId: 'p' }).embed(
      't',
    );
    const reduced = new Embedder(provider, 'e', { cache, providerId: 'p', dimensions: 3 });
    assert.deepEqual(await reduced.embed('t'), [0.5, 0.5, 0.5]);
    assert.deepEqual(asked, [3]);
    assert.equal(stored.size, 2, 'the reduced vector is kept under its own key');
    assert.deepEqual(await reduced.embed('t'), [0.5, 0.5, 0.5]);
    assert.deepEqual(asked, [3], 'the second time comes from the cache');
    length = 5;
    await assert.rejects(
      new Embedder(provider, 'e', { dimensions: 3 }).embed('u'),
      (e: unknown) =>
        e instanceof ModelAnswerError && e.finishReason === 'OTHER' && /answered 5 dimensions where 3 were asked for/.test(e.message),
    );
  });
});

describe('cosine of a zero vector', () => {
  it('is 0, not NaN, so an empty embedding rates no prompt a duplicate', () => {
    assert.equal(cosine([0, 0], [1, 0]), 0);
    assert.equal(cosine([1, 0], [0, 0]), 0);
    assert.equal(cosine([0, 0], [0, 0]), 0);
  });
});

/** A cache in a Map, counting its reads; `broken` makes every get and set reject. */
function mapCache(broken = false) {
  const stored = new Map<string, string>();
  const cache: AnswerCache = {
    get: async (key) => {
      if (broken) throw new Error('cache unreadable');
      return stored.has(key) ? { text: stored.get(key)!, usage: { inputTokens: 0, outputTokens: 0 } } : undefined;
    },
    set: async (key, value) => {
      if (broken) throw new Error('cache unwritable');
      stored.set(key, value.text);
    },
  };
  return { cache, stored };
}

/** A provider whose embed answers [length, 1] per text (or `length` numbers of 0.5 when `dimensions` is asked), recording each call's texts. */
function recordingProvider() {
  const calls: string[][] = [];
  const provider: ModelProvider = {
    generate: () => Promise.reject(new Error('not used')),
    embed: async (_model, texts, _signal, dimensions) => {
      calls.push([...texts]);
      return texts.map((t) => (dimensions ? Array.from({ length: dimensions }, () => 0.5) : [t.length, 1]));
    },
  };
  return { provider, calls };
}

describe('Embedder cache keys', () => {
  it('keeps a vector per text, model and provider, so none answers for another', async () => {
    const { cache, stored } = mapCache();
    const { provider, calls } = recordingProvider();
    const embedder = new Embedder(provider, 'e1', { cache, providerId: 'gemini' });
    assert.deepEqual(await embedder.embed('a'), [1, 1]);
    assert.deepEqual(await embedder.embed('bb'), [2, 1], 'another text was served the first one’s vector');
    assert.deepEqual(await new Embedder(provider, 'e2', { cache, providerId: 'gemini' }).embed('a'), [1, 1]);
    assert.deepEqual(await new Embedder(provider, 'e1', { cache, providerId: 'openai' }).embed('a'), [1, 1]);
    assert.deepEqual(calls, [['a'], ['bb'], ['a'], ['a']], 'another model or provider reused a cached vector');
    assert.equal(stored.size, 4);
    // The same text, model and provider again: from the cache, no call.
    assert.deepEqual(await new Embedder(provider, 'e1', { cache, providerId: 'gemini' }).embed('bb'), [2, 1]);
    assert.equal(calls.length, 4);
  });

  it('serves no full-length request from a reduced vector cached before it', async () => {
    const { cache } = mapCache();
    const { provider, calls } = recordingProvider();
    assert.deepEqual(await new Embedder(provider, 'e', { cache, providerId: 'p', dimensions: 3 }).embed('abcd'), [0.5, 0.5, 0.5]);
    assert.deepEqual(await new Embedder(provider, 'e', { cache, providerId: 'p' }).embed('abcd'), [4, 1]);
    assert.equal(calls.length, 2);
  });

  it('keeps a vector per dimension, so asking at two dimensions in turn calls the provider once for each', async () => {
    const { cache } = mapCache();
    const { provider, calls } = recordingProvider();
    const at = (dimensions: number) => new Embedder(provider, 'e', { cache, providerId: 'p', dimensions });
    assert.equal((await at(3).embed('t')).length, 3);
    assert.equal((await at(5).embed('t')).length, 5);
    assert.equal((await at(3).embed('t')).length, 3);
    assert.equal((await at(5).embed('t')).length, 5);
    assert.equal(calls.length, 2, 'one dimension’s vector replaced the other’s in the cache');
  });

  it('asks again when the cache holds a vector of another length under the reduced key (an entry from before dimensions were keyed)', async () => {
    const stale: AnswerCache = {
      get: async () => ({ text: '[1, 2, 3, 4]', usage: { inputTokens: 0, outputTokens: 0 } }),
      set: async () => undefined,
    };
    const { provider, calls } = recordingProvider();
    assert.deepEqual(await new Embedder(provider, 'e', { cache: stale, providerId: 'p', dimensions: 3 }).embed('t'), [0.5, 0.5, 0.5]);
    assert.equal(calls.length, 1);
  });

  it('uses no cache without a provider id to key it by', async () => {
    const { cache, stored } = mapCache();
    const { provider, calls } = recordingProvider();
    const embedder = new Embedder(provider, 'e', { cache });
    assert.deepEqual(await embedder.embed('a'), [1, 1]);
    assert.deepEqual(await embedder.embed('a'), [1, 1]);
    assert.equal(calls.length, 2);
    assert.equal(stored.size, 0);
  });

  it('embeds through a cache that cannot be read or written', async () => {
    const { cache } = mapCache(true);
    const { provider, calls } = recordingProvider();
    const embedder = new Embedder(provider, 'e', { cache, providerId: 'p' });
    assert.deepEqual(await embedder.embed('abc'), [3, 1]);
    assert.equal(calls.length, 1);
  });
});

describe('Embedder batches', () => {
  it('sends at most maxBatch texts a call when given (a batch-mode run sends all at once)', async () => {
    const { provider, calls } = recordingProvider();
    const small = new Embedder(provider, 'e', { maxBatch: 2 });
    assert.deepEqual(await Promise.all(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((t) => small.embed(t))), [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    assert.deepEqual(calls, [['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
  });
});

describe('Embedder after a partly answered call', () => {
  /** A provider that answers the first text of every call and fails the others: with its own error, or none recorded for the last. */
  const partial: ModelProvider = {
    generate: () => Promise.reject(new Error('not used')),
    embed: async (_model, texts) => {
      throw new PartialEmbeddingError(
        texts.map((t, i) => (i === 0 ? [t.length, 1] : undefined)),
        texts.map((t, i) => (i === 0 || i === texts.length - 1 ? undefined : new Error(`refused ${t}`))),
      );
    },
  };

  it('resolves the answered texts and rejects each other one with its own error, or the call’s when it has none', async () => {
    const embedder = new Embedder(partial, 'e', {});
    const results = await Promise.allSettled(['a', 'bb', 'ccc', 'dddd'].map((t) => embedder.embed(t)));
    assert.deepEqual(results[0], { status: 'fulfilled', value: [1, 1] });
    const reasons = results.slice(1).map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined));
    assert.deepEqual(
      reasons.map((e) => [e?.name, e?.message]),
      [
        ['Error', 'refused bb'],
        ['Error', 'refused ccc'],
        // No error of its own: the call's, whose message is its first failure.
        ['PartialEmbeddingError', 'refused bb'],
      ],
    );
    assert.ok(reasons[2] instanceof PartialEmbeddingError);
  });

  it('says some texts were not embedded when no error was recorded', () => {
    assert.equal(new PartialEmbeddingError([undefined], [undefined]).message, 'some texts were not embedded');
  });
});

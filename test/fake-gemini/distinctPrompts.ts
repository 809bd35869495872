import assert from 'node:assert/strict';
import type { FakeGemini, LoggedRequest } from './server';

/** The JSON of a logged request's contents: what tests search for the idea or prompt a request is about. */
export const promptOf = (r: LoggedRequest): string => JSON.stringify(r.body.contents);

/** The dot product of two of the fake's unit vectors: their cosine similarity. */
export const similarity = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

/** The fake's embeddings of `texts`, through its batchEmbedContents (the request is not left in its log). */
export async function fakeEmbeddings(fake: FakeGemini, texts: readonly string[]): Promise<number[][]> {
  const logged = fake.requests.length;
  const response = await fetch(`${fake.baseUrl}/v1beta/models/probe:batchEmbedContents`, {
    method: 'POST',
    body: JSON.stringify({ requests: texts.map((text) => ({ content: { parts: [{ text }] } })) }),
  });
  fake.requests.splice(logged);
  return ((await response.json()) as { embeddings: { values: number[] }[] }).embeddings.map((e) => e.values);
}

/**
 * `count` final user prompts that share no word (five made-up words each), so the fake's
 * bag-of-words embeddings rate any two near 0, far under any deduplication threshold; checked
 * through the fake itself (no pair above 0.5, which a hash collision could reach). Fails the test
 * when they are not.
 */
export async function distinctPrompts(fake: FakeGemini, count: number): Promise<string[]> {
  const consonants = 'bdfgklmnprstvz';
  const vowels = 'aeiou';
  const word = (n: number) => {
    const syllable = (k: number) => consonants[k % consonants.length] + vowels[Math.floor(k / consonants.length) % vowels.length];
    return syllable(n) + syllable(Math.floor(n / 70) + 3 * n + 1);
  };
  const prompts = Array.from({ length: count }, (_, i) => `${Array.from({ length: 5 }, (_, k) => word(5 * i + k)).join(' ')}?`);
  const vectors = await fakeEmbeddings(fake, prompts);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < i; j++)
      assert.ok(similarity(vectors[i], vectors[j]) < 0.5, `prompts ${j} and ${i} look alike to the fake: ${prompts[j]} / ${prompts[i]}`);
  }
  return prompts;
}

/**
 * A prompt of 16 distinct words and rewordings of it: `reworded(k)` changes its last k words, so
 * the fake rates it (16 - k) / 16 similar to the original, exactly in floating point (each
 * coordinate is 1/4): `reworded(1)` 0.9375, above the default threshold of 0.9 (a near-duplicate
 * that is no copy); `reworded(4)` 0.75.
 */
export const SIXTEEN_WORDS = 'Could you explain why my sourdough loaf collapses in the oven after a long second proof';
export function reworded(k: number): string {
  const words = SIXTEEN_WORDS.split(' ');
  const others = ['yesterday', 'dough', 'rising', 'bakery', 'crumb', 'flour'];
  return [...words.slice(0, 16 - k), ...others.slice(0, k)].join(' ');
}

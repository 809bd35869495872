import assert from 'node:assert/strict';
import type { FakeGemini, LoggedRequest } from './server';

/** The JSON of a logged request's contents: what tests search for the idea or prompt a request is about. */
export const promptOf = (r: LoggedRequest): string => JSON.stringify(r.body.contents);

/**
 * `count` final user prompts the fake's embeddings (8-dimensional trigram histograms, under which
 * ordinary sentences look alike) tell apart: greedily chosen through its own batchEmbedContents so
 * that no two are more than 0.8 similar, well under the default deduplication threshold of 0.9.
 * Clears the fake's request log afterwards. Fails the test when it cannot find `count`.
 */
export async function distinctPrompts(fake: FakeGemini, count: number): Promise<string[]> {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const candidates: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of 'afkpuz') candidates.push(`${a}${b}${c}`.repeat(5));
  const response = await fetch(`${fake.baseUrl}/v1beta/models/probe:batchEmbedContents`, {
    method: 'POST',
    body: JSON.stringify({ requests: candidates.map((text) => ({ content: { parts: [{ text }] } })) }),
  });
  const vectors: number[][] = ((await response.json()) as { embeddings: { values: number[] }[] }).embeddings.map((e) => e.values);
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const chosen: number[] = [];
  candidates.forEach((_, i) => {
    if (chosen.length < count && chosen.every((j) => cos(vectors[i], vectors[j]) < 0.8)) chosen.push(i);
  });
  assert.equal(chosen.length, count, 'not enough distinct prompts for the fake embeddings');
  fake.requests.length = 0;
  return chosen.map((i) => candidates[i]);
}

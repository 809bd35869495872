/**
 * The fakes' embedding (test/fake-gemini, test/fake-openai): a deterministic bag of words. Each word
 * (lower-cased letters, digits and apostrophes) is hashed (FNV-1a) to one of EMBEDDING_DIMENSIONS
 * dimensions and counted; the vector is scaled to length 1. So the cosine of two texts is the share
 * of words they have in common: a paraphrase that keeps most words scores high, an unrelated prompt
 * near 0 — as a real embedding model would rank them, only simpler to reason about. Two texts of n
 * distinct words each (n a square: 4, 9, 16), sharing k, score exactly k / n, which lets a test put
 * a pair on a dedup threshold exactly.
 */
export const EMBEDDING_DIMENSIONS = 1024;

/**
 * The vector of `text` (all zeros when it has no word): of unit length at the full
 * EMBEDDING_DIMENSIONS; with `dimensions` asked for (Gemini's outputDimensionality, OpenAI's
 * dimensions), words hashed to that many and the vector scaled to length √(dimensions / 1024),
 * as a truncated Matryoshka embedding is not unit length — a client that forgets to renormalise
 * compares wrong similarities.
 */
export function embedText(text: string, dimensions?: number): number[] {
  const size = dimensions ?? EMBEDDING_DIMENSIONS;
  const v = new Array<number>(size).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9']+/g) ?? []) v[fnv1a(word) % size] += 1;
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const length = dimensions === undefined ? 1 : Math.sqrt(dimensions / EMBEDDING_DIMENSIONS);
  return norm ? v.map((x) => (x / norm) * length) : v;
}

function fnv1a(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

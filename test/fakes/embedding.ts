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

/** The unit vector of `text` (all zeros when it has no word). */
export function embedText(text: string): number[] {
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9']+/g) ?? []) v[fnv1a(word) % EMBEDDING_DIMENSIONS] += 1;
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return norm ? v.map((x) => x / norm) : v;
}

function fnv1a(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

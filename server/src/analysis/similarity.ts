import { contentTerms } from './words';

/** A pair of texts whose similarity reached the threshold. */
export interface SimilarPair {
  /** Indexes into the input list; `first < second`. */
  readonly first: number;
  readonly second: number;
  /** Cosine similarity of TF-IDF vectors, 0..1. */
  readonly similarity: number;
}

/**
 * Lexical near-duplicates among `texts`: cosine similarity of TF-IDF vectors over stemmed content
 * words, with scikit-learn's smoothed idf `ln((1 + n) / (1 + df)) + 1` so that a two-document corpus
 * still weighs shared words (Salton & Buckley 1988 for TF-IDF cosine). Uses an inverted index, so the
 * cost grows with shared terms rather than with every pair. Returns pairs at or above `threshold`.
 */
export function similarPairs(texts: readonly string[], threshold: number): SimilarPair[] {
  const n = texts.length;
  const termCounts = texts.map((t) => {
    const counts = new Map<string, number>();
    for (const term of contentTerms(t)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return counts;
  });
  const df = new Map<string, number>();
  for (const counts of termCounts) for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const vectors = termCounts.map((counts) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [term, tf] of counts) {
      const w = (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df.get(term)!)) + 1);
      v.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    for (const [term, w] of v) v.set(term, w / norm);
    return v;
  });
  const postings = new Map<string, { doc: number; weight: number }[]>();
  const pairs: SimilarPair[] = [];
  vectors.forEach((v, doc) => {
    const dots = new Map<number, number>();
    for (const [term, w] of v) {
      for (const p of postings.get(term) ?? []) dots.set(p.doc, (dots.get(p.doc) ?? 0) + w * p.weight);
    }
    for (const [other, dot] of dots) if (dot >= threshold) pairs.push({ first: other, second: doc, similarity: Math.min(1, dot) });
    for (const [term, w] of v) {
      const list = postings.get(term) ?? [];
      list.push({ doc, weight: w });
      postings.set(term, list);
    }
  });
  return pairs.sort((a, b) => a.second - b.second || a.first - b.first);
}

import { memo } from './memo';
import { contentTerms } from './words';

const termsOf = memo<string[]>(20_000);

/** A pair of texts whose similarity reached the threshold. */
export interface SimilarPair {
  /** Indexes into the input list; `first < second`. */
  readonly first: number;
  readonly second: number;
  /** Cosine similarity of TF-IDF vectors, 0..1. */
  readonly similarity: number;
}

/** Terms found in more texts than this are left out of the index (see `similarPairs`). */
function maxIndexedDf(n: number): number {
  return Math.max(64, n >> 2);
}

/**
 * Lexical near-duplicates among `texts`: cosine similarity of TF-IDF vectors over stemmed content
 * words, with scikit-learn's smoothed idf `ln((1 + n) / (1 + df)) + 1` so that a two-text corpus
 * still weighs shared words (TF-IDF cosine: Salton & Buckley 1988). Each text is paired with the
 * earliest earlier text at or above `threshold` (at most one pair per text). Identical texts are
 * found through a map; the rest through an inverted index that leaves out terms found in more than
 * max(64, n/4) texts, which keeps large documents near-linear and cannot matter below 64 texts.
 */
export function similarPairs(texts: readonly string[], threshold: number): SimilarPair[] {
  const n = texts.length;
  const termIds = new Map<string, number>();
  const docs = texts.map((t) => {
    const counts = new Map<number, number>();
    for (const term of termsOf.get(t, contentTerms)) {
      let id = termIds.get(term);
      if (id === undefined) termIds.set(term, (id = termIds.size));
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  });
  const df = new Uint32Array(termIds.size);
  for (const counts of docs) for (const id of counts.keys()) df[id]++;

  const vectors = docs.map((counts) => {
    const ids = new Uint32Array(counts.size);
    const weights = new Float64Array(counts.size);
    let k = 0;
    let norm = 0;
    for (const [id, tf] of counts) {
      const w = (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df[id])) + 1);
      ids[k] = id;
      weights[k++] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < weights.length; i++) weights[i] /= norm;
    return { ids, weights };
  });

  const firstWithKey = new Map<string, number>();
  const postings: { doc: number; weight: number }[][] = Array.from({ length: termIds.size }, () => []);
  const maxDf = maxIndexedDf(n);
  const dots = new Float64Array(n);
  const pairs: SimilarPair[] = [];
  vectors.forEach(({ ids, weights }, doc) => {
    const key = texts[doc];
    const same = firstWithKey.get(key);
    if (same !== undefined && ids.length) {
      pairs.push({ first: same, second: doc, similarity: 1 });
      return;
    }
    if (ids.length) firstWithKey.set(key, doc);
    const touched: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (df[ids[i]] > maxDf) continue;
      for (const p of postings[ids[i]]) {
        if (dots[p.doc] === 0) touched.push(p.doc);
        dots[p.doc] += weights[i] * p.weight;
      }
    }
    let best = -1;
    for (const other of touched) {
      if (dots[other] >= threshold && (best < 0 || other < best)) best = other;
    }
    if (best >= 0) pairs.push({ first: best, second: doc, similarity: Math.min(1, dots[best]) });
    for (const other of touched) dots[other] = 0;
    for (let i = 0; i < ids.length; i++) if (df[ids[i]] <= maxDf) postings[ids[i]].push({ doc, weight: weights[i] });
  });
  return pairs;
}

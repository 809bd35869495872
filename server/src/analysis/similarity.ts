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

/**
 * How many texts each term's posting list keeps (the earliest ones): a text is compared with the
 * earlier texts that share a term with it, at most this many per term, so the work per text is
 * bounded whatever the number of texts. With at most this many texts plus one, every pair sharing a
 * term is compared: the result is exact.
 */
export const MAX_POSTINGS = 64;

/** Exact similarities computed per text where the posting lists' cap leaves the outcome open. */
const MAX_VERIFIED = 64;

/**
 * Lexical near-duplicates among `texts`: cosine similarity of TF-IDF vectors over stemmed content
 * words, with scikit-learn's smoothed idf `ln((1 + n) / (1 + df)) + 1` so that a two-text corpus
 * still weighs shared words (TF-IDF cosine: Salton & Buckley 1988). Each text is paired with the
 * earliest earlier text at or above `threshold` (at most one pair per text); `similarity` is the exact
 * cosine of the pair.
 *
 * Identical texts are found through a map; the rest through an inverted index whose posting lists
 * keep the first `MAX_POSTINGS` texts of each term. Partial dot products over those lists are lower
 * bounds; where a list was cut, the missing part is bounded by the term's largest weight, and the
 * candidates that bound leaves open are checked exactly (up to 64 per text, earliest first). Exact up to
 * MAX_POSTINGS + 1 texts; beyond, a pair is found when the earlier text is among the first
 * MAX_POSTINGS holders of a term the two share (always so for terms of at most that many texts).
 * O(total terms × MAX_POSTINGS).
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

  const maxWeight = new Float64Array(termIds.size);
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
    for (let i = 0; i < weights.length; i++) {
      weights[i] /= norm;
      if (weights[i] > maxWeight[ids[i]]) maxWeight[ids[i]] = weights[i];
    }
    return { ids, weights };
  });

  // Each text's weight on the terms whose lists get cut (found in more than MAX_POSTINGS texts), as a
  // norm: by Cauchy-Schwarz, what a cut list hides of a dot product is at most the product of the
  // two texts' norms there.
  const cutNorm = vectors.map(({ ids, weights }) => {
    let sum = 0;
    for (let i = 0; i < ids.length; i++) if (df[ids[i]] > MAX_POSTINGS) sum += weights[i] * weights[i];
    return Math.sqrt(sum);
  });

  const firstWithKey = new Map<string, number>();
  const postings: { doc: number; weight: number }[][] = Array.from({ length: termIds.size }, () => []);
  const dots = new Float64Array(n);
  // The current text's weights by term id, for exact dot products with a candidate.
  const dense = new Float64Array(termIds.size);
  const exactDot = (other: number) => {
    const { ids, weights } = vectors[other];
    let dot = 0;
    for (let i = 0; i < ids.length; i++) dot += dense[ids[i]] * weights[i];
    return dot;
  };
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
    // What the cut lists may hide of a dot product: at most `hidden`, and at most `hiddenNorm` times
    // the other text's cutNorm.
    let hidden = 0;
    let hiddenNorm = 0;
    for (let i = 0; i < ids.length; i++) {
      const list = postings[ids[i]];
      if (list.length >= MAX_POSTINGS) (hidden += weights[i] * maxWeight[ids[i]]), (hiddenNorm += weights[i] * weights[i]);
      for (const p of list) {
        if (dots[p.doc] === 0) touched.push(p.doc);
        dots[p.doc] += weights[i] * p.weight;
      }
    }
    // The earliest candidate surely at the threshold, then the earlier ones the cut lists leave open.
    hiddenNorm = Math.sqrt(hiddenNorm);
    let sure = -1;
    const open: number[] = [];
    for (const other of touched) {
      if (dots[other] >= threshold) {
        if (sure < 0 || other < sure) sure = other;
      } else if (hidden > 0 && dots[other] + Math.min(hidden, hiddenNorm * cutNorm[other]) >= threshold) {
        open.push(other);
      }
    }
    // Without cut lists the partial dot products are the exact ones.
    let best = sure;
    let similarity = sure >= 0 ? dots[sure] : 0;
    for (const other of touched) dots[other] = 0;
    if (hidden > 0 && (open.length || best >= 0)) {
      for (let i = 0; i < ids.length; i++) dense[ids[i]] = weights[i];
      const earliest = smallest(open, MAX_VERIFIED);
      for (let i = 0; i < earliest.length && (best < 0 || earliest[i] < best); i++) {
        const dot = exactDot(earliest[i]);
        if (dot >= threshold) (best = earliest[i]), (similarity = dot);
      }
      if (best === sure && best >= 0) similarity = exactDot(best);
      for (let i = 0; i < ids.length; i++) dense[ids[i]] = 0;
    }
    if (best >= 0) pairs.push({ first: best, second: doc, similarity: Math.min(1, similarity) });
    for (let i = 0; i < ids.length; i++) {
      const list = postings[ids[i]];
      if (list.length < MAX_POSTINGS) list.push({ doc, weight: weights[i] });
    }
  });
  return pairs;
}

/** The `k` smallest of `values` (distinct integers), ascending; reorders `values`. Expected O(n + k log k). */
export function smallest(values: number[], k: number): number[] {
  let lo = 0;
  let hi = values.length - 1;
  // Quickselect: afterwards values[0..k) hold the k smallest, in no order.
  while (k < values.length && lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) ([values[i], values[j]] = [values[j], values[i]]), i++, j--;
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else break;
  }
  return values.slice(0, k).sort((a, b) => a - b);
}

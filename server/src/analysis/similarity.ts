import { grownTo } from './int32Arrays';
import { memo } from './memo';
import { distinctWords, PerWord, stem, STOP_WORDS, type Vocabulary } from './words';

/** A text's distinct content terms (`contentTerms`), in order of first use, and how often each occurs. */
export interface TermCounts {
  readonly terms: readonly string[];
  readonly counts: readonly number[];
}

/**
 * The term counts of a text (see `TermCounts`): of `contentTerms(text)`, counted. Several texts are
 * read as one joined by line breaks (which end every word), without building the joined string.
 */
export function termCounts(...texts: string[]): TermCounts {
  // Each text's distinct words (counted once per text, shared with the other wording rules), then
  // their terms: a term's first use is its first word's, so the terms come in the same order as
  // counting `contentTerms` of the texts one by one. Counted by vocabulary number, in `slotOf`.
  if (vocabulary.size > MAX_VOCABULARY) startEpoch();
  let found = 0;
  for (const text of texts) {
    const { counts: wordCounts, ids: wordIds, vocabulary: wordVocabulary } = distinctWords(text);
    let termOf = termOfWord.get(wordVocabulary);
    if (!termOf) termOfWord.set(wordVocabulary, (termOf = new PerWord()));
    for (let k = 0; k < wordIds.length; k++) {
      let term = termOf.get(wordIds[k]);
      if (term === 0) termOf.set(wordIds[k], (term = termNumber(wordVocabulary.words[wordIds[k]]) + 1));
      if (term < 0) continue;
      const id = term - 1;
      if (id >= slotOf.length) slotOf = grownTo(slotOf, id + 1);
      const slot = slotOf[id] - 1;
      if (slot >= 0) foundCounts[slot] += wordCounts[k];
      else {
        if (found === foundIds.length) {
          foundIds = grownTo(foundIds, found + 1);
          foundCounts = grownTo(foundCounts, found + 1);
        }
        foundIds[found] = id;
        foundCounts[found] = wordCounts[k];
        slotOf[id] = ++found;
      }
    }
  }
  const ids = foundIds.slice(0, found);
  const terms = new Array<string>(found);
  const counts = new Array<number>(found);
  for (let i = 0; i < found; i++) {
    terms[i] = termText[ids[i]];
    counts[i] = foundCounts[i];
    slotOf[ids[i]] = 0;
  }
  const result = { terms, counts };
  idsOfCounts.set(result, { epoch, ids });
  return result;
}

/** A word's term's vocabulary number (numbered if new), or -2 for a word with no term: a stop word or a number. */
function termNumber(word: string): number {
  const c = word.charCodeAt(0);
  if (STOP_WORDS.has(word) || (c >= 48 && c <= 57 && /^\d+$/.test(word))) return -2;
  return numbered(stem(word));
}

const countsOf = memo<TermCounts>(20_000);

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
  return similarPairsOf(
    texts,
    texts.map((t) => countsOf.get(t, (text) => termCounts(text))),
    threshold,
  );
}

/**
 * `similarPairs` with each text's term counts given (`counts[i]` must be `termCounts` of text i): a
 * caller that keeps them per trait object does not tokenise unchanged texts again. `keys[i]` stands
 * for text i: equal keys (SameValueZero) for identical texts, different ones otherwise (the texts
 * themselves will do).
 */
export function similarPairsOf(keys: readonly unknown[], counts: readonly TermCounts[], threshold: number): SimilarPair[] {
  const n = keys.length;
  // Each text's distinct terms (in order of first use) and their counts, in flat arrays: text i
  // holds entries offsets[i]..offsets[i + 1]. Flat typed arrays, not a Map per text: a document of
  // a million traits keeps a few bytes per term rather than hundreds per trait. Term ids are
  // numbered in order of first use, through the vocabulary's ids (see `vocabularyIds`).
  let entries = 0;
  for (const c of counts) entries += c.terms.length;
  if (vocabulary.size + entries > MAX_VOCABULARY) startEpoch();
  const offsets = new Int32Array(n + 1);
  const ids = new Int32Array(entries);
  const logTf = new Float64Array(entries);
  const globals = counts.map(vocabularyIds);
  if (localOf.length < vocabulary.size) localOf = new Int32Array(Math.max(vocabulary.size, 2 * localOf.length));
  const globalOf: number[] = []; // term id → vocabulary id
  for (let doc = 0, e = 0; doc < n; doc++) {
    const global = globals[doc];
    const tf = logTfOf(counts[doc]);
    for (let i = 0; i < global.length; i++, e++) {
      let id = localOf[global[i]] - 1;
      if (id < 0) {
        id = globalOf.push(global[i]) - 1;
        localOf[global[i]] = id + 1;
      }
      ids[e] = id;
      logTf[e] = tf[i];
    }
    offsets[doc + 1] = e;
  }
  for (const g of globalOf) localOf[g] = 0;
  const terms = globalOf.length;
  const df = new Uint32Array(terms);
  for (const id of ids) df[id]++;
  // A term's idf depends on its df alone: one logarithm per df value, not per term.
  const idfOfDf = new Float64Array(n + 1);
  for (let d = 1; d <= n; d++) idfOfDf[d] = Math.log((1 + n) / (1 + d)) + 1;
  const idf = new Float64Array(terms);
  for (let t = 0; t < terms; t++) idf[t] = idfOfDf[df[t]];

  const weights = new Float64Array(ids.length);
  const maxWeight = new Float64Array(terms);
  // Each text's weight on the terms whose lists get cut (found in more than MAX_POSTINGS texts), as a
  // norm: by Cauchy-Schwarz, what a cut list hides of a dot product is at most the product of the
  // two texts' norms there.
  const cutNorm = new Float64Array(n);
  for (let doc = 0; doc < n; doc++) {
    let norm = 0;
    for (let e = offsets[doc]; e < offsets[doc + 1]; e++) {
      const w = logTf[e] * idf[ids[e]];
      weights[e] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    let cut = 0;
    for (let e = offsets[doc]; e < offsets[doc + 1]; e++) {
      weights[e] /= norm;
      if (weights[e] > maxWeight[ids[e]]) maxWeight[ids[e]] = weights[e];
      if (df[ids[e]] > MAX_POSTINGS) cut += weights[e] * weights[e];
    }
    cutNorm[doc] = Math.sqrt(cut);
  }

  // Posting lists, flat too: term t's list (its first min(df, MAX_POSTINGS) texts) at listStart[t].
  const listStart = new Int32Array(terms + 1);
  for (let t = 0; t < terms; t++) listStart[t + 1] = listStart[t] + Math.min(df[t], MAX_POSTINGS);
  const listDoc = new Int32Array(listStart[terms]);
  const listWeight = new Float64Array(listStart[terms]);
  const listLength = new Uint8Array(terms);

  const firstWithKey = new Map<unknown, number>();
  const dots = new Float64Array(n);
  // The current text's weights by term id, for exact dot products with a candidate.
  const dense = new Float64Array(terms);
  const exactDot = (other: number) => {
    let dot = 0;
    for (let e = offsets[other]; e < offsets[other + 1]; e++) dot += dense[ids[e]] * weights[e];
    return dot;
  };
  const touched: number[] = [];
  const open: number[] = [];
  const pairs: SimilarPair[] = [];
  for (let doc = 0; doc < n; doc++) {
    const from = offsets[doc];
    const to = offsets[doc + 1];
    const key = keys[doc];
    const same = firstWithKey.get(key);
    if (same !== undefined && to > from) {
      pairs.push({ first: same, second: doc, similarity: 1 });
      continue;
    }
    if (to > from) firstWithKey.set(key, doc);
    touched.length = 0;
    // What the cut lists may hide of a dot product: at most `hidden`, and at most `hiddenNorm` times
    // the other text's cutNorm.
    let hidden = 0;
    let hiddenNorm = 0;
    for (let e = from; e < to; e++) {
      const t = ids[e];
      const w = weights[e];
      if (listLength[t] >= MAX_POSTINGS) {
        hidden += w * maxWeight[t];
        hiddenNorm += w * w;
      }
      for (let p = listStart[t]; p < listStart[t] + listLength[t]; p++) {
        const other = listDoc[p];
        if (dots[other] === 0) touched.push(other);
        dots[other] += w * listWeight[p];
      }
    }
    hiddenNorm = Math.sqrt(hiddenNorm);
    // The earliest candidate surely at the threshold, then the earlier ones the cut lists leave open.
    let sure = -1;
    open.length = 0;
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
      for (let e = from; e < to; e++) dense[ids[e]] = weights[e];
      const earliest = smallest(open, MAX_VERIFIED);
      for (let i = 0; i < earliest.length && (best < 0 || earliest[i] < best); i++) {
        const dot = exactDot(earliest[i]);
        if (dot >= threshold) {
          best = earliest[i];
          similarity = dot;
        }
      }
      if (best === sure && best >= 0) similarity = exactDot(best);
      for (let e = from; e < to; e++) dense[ids[e]] = 0;
    }
    if (best >= 0) pairs.push({ first: best, second: doc, similarity: Math.min(1, similarity) });
    for (let e = from; e < to; e++) {
      const t = ids[e];
      if (listLength[t] < MAX_POSTINGS) {
        listDoc[listStart[t] + listLength[t]] = doc;
        listWeight[listStart[t] + listLength[t]] = weights[e];
        listLength[t]++;
      }
    }
  }
  return pairs;
}

// Every term seen, numbered once across calls: a text's counts (kept per trait by the caller) carry
// their terms' numbers, so a call looks up no string. Started afresh (a new epoch) when it grows past
// MAX_VOCABULARY; `localOf` maps a vocabulary number to a call's term id + 1 (0: none), and is left
// zeroed after each call.
const MAX_VOCABULARY = 1_000_000;
let vocabulary = new Map<string, number>();
/** The terms by vocabulary number. */
let termText: string[] = [];
let epoch = 0;
let localOf = new Int32Array(1024);
const idsOfCounts = new WeakMap<TermCounts, { epoch: number; ids: Int32Array }>();
/** Per vocabulary of words (see `Vocabulary`), each word's term's number + 1 (-1: none; 0: not yet known), for this epoch. */
let termOfWord = new WeakMap<Vocabulary, PerWord>();
/** Scratch for `termCounts`: a vocabulary number's index in the answer + 1 (0: none), zeroed after each call. */
let slotOf: Int32Array = new Int32Array(1024);
/** Scratch for `termCounts`: the answer's vocabulary numbers and counts as they are found, copied out at their exact length. */
let foundIds: Int32Array = new Int32Array(1024);
let foundCounts: Int32Array = new Int32Array(1024);

/** A term's vocabulary number, given now if it has none. */
function numbered(term: string): number {
  let id = vocabulary.get(term);
  if (id === undefined) {
    vocabulary.set(term, (id = vocabulary.size));
    termText.push(term);
  }
  return id;
}

/** Starts the vocabulary afresh: every number given so far is void. */
function startEpoch(): void {
  vocabulary = new Map();
  termText = [];
  termOfWord = new WeakMap();
  epoch++;
}

/** The vocabulary numbers of a text's terms (kept per counts object for the current epoch). */
function vocabularyIds(counts: TermCounts): Int32Array {
  const kept = idsOfCounts.get(counts);
  if (kept?.epoch === epoch) return kept.ids;
  const ids = new Int32Array(counts.terms.length);
  counts.terms.forEach((term, i) => (ids[i] = numbered(term)));
  idsOfCounts.set(counts, { epoch, ids });
  return ids;
}

const logTfs = new WeakMap<TermCounts, Float64Array>();

/** A text's sublinear term frequencies, `1 + ln(count)` per term (kept per counts object). */
function logTfOf(counts: TermCounts): Float64Array {
  let logTf = logTfs.get(counts);
  if (!logTf) {
    // A loop: `Float64Array.from` with a mapping function takes V8's slow iterator path.
    logTf = new Float64Array(counts.counts.length);
    for (let i = 0; i < logTf.length; i++) logTf[i] = 1 + Math.log(counts.counts[i]);
    logTfs.set(counts, logTf);
  }
  return logTf;
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
      if (i <= j) {
        [values[i], values[j]] = [values[j], values[i]];
        i++;
        j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else break;
  }
  return values.slice(0, k).sort((a, b) => a - b);
}

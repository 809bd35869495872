/**
 * Typo suggestions: the candidate nearest to a name by edit distance (Levenshtein, over UTF-16 code
 * units, case-insensitive), when it is plausibly a typo: at most max(2, ⌊length / 3⌋) edits away.
 * Among candidates at the same distance, the earliest one given wins.
 */

/** Work limits of one `NameIndex.closest` call (what keeps a lint linear in the document's size). */
export interface NameIndexLimits {
  /** Bigrams shared by more candidates than this are not counted (they say little and cost much). */
  readonly maxPostings: number;
  /** Candidates whose distance is computed per name, the most promising first. */
  readonly maxVerified: number;
}

export const DEFAULT_NAME_INDEX_LIMITS: NameIndexLimits = { maxPostings: 256, maxVerified: 64 };

const PAD = 0x10000;

/** The padded bigrams of `s` (`s.length + 1` of them), each as one number. */
function bigrams(s: string): number[] {
  const out = new Array<number>(s.length + 1);
  let previous = PAD;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = previous * 0x10001 + c;
    previous = c;
  }
  out[s.length] = previous * 0x10001 + PAD;
  return out;
}

/** Each distinct value of `values` with how often it occurs. */
function tally(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * An index of candidate names for repeated typo look-ups (built once per lint, queried per unknown
 * name). A look-up counts the bigrams a candidate shares with the name (a candidate within d edits
 * shares at least max(|a|, |b|) + 1 − 2d of them: Ukkonen's q-gram lemma) and computes the distance
 * of those that can still be near enough, most shared bigrams first, with a banded edit distance that
 * stops once it exceeds the best so far.
 *
 * Exact (the same answer as comparing with every candidate) unless a limit of `limits` is reached:
 * then the candidates sharing the most bigrams are the ones compared. Cost per look-up: at most
 * (name length + 1) × maxPostings counts and maxVerified distances, whatever the number of
 * candidates; results are memoised per name.
 */
export class NameIndex {
  /** Distinct lower-cased candidates, in first-seen order, and the original spelling of each. */
  private readonly lowered: string[] = [];
  private readonly originals: string[] = [];
  private readonly idOf = new Map<string, number>();
  /** Bigram → candidates holding it (ascending) and how often each holds it. */
  private readonly postings = new Map<number, { ids: number[]; counts: number[] }>();
  /** Lower-cased length → candidates of that length (ascending). */
  private readonly byLength = new Map<number, number[]>();
  private readonly shared: Int32Array;
  private readonly memo = new Map<string, string | undefined>();

  constructor(
    candidates: Iterable<string>,
    private readonly limits: NameIndexLimits = DEFAULT_NAME_INDEX_LIMITS,
  ) {
    for (const candidate of candidates) {
      const lower = candidate.toLowerCase();
      if (this.idOf.has(lower)) continue;
      const id = this.lowered.length;
      this.idOf.set(lower, id);
      this.lowered.push(lower);
      this.originals.push(candidate);
      const sameLength = this.byLength.get(lower.length);
      if (sameLength) sameLength.push(id);
      else this.byLength.set(lower.length, [id]);
      for (const [gram, count] of tally(bigrams(lower))) {
        let list = this.postings.get(gram);
        if (!list) this.postings.set(gram, (list = { ids: [], counts: [] }));
        list.ids.push(id);
        list.counts.push(count);
      }
    }
    this.shared = new Int32Array(this.lowered.length);
  }

  /** The candidate nearest to `name` (see the module comment), or undefined when none is near enough. */
  closest(name: string): string | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    const found = this.search(name);
    this.memo.set(name, found);
    return found;
  }

  private search(name: string): string | undefined {
    const query = name.toLowerCase();
    const exact = this.idOf.get(query);
    if (exact !== undefined) return this.originals[exact];
    const maxDistance = Math.max(2, Math.floor(name.length / 3));
    const length = query.length;
    // A candidate within maxDistance edits shares at least this many bigrams with the query.
    const needed = (other: number) => Math.max(length, other) + 1 - 2 * maxDistance;

    const shared = this.shared;
    const touched: number[] = [];
    let uncounted = 0;
    for (const [gram, count] of tally(bigrams(query))) {
      const list = this.postings.get(gram);
      if (!list) continue;
      if (list.ids.length > this.limits.maxPostings) {
        uncounted += count;
        continue;
      }
      for (let i = 0; i < list.ids.length; i++) {
        const id = list.ids[i];
        if (shared[id] === 0) touched.push(id);
        shared[id] += Math.min(count, list.counts[i]);
      }
    }

    // The candidates that may be near enough, those sharing more bigrams first (bucketed by count).
    const byShared: number[][] = [];
    for (const id of touched) {
      const other = this.lowered[id].length;
      if (Math.abs(other - length) <= maxDistance && shared[id] + uncounted >= needed(other)) (byShared[shared[id]] ??= []).push(id);
    }
    const order: number[] = [];
    for (let s = byShared.length - 1; s >= 0 && order.length < this.limits.maxVerified; s--) {
      for (const id of byShared[s] ?? []) if (order.length < this.limits.maxVerified) order.push(id);
    }
    // Candidates sharing no counted bigram can still be near when the uncounted ones could suffice.
    for (let other = Math.max(0, length - maxDistance); other <= length + maxDistance && order.length < this.limits.maxVerified; other++) {
      if (needed(other) > uncounted) continue;
      for (const id of this.byLength.get(other) ?? []) {
        if (order.length >= this.limits.maxVerified) break;
        if (shared[id] === 0) order.push(id);
      }
    }
    for (const id of touched) shared[id] = 0;

    let best = maxDistance;
    let bestId = -1;
    for (const id of order) {
      const d = boundedDistance(this.lowered[id], query, best);
      if (d < best || (d === best && (bestId < 0 || id < bestId))) {
        best = d;
        bestId = id;
      }
    }
    return bestId < 0 ? undefined : this.originals[bestId];
  }
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Levenshtein distance of `a` and `b` when it is at most `max`, else `max + 1`. Only the band of
 * cells within `max` of the diagonal is computed, and it stops once a whole row exceeds `max`:
 * O(|a| × max).
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (rowA.length <= n) {
    rowA = new Int32Array(2 * n + 2);
    rowB = new Int32Array(2 * n + 2);
  }
  let previous = rowA;
  let current = rowB;
  const outside = max + 1;
  for (let j = 0; j <= n; j++) previous[j] = j <= max ? j : outside;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(n, i + max);
    current[from - 1] = from === 1 && i <= max ? i : outside;
    let rowMin = current[from - 1];
    const ca = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const cost = previous[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const v = Math.min(cost, previous[j] + 1, current[j - 1] + 1, outside);
      current[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (to < n) current[to + 1] = outside;
    if (rowMin > max) return outside;
    [previous, current] = [current, previous];
  }
  return Math.min(previous[n], outside);
}

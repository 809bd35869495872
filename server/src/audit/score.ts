/**
 * From matching records to a reported pattern: prevalence overall and per trait, flags, examples.
 * The offline pass and buildReport (for the model pass's patterns too) score the same way.
 */
import type { AuditPattern, AuditRecord, TraitPrevalence } from './types';

/** Default share of records at or above which a pattern is flagged. */
export const DEFAULT_THRESHOLD = 0.25;

/** The perTrait key of records that name no trait (only used when some other record names one). */
export const NO_TRAIT = '(no trait)';

/**
 * A pattern is flagged (overall or in a trait) only when at least this many records match it
 * strictly there, so a trait of two records is not flagged on one.
 */
export const MIN_FLAG_MATCHES = 3;

/** How many example ids a pattern carries. */
export const EXAMPLES = 3;

/** The records grouped by trait: each record's group index, the group keys and sizes. */
export class TraitIndex {
  private constructor(
    /** Group keys (trait ids, NO_TRAIT for records without one); empty when no record names a trait. */
    readonly keys: readonly string[],
    /** Each record's group (index into keys); -1 everywhere when keys is empty. */
    readonly of: Int32Array,
    /** Records per group. */
    readonly sizes: readonly number[],
  ) {}

  /** Groups `records` by traitId; no groups at all when none names a trait. */
  static of(records: readonly AuditRecord[]): TraitIndex {
    const of = new Int32Array(records.length).fill(-1);
    if (!records.some((r) => r.traitId !== null)) return new TraitIndex([], of, []);
    const keys: string[] = [];
    const sizes: number[] = [];
    const byKey = new Map<string, number>();
    records.forEach((r, i) => {
      const key = r.traitId ?? NO_TRAIT;
      let g = byKey.get(key);
      if (g === undefined) {
        byKey.set(key, (g = keys.length));
        keys.push(key);
        sizes.push(0);
      }
      of[i] = g;
      sizes[g]++;
    });
    return new TraitIndex(keys, of, sizes);
  }
}

/** Whether `matches` of `total` records reach `threshold` (with MIN_FLAG_MATCHES), free of float rounding. */
export function isFlagged(matches: number, total: number, threshold: number): boolean {
  return total > 0 && matches >= MIN_FLAG_MATCHES && matches >= threshold * total - 1e-9;
}

/**
 * The reported pattern for `base` given the records (by index, any order, duplicates allowed) that
 * match it strictly and broadly. Broad is made a superset of strict; ids are listed in file order.
 */
export function scorePattern(
  base: Pick<AuditPattern, 'id' | 'name' | 'description' | 'source'>,
  strictIndices: Iterable<number>,
  broadIndices: Iterable<number>,
  records: readonly AuditRecord[],
  traits: TraitIndex,
  threshold: number,
): AuditPattern {
  const n = records.length;
  // 1 = broad only, 2 = strict (and broad).
  const mark = new Uint8Array(n);
  for (const i of broadIndices) mark[i] = 1;
  for (const i of strictIndices) mark[i] = 2;
  const groups = traits.keys.length;
  const strictBy = new Int32Array(groups);
  const broadBy = new Int32Array(groups);
  const strictIds: string[] = [];
  const broadIds: string[] = [];
  for (let i = 0; i < n; i++) {
    if (mark[i] === 0) continue;
    const g = traits.of[i];
    broadIds.push(records[i].id);
    if (g >= 0) broadBy[g]++;
    if (mark[i] === 2) {
      strictIds.push(records[i].id);
      if (g >= 0) strictBy[g]++;
    }
  }
  const perTrait: Record<string, TraitPrevalence> = {};
  traits.keys.forEach((key, g) => {
    const size = traits.sizes[g];
    perTrait[key] = { records: size, broad: size ? broadBy[g] / size : 0, strict: size ? strictBy[g] / size : 0, flagged: isFlagged(strictBy[g], size, threshold) };
  });
  return {
    id: base.id,
    name: base.name,
    description: base.description,
    source: base.source,
    prevalence: { broad: n ? broadIds.length / n : 0, strict: n ? strictIds.length / n : 0 },
    records: strictIds,
    broadRecords: broadIds,
    examples: spread(strictIds.length ? strictIds : broadIds, EXAMPLES),
    flagged: isFlagged(strictIds.length, n, threshold),
    perTrait,
  };
}

/** Up to `k` items of `list`, evenly spread from its first to its last. */
function spread(list: readonly string[], k: number): string[] {
  if (list.length <= k) return [...list];
  return Array.from({ length: k }, (_, j) => list[Math.round((j * (list.length - 1)) / (k - 1))]);
}

/** Report order: flagged first, then flagged in some trait, then by strict and broad prevalence, then id. */
export function comparePatterns(a: AuditPattern, b: AuditPattern): number {
  const rank = (p: AuditPattern) => (p.flagged ? 2 : Object.values(p.perTrait).some((t) => t.flagged) ? 1 : 0);
  return rank(b) - rank(a) || b.prevalence.strict - a.prevalence.strict || b.prevalence.broad - a.prevalence.broad || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * From matching records to a reported pattern: prevalence overall and per trait, flags, examples.
 * The offline pass and buildReport (for the model pass's patterns too) score the same way.
 */
import { int32Column } from './columns';
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
  constructor(
    /** Group keys (trait ids, NO_TRAIT for records without one); empty when no record names a trait. */
    readonly keys: readonly string[],
    /** Each record's group (index into keys); -1 everywhere when keys is empty. */
    readonly of: Int32Array,
    /** Records per group. */
    readonly sizes: readonly number[],
  ) {}

  /** Groups `records` by traitId; no groups at all when none names a trait. */
  static of(records: readonly AuditRecord[]): TraitIndex {
    const builder = new TraitIndexBuilder();
    for (const r of records) builder.add(r.traitId);
    return builder.build();
  }
}

/** A TraitIndex built a record at a time, as a dataset streams by: four bytes a record, and each trait id once. */
export class TraitIndexBuilder {
  private readonly of = int32Column();
  private readonly keys: string[] = [];
  private readonly sizes: number[] = [];
  private readonly byKey = new Map<string, number>();
  private named = false;

  /** The next record's trait (null: it names none). */
  add(traitId: string | null): void {
    if (traitId !== null) this.named = true;
    const key = traitId ?? NO_TRAIT;
    let g = this.byKey.get(key);
    if (g === undefined) {
      this.byKey.set(key, (g = this.keys.length));
      this.keys.push(key);
      this.sizes.push(0);
    }
    this.of.push(g);
    this.sizes[g]++;
  }

  /** The index of the records added so far; no groups at all when none named a trait. */
  build(): TraitIndex {
    const of = this.of.values().slice();
    if (!this.named) return new TraitIndex([], of.fill(-1), []);
    return new TraitIndex([...this.keys], of, [...this.sizes]);
  }
}

/** Whether `matches` of `total` records reach `threshold` (with MIN_FLAG_MATCHES), free of float rounding. */
export function isFlagged(matches: number, total: number, threshold: number): boolean {
  return total > 0 && matches >= MIN_FLAG_MATCHES && matches >= threshold * total - 1e-9;
}

/**
 * The reported pattern for `base` given the records (by index, any order, duplicates allowed) that
 * match it strictly and broadly. `records` gives each record's id: the records themselves, or just
 * their ids (what the streaming audit keeps). Broad is made a superset of strict; ids are listed in
 * file order.
 */
export function scorePattern(
  base: Pick<AuditPattern, 'id' | 'name' | 'description' | 'source'>,
  strictIndices: Iterable<number>,
  broadIndices: Iterable<number>,
  records: ArrayLike<string | Pick<AuditRecord, 'id'>>,
  traits: TraitIndex,
  threshold: number,
): AuditPattern {
  const n = records.length;
  const idOf = (i: number) => {
    const r = records[i];
    return typeof r === 'string' ? r : r.id;
  };
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
    broadIds.push(idOf(i));
    if (g >= 0) broadBy[g]++;
    if (mark[i] === 2) {
      strictIds.push(idOf(i));
      if (g >= 0) strictBy[g]++;
    }
  }
  const perTrait: Record<string, TraitPrevalence> = {};
  traits.keys.forEach((key, g) => {
    const size = traits.sizes[g];
    perTrait[key] = {
      records: size,
      broad: size ? broadBy[g] / size : 0,
      strict: size ? strictBy[g] / size : 0,
      flagged: isFlagged(strictBy[g], size, threshold),
    };
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
  return (
    rank(b) - rank(a) ||
    b.prevalence.strict - a.prevalence.strict ||
    b.prevalence.broad - a.prevalence.broad ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

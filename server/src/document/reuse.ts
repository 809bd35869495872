import { rangesEqual, type Range } from './position';

interface Entry {
  readonly inputs: readonly unknown[];
  readonly value: unknown;
  /** Its strings no longer share the memory of the text they were read from (see `detachString`). */
  readonly detached?: true;
}

type Place = number | string;

/**
 * Hands back the objects of the previous parse of a document (its paragraphs, headings, groups,
 * traits, examples ...) wherever the new parse would build equal ones, so that everything cached per
 * object downstream (a paragraph's sentences, a trait's coverage) still applies after an edit:
 * re-linting after a keystroke then redoes only the traits the edit touched.
 *
 * Each object is looked up by its kind and place (its first line, say) and kept when every field (or
 * every input it is built from) equals the previous one's: strings and numbers by value, ranges by
 * position, flat records of strings by value, arrays element by element, other objects by identity
 * (they come from this recycler themselves, so an unchanged child is the same object). What is built
 * from lines a line break only moved is copied from the previous value with its ranges moved (see
 * `getFromLines`). Anything else is built afresh.
 */
export class Recycler {
  private readonly previousKept: ReadonlyMap<string, ReadonlyMap<Place, object>>;
  private readonly previousBuilt: ReadonlyMap<string, ReadonlyMap<Place, Entry>>;
  // What the next parse may reuse: the objects of this one.
  private readonly kept = new Map<string, Map<Place, object>>();
  private readonly built = new Map<string, Map<Place, Entry>>();
  /**
   * Runs of lines whose text is unchanged since the previous parse, as [first, last, shift] triples in
   * line order: line `l` of the run was line `l - shift` there (shift 0: the same line numbers).
   */
  private readonly movedRuns: number[] = [];

  constructor(previous?: Recycler) {
    this.previousKept = previous?.kept ?? new Map();
    this.previousBuilt = previous?.built ?? new Map();
  }

  /**
   * The previous parse's object of this kind at this place if each of its fields equals `fresh`'s,
   * else `fresh` (recorded for the next parse either way).
   */
  keep<V extends object>(kind: string, at: Place, fresh: V): V {
    const old = this.previousKept.get(kind)?.get(at);
    const value = old && sameFields(old, fresh) ? (old as V) : fresh;
    let map = this.kept.get(kind);
    if (!map) this.kept.set(kind, (map = new Map()));
    map.set(at, value);
    return value;
  }

  /** The previous parse's value of this kind at this place if it was built from equal `inputs`, else `build()`. */
  get<V>(kind: string, at: Place, inputs: readonly unknown[], build: () => V): V {
    const old = this.previousBuilt.get(kind)?.get(at);
    if (old && sameInputs(old.inputs, inputs)) {
      // The previous value stands. The next parse compares with this parse's inputs (equal ones, often
      // the very objects it will be given: the values of other entries), which hold no older text.
      this.record(kind, at, { inputs, value: old.value });
      return old.value as V;
    }
    // Its strings copied now (down to an example's turn markers), so that what is built from it holds
    // the same strings, and none keeps this version of the text alive once the value is reused.
    const value = detach(build(), 6);
    this.record(kind, at, { inputs, value });
    return value;
  }

  /**
   * `get` for a value built from the text of lines `first..last` (`inputs()` being that text, or what
   * is derived from it only) and from `also` (a few values read elsewhere, such as the trait the lines
   * stand in): while those lines are unchanged (see `markUnchanged`) and `also` equals the previous
   * parse's, the previous value for the same lines stands, its line inputs neither compared nor even
   * built, and nothing is allocated for it. Lines that only moved (see `markMoved`, a line break above
   * them) get a copy of the previous value with its ranges moved as much: `at` must then be where the
   * value's lines start or stand (the previous value is looked up as far back), and the value plain
   * data (objects, arrays, strings, numbers) whose only line numbers are those of its ranges.
   */
  getFromLines<V>(
    kind: string,
    at: number,
    first: number,
    last: number,
    inputs: () => readonly unknown[],
    build: () => V,
    also: readonly unknown[] = NOTHING,
  ): V {
    const shift = this.shiftOf(first, last);
    if (shift !== undefined) {
      const old = this.previousBuilt.get(kind)?.get(at - shift);
      if (old && old.inputs[0] === first - shift && old.inputs[1] === last - shift && sameAlso(old.inputs, also)) {
        const entry = shift ? movedEntry(old, first, last, shift) : detachedEntry(old);
        this.record(kind, at, entry);
        return entry.value as V;
      }
    }
    return this.get(kind, at, [first, last, ...also, ...inputs()], build);
  }

  /**
   * Records that lines `first..last` have the same text and line numbers as in the previous parse
   * (the block scan knows it of the sections it reuses). Calls (with `markMoved`'s) come in line order.
   */
  markUnchanged(first: number, last: number): void {
    this.markMoved(first, last, 0);
  }

  /**
   * Records that lines `first..last` have the same text as lines `first - shift..last - shift` of the
   * previous parse (a section below an inserted or deleted line break). Calls come in line order.
   */
  markMoved(first: number, last: number, shift: number): void {
    const runs = this.movedRuns;
    const n = runs.length;
    if (n && runs[n - 2] === first - 1 && runs[n - 1] === shift) runs[n - 2] = last;
    else runs.push(first, last, shift);
  }

  /** How far lines `first..last` moved since the previous parse, when one run holds them all (see `markMoved`). */
  shiftOf(first: number, last: number): number | undefined {
    const runs = this.movedRuns;
    // The last run starting at or before `first` (runs are [start, end, shift] triples in line order).
    let lo = 0;
    let hi = runs.length / 3 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (runs[3 * mid] <= first) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && last <= runs[3 * found + 1] ? runs[3 * found + 2] : undefined;
  }

  /** The inputs of the previous parse's value of this kind at this place (see `get`), if it had one. */
  previousInputs(kind: string, at: Place): readonly unknown[] | undefined {
    return this.previousBuilt.get(kind)?.get(at)?.inputs;
  }

  private record(kind: string, at: Place, entry: Entry): void {
    let map = this.built.get(kind);
    if (!map) this.built.set(kind, (map = new Map()));
    map.set(at, entry);
  }
}

/** The part of a `Recycler` a parse uses. */
export type Reuser = Pick<Recycler, 'keep' | 'get' | 'getFromLines' | 'markUnchanged' | 'markMoved' | 'previousInputs'>;

/** A recycler that reuses and records nothing: for a parse no later parse will build on. */
export const NO_RECYCLER: Reuser = {
  keep: (_kind, _at, fresh) => fresh,
  get: (_kind, _at, _inputs, build) => build(),
  getFromLines: (_kind, _at, _first, _last, _inputs, build) => build(),
  markUnchanged: () => undefined,
  markMoved: () => undefined,
  previousInputs: () => undefined,
};

/**
 * A copy of `s` that does not share the memory of the string it was sliced from. V8 keeps a slice of
 * 13 characters or more as a view into its parent: a reused record holding a slice of the text it was
 * parsed from would keep that whole text (0.5 MB for the Model Spec) alive, one version per record.
 * (The prefix makes a new string of `s`'s length; its slice then refers to that alone.)
 */
export function detachString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * `entry` (of `getFromLines`, whose inputs are the source lines as sliced from the text) once carried
 * into a second parse: its inputs copied, so that it does not keep an old text alive. Entries rebuilt
 * at every parse (those below an inserted line, say) are never copied.
 */
function detachedEntry(entry: Entry): Entry {
  if (entry.detached) return entry;
  return { inputs: entry.inputs.map((x) => detach(x, 0)), value: entry.value, detached: true };
}

/**
 * `entry` (of `getFromLines`) for lines that moved by `shift` to `first..last`: its value copied
 * with its ranges moved (see `moveLines`), its line inputs carried over as `detachedEntry` does.
 */
function movedEntry(entry: Entry, first: number, last: number, shift: number): Entry {
  const inputs = detachedEntry(entry).inputs.slice();
  inputs[0] = first;
  inputs[1] = last;
  return { inputs, value: moveLines(entry.value, shift), detached: true };
}

/** A copy of plain data `x` with the line of every range in it moved by `shift` (strings shared). */
function moveLines<V>(x: V, shift: number): V {
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map((item: unknown) => moveLines(item, shift)) as V;
  if (isRange(x)) {
    const { start, end } = x;
    return {
      start: { line: start.line + shift, character: start.character },
      end: { line: end.line + shift, character: end.character },
    } as V;
  }
  const copy: Record<string, unknown> = {};
  for (const k in x) copy[k] = moveLines((x as Record<string, unknown>)[k], shift);
  return copy as V;
}

/**
 * `x` with its strings detached (see `detachString`), those of plain objects and arrays down to
 * `depth` levels replaced in place.
 */
function detach<V>(x: V, depth: number): V {
  if (typeof x === 'string') return detachString(x) as V;
  if (depth <= 0 || typeof x !== 'object' || x === null) return x;
  // Only then Object.isFrozen: on a typed array (a scan's code lines) it costs as much as the scan.
  if (Array.isArray(x)) {
    if (!Object.isFrozen(x)) for (let i = 0; i < x.length; i++) x[i] = detach(x[i], depth - 1);
  } else if (Object.getPrototypeOf(x) === Object.prototype && !Object.isFrozen(x)) {
    const r = x as Record<string, unknown>;
    for (const k in r) r[k] = detach(r[k], depth - 1);
  }
  return x;
}

function sameFields(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ra) {
    if (!same(ra[k], rb[k])) return false;
    keys++;
  }
  for (const _ in rb) keys--;
  return keys === 0;
}

const NOTHING: readonly unknown[] = [];

/** True when `inputs` (of a `getFromLines` entry: first, last, then `also`'s values) hold `also`. */
function sameAlso(inputs: readonly unknown[], also: readonly unknown[]): boolean {
  if (inputs.length < 2 + also.length) return false;
  for (let i = 0; i < also.length; i++) if (!same(inputs[2 + i], also[i])) return false;
  return true;
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (isRange(a) && isRange(b)) return rangesEqual(a, b);
  // A record of strings (a heading's attributes): by value. Any other object was not the same.
  return isFlatRecord(a) && isFlatRecord(b) && sameFields(a, b);
}

function isFlatRecord(x: object): boolean {
  if (Object.getPrototypeOf(x) !== Object.prototype) return false;
  for (const k in x) {
    const v = (x as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) return false;
  }
  return true;
}

function isRange(x: object): x is Range {
  const r = x as Partial<Range>;
  return typeof r.start === 'object' && typeof r.end === 'object' && r.start !== null && typeof r.start.line === 'number';
}

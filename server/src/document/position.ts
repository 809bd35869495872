/**
 * Positions and ranges in the shape the Language Server Protocol uses, so the server can hand them to
 * an editor unchanged: 0-based line, 0-based character counted in UTF-16 code units (the unit of a
 * JavaScript string index). Lines end at `\n`, `\r\n` or a lone `\r`, as in the LSP specification.
 */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * Maps string offsets to LSP positions and back for one text. Built once per parse: O(length), or,
 * given the index of the text before an edit, O(lines) plus the length of the edited span.
 */
export class LineIndex {
  /** Offset of the first character of each line (typed arrays: a parse per keystroke builds one). */
  private readonly starts: Int32Array;
  /** Offset just past the last content character of each line (before its line break). */
  private readonly ends: Int32Array;
  /** True when only `\n` breaks lines (each end is then the next start less one). */
  private readonly lfOnly: boolean;

  /**
   * `previous`: the index of an earlier version of `text` (before an edit, say), whose line starts
   * before and after the span where the two texts differ are carried over rather than searched for.
   */
  constructor(
    readonly text: string,
    previous?: LineIndex,
  ) {
    this.lfOnly = !text.includes('\r');
    if (this.lfOnly) {
      // The common case: only `\n` breaks lines.
      const starts = previous?.lfOnly ? previous.startsAfterEdit(text) : lfLineStarts(text);
      const count = starts.length;
      const ends = new Int32Array(count);
      for (let line = 0; line + 1 < count; line++) ends[line] = starts[line + 1] - 1;
      ends[count - 1] = text.length;
      this.starts = starts;
      this.ends = ends;
    } else {
      const starts = [0];
      const ends: number[] = [];
      for (const m of text.matchAll(/\r\n?|\n/g)) {
        ends.push(m.index);
        starts.push(m.index + m[0].length);
      }
      ends.push(text.length);
      this.starts = Int32Array.from(starts);
      this.ends = Int32Array.from(ends);
    }
  }

  /**
   * The line starts of `text` (`\n` breaks only, as this index's text): this index's before the first
   * character where the texts differ and, moved by the change in length, after the last one; the
   * line breaks between are searched for.
   */
  private startsAfterEdit(text: string): Int32Array {
    const old = this.text;
    const prefix = commonPrefix(old, text);
    const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
    const delta = text.length - old.length;
    // Lines whose break (just before their start) lies in the common prefix, and in the common suffix.
    const before = this.lineAtOffset(prefix) + 1;
    let after = before;
    while (after < this.starts.length && this.starts[after] < old.length - suffix + 1) after++;
    const middle: number[] = [];
    for (let i = text.indexOf('\n', prefix); i >= 0 && i < text.length - suffix; i = text.indexOf('\n', i + 1)) middle.push(i + 1);
    const starts = new Int32Array(before + middle.length + this.starts.length - after);
    starts.set(this.starts.subarray(0, before));
    starts.set(middle, before);
    for (let i = after, j = before + middle.length; i < this.starts.length; i++, j++) starts[j] = this.starts[i] + delta;
    return starts;
  }

  /** The last line starting at or before `offset`. */
  private lineAtOffset(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset of the first character of `line` (clamped into the document). */
  lineStart(line: number): number {
    return this.starts[this.clampLine(line)];
  }

  /** Offset just past the last content character of `line`, before its line break. */
  lineEnd(line: number): number {
    return this.ends[this.clampLine(line)];
  }

  /** The text of `line` without its line break. */
  lineText(line: number): string {
    const l = this.clampLine(line);
    return this.text.slice(this.starts[l], this.ends[l]);
  }

  /** Position of a string offset; offsets outside the text are clamped to it. */
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAtOffset(o);
    return { line, character: Math.min(o, this.ends[line]) - this.starts[line] };
  }

  /** String offset of a position; positions outside the text are clamped to it. */
  offsetAt(position: Position): number {
    const line = this.clampLine(position.line);
    const start = this.starts[line];
    return Math.min(start + Math.max(0, position.character), this.ends[line]);
  }

  /** Range of the string offsets `[start, end)`. */
  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Range from the start of `firstLine` to the end of `lastLine` (inclusive, line breaks excluded). */
  linesRange(firstLine: number, lastLine: number): Range {
    const first = this.clampLine(firstLine);
    const last = Math.max(first, this.clampLine(lastLine));
    return {
      start: { line: first, character: 0 },
      end: { line: last, character: this.ends[last] - this.starts[last] },
    };
  }

  /** Range of `[startCharacter, endCharacter)` within one line. */
  lineSpan(line: number, startCharacter: number, endCharacter: number): Range {
    const l = this.clampLine(line);
    const length = this.ends[l] - this.starts[l];
    const s = Math.max(0, Math.min(startCharacter, length));
    const e = Math.max(s, Math.min(endCharacter, length));
    return { start: { line: l, character: s }, end: { line: l, character: e } };
  }

  private clampLine(line: number): number {
    return Math.max(0, Math.min(line, this.starts.length - 1));
  }
}

/** True when `inner` lies within `outer` (bounds inclusive). */
export function rangeContains(outer: Range, inner: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

/** True when `position` lies within `range` (bounds inclusive). */
export function rangeContainsPosition(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

/** True when two ranges share at least one position (touching counts). */
export function rangesIntersect(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

/** True when two ranges have the same start and end. */
export function rangesEqual(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.start) === 0 && comparePositions(a.end, b.end) === 0;
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** The start of each line of `text`, whose lines are broken by `\n` only. */
function lfLineStarts(text: string): Int32Array {
  // One pass, into an array grown by doubling.
  let starts = new Int32Array(Math.max(16, text.length >> 5));
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (count === starts.length) {
      const grown = new Int32Array(2 * count);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = i + 1;
  }
  return starts.slice(0, count);
}

/** Characters compared at first by one string comparison (V8 compares a slice's characters natively). */
const CHUNK = 4096;

/** Length of the longest common prefix of `a` and `b`: by slices halved down to a few characters. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let k = 0;
  for (let size = CHUNK; size >= 8; size >>= 1) while (k + size <= n && a.slice(k, k + size) === b.slice(k, k + size)) k += size;
  while (k < n && a.charCodeAt(k) === b.charCodeAt(k)) k++;
  return k;
}

/** Length of the longest common suffix of `a` and `b`, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let k = 0;
  for (let size = CHUNK; size >= 8; size >>= 1)
    while (k + size <= max && a.slice(a.length - k - size, a.length - k) === b.slice(b.length - k - size, b.length - k)) k += size;
  while (k < max && a.charCodeAt(a.length - 1 - k) === b.charCodeAt(b.length - 1 - k)) k++;
  return k;
}

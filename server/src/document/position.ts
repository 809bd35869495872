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

/** Maps string offsets to LSP positions and back for one text. Built once per parse, O(length). */
export class LineIndex {
  /** Offset of the first character of each line (typed arrays: a parse per keystroke builds one). */
  private readonly starts: Int32Array;
  /** Offset just past the last content character of each line (before its line break). */
  private readonly ends: Int32Array;

  constructor(readonly text: string) {
    if (!text.includes('\r')) {
      // Fast path for the common case: only `\n` breaks lines. One pass for the starts (into an
      // array grown by doubling); each end is then the next start less one.
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
      const ends = new Int32Array(count);
      for (let line = 0; line + 1 < count; line++) ends[line] = starts[line + 1] - 1;
      ends[count - 1] = text.length;
      this.starts = starts.subarray(0, count);
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
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(o, this.ends[lo]) - this.starts[lo] };
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

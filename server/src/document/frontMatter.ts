import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { FrontMatter, FrontMatterProblem } from './model';
import type { LineIndex, Range } from './position';

/** Lines that open and close front matter, as Jekyll, Hugo and GitHub read them. */
const OPEN = /^\uFEFF?---[ \t]*$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

/**
 * Finds and parses YAML front matter at the top of a document.
 *
 * Returns the front matter (or undefined when the first line is not `---`) and the last line the
 * front matter occupies, so the Markdown parser can skip those lines. An unterminated block is
 * reported as a problem on its opening line and the rest is read as Markdown (so nothing is lost).
 * YAML syntax errors and warnings carry exact ranges from the `yaml` library's offsets.
 */
export function parseFrontMatter(lines: LineIndex): { frontMatter: FrontMatter | undefined; lastLine: number } {
  if (!OPEN.test(lines.lineText(0))) return { frontMatter: undefined, lastLine: -1 };
  const close = closingLine(lines);
  if (close < 0) return { frontMatter: unterminated(lines), lastLine: -1 };
  const range = lines.linesRange(0, close);
  const { source, at } = yamlSource(lines, close, range);
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  const problems: FrontMatterProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    message: `YAML: ${e.message.split('\n')[0]}`,
    range: at(e.pos),
  }));
  const data = doc.errors.length ? undefined : plainData(doc, at, range, problems);
  return {
    frontMatter: { range, data, problems, rangeOfPath: (path) => rangeOfKey(doc, path, at) ?? range },
    lastLine: close,
  };
}

/** Maps a `[start, end]` offset pair of the YAML source to a range of the document (`range` when absent). */
type RangeAt = (pos: readonly [number, number] | undefined) => Range;

/** The line that closes the front matter opened on line 0, or -1. */
function closingLine(lines: LineIndex): number {
  for (let line = 1; line < lines.lineCount; line++) if (CLOSE.test(lines.lineText(line))) return line;
  return -1;
}

/** Front matter opened on line 0 and never closed: no data, one problem on the opening line. */
function unterminated(lines: LineIndex): FrontMatter {
  const opening = lines.linesRange(0, 0);
  return {
    range: opening,
    data: undefined,
    problems: [{ message: 'Front matter opened here is never closed with a `---` line, so it is read as Markdown.', range: opening }],
    rangeOfPath: () => opening,
  };
}

/**
 * The YAML between line 0 and `close`, its lines joined by `\n` (yaml knows `\n` and `\r\n` but not a
 * lone `\r`, and its errors differ with `\r\n`), and how its offsets map back to the document.
 */
function yamlSource(lines: LineIndex, close: number, range: Range): { source: string; at: RangeAt } {
  const starts: number[] = [];
  const parts: string[] = [];
  let length = 0;
  for (let line = 1; line < close; line++) {
    starts.push(length);
    const text = lines.lineText(line);
    parts.push(text);
    length += text.length + 1;
  }
  const source = parts.length ? parts.join('\n') + '\n' : '';
  const toDocument = (offset: number) => {
    let k = 0;
    while (k + 1 < starts.length && starts[k + 1] <= offset) k++;
    if (!starts.length) return lines.positionAt(lines.lineStart(close));
    const line = 1 + k;
    return lines.positionAt(lines.lineStart(line) + Math.min(offset - starts[k], lines.lineText(line).length));
  };
  const at: RangeAt = (pos) => {
    if (!pos) return range;
    // An empty error range is widened to the character at it, never into a line break or half a
    // surrogate pair.
    let end = pos[1];
    if (end <= pos[0]) {
      const code = source.charCodeAt(pos[0]);
      end = pos[0] >= source.length || code === 10 ? pos[0] : code >= 0xd800 && code <= 0xdbff ? pos[0] + 2 : pos[0] + 1;
    }
    // yaml's own offsets may fall inside a surrogate pair: move them out of it.
    const inPair = (o: number) => o > 0 && o < source.length && /[\udc00-\udfff]/.test(source[o]) && /[\ud800-\udbff]/.test(source[o - 1]);
    const start = inPair(pos[0]) ? pos[0] - 1 : pos[0];
    end = Math.min(inPair(end) ? end + 1 : end, source.length);
    return { start: toDocument(start), end: toDocument(end) };
  };
  return { source, at };
}

/**
 * The front matter's data, or undefined (with a problem added to `problems`) when it cannot be
 * resolved or holds a value that is not plain JSON-like data.
 */
function plainData(doc: Document, at: RangeAt, range: Range, problems: FrontMatterProblem[]): unknown {
  let data: unknown;
  try {
    // Aliases are resolved here: an unknown alias or an alias bomb throws rather than erring above.
    data = doc.toJS();
  } catch (error) {
    problems.push({ message: `YAML: ${error instanceof Error ? error.message : String(error)}`, range });
  }
  const odd = data === undefined ? undefined : nonPlainValue(data, []);
  if (!odd) return data;
  problems.push({
    message: `Front matter holds only plain YAML values (mappings, lists, strings, numbers, booleans); found ${odd.kind}.`,
    range: rangeOfKey(doc, odd.path, at) ?? range,
  });
  return undefined;
}

/** The first value that is not plain JSON-like data (a `!!binary` Buffer, a `!!set`, ...), with its path. */
function nonPlainValue(
  value: unknown,
  path: (string | number)[],
  ancestors = new Set<object>(),
): { kind: string; path: (string | number)[] } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  // Shared aliases are fine; only a value inside itself (`&a [*a]`) is a cycle.
  if (ancestors.has(value)) return { kind: 'a value that contains itself (an alias inside its own anchor)', path };
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return { kind: `a ${value.constructor?.name ?? 'non-plain value'}`, path };
  }
  ancestors.add(value);
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  let found: { kind: string; path: (string | number)[] } | undefined;
  for (const [key, v] of entries) {
    found = nonPlainValue(v, [...path, key], ancestors);
    if (found) break;
  }
  ancestors.delete(value);
  return found;
}

/** Range of the deepest key along `path` that exists (a schema error points at the key it is about). */
function rangeOfKey(doc: Document, path: readonly (string | number)[], at: RangeAt): Range | undefined {
  let node: unknown = doc.contents;
  let found: Range | undefined;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair || !isScalar(pair.key) || !pair.key.range) break;
    found = at([pair.key.range[0], pair.key.range[1]]);
    node = pair.value;
  }
  return found;
}

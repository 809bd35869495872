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
  let close = -1;
  for (let line = 1; line < lines.lineCount; line++) {
    if (CLOSE.test(lines.lineText(line))) {
      close = line;
      break;
    }
  }
  if (close < 0) {
    const opening = lines.linesRange(0, 0);
    return {
      frontMatter: {
        range: opening,
        data: undefined,
        problems: [{ message: 'Front matter opened here is never closed with a `---` line, so it is read as Markdown.', range: opening }],
        rangeOfPath: () => opening,
      },
      lastLine: -1,
    };
  }
  const base = lines.lineStart(1);
  const source = lines.text.slice(base, lines.lineStart(close));
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  const range = lines.linesRange(0, close);
  const at = (pos: readonly [number, number] | undefined): Range =>
    pos ? lines.rangeOf(base + pos[0], base + Math.max(pos[0] + 1, pos[1])) : range;
  const problems: FrontMatterProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    message: `YAML: ${e.message.split('\n')[0]}`,
    range: at(e.pos),
  }));
  return {
    frontMatter: {
      range,
      data: doc.errors.length ? undefined : doc.toJS(),
      problems,
      rangeOfPath: (path) => rangeOfKey(doc, path, at) ?? range,
    },
    lastLine: close,
  };
}

/** Range of the deepest key along `path` that exists (a schema error points at the key it is about). */
function rangeOfKey(
  doc: Document,
  path: readonly (string | number)[],
  at: (pos: readonly [number, number] | undefined) => Range,
): Range | undefined {
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

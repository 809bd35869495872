import type { Directive, DirectiveKind } from './model';
import type { LineIndex } from './position';
import { maskCodeSpans } from './references';

const DIRECTIVE_KINDS: ReadonlySet<string> = new Set(['disable-next-line', 'disable-file', 'disable', 'enable']);

/**
 * The `<!-- traits-... -->` comments of a document, outside code (fenced or indented blocks, code
 * spans) and front matter, in document order. `codeLines[l]` is 1 for a line inside a code block.
 */
export function findDirectives(text: string, lines: LineIndex, codeLines: Uint8Array, frontMatterEnd: number): Directive[] {
  const out: Directive[] = [];
  if (!text.includes('traits-')) return out;
  let maskedLine = -1;
  let masked = '';
  for (const m of directiveComments(text)) {
    const start = lines.positionAt(m.index);
    if (codeLines[start.line] || start.line <= frontMatterEnd) continue;
    // Inside a code span the comment is shown, not obeyed (each line masked once, however many comments it holds).
    if (maskedLine !== start.line) {
      maskedLine = start.line;
      masked = maskCodeSpans(lines.lineText(start.line));
    }
    if (masked[start.character] !== '<') continue;
    out.push({
      kind: DIRECTIVE_KINDS.has(m.kind.toLowerCase()) ? (m.kind.toLowerCase() as DirectiveKind) : 'unknown',
      written: m.kind,
      rules: m.rules.split(/[\s,]+/).filter(Boolean),
      range: { start, end: lines.positionAt(m.end) },
    });
  }
  return out;
}

const isAsciiLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

/**
 * Every `traits-` comment, as /<!--\s*traits-([a-z-]*[a-z])(?=\s|-->)([^]*?)-->/gi matches them: the
 * kind is the longest run of letters and hyphens ending in a letter and followed by a blank or
 * `-->` (so a misspelt kind, `traits-disable-nextline`, never reads as `traits-disable`), the rules
 * are what follows up to `-->`.
 */
export function* directiveComments(text: string): Generator<{ index: number; end: number; kind: string; rules: string }> {
  for (let i = text.indexOf('<!--'); i >= 0;) {
    let j = i + 4;
    while (isSpace(text[j])) j++;
    if (text.slice(j, j + 7).toLowerCase() === 'traits-') {
      const from = j + 7;
      let run = from;
      while (run < text.length && (isAsciiLetter(text.charCodeAt(run)) || text.charCodeAt(run) === 45)) run++;
      let to = run;
      while (to > from && !(isAsciiLetter(text.charCodeAt(to - 1)) && (isSpace(text[to]) || text.startsWith('-->', to)))) to--;
      if (to > from) {
        const close = text.indexOf('-->', to);
        if (close < 0) return;
        yield { index: i, end: close + 3, kind: text.slice(from, to), rules: text.slice(to, close) };
        i = text.indexOf('<!--', close + 3);
        continue;
      }
    }
    i = text.indexOf('<!--', i + 1);
  }
}

import type { Paragraph, Reference } from './model';
import type { LineIndex } from './position';

// `[[Trait title]]`, `[[#id]]`, optionally with a label: `[[#id|label]]`.
const WIKI = /\[\[[ \t]*(#?)([^\[\]|\n]*?)[ \t]*(?:\|[^\[\]\n]*)?\]\]/g;
// `[text](#id)` with an optional title: `[text](#id "title")`. Link text may nest one level of brackets.
const LINK = /\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\([ \t]*#([^\s()"]+)[ \t]*(?:"[^"\n]*")?[ \t]*\)/g;

const CODE_SPAN = /(`+)(?:[^`]|[^`][^]*?[^`])\1(?!`)/g;
const HTML_COMMENT = /<!--[^]*?-->/g;
const LINK_DESTINATION = /\]\(([^)\n]*)\)/g;

/** Replaces every character but line breaks with a space, keeping offsets. */
function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

/** Masks code spans only, keeping offsets (a directive written inside backticks is an example). */
export function maskCodeSpans(text: string): string {
  return text.includes('`') ? text.replace(CODE_SPAN, blank) : text;
}

/**
 * Masks code spans, HTML comments and (when `keepLinks` is false) link destinations with spaces, so
 * prose scanning ignores them while every offset still points at the same source character.
 */
export function maskInline(text: string, keepLinks = false): string {
  if (!text.includes('`') && !text.includes('<!--') && !text.includes('](')) return text;
  let out = text.replace(CODE_SPAN, blank).replace(HTML_COMMENT, blank);
  if (!keepLinks) out = out.replace(LINK_DESTINATION, (_m, dest: string) => `](${blank(dest)})`);
  return out;
}

/**
 * The references in one prose block, with exact ranges. `traitAt(line)` names the trait the line
 * belongs to (the reference's `fromTrait`). Code spans and HTML comments are skipped.
 */
export function findReferences(
  lines: LineIndex,
  paragraph: Paragraph,
  traitAt: (line: number) => string | undefined,
): Reference[] {
  if (!paragraph.text.includes('[')) return [];
  const first = paragraph.range.start.line;
  const raw = lines.text.slice(lines.lineStart(first), lines.lineEnd(paragraph.range.end.line));
  const text = maskInline(raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw, true);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const at = (offset: number) => {
    let l = lineStarts.length - 1;
    while (lineStarts[l] > offset) l--;
    return { line: first + l, character: offset - lineStarts[l] };
  };
  const refs: Reference[] = [];
  const push = (form: Reference['form'], target: string, start: number, length: number, targetStart: number) => {
    const range = { start: at(start), end: at(start + length) };
    refs.push({
      form,
      target,
      range,
      targetRange: { start: at(targetStart), end: at(targetStart + target.length) },
      fromTrait: traitAt(range.start.line),
    });
  };
  for (const m of text.matchAll(WIKI)) {
    const [whole, hash, target] = m;
    if (!target) continue;
    const targetStart = (m.index ?? 0) + whole.indexOf(target, 2 + hash.length);
    push(hash ? 'wiki-id' : 'wiki-title', target, m.index ?? 0, whole.length, targetStart);
  }
  for (const m of text.matchAll(LINK)) {
    const [whole, label, target] = m;
    const start = m.index ?? 0;
    // `[[x]](#y)` is a wiki reference followed by text, already taken above.
    if (label.startsWith('[') && label.endsWith(']')) continue;
    push('link', target, start, whole.length, start + whole.indexOf('#', label.length + 2) + 1);
  }
  return refs;
}

import type { Reference } from './model';

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
 * Masks code spans and HTML comments with spaces, so prose scanning (and reference finding) ignores
 * them while every offset still points at the same source character.
 */
export function maskCodeAndComments(text: string): string {
  if (!text.includes('`') && !text.includes('<!--')) return text;
  return text.replace(CODE_SPAN, blank).replace(HTML_COMMENT, blank);
}

/** Masks link destinations too (`[text](   )`): cue words in a URL are not prose. Keeps offsets. */
export function maskLinkDestinations(text: string): string {
  return text.includes('](') ? text.replace(LINK_DESTINATION, (_m, dest: string) => `](${blank(dest)})`) : text;
}

/**
 * The references in one prose block starting on line `first`, with exact ranges. `text` is the
 * block's lines joined by `\n` with code spans and comments masked (`maskCodeAndComments`), so they
 * are skipped. `traitAt(line)` names the trait the line belongs to (the reference's `fromTrait`).
 */
export function findReferences(first: number, text: string, traitAt: (line: number) => string | undefined): Reference[] {
  if (!text.includes('[')) return [];
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

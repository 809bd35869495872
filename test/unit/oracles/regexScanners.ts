/**
 * Test oracles: the regular expressions the document scanners replaced (issue 11: they were
 * quadratic, cubic or exponential on unclosed or repetitive input), used as they were, so the tests
 * can check on generated text that each scanner finds exactly what its expression found. Slow on
 * adversarial input by nature: feed them short strings only.
 */
import type { AttributeBlock } from '../../../server/src/document/attributes';
import type { Reference, Role, Turn } from '../../../server/src/document/model';
import type { LineIndex } from '../../../server/src/document/position';

const WIKI = /\[\[[ \t]*(#?)([^[\]|\n]*?)[ \t]*(?:\|[^[\]\n]*)?\]\]/g;
const LINK = /\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\([ \t]*#([^\s()"]+)[ \t]*(?:"[^"\n]*")?[ \t]*\)/g;
const CODE_SPAN = /(`+)(?:[^`]|[^`][^]*?[^`])\1(?!`)/g;
const HTML_COMMENT = /<!--[^]*?-->/g;
const LINK_DESTINATION = /\]\(([^)\n]*)\)/g;
const DIRECTIVE = /<!--\s*traits-([a-z-]*[a-z])(?=\s|-->)([^]*?)-->/gi;
const ATX = /^( {0,3})(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/s;
const TRAILING_BLOCK = /[ \t]*\{([^{}\n]*)\}[ \t]*$/;
const ATTRIBUTE_LIST =
  /^\s*(?:(?:#|\.)[^\s=#."']+|[^\s=#."']+=(?:"[^"]*"|'[^']*'|\S*))(?:\s+(?:(?:#|\.)[^\s=#."']+|[^\s=#."']+=(?:"[^"]*"|'[^']*'|\S*)))*\s*$/;
const ITEM = /(#|\.)?([^\s=#."']+)(?:=("[^"]*"|'[^']*'|\S*))?/g;
const TURN = /<(system|developer|user|assistant|tool)\b[^>]*>([^]*?)<\/\1\s*>/g;
const MARKER = /^\s*<!--\s*(GOOD|BAD)\b\s*:?\s*([^]*?)\s*-->/i;
const ANCHOR = /<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi;

const blank = (s: string) => s.replace(/[^\n]/g, ' ');

export const oldMaskCodeSpans = (text: string) => text.replace(CODE_SPAN, blank);
export const oldMaskCodeAndComments = (text: string) => text.replace(CODE_SPAN, blank).replace(HTML_COMMENT, blank);
export const oldMaskLinkDestinations = (text: string) => text.replace(LINK_DESTINATION, (_m, dest: string) => `](${blank(dest)})`);

/** References as the old `findReferences` read them (offsets into `text`, line 0 first). */
export function oldFindReferences(text: string): Omit<Reference, 'fromTrait'>[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const at = (offset: number) => {
    let l = lineStarts.length - 1;
    while (lineStarts[l] > offset) l--;
    return { line: l, character: offset - lineStarts[l] };
  };
  const refs: Omit<Reference, 'fromTrait'>[] = [];
  const push = (form: Reference['form'], target: string, start: number, length: number, targetStart: number) =>
    refs.push({
      form,
      target,
      range: { start: at(start), end: at(start + length) },
      targetRange: { start: at(targetStart), end: at(targetStart + target.length) },
    });
  for (const m of text.matchAll(WIKI)) {
    const [whole, hash, target] = m;
    if (!target) continue;
    push(hash ? 'wiki-id' : 'wiki-title', target, m.index, whole.length, m.index + whole.indexOf(target, 2 + hash.length));
  }
  for (const m of text.matchAll(LINK)) {
    const [whole, label, target] = m;
    if (label.startsWith('[') && label.endsWith(']')) continue;
    push('link', target, m.index, whole.length, m.index + whole.indexOf('#', label.length + 2) + 1);
  }
  return refs;
}

/** `<!-- traits-... -->` comments as DIRECTIVE matched them. */
export function oldDirectiveComments(text: string): { index: number; end: number; kind: string; rules: string }[] {
  return [...text.matchAll(DIRECTIVE)].map((m) => ({ index: m.index, end: m.index + m[0].length, kind: m[1], rules: m[2] }));
}

/** An ATX heading line's indent and title as ATX read them. */
export function oldAtxContent(line: string): { indent: number; content: string } {
  const m = ATX.exec(line);
  return { indent: m?.[1].length ?? 0, content: m?.[3] ?? '' };
}

/** The old parseAttributeBlock, whole. */
export function oldParseAttributeBlock(title: string): AttributeBlock | undefined {
  const m = TRAILING_BLOCK.exec(title);
  if (!m) return undefined;
  const inner = m[1];
  const innerStart = m.index + m[0].indexOf('{') + 1;
  if (!ATTRIBUTE_LIST.test(inner)) return undefined;
  let id: string | undefined;
  let idStart = -1;
  const attributes: Record<string, string> = {};
  const classes: string[] = [];
  for (const item of inner.matchAll(ITEM)) {
    const [, sigil, name, value] = item;
    if (sigil === '#') {
      id = name;
      idStart = innerStart + item.index + 1;
    } else if (sigil === '.') {
      classes.push(name);
    } else if (value !== undefined) {
      attributes[name] = value.replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  if (classes.length) attributes.class = classes.join(' ');
  return { start: m.index, id, idStart, attributes };
}

/** The old parseExample's turns (the title is read the same way as before). */
export function oldExampleTurns(lines: LineIndex, first: number, last: number, closed: boolean): Turn[] | undefined {
  const bodyStart = lines.lineStart(first + 1);
  const bodyEnd = closed ? lines.lineStart(last) : lines.lineEnd(last);
  if (first + 1 > last || bodyEnd <= bodyStart) return undefined;
  const body = lines.text.slice(bodyStart, bodyEnd);
  if (!/<(?:user|assistant)\b/.test(body)) return undefined;
  const turns: Turn[] = [];
  for (const m of body.matchAll(TURN)) {
    const start = bodyStart + m.index;
    const marker = MARKER.exec(m[2]);
    turns.push({
      role: m[1] as Role,
      text: (marker ? m[2].slice(marker[0].length) : m[2]).trim().replace(/\r\n?/g, '\n'),
      range: lines.rangeOf(start, start + m[0].length),
      marker: marker ? { verdict: marker[1].toLowerCase() as 'good' | 'bad', reason: marker[2] } : undefined,
    });
  }
  return turns;
}

/** HTML anchor ids as ANCHOR found them. */
export const oldHtmlAnchorIds = (text: string) => [...text.matchAll(ANCHOR)].map((m) => m[1]);

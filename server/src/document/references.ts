import type { Reference } from './model';

// `[text](#id)` with an optional title: `[text](#id "title")`. Link text may nest one level of brackets.
// Each quantifier is followed by a character it cannot match (the title's trailing blanks are inside
// its optional group), so a start costs at most one pass over the line: no backtracking blow-up.
const LINK = /\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\([ \t]*#([^\s()"]+)[ \t]*(?:"[^"\n]*"[ \t]*)?\)/g;

// The scanners below stand for regular expressions that were quadratic (or cubic) on unclosed input
// (`[[` and spaces, `](` repeated, `<!--` never closed, a long backtick run). Each keeps the exact
// matches of the expression it replaces, named above it, in one left-to-right pass.

/** `[start, end)` offsets of the matches of a scanner, in order. */
type Spans = number[];

/** `text` with every character of `spans` but line breaks replaced by a space, keeping offsets. */
function blankSpans(text: string, spans: Spans): string {
  if (!spans.length) return text;
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    out.push(text.slice(at, spans[i]), blank(text.slice(spans[i], spans[i + 1])));
    at = spans[i + 1];
  }
  out.push(text.slice(at));
  return out.join('');
}

/** Replaces every character but line breaks with a space, keeping offsets. */
function blank(s: string): string {
  // Most spans (a link's destination, a code span) hold no line break.
  return s.includes('\n') ? s.replace(/[^\n]/g, ' ') : ' '.repeat(s.length);
}

/**
 * Code spans, as /(`+)(?:[^`]|[^`][^]*?[^`])\1(?!`)/g matches them: from a backtick (a run's start,
 * or inside the run once the longer openers failed) to the next run of exactly as many backticks.
 */
function codeSpans(text: string): Spans {
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let i = text.indexOf('`'); i >= 0;) {
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) === 96) j++;
    starts.push(i);
    lengths.push(j - i);
    i = text.indexOf('`', j);
  }
  const runsOfLength = new Map<number, number[]>();
  lengths.forEach((length, k) => {
    const list = runsOfLength.get(length);
    if (list) list.push(k);
    else runsOfLength.set(length, [k]);
  });
  /** The first run after run `k` of exactly `length` backticks, or -1. */
  const closer = (k: number, length: number) => {
    const list = runsOfLength.get(length);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo] : -1;
  };
  const spans: Spans = [];
  for (let k = 0; k < starts.length; k++) {
    for (let offset = 0; offset < lengths[k]; offset++) {
      const length = lengths[k] - offset;
      const c = closer(k, length);
      if (c < 0) continue;
      spans.push(starts[k] + offset, starts[c] + length);
      k = c;
      break;
    }
  }
  return spans;
}

/** HTML comments, as /<!--[^]*?-->/g matches them (an unclosed one ends the search). */
function htmlComments(text: string): Spans {
  const spans: Spans = [];
  for (let i = text.indexOf('<!--'); i >= 0;) {
    const end = text.indexOf('-->', i + 4);
    if (end < 0) break;
    spans.push(i, end + 3);
    i = text.indexOf('<!--', end + 3);
  }
  return spans;
}

/**
 * Link destinations, as /\]\(([^)\n]*)\)/g matches them: the spans are the destinations (between
 * `](` and `)`). A `](` with no `)` before the line ends fails, and so does every later one on that line.
 */
function linkDestinations(text: string): Spans {
  const spans: Spans = [];
  for (let i = text.indexOf(']('); i >= 0;) {
    let j = i + 2;
    while (j < text.length && text.charCodeAt(j) !== 41 && text.charCodeAt(j) !== 10) j++;
    if (j < text.length && text.charCodeAt(j) === 41) {
      if (j > i + 2) spans.push(i + 2, j);
      i = text.indexOf('](', j + 1);
    } else {
      i = j < text.length ? text.indexOf('](', j + 1) : -1;
    }
  }
  return spans;
}

/** A `[[...]]` reference as the scanner reads it. */
interface WikiMatch {
  readonly index: number;
  readonly whole: string;
  readonly hash: string;
  readonly target: string;
}

const isBlank = (code: number) => code === 32 || code === 9;

/**
 * `[[Trait title]]`, `[[#id]]`, optionally with a label (`[[#id|label]]`), as
 * /\[\[[ \t]*(#?)([^\[\]|\n]*?)[ \t]*(?:\|[^\[\]\n]*)?\]\]/g matches them: the text between `[[` and
 * `]]` holds no bracket or line break; the target is what precedes the first `|`, blanks trimmed,
 * after an optional `#`.
 */
function wikiReferences(text: string): WikiMatch[] {
  const out: WikiMatch[] = [];
  for (let i = text.indexOf('[['); i >= 0;) {
    let j = i + 2;
    let bar = -1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 91 || c === 93 || c === 10) break; // [ ] \n
      if (c === 124 && bar < 0) bar = j; // |
    }
    if (j + 1 < text.length && text.charCodeAt(j) === 93 && text.charCodeAt(j + 1) === 93) {
      let from = i + 2;
      while (from < j && isBlank(text.charCodeAt(from))) from++;
      const hash = from < (bar < 0 ? j : bar) && text.charCodeAt(from) === 35 ? '#' : '';
      let to = bar < 0 ? j : bar;
      while (to > from + hash.length && isBlank(text.charCodeAt(to - 1))) to--;
      out.push({ index: i, whole: text.slice(i, j + 2), hash, target: text.slice(from + hash.length, to) });
      i = text.indexOf('[[', j + 2);
    } else {
      // Every later `[[` before the stop reaches the same stop, so the search resumes there.
      i = j === i + 2 ? text.indexOf('[[', i + 1) : text.indexOf('[[', j);
    }
  }
  return out;
}

/** Masks code spans only, keeping offsets (a directive written inside backticks is an example). */
export function maskCodeSpans(text: string): string {
  return text.includes('`') ? blankSpans(text, codeSpans(text)) : text;
}

/**
 * Masks code spans and HTML comments with spaces, so prose scanning (and reference finding) ignores
 * them while every offset still points at the same source character.
 */
export function maskCodeAndComments(text: string): string {
  const masked = maskCodeSpans(text);
  return masked.includes('<!--') ? blankSpans(masked, htmlComments(masked)) : masked;
}

/** Masks link destinations too (`[text](   )`): cue words in a URL are not prose. Keeps offsets. */
export function maskLinkDestinations(text: string): string {
  return text.includes('](') ? blankSpans(text, linkDestinations(text)) : text;
}

/**
 * The references in one prose block starting on line `first`, with exact ranges. `text` is the
 * block's lines joined by `\n` with code spans and comments masked (`maskCodeAndComments`), so they
 * are skipped. `traitAt(line)` names the trait the line belongs to (the reference's `fromTrait`).
 */
export function findReferences(first: number, text: string, traitAt: (line: number) => string | undefined): Reference[] {
  if (!text.includes('[')) return [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const at = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: first + lo, character: offset - lineStarts[lo] };
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
  for (const { index, whole, hash, target } of wikiReferences(text)) {
    if (!target) continue;
    push(hash ? 'wiki-id' : 'wiki-title', target, index, whole.length, index + whole.indexOf(target, 2 + hash.length));
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

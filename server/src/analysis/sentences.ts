import type { Paragraph, PartKind } from '../document/model';
import type { Position, Range } from '../document/position';

/** One sentence (or list item) of a trait's prose, with its place in the source. */
export interface Sentence {
  readonly text: string;
  readonly paragraph: Paragraph;
  /** Offsets of the sentence within `paragraph.text`. */
  readonly start: number;
  readonly end: number;
  /** The part the sentence stands in, or undefined for the trait's own body. */
  readonly part: PartKind | undefined;
}

// A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before whitespace, at a
// blank line, or where a list item starts. A blockquote's lines are one paragraph: its markers do not
// end sentences.
const BOUNDARY = /[.!?]["'”’)\]*_]*(?=\s)|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])|\n[ \t]*(?:>[ \t]*)*\n/g;
// Abbreviations whose period does not end a sentence.
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|cf|approx|Mr|Mrs|Ms|Dr|St|No|Fig|al)\.$/i;

/**
 * True when the period at `at` ends an ordered list item's marker: only 1 to 9 digits stand before it
 * on its line, after indentation or blockquote markers ("1. First." is one sentence, not "1." and
 * "First."). Reads back from `at` only as far as the marker could reach: long lines stay linear.
 */
function isListNumber(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && i >= at - 10 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i--;
  if (i === at - 1 || i < at - 10) return false;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '>')) i--;
  return i < 0 || text[i] === '\n';
}

/**
 * Splits a paragraph's text into sentences. List items start new sentences, so a bulleted rule reads
 * as its own sentence, its marker kept with it. Offsets are into `paragraph.text`, which keeps source
 * offsets line by line, so `sentenceRange` can map them back.
 */
export function splitSentences(paragraph: Paragraph): Sentence[] {
  const text = paragraph.text;
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (/[A-Za-z0-9]/.test(trimmed)) {
      out.push({ text: trimmed, paragraph, start: start + lead, end: start + lead + trimmed.length, part: paragraph.part });
    }
  };
  for (const m of text.matchAll(BOUNDARY)) {
    const end = (m.index ?? 0) + (m[0].startsWith('\n') ? 0 : m[0].length);
    if (
      !m[0].startsWith('\n') &&
      (ABBREVIATION.test(text.slice(Math.max(start, end - 8), (m.index ?? 0) + 1)) || isListNumber(text, m.index ?? 0))
    )
      continue;
    push(end);
    start = end;
  }
  push(text.length);
  return out;
}

const sentencesOf = new WeakMap<Paragraph, Sentence[]>();

/** The sentences of a paragraph, cached per paragraph object (a parse after an edit hands back unchanged ones). */
export function paragraphSentences(paragraph: Paragraph): Sentence[] {
  let s = sentencesOf.get(paragraph);
  if (!s) sentencesOf.set(paragraph, (s = splitSentences(paragraph)));
  return s;
}

const lineStartsOf = new WeakMap<Paragraph, number[]>();

/** The LSP position of an offset within a paragraph's text (a binary search over its line starts). */
export function paragraphPosition(paragraph: Paragraph, offset: number): Position {
  let starts = lineStartsOf.get(paragraph);
  if (!starts) {
    starts = [0];
    for (let i = paragraph.text.indexOf('\n'); i >= 0; i = paragraph.text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStartsOf.set(paragraph, starts);
  }
  // The last line starting at or before `offset` (a line break at `offset` itself stays on its line).
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: paragraph.range.start.line + lo, character: offset - starts[lo] };
}

/** The range of `[start, end)` offsets of a paragraph's text. */
export function paragraphRange(paragraph: Paragraph, start: number, end: number): Range {
  return { start: paragraphPosition(paragraph, start), end: paragraphPosition(paragraph, end) };
}

/** The range of a sentence, or of `[from, to)` offsets within it. */
export function sentenceRange(sentence: Sentence, from = 0, to = sentence.end - sentence.start): Range {
  return paragraphRange(sentence.paragraph, sentence.start + from, sentence.start + to);
}

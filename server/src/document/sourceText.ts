import { maskCodeAndComments } from './references';
import type { LineIndex } from './position';

/** The last line of `first..last` that is not blank (`first` when all are). */
export function trimBlankEnd(lines: LineIndex, first: number, last: number): number {
  let l = last;
  while (l > first && lines.lineText(l).trim() === '') l--;
  return l;
}

/**
 * Lines `first..last` joined by `\n`, with code spans and HTML comments masked by spaces: what
 * references are read from. Masking link destinations as well gives a paragraph's prose text, in
 * which cue words inside code, comments or URLs are not read, and offsets still map to the source.
 */
export function maskedLines(lines: LineIndex, first: number, last: number): string {
  return maskCodeAndComments(normaliseLineBreaks(lines.text.slice(lines.lineStart(first), lines.lineEnd(last))));
}

/** `\r\n` and lone `\r` as `\n`: text handed on (prose, chunks) reads the same whatever the file used. */
export function normaliseLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

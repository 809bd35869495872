/**
 * Grounding a model's quote in the text it was given: a quote counts only when it stands in the
 * text verbatim, whitespace apart (a model re-wraps lines and collapses indentation; it must not
 * paraphrase).
 */

/** `text` with every run of whitespace made one space, and trimmed. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Where `quote` stands in `text` once runs of whitespace in both are compared as one space: the
 * UTF-16 offsets `[start, end)` of the first occurrence in `text` as given, or undefined when it is
 * not there (or is blank). Case, punctuation and markup must match exactly.
 */
export function findQuote(text: string, quote: string): { start: number; end: number } | undefined {
  const wanted = normaliseWhitespace(quote);
  if (!wanted) return undefined;
  // The text with whitespace runs collapsed, and for each of its characters the offset it came from.
  let flat = '';
  const from: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) {
      if (flat.endsWith(' ') || flat === '') continue;
      flat += ' ';
    } else {
      flat += text[i];
    }
    from.push(i);
  }
  const at = flat.indexOf(wanted);
  if (at < 0) return undefined;
  return { start: from[at], end: from[at + wanted.length - 1] + 1 };
}

/** True when `quote` stands in `text` (see findQuote). */
export function quoteIsIn(text: string, quote: string): boolean {
  return findQuote(text, quote) !== undefined;
}

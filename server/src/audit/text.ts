/**
 * Text helpers the detectors share: Markdown-stripped lines and sentences at the start and end of a
 * response, and the normalised form phrases are compared in. All linear in the text they look at.
 */

/** A fence, rule or table divider (only pipes, colons, spaces and dashes, with a run of three): structure, not a sentence. */
const NON_TEXT_LINE = /^(?:```|~~~|\*{3,}\s*$|_{3,}\s*$|={3,}\s*$|(?=.*-{3})[|:\s-]+$)/;

/**
 * A line without its Markdown markers: quote `>`, heading `#`, list marker (`-`, `*`, `+`, `•`,
 * `1.`, `1)`) and emphasis/code characters; '' for a fence, horizontal rule or blank line.
 */
export function stripMarkdown(line: string): string {
  const t = line.trim();
  if (t === '' || NON_TEXT_LINE.test(t)) return '';
  const text = t
    .replace(/^(?:>\s*)+/, '')
    .replace(/^#{1,6}\s+/, '')
    .replace(/^(?:[-*+•]|\d{1,3}[.)])\s+/, '');
  // Most lines hold no emphasis: skip the global replace for them.
  return (/[*_`]/.test(text) ? text.replace(/\*\*|__|[*_`]/g, '') : text).trim();
}

/**
 * The sentences of one line of text: split after `.`, `!`, `?` or `…` (and any closing quote or
 * bracket) followed by whitespace. A piece with no letter or digit (an emoji, a stray dash) is
 * joined to the sentence before it, as is such a run at the start of the next sentence, so
 * "Does that help? 🙂" stays one question. With `limit`, stops once that many sentences are found
 * (the last of them may then lack a trailing emoji).
 */
export function splitSentences(text: string, limit = Infinity): string[] {
  const out: string[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n && out.length < limit; i++) {
    const c = text.charCodeAt(i);
    if (c !== 46 && c !== 33 && c !== 63 && c !== 0x2026) continue;
    let j = i + 1;
    while (j < n && /[.!?…"'”’)\]]/.test(text[j])) j++;
    if (j < n && !/\s/.test(text[j])) {
      i = j - 1;
      continue;
    }
    push(text.slice(start, j));
    start = j;
    i = j - 1;
  }
  if (out.length < limit) push(text.slice(start));
  return out;

  function push(piece: string): void {
    let s = piece.trim();
    if (s === '') return;
    // An emoji (or other symbols) after the end mark belongs to the sentence it follows.
    const lead = out.length ? LEADING_SYMBOLS.exec(s) : null;
    if (lead) {
      out[out.length - 1] += ` ${lead[1]}`;
      s = s.slice(lead[0].length);
    }
    if (!/[\p{L}\p{N}]/u.test(s) && out.length) out[out.length - 1] += ` ${s}`;
    else out.push(s);
  }
}

const LEADING_SYMBOLS = /^([^\p{L}\p{N}\s]+)\s+(?=\S)/u;

/** Enough of the sentences at the end of `text` for the last two: a long line is split from 1 000 characters before its end. */
function lastSentencesOf(text: string): string[] {
  const TAIL = 1000;
  if (text.length <= TAIL) return splitSentences(text);
  const sentences = splitSentences(text.slice(text.length - TAIL));
  // The first piece may be a cut sentence: dropped, unless too few are left.
  return sentences.length > 2 ? sentences.slice(1) : splitSentences(text);
}

/**
 * The normalised form phrases are counted and compared in: lower case, curly apostrophes made
 * straight, everything but letters and in-word apostrophes (digits and punctuation included)
 * turned into single spaces, trimmed. "Great question! 1+1 is 2." → "great question is".
 */
export function normalize(text: string): string {
  // One pass over the characters into a reused buffer, one string made at the end: this runs a few
  // times per record, and building the string a character at a time made garbage enough to slow
  // the collector on 100 000 records. A regex per character only for non-ASCII ones.
  if (text.length > NORMALIZE_BUFFER.length) return normalize(text.slice(0, NORMALIZE_BUFFER.length - 2));
  const buf = NORMALIZE_BUFFER;
  let n = 0;
  let pendingSpace = false;
  let pendingApostrophe = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      // a lower-case letter
    } else if (c >= 65 && c <= 90) {
      c += 32;
    } else if (c === 39 || c === 0x2018 || c === 0x2019 || c === 0x02bc) {
      // An apostrophe is kept only between two letters: "it's" stays, "'quoted'" loses it.
      if (n > 0 && !pendingSpace) pendingApostrophe = true;
      continue;
    } else if (c >= 128 && LETTER.test(text[i])) {
      const lower = text[i].toLowerCase();
      if (lower.length === 1) c = lower.charCodeAt(0);
    } else {
      pendingSpace = n > 0;
      pendingApostrophe = false;
      continue;
    }
    if (pendingSpace) buf[n++] = 32;
    else if (pendingApostrophe) buf[n++] = 39;
    pendingSpace = pendingApostrophe = false;
    buf[n++] = c;
  }
  let out = '';
  // fromCharCode in slices: its argument count is limited.
  for (let k = 0; k < n; k += 8192) out += String.fromCharCode.apply(null, buf.subarray(k, Math.min(n, k + 8192)) as unknown as number[]);
  return out;
}

/** normalize's output buffer; a longer sentence is cut to this many characters (no phrase needs more). */
const NORMALIZE_BUFFER = new Uint16Array(1 << 16);
const LETTER = /^\p{L}/u;

/** Words in `text`: runs of non-whitespace. */
export function wordCount(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control characters and space, and the no-break space.
    const space = c <= 32 || c === 0xa0;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/**
 * A response as the detectors read it. Each view is computed on first use and kept, so detectors
 * that need the same thing (the first sentences, the lines) pay for it once.
 */
export class ResponseView {
  private _lines?: string[];
  private _first?: string[];
  private _last?: string[];
  private _words?: number;
  private _firstNormalized?: string[];
  private _lastNormalized?: string[];

  constructor(readonly text: string) {}

  /**
   * The response's lines outside fenced code blocks (a "# comment" or "- x" in code is neither a
   * heading nor a list item, and code is not a sentence), untrimmed: split on \n, a \r left for
   * trim to remove. The fence lines themselves are left out too.
   */
  get lines(): string[] {
    if (this._lines) return this._lines;
    const all = this.text.split('\n');
    if (!this.text.includes('```') && !this.text.includes('~~~')) return (this._lines = all);
    const prose: string[] = [];
    let fence: string | null = null;
    for (const line of all) {
      const m = FENCE.exec(line);
      if (m) {
        // A fence closes only with the same character it opened with.
        if (fence === null) fence = m[1][0];
        else if (m[1][0] === fence) fence = null;
        continue;
      }
      if (fence === null) prose.push(line);
    }
    return (this._lines = prose);
  }

  /** The first two sentences (Markdown stripped, case kept); fewer when the response has fewer. */
  get firstSentences(): string[] {
    if (this._first) return this._first;
    const out: string[] = [];
    for (const line of this.lines) {
      const text = stripMarkdown(line);
      if (text === '') continue;
      for (const s of splitSentences(text, 2 - out.length)) {
        out.push(s);
        if (out.length === 2) return (this._first = out);
      }
    }
    return (this._first = out);
  }

  /** The last two sentences, in text order (Markdown stripped, case kept). */
  get lastSentences(): string[] {
    if (this._last) return this._last;
    const out: string[] = [];
    const lines = this.lines;
    for (let i = lines.length - 1; i >= 0 && out.length < 2; i--) {
      const text = stripMarkdown(lines[i]);
      if (text === '') continue;
      const sentences = lastSentencesOf(text);
      for (let j = sentences.length - 1; j >= 0 && out.length < 2; j--) out.unshift(sentences[j]);
    }
    return (this._last = out);
  }

  /** firstSentences, normalised (see normalize). */
  get firstNormalized(): string[] {
    return (this._firstNormalized ??= this.firstSentences.map(normalize));
  }

  /** lastSentences, normalised (see normalize). */
  get lastNormalized(): string[] {
    return (this._lastNormalized ??= this.lastSentences.map(normalize));
  }

  /** Number of words. */
  get words(): number {
    return (this._words ??= wordCount(this.text));
  }
}

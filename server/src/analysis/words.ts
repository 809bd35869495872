import { detachString } from '../document/reuse';
import { grownTo } from './int32Arrays';
import { memo, onClearMemos } from './memo';

/** Word-level helpers shared by the wording rules: tokenising, stop words and light stemming. */

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const MARK = /\p{M}/u;

/**
 * True for a letter or digit of lower-cased text (`code` is `text.charCodeAt(i)`); fast paths for
 * ASCII (no capitals there) and General Punctuation (dashes, curly quotes: no letters, digits or
 * marks), Unicode properties beyond them.
 */
function isWordChar(code: number, text: string, i: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
  return !isGeneralPunctuation(code) && LETTER_OR_DIGIT.test(text[i]);
}

/** True for a combining mark (`code` as for `isWordChar`); they start at U+0300. */
function isMark(code: number, text: string, i: number): boolean {
  return code >= 0x300 && !isGeneralPunctuation(code) && MARK.test(text[i]);
}

function isGeneralPunctuation(code: number): boolean {
  return code >= 0x2000 && code <= 0x206f;
}

/**
 * Lower-cased words of a text: runs of Unicode letters and digits, keeping inner apostrophes and
 * hyphens ("don't", "trade-off"). A hand-written scanner: this runs over every trait's prose.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  forEachWord(text, (w) => out.push(w));
  return out;
}

/**
 * The distinct words of a text (`words(text)`) in order of first use, as their numbers in
 * `vocabulary` (the i-th is `vocabulary.words[ids[i]]`), how often each occurs, and how many words
 * in all.
 */
export interface DistinctWords {
  readonly ids: Int32Array;
  readonly counts: Int32Array;
  readonly total: number;
  readonly vocabulary: Vocabulary;
}

/**
 * The words met since the memos were last cleared, numbered. What a caller derives from a word
 * alone (its stem, its letters) it can keep per number (`PerWord`), once per vocabulary: a new one
 * starts after `clearMemos` and when this one is full.
 */
export interface Vocabulary {
  readonly words: readonly string[];
}

/** A number kept per word of one vocabulary (0 until set), for what is derived from the word alone. */
export class PerWord {
  private values: Int32Array = new Int32Array(1024);

  get(id: number): number {
    return id < this.values.length ? this.values[id] : 0;
  }

  set(id: number, value: number): void {
    if (id >= this.values.length) this.values = grownTo(this.values, id + 1);
    this.values[id] = value;
  }
}

const distinctOf = memo<DistinctWords>(20_000);

/**
 * `words(text)` counted (see `DistinctWords`), memoised by text: the wording rules that read a
 * trait's prose (vague-trait, duplicate-trait) tokenise it once between them.
 */
export function distinctWords(text: string): DistinctWords {
  return distinctOf.get(text, countWords);
}

/**
 * Every distinct word `countWords` has met since the memos were last cleared, each held once: an
 * open-addressing table of word numbers keyed by a hash read while scanning, compared in place. A
 * word met before (in this text or another: traits share most of their words) costs no string.
 */
class WordTable implements Vocabulary {
  readonly words: string[] = [];
  // Typed: a 32-bit hash held in a plain array would be a heap number, one allocation per word.
  hashes: Int32Array = new Int32Array(1024);
  /** Per word, the `countWords` call that last met it, and its index in that call's answer. */
  lastCall: Int32Array = new Int32Array(1024);
  indexInCall: Int32Array = new Int32Array(1024);
  private table: Int32Array = new Int32Array(2048); // word number + 1; 0: free

  /** The number of `lower`'s characters `[start, end)`, whose hash is `hash`, added when new. */
  find(lower: string, start: number, end: number, hash: number): number {
    const mask = this.table.length - 1;
    let slot = hash & mask;
    for (let at = this.table[slot] - 1; at >= 0; at = this.table[slot] - 1) {
      if (this.hashes[at] === hash && sameWord(this.words[at], lower, start, end)) return at;
      slot = (slot + 1) & mask;
    }
    const at = this.words.length;
    if (at === this.hashes.length) {
      this.hashes = grownTo(this.hashes, at + 1);
      this.lastCall = grownTo(this.lastCall, at + 1);
      this.indexInCall = grownTo(this.indexInCall, at + 1);
    }
    this.hashes[at] = hash;
    this.lastCall[at] = -1;
    // Detached: the table outlives the text, which a long word's slice would keep alive.
    this.table[slot] = this.words.push(detachString(lower.slice(start, end)));
    // At most half full, so a probe ends soon at a free slot.
    if (2 * this.words.length > this.table.length) this.table = rehash(this.hashes, this.words.length, 2 * this.table.length);
    return at;
  }
}

// Bounded: a stream of documents of unique words must not grow it without limit.
const MAX_TABLE_WORDS = 100_000;
let table = new WordTable();
let calls = 0;
onClearMemos(() => (table = new WordTable()));

// Scratch for `countWords`: the answer's numbers and counts as they are found, copied out at the end
// at their exact length (arrays grown by push would allocate several times that).
let foundIds: Int32Array = new Int32Array(1024);
let foundCounts: Int32Array = new Int32Array(1024);

/** One pass over the lower-cased text, each word looked up in the `WordTable`: only a word never met is sliced out. */
function countWords(text: string): DistinctWords {
  if (table.words.length > MAX_TABLE_WORDS || calls === 0x7fffffff) {
    table = new WordTable();
    calls = 0;
  }
  const call = calls++;
  const lower = text.toLowerCase();
  let distinct = 0;
  let total = 0;
  for (let start = 0; start < lower.length; start++) {
    if (!isWordChar(lower.charCodeAt(start), lower, start)) continue;
    const end = wordEnd(lower, start);
    total++;
    const at = table.find(lower, start, end, wordHash);
    if (table.lastCall[at] === call) foundCounts[table.indexInCall[at]]++;
    else {
      if (distinct === foundIds.length) {
        foundIds = grownTo(foundIds, distinct + 1);
        foundCounts = grownTo(foundCounts, distinct + 1);
      }
      table.lastCall[at] = call;
      table.indexInCall[at] = distinct;
      foundIds[distinct] = at;
      foundCounts[distinct++] = 1;
    }
    start = end;
  }
  return { ids: foundIds.slice(0, distinct), counts: foundCounts.slice(0, distinct), total, vocabulary: table };
}

/** A table (see `WordTable`) of `size` slots holding the first `count` words, whose hashes are `hashes`. */
function rehash(hashes: Int32Array, count: number, size: number): Int32Array {
  const out = new Int32Array(size);
  const mask = size - 1;
  for (let k = 0; k < count; k++) {
    let slot = hashes[k] & mask;
    while (out[slot]) slot = (slot + 1) & mask;
    out[slot] = k + 1;
  }
  return out;
}

/** True when `word` is `lower`'s characters `[start, end)`. */
function sameWord(word: string, lower: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== lower.charCodeAt(start + i)) return false;
  return true;
}

/** Calls `fn` with each word of `words(text)`, in order, without collecting them (a long prose makes no array). */
export function forEachWord(text: string, fn: (word: string) => void): void {
  const lower = text.toLowerCase();
  for (let start = 0; start < lower.length; start++) {
    if (!isWordChar(lower.charCodeAt(start), lower, start)) continue;
    const end = wordEnd(lower, start);
    fn(lower.slice(start, end));
    start = end;
  }
}

/** The hash of the word `wordEnd` last read (`countWords` looks words up by it). */
let wordHash = 0;

/**
 * The end (exclusive) of the word starting at offset `start` of a lower-cased text: letters, digits
 * and combining marks (Devanagari's vowel signs, a decomposed "é"), and an apostrophe or hyphen
 * between two letters or digits ("don't", "trade-off"). Sets `wordHash` on the way.
 */
function wordEnd(lower: string, start: number): number {
  let hash = lower.charCodeAt(start);
  let i = start + 1;
  for (; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (!isWordChar(code, lower, i) && !isMark(code, lower, i)) {
      const joiner = code === 39 || code === 0x2019 || code === 45; // ' ’ -
      if (!joiner || i + 1 >= lower.length || !isWordChar(lower.charCodeAt(i + 1), lower, i + 1)) break;
    }
    hash = (Math.imul(hash, 31) + code) | 0;
  }
  wordHash = hash;
  return i;
}

// Function words and the Model Spec's own constants ("assistant", "user", "model") that say nothing
// about what distinguishes one trait from another.
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
  between both but by can could did do does doing down during each few for from further had has have having
  he her here hers herself him himself his how i if in into is it its itself just may me might more most must
  my myself no nor not now of off on once only or other our ours ourselves out over own same she should so
  some such than that the their theirs them themselves then there these they this those through to too under
  until up very was we were what when where which while who whom why will with would you your yours yourself
  it's don't doesn't isn't aren't shouldn't can't won't e.g i.e etc assistant assistants user users model
  models response responses ai`.split(/\s+/),
);

const SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ingly', 'ings', 'ing', 'edly', 'ies', 'ied', 'ed', 'ly', 'es', 's'];
const stems = new Map<string, string>();

/** A light suffix-stripping stem, enough to match "refuses" with "refusing" for lexical similarity. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  let result = stems.get(word);
  if (result !== undefined) return result;
  result = word;
  for (const suffix of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      result = suffix === 'ies' || suffix === 'ied' ? base + 'y' : base;
      break;
    }
  }
  // A final silent e goes too, so "refuse", "refuses" and "refusing" share the stem "refus".
  if (result.length > 4 && result.endsWith('e')) result = result.slice(0, -1);
  // Bounded: a huge document of unique words must not grow this without limit.
  if (stems.size > 100_000) stems.clear();
  stems.set(word, result);
  return result;
}

/** Content words of a text, stemmed, with stop words and bare numbers removed. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const c = w.charCodeAt(0);
    if (STOP_WORDS.has(w) || (c >= 48 && c <= 57 && /^\d+$/.test(w))) continue;
    out.push(stem(w));
  }
  return out;
}

/** `text` with every regular-expression metacharacter escaped, to match it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Scripts written without spaces between words: their words are found by Intl.Segmenter.
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;
let segmenter: Intl.Segmenter | undefined;

// Where a character of those scripts may stand: every one of them lies at U+0E00 or above, and
// General Punctuation (curly quotes, dashes: common in English) holds none of them.
const MAY_BE_UNSPACED = /[\u0e00-\u1fff\u2070-\uffff]/;

/** `UNSPACED.test(text)`, with the Unicode-property expression run only from the first character that might match. */
function hasUnspacedScript(text: string): boolean {
  const first = text.search(MAY_BE_UNSPACED);
  return first >= 0 && UNSPACED.test(text.slice(first));
}

/**
 * Number of words in a text. Text in scripts written without spaces (Chinese, Japanese, Thai, ...)
 * is segmented with `Intl.Segmenter` (ICU's dictionary-based word breaks), sentence by sentence since
 * its cost grows faster than linearly with the input; other text is counted by `words`, which agrees
 * with the segmenter there and is two orders of magnitude faster (pass the number of `words(text)`
 * when already known).
 */
export function wordCount(text: string, spacedCount?: number): number {
  if (!hasUnspacedScript(text)) return spacedCount ?? words(text).length;
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  let n = 0;
  for (const piece of text.split(/(?<=[.!?。！？\n])/)) {
    for (const s of segmenter.segment(piece)) if (s.isWordLike) n++;
  }
  return n;
}

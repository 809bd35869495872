import type { Trait, TraitDocument } from '../document/model';
import { memo } from './memo';

/**
 * Whether the coverage cues (English phrases) can judge a text: most of its letters are Latin, and
 * English function words make up a fair share of its words or at least outnumber those of the other
 * common Latin-script languages (terse English, "Benchmark critical paths. Apply DRY.", has few
 * function words, but French or German has more of its own). Text too short to tell is judged.
 * Trait documents in other languages get one note instead of a finding on every trait.
 */

// Frequent English function words: a third to a half of running English text, a few percent of
// French, German or Spanish text.
const ENGLISH = new Set(
  `the a an and or but of to in on at by for with from as is are was were be been being it its this that
  these those they them their he she his her we our you your not no if when while because so than then
  which who whom what should must may might can could will would do does did has have had there here
  about into over under only also more most such any each all other some`.split(/\s+/),
);
// Frequent function words of French, Spanish, Portuguese, Italian, German and Dutch that are not
// English words or common in English text ("et al.", "OS", "em dash", "van", "Del"), nor single
// letters, which abbreviations leave behind.
const OTHER = new Set(
  `le la les des une du dans avec qui que pas sur aux ce cette ne sont il elle nous vous leur
  el los las es por para con una lo como pero está están
  não uma com são da dos das
  di che della delle dei gli sono non
  der das und ist nicht ein eine zu mit auf für sich auch wird werden oder wenn
  het een en niet zijn voor`.split(/\s+/),
);
const MIN_WORDS = 30;
const MIN_LETTERS = 20;
// A trait's own prose decides for it from this length on; shorter traits are judged as the document is.
const MIN_TRAIT_CHARS = 150;
const MIN_ENGLISH_SHARE = 0.15;
const MIN_LATIN_SHARE = 0.5;

interface Stats {
  letters: number;
  latin: number;
  words: number;
  english: number;
  other: number;
}

const statsOf = memo<Stats>(20_000);

// A text's language shows in its first few hundred words: longer texts are judged by their start.
const SAMPLE_CHARS = 2_000;

/**
 * Letters, Latin letters, words, and English and other function words of a text's first
 * SAMPLE_CHARS characters (memoised by that sample).
 */
function stats(text: string): Stats {
  return statsOf.get(sample(text), scan);
}

const sample = (text: string) => (text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text);

// Per trait object: a parse after an edit hands back unchanged traits (and by sample, in `stats`, for
// the traits a line break shifts, which come back as new objects).
const statsOfTrait = new WeakMap<Trait, Stats>();

/** `stats` of a trait's prose, kept per trait object. */
function traitStats(trait: Trait): Stats {
  let s = statsOfTrait.get(trait);
  if (!s) statsOfTrait.set(trait, (s = stats(trait.prose)));
  return s;
}

function judge({ letters, latin, words, english, other }: Stats): boolean {
  if (!letters) return true;
  if (latin / letters < MIN_LATIN_SHARE) return letters < MIN_LETTERS;
  if (words < MIN_WORDS) return true;
  return english / words >= MIN_ENGLISH_SHARE || english >= other;
}

/** True when the cues can judge `text` (see above). */
export function cuesCoverLanguage(text: string): boolean {
  return judge(stats(text));
}

const LETTER = /\p{L}/u;
const LATIN = /\p{Script=Latin}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * One pass over a text without allocating per character: letters, Latin letters, and the words
 * `words()` would find. A word of ASCII letters is looked up by its `asciiKey`, read on the way; only
 * the rare word short enough to be a function word and holding other characters is sliced out.
 */
function scan(text: string): Stats {
  let letters = 0;
  let latin = 0;
  let count = 0;
  let english = 0;
  let other = 0;
  let start = -1;
  // The word's `asciiKey` so far, or -1 once it holds a character other than an ASCII letter.
  let key = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    let wordChar: boolean;
    if (c < 128) {
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      if (letter) {
        letters++;
        latin++;
      }
      wordChar = letter || (c >= 48 && c <= 57);
      if (wordChar) {
        if (start < 0) key = 0;
        key = letter && key >= 0 ? key * 27 + (c | 32) - 96 : -1;
      }
    } else {
      const ch = text[i];
      if (LETTER.test(ch)) {
        letters++;
        if (LATIN.test(ch)) latin++;
        wordChar = true;
      } else wordChar = LETTER_OR_DIGIT.test(ch);
      if (wordChar) key = -1;
    }
    if (wordChar) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    // Inner apostrophes and hyphens join a word, as in `words()`.
    if ((c === 39 || c === 0x2019 || c === 45) && i + 1 < text.length && isWordStart(text, i + 1)) {
      key = -1;
      continue;
    }
    count++;
    if (i - start <= LONGEST_FUNCTION_WORD) {
      if (key >= 0) {
        if (ENGLISH_KEYS.has(key)) english++;
        else if (OTHER_KEYS.has(key)) other++;
      } else {
        const word = text.slice(start, i).toLowerCase();
        if (ENGLISH.has(word)) english++;
        else if (OTHER.has(word)) other++;
      }
    }
    start = -1;
  }
  return { letters, latin, words: count, english, other };
}

function isWordStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER_OR_DIGIT.test(text[i]);
}

const LONGEST_FUNCTION_WORD = Math.max(...[...ENGLISH, ...OTHER].map((w) => w.length));

/**
 * A word of ASCII letters as a number, case-insensitively (each letter a base-27 digit, 1 to 26), or
 * -1 for any other word. Exact up to 11 letters, beyond the longest function word.
 */
function asciiKey(word: string): number {
  let key = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) | 32;
    if (c < 97 || c > 122) return -1;
    key = key * 27 + c - 96;
  }
  return key;
}

const keysOf = (words: ReadonlySet<string>) => new Set([...words].map(asciiKey).filter((k) => k >= 0));
const ENGLISH_KEYS = keysOf(ENGLISH);
const OTHER_KEYS = keysOf(OTHER);

const unjudgedOf = new WeakMap<TraitDocument, ReadonlySet<Trait>>();

/**
 * The traits whose prose the coverage cues cannot judge (cached per document). A trait too short to
 * tell is judged as the document is.
 */
export function traitsInOtherLanguages(document: TraitDocument): ReadonlySet<Trait> {
  let found = unjudgedOf.get(document);
  if (!found) {
    // The document's figures are the sum of its traits' (of their samples): each trait's are
    // kept, so an edit rescans one trait, not the whole document.
    const total: Stats = { letters: 0, latin: 0, words: 0, english: 0, other: 0 };
    for (const t of document.traits) {
      const s = traitStats(t);
      total.letters += s.letters;
      total.latin += s.latin;
      total.words += s.words;
      total.english += s.english;
      total.other += s.other;
    }
    const documentJudged = judge(total);
    found = new Set(document.traits.filter((t) => (t.prose.length >= MIN_TRAIT_CHARS ? !judge(traitStats(t)) : !documentJudged)));
    unjudgedOf.set(document, found);
  }
  return found;
}

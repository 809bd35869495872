import type { Trait, TraitDocument } from '../document/model';
import { distinctWords, PerWord, type Vocabulary } from './words';

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

/**
 * Letters, Latin letters, words, and English and other function words of a text, from its distinct
 * words (`distinctWords`, memoised by text and shared with the wording rules, which read every
 * trait's prose too) and what is known of each word (`wordStats`): no pass over the text.
 */
function stats(text: string): Stats {
  const { ids, counts, total, vocabulary } = distinctWords(text);
  const known = wordStats(vocabulary);
  const s: Stats = { letters: 0, latin: 0, words: total, english: 0, other: 0 };
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (!known.letters.get(id)) learn(known, id, vocabulary.words[id]);
    const n = counts[k];
    const latinAndKind = known.latinAndKind.get(id) - 1;
    s.letters += n * (known.letters.get(id) - 1);
    s.latin += n * (latinAndKind >> 2);
    if ((latinAndKind & 3) === ENGLISH_WORD) s.english += n;
    else if ((latinAndKind & 3) === OTHER_WORD) s.other += n;
  }
  return s;
}

const ENGLISH_WORD = 1;
const OTHER_WORD = 2;

/** Per word of a vocabulary: its letters + 1, and its Latin letters × 4 + its function-word class + 1 (0: not yet known). */
interface WordStats {
  readonly letters: PerWord;
  readonly latinAndKind: PerWord;
}

const perVocabulary = new WeakMap<Vocabulary, WordStats>();

function wordStats(vocabulary: Vocabulary): WordStats {
  let known = perVocabulary.get(vocabulary);
  if (!known) perVocabulary.set(vocabulary, (known = { letters: new PerWord(), latinAndKind: new PerWord() }));
  return known;
}

/** Records word `id`'s letters, Latin letters and function-word class (English, other or neither). */
function learn(known: WordStats, id: number, word: string): void {
  let letters = 0;
  let latin = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 128) {
      if (c >= 97 && c <= 122) {
        letters++;
        latin++;
      }
    } else if (LETTER.test(word[i])) {
      letters++;
      if (LATIN.test(word[i])) latin++;
    }
  }
  const kind = ENGLISH.has(word) ? ENGLISH_WORD : OTHER.has(word) ? OTHER_WORD : 0;
  known.letters.set(id, letters + 1);
  known.latinAndKind.set(id, latin * 4 + kind + 1);
}

// Per trait object: a parse after an edit hands back unchanged traits (and by text, through
// `distinctWords`, for the traits a line break shifts, which come back as new objects).
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

const unjudgedOf = new WeakMap<TraitDocument, ReadonlySet<Trait>>();

/**
 * The traits whose prose the coverage cues cannot judge (cached per document). A trait too short to
 * tell is judged as the document is.
 */
export function traitsInOtherLanguages(document: TraitDocument): ReadonlySet<Trait> {
  let found = unjudgedOf.get(document);
  if (!found) {
    // The document's figures are the sum of its traits': each trait's are
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

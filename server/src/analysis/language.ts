import type { Trait, TraitDocument } from '../document/model';
import { memo } from './memo';
import { words } from './words';

/**
 * Whether the coverage cues (English phrases) can judge a text: most of its letters are Latin and
 * English function words make up a fair share of its words. Text too short to tell is judged.
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
const MIN_WORDS = 30;
const MIN_LETTERS = 20;
// A trait's own prose decides for it from this length on; shorter traits are judged as the document is.
const MIN_TRAIT_CHARS = 150;
const MIN_ENGLISH_SHARE = 0.15;
const MIN_LATIN_SHARE = 0.5;

const judged = memo<boolean>(20_000);

/** True when the cues can judge `text` (see above). */
export function cuesCoverLanguage(text: string): boolean {
  return judged.get(text, (t) => {
    const letters = t.match(/\p{L}/gu)?.length ?? 0;
    if (!letters) return true;
    const latin = t.match(/\p{Script=Latin}/gu)?.length ?? 0;
    const all = words(t);
    if (latin / letters < MIN_LATIN_SHARE) return letters < MIN_LETTERS;
    if (all.length < MIN_WORDS) return true;
    return all.filter((w) => ENGLISH.has(w)).length / all.length >= MIN_ENGLISH_SHARE;
  });
}

const unjudgedOf = new WeakMap<TraitDocument, ReadonlySet<Trait>>();

/**
 * The traits whose prose the coverage cues cannot judge (cached per document). A trait too short to
 * tell is judged as the document is.
 */
export function traitsInOtherLanguages(document: TraitDocument): ReadonlySet<Trait> {
  let found = unjudgedOf.get(document);
  if (!found) {
    const documentJudged = cuesCoverLanguage(document.traits.map((t) => t.prose).join('\n\n'));
    found = new Set(document.traits.filter((t) => (t.prose.length >= MIN_TRAIT_CHARS ? !cuesCoverLanguage(t.prose) : !documentJudged)));
    unjudgedOf.set(document, found);
  }
  return found;
}

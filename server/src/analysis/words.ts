/** Word-level helpers shared by the wording rules: tokenising, stop words and light stemming. */

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Lower-cased words of a text (letters and digits, inner apostrophes and hyphens kept). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []) as string[];
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

/** A light suffix-stripping stem, enough to match "refuses" with "refusing" for lexical similarity. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ations', 'ation', 'ments', 'ment', 'ingly', 'ings', 'ing', 'edly', 'ies', 'ied', 'ed', 'ly', 'es', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      return suffix === 'ies' || suffix === 'ied' ? base + 'y' : base;
    }
  }
  return word;
}

/** Content words of a text, stemmed, stop words removed. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w))
    .map(stem);
}

import { memo } from '../analysis/memo';
import { similarPairsOf, termCounts, type TermCounts } from '../analysis/similarity';
import type { Trait } from '../document/model';
import { defineRule } from './rule';

// Per trait object: a parse after an edit hands back unchanged traits, whose terms need no new count.
// By prose too: a line break shifts every trait below it, which come back as new objects.
const countsOf = new WeakMap<Trait, TermCounts>();
const countsOfProse = memo<{ title: string; counts: TermCounts }>(20_000);

/** The term counts of a trait's title and prose (as one text, `title⏎prose`), kept per trait object and by prose. */
function traitCounts(trait: Trait): TermCounts {
  let counts = countsOf.get(trait);
  if (!counts) {
    const { title, prose } = trait;
    let kept = countsOfProse.get(prose, () => ({ title, counts: termCounts(title, prose) }));
    if (kept.title !== title) kept = { title, counts: termCounts(title, prose) };
    countsOf.set(trait, (counts = kept.counts));
  }
  return counts;
}

/**
 * One key per distinct text `title⏎prose` (a title is one line, so equal texts are equal titles and
 * equal proses), found without building the texts.
 */
function textKeys(traits: readonly Trait[]): object[] {
  const byTitle = new Map<string, Map<string, object>>();
  return traits.map(({ title, prose }) => {
    let byProse = byTitle.get(title);
    if (!byProse) byTitle.set(title, (byProse = new Map()));
    let key = byProse.get(prose);
    if (!key) byProse.set(prose, (key = {}));
    return key;
  });
}

/** The last search: an edit outside every trait's title and prose leaves each trait's counts, and so the pairs, as they were. */
let last: { counts: readonly TermCounts[]; threshold: number; pairs: ReturnType<typeof similarPairsOf> } | undefined;

/**
 * `similarPairsOf` the traits' texts, given their counts: the last search's pairs when every count is
 * the same object as then (a counts object stands for one title and prose, so the texts are the same).
 */
function similarPairs(counts: readonly TermCounts[], traits: readonly Trait[], threshold: number) {
  if (last && last.threshold === threshold && last.counts.length === counts.length && last.counts.every((c, i) => c === counts[i]))
    return last.pairs;
  last = { counts, threshold, pairs: similarPairsOf(textKeys(traits), counts, threshold) };
  return last.pairs;
}

/**
 * TS204 duplicate-trait: two traits whose title and prose are lexically near-identical (TF-IDF cosine
 * at or above `threshold`, default 0.5; the Model Spec's most similar pair of distinct traits scores
 * 0.28). Reported on the later trait, with the earlier one as related information.
 */
export const duplicateTraitRule = defineRule({
  id: 'TS204',
  name: 'duplicate-trait',
  description: 'No two traits say nearly the same thing',
  defaultSeverity: 'warning',
  options: { threshold: 0.5 },
  optionsSchema: { threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
  check({ document, options, report }) {
    const traits = document.traits;
    if (traits.length < 2) return;
    const pairs = similarPairs(traits.map(traitCounts), traits, options.threshold);
    for (const { first, second, similarity } of pairs) {
      const a = traits[first];
      const b = traits[second];
      report({
        trait: b,
        range: b.heading.titleRange,
        message: `"${b.title}" says nearly the same as "${a.title}" (lexical similarity ${similarity.toFixed(2)}): merge them, or make each one's distinct behaviour explicit. Duplicated traits get twice the weight in generated data.`,
        related: [{ message: `"${a.title}" is here`, range: a.heading.titleRange }],
      });
    }
  },
});

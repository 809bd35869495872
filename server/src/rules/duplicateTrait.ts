import { similarPairsOf, termCounts, type TermCounts } from '../analysis/similarity';
import type { Trait } from '../document/model';
import { defineRule } from './rule';

// Per trait object: a parse after an edit hands back unchanged traits, whose terms need no new count.
const textOf = new WeakMap<Trait, { text: string; counts: TermCounts }>();

/** A trait as compared: its title and prose, and their term counts. */
function compared(trait: Trait): { text: string; counts: TermCounts } {
  let found = textOf.get(trait);
  if (!found) {
    const text = `${trait.title}\n${trait.prose}`;
    textOf.set(trait, (found = { text, counts: termCounts(text) }));
  }
  return found;
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
    const texts = traits.map(compared);
    const pairs = similarPairsOf(
      texts.map((t) => t.text),
      texts.map((t) => t.counts),
      options.threshold,
    );
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

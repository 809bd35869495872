import { similarPairs } from '../analysis/similarity';
import { defineRule } from './rule';

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
    const texts = traits.map((t) => `${t.title}\n${t.prose}`);
    for (const { first, second, similarity } of similarPairs(texts, options.threshold)) {
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

import { memo } from '../analysis/memo';
import { distinctWords, wordCount, STOP_WORDS } from '../analysis/words';
import { defineRule } from './rule';

// Evaluative words that name no behaviour a generator or rater could check.
const VAGUE = new Set(
  `good bad appropriate appropriately inappropriate helpful nice proper properly reasonable reasonably suitable
  suitably right correct correctly well best better great positive responsible responsibly sensible adequate
  adequately relevant respectful balanced optimal ideal ideally kind thoughtful ethical ethically fine okay
  nicely excellent quality effective effectively meaningful valuable useful`.split(/\s+/),
);

// Memoised by prose: after an edit, only the traits it touched are measured again.
const measured = memo<Measure>(5_000);

/** Word count, content words, vague content words, and the first four distinct vague words. */
interface Measure {
  count: number;
  content: number;
  vague: number;
  named: string[];
}

// From the prose's distinct words (shared with duplicate-trait): no second pass over the text.
function measure(prose: string): Measure {
  const { ids, counts, total, vocabulary } = distinctWords(prose);
  let content = 0;
  let vague = 0;
  const named: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const w = vocabulary.words[ids[i]];
    if (STOP_WORDS.has(w)) continue;
    content += counts[i];
    if (!VAGUE.has(w)) continue;
    vague += counts[i];
    if (named.length < 4) named.push(w);
  }
  return { count: wordCount(prose, total), content, vague, named };
}

/**
 * TS203 vague-trait: a trait without examples whose prose is too short to describe a behaviour, or is
 * mostly evaluative words ("be good and appropriate"). Options: `minWords` (default 25) and
 * `maxVagueRatio` (share of content words that are vague, default 0.2).
 */
export const vagueTraitRule = defineRule({
  id: 'TS203',
  name: 'vague-trait',
  description: 'A trait describes concrete behaviour, not just evaluative words',
  defaultSeverity: 'warning',
  options: { minWords: 25, maxVagueRatio: 0.2 },
  optionsSchema: {
    minWords: { type: 'integer', minimum: 0 },
    maxVagueRatio: { type: 'number', minimum: 0, maximum: 1 },
  },
  check({ document, options, report }) {
    for (const trait of document.traits) {
      // Examples are concrete behaviour; an empty trait is empty-trait's finding.
      if (trait.examples.length || !trait.paragraphs.length) continue;
      const { count, content, vague, named } = measured.get(trait.prose, measure);
      if (count < options.minWords) {
        report({
          trait,
          range: trait.heading.titleRange,
          message: `"${trait.title}" is ${count} word${count === 1 ? '' : 's'} long with no example: too little for a generator to build realistic scenarios from. Describe the concrete behaviour (at least ${options.minWords} words) or add an example.`,
        });
      } else if (content && vague / content > options.maxVagueRatio) {
        const listed = named.map((w) => `"${w}"`).join(', ');
        report({
          trait,
          range: trait.heading.titleRange,
          message: `"${trait.title}" is mostly evaluative words (${listed}: ${Math.round((100 * vague) / content)}% of its content words) with no concrete behaviour or example. Say what the model does, so a rater could check it.`,
        });
      }
    }
  },
});

import { PART_TITLE } from '../document/headingKinds';
import type { Example } from '../document/model';
import { comparePositions, rangeContains, type Range } from '../document/position';
import { defineRule } from './rule';

/** TS002 empty-trait: a trait heading with nothing under it, or a part heading with nothing under it. */
export const emptyTraitRule = defineRule({
  id: 'TS002',
  name: 'empty-trait',
  description: 'Every trait and every part heading has text under it',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    for (const trait of document.traits) {
      if (!trait.paragraphs.length && !trait.examples.length) {
        report({
          trait,
          range: trait.heading.titleRange,
          message: `Trait "${trait.title}" is empty: the pipeline has nothing to generate from. Describe the behaviour, why it matters, and when it does not apply.`,
        });
        continue;
      }
      for (const part of trait.parts) {
        if (!part.prose.trim() && !hasExampleIn(trait.examples, part.range)) {
          report({
            trait,
            range: part.heading.titleRange,
            message: `The ${PART_TITLE[part.kind]} part of "${trait.title}" is empty.`,
          });
        }
      }
    }
  },
});

/**
 * True when an example lies inside `range`. Examples are in document order and do not overlap, so
 * only the first one starting in the range can: a binary search, not a pass per part.
 */
function hasExampleIn(examples: readonly Example[], range: Range): boolean {
  let lo = 0;
  let hi = examples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions(examples[mid].range.start, range.start) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < examples.length && rangeContains(range, examples[lo].range);
}

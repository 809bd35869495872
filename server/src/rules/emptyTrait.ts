import { PART_TITLE } from '../document/headingKinds';
import { rangeContains } from '../document/position';
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
        const hasExamples = trait.examples.some((e) => rangeContains(part.range, e.range));
        if (!part.prose.trim() && !hasExamples) {
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

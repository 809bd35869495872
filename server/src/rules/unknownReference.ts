import { referenceTargets, resolveReference } from '../document/resolve';
import { closest } from '../analysis/closest';
import { defineRule } from './rule';

/** TS003 unknown-reference: `[[Title]]`, `[[#id]]` or `[text](#id)` that names nothing in the document. */
export const unknownReferenceRule = defineRule({
  id: 'TS003',
  name: 'unknown-reference',
  description: 'Every reference names a trait, group or heading of the document',
  defaultSeverity: 'error',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    const targets = referenceTargets(document);
    for (const ref of document.references) {
      if (resolveReference(targets, ref)) continue;
      const suggestion = closest(ref.form === 'wiki-title' ? [...targets.titles.values()].map((h) => h.title) : [...targets.ids], ref.target);
      const trait = document.traits.find((t) => t.id === ref.fromTrait);
      report({
        trait,
        range: ref.range,
        fix: suggestion ? { title: `Change to "${suggestion}"`, edits: [{ range: ref.targetRange, newText: suggestion }] } : undefined,
        message:
          `${ref.form === 'wiki-title' ? 'No trait or heading is titled' : 'No trait or heading has the id'} "${ref.target}".` +
          (suggestion ? ` Did you mean "${suggestion}"?` : ''),
      });
    }
  },
});

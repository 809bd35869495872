import { NameIndex } from '../analysis/closest';
import type { Trait } from '../document/model';
import { referenceTargets, resolveReference } from '../document/resolve';
import { defineRule } from './rule';

/**
 * TS003 unknown-reference: `[[Title]]`, `[[#id]]` or `[text](#id)` that names nothing in the document,
 * with the closest title (or id) as a suggested correction when one is close.
 */
export const unknownReferenceRule = defineRule({
  id: 'TS003',
  name: 'unknown-reference',
  description: 'Every reference names a trait, group or heading of the document',
  defaultSeverity: 'error',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    const targets = referenceTargets(document);
    let titles: NameIndex | undefined;
    let ids: NameIndex | undefined;
    let traitOf: Map<string, Trait> | undefined;
    for (const ref of document.references) {
      if (resolveReference(targets, ref)) continue;
      const suggestion =
        ref.form === 'wiki-title'
          ? (titles ??= new NameIndex([...targets.titles.values()].map((h) => h.title))).closest(ref.target)
          : (ids ??= new NameIndex(targets.ids)).closest(ref.target);
      if (!traitOf) {
        traitOf = new Map();
        for (const t of document.traits) if (!traitOf.has(t.id)) traitOf.set(t.id, t);
      }
      const trait = ref.fromTrait === undefined ? undefined : traitOf.get(ref.fromTrait);
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

import { referenceTargets, resolveReference } from '../document/resolve';
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
        message:
          `${ref.form === 'wiki-title' ? 'No trait or heading is titled' : 'No trait or heading has the id'} "${ref.target}".` +
          (suggestion ? ` Did you mean "${suggestion}"?` : ''),
      });
    }
  },
});

/** The candidate nearest to `name` by edit distance, when it is plausibly a typo (≤ 1/3 of its length). */
function closest(candidates: readonly string[], name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDistance) continue;
    const d = editDistance(c.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

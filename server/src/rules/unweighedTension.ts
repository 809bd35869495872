import { normaliseWhitespace } from '../review/quotes';
import { defineRule } from './rule';

/**
 * TS105 unweighed-tension: a model review proposed that two traits can conflict in a realistic
 * situation, and the document does not say how to weigh them. Reported on both traits' headings,
 * only while a review result exists for the document and both traits are unchanged since it.
 */
export const unweighedTensionRule = defineRule({
  id: 'TS105',
  name: 'unweighed-tension',
  description: 'Two traits that can conflict say how to weigh them',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, tensions, report }) {
    if (!tensions?.length) return;
    const byId = new Map(document.traits.map((t) => [t.id, t]));
    for (const { tension, chunks } of tensions) {
      if (tension.weighed) continue;
      const a = byId.get(tension.a);
      const b = byId.get(tension.b);
      // A trait edited since the review may now weigh the pair: the pair no longer holds.
      if (
        !a ||
        !b ||
        normaliseWhitespace(a.chunk) !== normaliseWhitespace(chunks[0]) ||
        normaliseWhitespace(b.chunk) !== normaliseWhitespace(chunks[1])
      )
        continue;
      for (const [trait, other] of [
        [a, b],
        [b, a],
      ] as const) {
        report({
          range: trait.heading.titleRange,
          trait,
          message: `"${trait.title}" can pull against "${other.title}" (${tension.situation}), and the document does not say how to weigh them: add a trade-off linking [[${other.title}]].`,
          related: [{ range: other.heading.titleRange, message: `"${other.title}", the other side of the tension` }],
        });
      }
    }
  },
});

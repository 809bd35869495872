import { traitCoverage } from '../analysis/coverage';
import { sentenceRange } from '../analysis/sentences';
import { rangeContains, type Range } from '../document/position';
import { escapeRegExp } from '../analysis/words';
import { defineRule } from './rule';
import { referenceTargets, resolveReference } from '../document/resolve';

/**
 * TS104 isolated-trait: the trait states trade-offs, but they name no other trait of the document, so
 * the generator cannot see which of the document's own traits the balance is struck against.
 */
export const isolatedTraitRule = defineRule({
  id: 'TS104',
  name: 'isolated-trait',
  description: 'A trait\'s trade-offs name the other traits they are weighed against',
  defaultSeverity: 'information',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    if (document.traits.length < 2) return;
    const targets = referenceTargets(document);
    // What may count as "another trait": traits and groups (a group stands for the traits under it).
    const weighable = new Set([...document.traits.map((t) => t.id), ...document.groups.map((g) => g.heading.id)]);
    const titles = document.traits.map((t) => t.title.toLowerCase());
    const titlePatterns = titles.map((title) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(title)}(?![\\p{L}\\p{N}])`, 'u'));
    // A whole-phrase match of another trait's title; `includes` first, as it is far cheaper.
    const namesTitle = (j: number, text: string) => text.includes(titles[j]) && titlePatterns[j].test(text);
    for (const trait of document.traits) {
      const tradeoffs = traitCoverage(trait, document).tradeoffs;
      // Unstated: missing-tradeoffs reports that. Settled for a whole group or by the document's
      // priorities: the weighing names values, not this trait's neighbours.
      if (!tradeoffs || tradeoffs.by === 'group' || tradeoffs.by === 'priorities') continue;
      const ranges: Range[] = [];
      const texts: string[] = [];
      if (tradeoffs.by === 'part') {
        for (const part of trait.parts) if (part.kind === 'tradeoffs') (ranges.push(part.range), texts.push(part.prose.toLowerCase()));
      } else if (tradeoffs.by === 'prose') {
        for (const { sentence } of tradeoffs.sentences) (ranges.push(sentenceRange(sentence)), texts.push(sentence.text.toLowerCase()));
      } else if (tradeoffs.by === 'label') {
        ranges.push(tradeoffs.sentence.paragraph.range);
        texts.push(tradeoffs.sentence.paragraph.text.toLowerCase());
      }
      const namesOther =
        trait.references.some((ref) => {
          const id = resolveReference(targets, ref);
          return id !== undefined && id !== trait.id && weighable.has(id) && ranges.some((r) => rangeContains(r, ref.range));
        }) ||
        titles.some((_, j) => document.traits[j] !== trait && texts.some((t) => namesTitle(j, t)));
      if (!namesOther) {
        report({
          trait,
          range: trait.heading.titleRange,
          message: `The trade-offs of "${trait.title}" name no other trait of this document: link the traits it is weighed against ([[Title]] or [text](#id)).`,
        });
      }
    }
  },
});

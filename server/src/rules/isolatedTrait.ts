import { traitCoverage, type Evidence } from '../analysis/coverage';
import { PhraseMatcher, wordRuns } from '../analysis/phrases';
import { sentenceRange } from '../analysis/sentences';
import type { Trait, TraitDocument } from '../document/model';
import { comparePositions, rangeContains, type Range } from '../document/position';
import { referenceTargets, resolveReference } from '../document/resolve';
import { defineRule } from './rule';

/**
 * TS104 isolated-trait: the trait states trade-offs, but they name no other trait of the document, so
 * the generator cannot see which of the document's own traits the balance is struck against.
 */
export const isolatedTraitRule = defineRule({
  id: 'TS104',
  name: 'isolated-trait',
  description: "A trait's trade-offs name the other traits they are weighed against",
  defaultSeverity: 'information',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    if (document.traits.length < 2) return;
    const tradeoffs = new Map<Trait, TradeoffTexts>();
    for (const trait of document.traits) {
      const evidence = traitCoverage(trait, document).tradeoffs;
      // Unstated: missing-tradeoffs reports that. Settled for a whole group or by the document's
      // priorities: the weighing names values, not this trait's neighbours.
      if (!evidence || evidence.by === 'group' || evidence.by === 'priorities') continue;
      tradeoffs.set(trait, tradeoffTexts(trait, evidence));
    }
    if (!tradeoffs.size) return;
    const targets = referenceTargets(document);
    // What may count as "another trait": traits and groups (a group stands for the traits under it).
    const weighable = new Set([...document.traits.map((t) => t.id), ...document.groups.map((g) => g.heading.id)]);
    // Whether a trait's trade-offs name another trait's title depends on the titles and its own
    // texts only: kept per texts object (per trait and coverage), and found afresh for the rest.
    const lowerTitles = document.traits.map((t) => t.title.toLowerCase());
    const titlesKey = lowerTitles.join('\u0000');
    const unknown = [...tradeoffs.values()].filter((t) => t.namesOther?.titlesKey !== titlesKey);
    if (unknown.length) {
      const titles = titlesIn(
        document,
        lowerTitles,
        unknown.flatMap((t) => t.texts),
      );
      for (const [trait, t] of tradeoffs) {
        if (t.namesOther?.titlesKey !== titlesKey)
          t.namesOther = { titlesKey, value: t.texts.some((text) => titles.namesOther(trait, text)) };
      }
    }
    for (const [trait, { ranges, namesOther }] of tradeoffs) {
      const linksOther =
        trait.references.length > 0 &&
        within(
          ranges(),
          trait.references.filter((ref) => {
            const id = resolveReference(targets, ref);
            return id !== undefined && id !== trait.id && weighable.has(id);
          }),
        );
      if (!linksOther && !namesOther!.value) {
        report({
          trait,
          range: trait.heading.titleRange,
          message: `The trade-offs of "${trait.title}" name no other trait of this document: link the traits it is weighed against ([[Title]] or [text](#id)).`,
        });
      }
    }
  },
});

/** Where a trait states its trade-offs and their text (lower-cased), and whether that text names another trait. */
interface TradeoffTexts {
  readonly ranges: () => Range[];
  readonly texts: readonly string[];
  /** Whether `texts` name the title of another trait, with the document's trait titles that answer holds for. */
  namesOther?: { readonly titlesKey: string; readonly value: boolean };
}

// Per evidence object: a trait's coverage is kept per trait object, so an unchanged trait keeps it.
const textsOf = new WeakMap<Trait, { evidence: Evidence; texts: TradeoffTexts }>();

function tradeoffTexts(trait: Trait, evidence: Evidence): TradeoffTexts {
  const kept = textsOf.get(trait);
  if (kept?.evidence === evidence) return kept.texts;
  let texts: TradeoffTexts;
  if (evidence.by === 'part') {
    const parts = trait.parts.filter((p) => p.kind === 'tradeoffs');
    texts = { ranges: () => parts.map((p) => p.range), texts: parts.map((p) => p.prose.toLowerCase()) };
  } else if (evidence.by === 'prose') {
    const sentences = evidence.sentences.map((s) => s.sentence);
    texts = { ranges: () => sentences.map((s) => sentenceRange(s)), texts: sentences.map((s) => s.text.toLowerCase()) };
  } else if (evidence.by === 'label') {
    const paragraph = evidence.sentence.paragraph;
    texts = { ranges: () => [paragraph.range], texts: [paragraph.text.toLowerCase()] };
  } else {
    texts = { ranges: () => [], texts: [] };
  }
  textsOf.set(trait, { evidence, texts });
  return texts;
}

/**
 * True when a reference of `refs` lies inside one of `ranges` (which do not overlap: parts, or
 * sentences). Each reference is looked up by binary search among the ranges sorted by start.
 */
function within(ranges: readonly Range[], refs: readonly { range: Range }[]): boolean {
  const sorted = [...ranges].sort((a, b) => comparePositions(a.start, b.start));
  return refs.some(({ range }) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (comparePositions(sorted[mid].start, range.start) <= 0) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return last >= 0 && rangeContains(sorted[last], range);
  });
}

/** Which traits' titles a trade-off text names as a whole phrase (`titles`: the traits' titles, lower-cased, in order). */
function titlesIn(document: TraitDocument, titles: readonly string[], texts: readonly string[]) {
  // The automaton grows with the titles: where they outweigh the trade-off texts (a million headings,
  // a few trade-offs), only titles whose every word occurs in some text, the only ones it could
  // find, go in. Otherwise it is no larger than the texts it reads, and the filter would cost more
  // than it saves.
  const vocabulary = length(titles) > length(texts) ? new Set(texts.flatMap(wordRuns)) : undefined;
  const phrases: string[] = [];
  /** Per phrase: the first trait titled so, and whether another trait has the same title. */
  const owners: { first: Trait; shared: boolean }[] = [];
  const indexOf = new Map<string, number>();
  document.traits.forEach((trait, i) => {
    const title = titles[i];
    if (!title) return; // an empty title names nothing
    const known = indexOf.get(title);
    if (known !== undefined) {
      owners[known].shared = true;
      return;
    }
    if (vocabulary && !wordRuns(title).every((w) => vocabulary.has(w))) return;
    indexOf.set(title, phrases.length);
    phrases.push(title);
    owners.push({ first: trait, shared: false });
  });
  const matcher = new PhraseMatcher(phrases);
  return {
    /** True when `text` names the title of a trait other than `trait`. */
    namesOther(trait: Trait, text: string): boolean {
      return matcher.find(text, (phrase) => owners[phrase].shared || owners[phrase].first !== trait);
    },
  };
}

function length(texts: readonly string[]): number {
  let n = 0;
  for (const text of texts) n += text.length;
  return n;
}

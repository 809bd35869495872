import { groupSentences, traitCoverage } from '../analysis/coverage';
import { cuesCoverLanguage, traitsInOtherLanguages } from '../analysis/language';
import { sentenceCues } from '../analysis/sentenceCues';
import { sentenceRange, type Sentence } from '../analysis/sentences';
import type { Group } from '../document/model';
import { defineRule, type Report } from './rule';

/**
 * TS201 unqualified-absolute: "always", "never", "must", "under no circumstances" ... applied to the
 * model's behaviour in a trait that states no exception (nor inherits one from an enclosing group's
 * introduction) and does not declare its absolutes deliberate. Hedged, negated and factual uses are
 * not absolutes, nor is the syntax a tool requires (`findAbsolutes`). A group's introduction is read
 * too: its absolutes speak for every trait under it. Reports the first absolute of each such sentence.
 */
export const unqualifiedAbsoluteRule = defineRule({
  id: 'TS201',
  name: 'unqualified-absolute',
  description: 'Absolutes (always, never, must) come with the exceptions that bound them',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    const otherLanguage = traitsInOtherLanguages(document);
    for (const trait of document.traits) {
      if (otherLanguage.has(trait)) continue;
      const coverage = traitCoverage(trait, document);
      if (coverage.exceptions || coverage.declared) continue;
      reportAbsolutes(coverage.sentences, (sentence, phrase, index) =>
        report({
          trait,
          range: sentenceRange(sentence, index, index + phrase.length),
          message: `"${phrase}" with no exception stated in "${trait.title}": say when it does not apply, or, if it truly has none, say so ("there is no exception to this", "regardless of context"). Unbounded absolutes teach over-application.`,
        }),
      );
    }
    for (const group of document.groups) {
      // Cheapest test first: the language check counts every word of the introduction.
      if (!group.paragraphs.length || groupBounded(group, document.groups) || !cuesCoverLanguage(group.prose)) continue;
      reportAbsolutes(groupSentences(group), (sentence, phrase, index) =>
        report({
          range: sentenceRange(sentence, index, index + phrase.length),
          message: `"${phrase}" with no exception stated in the introduction of "${group.heading.title}", which speaks for every trait under it: say when it does not apply, or, if it truly has none, say so. Unbounded absolutes teach over-application.`,
        } satisfies Report),
      );
    }
  },
});

function reportAbsolutes(sentences: readonly Sentence[], report: (sentence: Sentence, phrase: string, index: number) => void): void {
  for (const sentence of sentences) {
    const [first] = sentenceCues(sentence).absolutes();
    if (first) report(sentence, first.phrase, first.index);
  }
}

/** True when a group's introduction (or an enclosing one) states an exception or declares its absolutes. */
function groupBounded(group: Group, groups: readonly Group[]): boolean {
  return ownBounded(group) || groups.some((g) => g !== group && ownBounded(g) && group.groups.includes(g.heading.title));
}

// Per group object: a parse after an edit hands back unchanged groups.
const boundedOf = new WeakMap<Group, boolean>();

function ownBounded(group: Group): boolean {
  let bounded = boundedOf.get(group);
  if (bounded === undefined) {
    bounded = groupSentences(group).some((s) => {
      const cues = sentenceCues(s);
      return !!cues.cue('exceptions') || !!cues.declared();
    });
    boundedOf.set(group, bounded);
  }
  return bounded;
}

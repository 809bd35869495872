import { traitCoverage } from '../analysis/coverage';
import { traitsInOtherLanguages } from '../analysis/language';
import type { CueKind } from '../analysis/cues';
import { defineRule, type Rule, type Severity } from './rule';

/**
 * The shape shared by missing-rationale, missing-tradeoffs and missing-exceptions: one diagnostic on
 * the heading of each trait that states the part neither by a part heading nor by a prose cue.
 */
export function missingPartRule(spec: {
  id: string;
  name: string;
  kind: CueKind;
  description: string;
  defaultSeverity: Severity;
  message: (title: string) => string;
}): Rule<object> {
  return defineRule({
    id: spec.id,
    name: spec.name,
    description: spec.description,
    defaultSeverity: spec.defaultSeverity,
    options: {},
    optionsSchema: {},
    check({ document, report }) {
      const otherLanguage = traitsInOtherLanguages(document);
      for (const trait of document.traits) {
        // The cues are English; the linter says once which traits they cannot judge.
        if (otherLanguage.has(trait)) continue;
        // An empty trait is empty-trait's finding; saying it lacks each part too is noise.
        if (!trait.paragraphs.length && !trait.examples.length) continue;
        if (!traitCoverage(trait, document)[spec.kind])
          report({ trait, range: trait.heading.titleRange, message: spec.message(trait.title) });
      }
    },
  });
}

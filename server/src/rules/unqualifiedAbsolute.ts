import { traitCoverage } from '../analysis/coverage';
import { sentenceRange } from '../analysis/sentences';
import { defineRule } from './rule';

// Absolutes, minus the hedged forms ("not always", "almost never") that are not absolute at all.
const ABSOLUTE =
  /(?<!\b(?:not|almost|nearly|virtually|practically|hardly)\s+)\b(?:always|never|must|under no circumstances|under any circumstances|in all cases|in every case|in no case|at all times|without exception|no matter what)\b(?![-’'"”]|\s+(?:been|before)\b)/gi;

/**
 * TS201 unqualified-absolute: "always", "never", "must", "under no circumstances" ... in a trait that
 * states no exception anywhere. Reports the first absolute of each such sentence.
 */
export const unqualifiedAbsoluteRule = defineRule({
  id: 'TS201',
  name: 'unqualified-absolute',
  description: 'Absolutes (always, never, must) come with the exceptions that bound them',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    for (const trait of document.traits) {
      const coverage = traitCoverage(trait);
      if (coverage.exceptions) continue;
      for (const sentence of coverage.sentences) {
        const m = [...sentence.text.matchAll(ABSOLUTE)].find((x) => !isQuoted(sentence.text, x.index, x[0].length));
        if (!m) continue;
        report({
          trait,
          range: sentenceRange(sentence, m.index, m.index + m[0].length),
          message: `"${m[0]}" with no exception stated in "${trait.title}": say when it does not apply, or, if it truly has none, say so ("there is no exception to this"). Unbounded absolutes teach over-application.`,
        });
      }
    }
  },
});

/** True when the match is a quoted word ("always") rather than a rule. */
function isQuoted(text: string, index: number, length: number): boolean {
  const before = text[index - 1];
  const after = text[index + length];
  return (before === '"' || before === '“' || before === '`') && (after === '"' || after === '”' || after === '`');
}

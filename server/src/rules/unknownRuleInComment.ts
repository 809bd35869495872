import { closest } from '../analysis/closest';
import { defineRule } from './rule';

/**
 * TS005 unknown-rule-in-comment: a disable comment names a rule that does not exist, so it disables
 * nothing (front matter and .traitsrc reject unknown names; a comment would otherwise fail silently).
 */
export const unknownRuleInCommentRule = defineRule({
  id: 'TS005',
  name: 'unknown-rule-in-comment',
  description: 'Disable comments name existing rules',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, ruleNames, report }) {
    for (const directive of document.directives) {
      for (const name of directive.rules) {
        if (ruleNames.has(name.toLowerCase())) continue;
        const suggestion = closest([...ruleNames].filter((r) => !/^ts\d+$/.test(r)), name);
        report({
          range: directive.range,
          message: `Unknown rule "${name}" in a traits-${directive.kind} comment: it disables nothing.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
        });
      }
    }
  },
});

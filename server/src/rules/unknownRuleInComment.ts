import { closest } from '../analysis/closest';
import { escapeRegExp } from '../analysis/words';
import type { LineIndex, Range } from '../document/position';
import { defineRule } from './rule';

/**
 * TS005 unknown-rule-in-comment: a `traits-` comment of no known kind, or one naming a rule that does
 * not exist, does nothing (front matter and .traitsrc reject unknown names; a comment would otherwise
 * fail silently).
 */
export const unknownRuleInCommentRule = defineRule({
  id: 'TS005',
  name: 'unknown-rule-in-comment',
  description: 'Disable comments are of a known kind and name existing rules',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, ruleNames, report }) {
    for (const directive of document.directives) {
      if (directive.kind === 'unknown') {
        report({
          range: directive.range,
          message: `Unknown comment "traits-${directive.written}": it does nothing. Use traits-disable-next-line, traits-disable, traits-enable or traits-disable-file.`,
        });
        continue;
      }
      for (const name of directive.rules) {
        if (ruleNames.has(name.toLowerCase())) continue;
        const suggestion = closest([...ruleNames].filter((r) => !/^ts\d+$/.test(r)), name);
        report({
          range: directive.range,
          fix: suggestion ? { title: `Change to "${suggestion}"`, edits: [{ range: nameRange(document.lines, directive.range, name), newText: suggestion }] } : undefined,
          message: `Unknown rule "${name}" in a traits-${directive.kind} comment: it ${directive.kind === 'enable' ? 'enables' : 'disables'} nothing.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
        });
      }
    }
  },
});

/** The range of a rule name inside a comment (the first whole-word occurrence after `traits-`). */
function nameRange(lines: LineIndex, comment: Range, name: string): Range {
  const start = lines.offsetAt(comment.start);
  const text = lines.text.slice(start, lines.offsetAt(comment.end));
  const m = new RegExp(`(?<=[\\s,])${escapeRegExp(name)}(?=[\\s,]|-->)`).exec(text);
  return m ? lines.rangeOf(start + m.index, start + m.index + name.length) : comment;
}

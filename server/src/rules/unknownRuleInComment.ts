import { NameIndex } from '../analysis/closest';
import type { Directive } from '../document/model';
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
    // The rule names (ids left out) as an index for suggestions, built when a name is unknown.
    let names: NameIndex | undefined;
    for (const directive of document.directives) {
      if (directive.kind === 'unknown') {
        report({
          range: directive.range,
          message: `Unknown comment "traits-${directive.written}": it does nothing. Use traits-disable-next-line, traits-disable, traits-enable or traits-disable-file.`,
        });
        continue;
      }
      let offsets: Map<string, number> | undefined;
      for (const name of directive.rules) {
        if (ruleNames.has(name.toLowerCase())) continue;
        const suggestion = (names ??= new NameIndex([...ruleNames].filter((r) => !/^ts\d+$/.test(r)))).closest(name);
        offsets ??= suggestion ? nameOffsets(document.lines, directive) : undefined;
        report({
          range: directive.range,
          fix: suggestion
            ? {
                title: `Change to "${suggestion}"`,
                edits: [{ range: nameRange(document.lines, directive, offsets!, name), newText: suggestion }],
              }
            : undefined,
          message: `Unknown rule "${name}" in a traits-${directive.kind} comment: it ${directive.kind === 'enable' ? 'enables' : 'disables'} nothing.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
        });
      }
    }
  },
});

// A rule name in a comment: a run of characters other than blanks and commas, after a blank or comma.
const NAME = /(?<=[\s,])[^\s,]+/g;

/**
 * Where each name first stands in a comment, as an offset into the comment: the first place it
 * follows a blank or comma and is followed by one or by `-->` (`(?<=[\s,])name(?=[\s,]|-->)`).
 */
function nameOffsets(lines: LineIndex, directive: Directive): Map<string, number> {
  const start = lines.offsetAt(directive.range.start);
  const text = lines.text.slice(start, lines.offsetAt(directive.range.end));
  // A comment ends at its first "-->", so that is the only one it holds.
  const closing = text.indexOf('-->');
  const offsets = new Map<string, number>();
  for (const m of (closing < 0 ? text : text.slice(0, closing)).matchAll(NAME)) if (!offsets.has(m[0])) offsets.set(m[0], m.index);
  return offsets;
}

/** The range of a rule name inside a comment (see `nameOffsets`), or the whole comment. */
function nameRange(lines: LineIndex, directive: Directive, offsets: Map<string, number>, name: string): Range {
  const offset = offsets.get(name);
  if (offset === undefined) return directive.range;
  const start = lines.offsetAt(directive.range.start) + offset;
  return lines.rangeOf(start, start + name.length);
}

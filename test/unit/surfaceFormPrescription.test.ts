// surface-form-prescription as an author meets it: hard-wrapped sentences (an indented continuation
// line), each verb form and optional word of the prescribed behaviours, and the words around them
// that make a prescription, a permission, a description or a negation. ruleEdges.test.ts holds the
// one-line sentence of each form; these pin what mutation testing showed no test decided.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';

/**
 * The findings of surface-form-prescription on a one-paragraph trait holding `text`, each as
 * `form @ reported words` (the words joined by single spaces across a line break), in order.
 */
function prescribed(text: string): string[] {
  const lines = text.split('\n');
  return lintDocument(parseTraitDocument(`## T\n\n${text}\n`))
    .diagnostics.filter((d) => d.rule === 'surface-form-prescription')
    .map((d) => {
      const form = /\(([^)]*)\) without saying when/.exec(d.message)![1];
      const { start, end } = d.range;
      const words = lines
        .slice(start.line - 2, end.line - 1)
        .map((line, k, all) => line.slice(k === 0 ? start.character : 0, k === all.length - 1 ? end.character : undefined))
        .join(' ')
        .replace(/\s+/g, ' ');
      return `${form} @ ${words}`;
    });
}

describe('surface-form-prescription on a sentence hard-wrapped onto an indented line', () => {
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    ['The assistant should ask a follow-up\n  question.', ['end with a question @ ask a follow-up question']],
    ['The assistant should ask\n  for clarification.', ['ask for clarification @ ask for clarification']],
    ['The assistant should begin with the bottom\n  line.', ['open with a summary @ begin with the bottom line']],
    ['Answers should be bottom line\n  up front.', ['open with a summary @ bottom line up front']],
    ['The assistant should use section\n  headings.', ['use bullet points or headings @ use section headings']],
    // The words that bound or negate it, wrapped too.
    ['The assistant should apologise where\n  appropriate.', []],
    ['The assistant should apologise as\n  needed.', []],
    ['The assistant should apologise for requests\n  that cause harm.', []],
    ['The assistant should answer rather\n  than apologise.', []],
    ['The assistant is expected\n  to apologise.', ['apologise @ apologise']],
    ['The assistant should apologise. This applies\n  when it erred.', []],
  ];
  for (const [text, expected] of CASES) it(JSON.stringify(text), () => assert.deepEqual(prescribed(text), expected));
});

// A document's priorities (analysis/priorities.ts): the edges of which list, which sentence and which
// traits, written from mutants that survived analysisUnits and analysisMutants (issue 12).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentPriorities, prioritisedBy } from '../../server/src/analysis/priorities';
import { parseTraitDocument } from '../../server/src/document/parse';

const doc = (lines: string[]) => parseTraitDocument(lines.join('\n'));

describe('priorities: edges', () => {
  it('names the preamble "" and takes "the order of precedence" as an order that settles conflicts', () => {
    const d = doc(['1. **Safe**: x.', '2. **Helpful**: y.', '', 'The order of precedence is fixed.', '# Style', '## Stay safe', 'Safe.']);
    const p = documentPriorities(d);
    assert.deepEqual(p && [p.names, p.section, p.sentence.text], [['Safe', 'Helpful'], '', 'The order of precedence is fixed.']);
  });

  it('reads an order that settles conflicts wrapped onto an indented line at any space, as in a list item', () => {
    for (const wording of [
      'in the order of priority given above',
      'in order of importance',
      'by ranking of precedence',
      'higher priority first',
      'the first takes precedence over the rest',
    ]) {
      for (const text of [wording, wording.replace(/ /g, '\n  ')]) {
        const d = doc(['1. **Safe**: x.', '2. **Helpful**: y.', '', `- Resolve conflicts ${text}.`, '# Style', '## Stay safe', 'Safe.']);
        assert.deepEqual(documentPriorities(d)?.names, ['Safe', 'Helpful'], JSON.stringify(text));
      }
    }
  });

  it('takes a value as the first bold words of its item, however many spaces before them', () => {
    const d = doc(['# Overview', '1.  **Safe** and **careful**: x.', '2.\t__Helpful__ and __kind__', '', 'Prioritize them in order.']);
    assert.deepEqual(documentPriorities(d)?.names, ['Safe', 'Helpful']);
  });

  it('leaves "follow", "act" and "remain" out of the words of a title that name a value', () => {
    const d = doc([
      '# Overview',
      '1. **Clear guidelines**: x.',
      '2. **Broadly honest**: y.',
      '3. **Quietly calm**: z.',
      '',
      'Prioritize them in order.',
      '# Style',
      '## Follow guidelines',
      'x.',
      '## Act honest',
      'x.',
      '## Remain calm',
      'x.',
    ]);
    const p = documentPriorities(d)!;
    assert.deepEqual(
      d.traits.map((t) => prioritisedBy(p, t)?.value),
      ['Clear guidelines', 'Broadly honest', 'Quietly calm'],
    );
  });
});

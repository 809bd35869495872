import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleInsertion } from '../../server/src/document/exampleBlock';
import { parseTraitDocument } from '../../server/src/document/parse';
import { LineIndex } from '../../server/src/document/position';

/** Applies the insertion for trait `id` of `text` and parses the result. */
function pin(text: string, id: string, example: { title: string; user: string; assistant: string }) {
  const trait = parseTraitDocument(text).traits.find((t) => t.id === id)!;
  const { position, text: inserted } = exampleInsertion(trait, example);
  const offset = new LineIndex(text).offsetAt(position);
  const after = text.slice(0, offset) + inserted + text.slice(offset);
  return { after, document: parseTraitDocument(after) };
}

const DOC = '# Be candid {#candid}\n\nSay what you think.\n\n### Why\n\nTrust.\n\n\n# Be kind {#kind}\n\nBe kind.\n';

test('a pinned example lands at the end of the trait and parses back as its example', () => {
  const { after, document } = pin(DOC, 'candid', {
    title: 'feedback on a plan',
    user: 'Is my plan good?',
    assistant: 'Mostly; the budget is short by a third.',
  });
  const [candid, kind] = document.traits;
  assert.equal(candid.examples.length, 1);
  assert.equal(candid.examples[0].title, 'feedback on a plan');
  assert.deepEqual(
    candid.examples[0].turns.map((t) => [t.role, t.text, t.marker?.verdict]),
    [
      ['user', 'Is my plan good?', undefined],
      ['assistant', 'Mostly; the budget is short by a third.', 'good'],
    ],
  );
  assert.equal(kind.examples.length, 0);
  assert.equal(kind.title, 'Be kind');
  // Inserted after "Trust.", before the blank lines that end the section.
  assert.match(after, /Trust\.\n\n\*\*Example\*\*: feedback on a plan\n\n~~~xml\n<user>\n/);
});

test('it goes after an Examples part that is followed by another part', () => {
  const text =
    '# T {#t}\n\nBe so.\n\n### Examples\n\n**Example**: old\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n\n### Exceptions\n\nUnless not.\n';
  const { document } = pin(text, 't', { title: 'new', user: 'u', assistant: 'a' });
  const t = document.traits[0];
  assert.deepEqual(
    t.examples.map((e) => e.title),
    ['old', 'new'],
  );
  assert.deepEqual(
    t.parts.map((p) => p.kind),
    ['examples', 'exceptions'],
  );
  assert.match(t.parts[1].prose, /Unless not\./);
});

test('fences and closing turn tags inside the conversation cannot end the example early', () => {
  const assistant = 'Use this:\n~~~~\ncode\n~~~~\nand never write </assistant> or </user> yourself.';
  const { document } = pin(DOC, 'candid', { title: 'multi\nline  title', user: 'Show </user> me', assistant });
  const example = document.traits[0].examples[0];
  assert.equal(example.title, 'multi line title');
  assert.equal(example.turns.length, 2);
  assert.equal(example.turns[0].text, 'Show &lt;/user> me');
  assert.match(example.turns[1].text, /~~~~\ncode\n~~~~\nand never write &lt;\/assistant> or &lt;\/user> yourself\.$/);
  assert.equal(document.unclosedFences.length, 0);
  assert.equal(document.traits[1].title, 'Be kind');
});

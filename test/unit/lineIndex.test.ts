/**
 * LineIndex given the index of the text before an edit (what a parse after a keystroke builds): it
 * must equal the index built from the text alone, whatever the edit and wherever the texts differ.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> node --import tsx --test test/unit/lineIndex.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineIndex } from '../../server/src/document/position';

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const params = { numRuns: 500, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH !== undefined ? { path: PATH } : {}) };

/** Every line's start and end offsets. */
function lineOffsets(index: LineIndex): [number, number][] {
  return Array.from({ length: index.lineCount }, (_, line) => [index.lineStart(line), index.lineEnd(line)]);
}

function assertSameAsFresh(before: string, after: string): void {
  const updated = new LineIndex(after, new LineIndex(before));
  assert.deepEqual(lineOffsets(updated), lineOffsets(new LineIndex(after)), JSON.stringify({ before, after }));
}

// Texts long enough to be compared a chunk at a time, with runs of line breaks and repeated lines
// (so that a common prefix or suffix can end inside an edit's own text).
const piece = fc.constantFrom('a', 'line', '\n', '\n\n', 'x'.repeat(5000), 'same line\n', '\r\n', '\r');
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat(6000), insert: text });

describe('LineIndex given the index before an edit', () => {
  it('equals the index of the new text built alone, after any edit of any text', () => {
    fc.assert(
      fc.property(text, edit, (before, { at, remove, insert }) => {
        const from = Math.floor(at * before.length);
        assertSameAsFresh(before, before.slice(0, from) + insert + before.slice(from + remove));
      }),
      params,
    );
  });

  it('equals the index built alone for keystrokes and line breaks all over the Model Spec', () => {
    const spec = readFileSync(join(__dirname, '..', 'fixtures', 'corpus', 'openai-model-spec.md'), 'utf8');
    for (let at = 0; at <= spec.length; at += 7919) {
      for (const insert of ['x', '\n', '\n\n', '']) assertSameAsFresh(spec, spec.slice(0, at) + insert + spec.slice(at + (insert ? 0 : 1)));
    }
    assertSameAsFresh(spec, `${spec}\n`);
    assertSameAsFresh(spec, `\n${spec}`);
    assertSameAsFresh(spec, '');
    assertSameAsFresh('', spec);
  });
});

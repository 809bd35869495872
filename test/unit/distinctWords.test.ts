/**
 * distinctWords: each distinct word of a text with its count, in order of first use, as a word
 * definition written independently (a regular expression) finds them, on any text — contractions,
 * hyphens, other scripts, surrogate pairs, and thousands of distinct words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { clearMemos } from '../../server/src/analysis/memo';
import { distinctWords, words } from '../../server/src/analysis/words';

// A word as `words` defines it, as an expression: letters and digits (one UTF-16 unit each: an
// astral letter is none), joined across one apostrophe or hyphen.
const UNIT = String.raw`(?:(?=[\u0000-\uffff])[\p{L}\p{N}])`;
const WORD = new RegExp(String.raw`${UNIT}+(?:['’-]${UNIT}+)*`, 'gu');

/** The counts as a Map over the words the expression finds gives them. */
function expected(text: string) {
  const found = text.toLowerCase().match(WORD) ?? [];
  const counts = new Map<string, number>();
  for (const w of found) counts.set(w, (counts.get(w) ?? 0) + 1);
  return { words: [...counts.keys()], counts: [...counts.values()], total: found.length };
}

/** `distinctWords(text)`'s words, counts and total, once its words are checked against their numbers in its vocabulary. */
function counted(text: string) {
  const { counts, total, ids, vocabulary } = distinctWords(text);
  assert.equal(counts.length, ids.length);
  return { words: Array.from(ids, (id) => vocabulary.words[id]), counts: Array.from(counts), total };
}

describe('distinctWords', () => {
  it('counts contractions, hyphenated words and other scripts as words does', () => {
    for (const text of ["It's fine, it’s FINE; it's-fine don't Don't", 'trade-off Trade-Off trade off', 'Café café ÇA ça 𠀀𠀁 𠀀𠀁', '']) {
      assert.deepEqual(counted(text), expected(text), text);
    }
  });

  it('keeps thousands of distinct words apart', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `w${i} w${i % 7}`).join(' ');
    assert.equal(distinctWords(text).ids.length, 5000);
    assert.deepEqual(counted(text), expected(text));
  });

  it('answers alike across texts, after the memos are cleared, and once its table of words starts afresh', () => {
    const a = 'The trait says why. The trait says when it stops, and why it stops.';
    const b = 'Why stops the trait? When says it.';
    assert.deepEqual(counted(a), expected(a));
    assert.deepEqual(counted(b), expected(b));
    clearMemos();
    assert.deepEqual(counted(b), expected(b));
    // Past the table's bound (100,000 words) the next text starts a new table.
    const many = Array.from({ length: 100_001 }, (_, i) => `u${i}`).join(' ');
    assert.equal(distinctWords(many).ids.length, 100_001);
    assert.deepEqual(counted(a), expected(a));
    assert.deepEqual(counted(`${b} u7 u7`), expected(`${b} u7 u7`));
  });

  it('keeps no text alive through the words it has met', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    // 20,001 texts of 10 KB, each with a new long word (a slice of 13 characters or more is a view
    // into its text): the memo of answers (20,000 texts) is emptied on the way, the table of words is not.
    for (let i = 0; i < 20_001; i++) distinctWords(`Responsibilities${i} ${'word '.repeat(2_000)}`);
    gc();
    const keptMB = (process.memoryUsage().heapUsed - before) / 1e6;
    // Each text kept by its word would be 200 MB.
    assert.ok(keptMB < 40, `${keptMB.toFixed(1)} MB kept`);
  });

  it('gives what the independent definition gives, on any text, and finds the words words() finds', () => {
    const piece = fc.constantFrom(
      'the ',
      'The ',
      'it’s ',
      "don't ",
      'well-known ',
      'a-',
      '-b ',
      'naïve ',
      'Ärger ',
      '日本 ',
      '𠀀 ',
      ', ',
      '. ',
      '\n',
      "'",
      'x',
      'ab',
      'ba',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        assert.deepEqual(counted(text), expected(text));
        assert.deepEqual(words(text), text.toLowerCase().match(WORD) ?? []);
      }),
    );
  });
});

// Typo suggestions (closest.ts) on names longer than the property tests' (at most 24 characters):
// the banded edit distance past the length its rows were first sized for, and the number of edits
// a name of each length may be away from its suggestion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedDistance, NameIndex } from '../../server/src/analysis/closest';
import { editDistance } from './oracles/bruteForce';

/** A name of `n` characters, not periodic, so that edits cannot be undone by shifting it. */
const longName = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + (i >> 3)) % 26))).join('');

describe('boundedDistance on long names', () => {
  it('is exact up to its bound on either side of 64 characters and far past it', () => {
    for (const n of [63, 64, 65, 127, 128, 129, 300]) {
      const a = longName(n);
      const edits = [
        a.slice(0, 10) + 'X' + a.slice(11), // a substitution
        a.slice(0, n - 1), // a deletion at the end
        'Y' + a, // an insertion at the start
        a.slice(0, 5) + a.slice(7) + 'ZZ', // two deletions, two insertions
      ];
      for (const b of edits) {
        for (const max of [0, 1, 2, 4, 8]) {
          const d = editDistance(a, b);
          assert.equal(boundedDistance(a, b, max), d <= max ? d : max + 1, `n=${n} max=${max} d=${d}`);
          assert.equal(boundedDistance(b, a, max), d <= max ? d : max + 1, `swapped, n=${n} max=${max} d=${d}`);
        }
      }
    }
  });
});

describe('NameIndex: how far a suggestion may be', () => {
  it('allows two edits up to eight characters, then one more per three characters', () => {
    const suggest = (name: string, candidate: string) => new NameIndex([candidate]).closest(name);
    // Eight characters: two edits, not three.
    assert.equal(suggest('abcdefgh', 'abcdefXY'), 'abcdefXY');
    assert.equal(suggest('abcdefgh', 'abcdeXYZ'), undefined);
    // Nine: three, not four.
    assert.equal(suggest('abcdefghi', 'abcdefXYZ'), 'abcdefXYZ');
    assert.equal(suggest('abcdefghi', 'abcdeWXYZ'), undefined);
    // A long title: ten edits in thirty characters.
    const title = longName(30);
    const tenOff = title.slice(0, 20) + 'XXXXXXXXXX';
    const elevenOff = title.slice(0, 19) + 'XXXXXXXXXXX';
    assert.equal(suggest(title, tenOff), tenOff);
    assert.equal(suggest(title, elevenOff), undefined);
  });

  it('finds a long name among many with one typo, and the earliest of equally near ones', () => {
    const names = Array.from({ length: 200 }, (_, i) => `${longName(70)}-${i}`);
    const index = new NameIndex(names);
    assert.equal(index.closest(`${longName(70)}-1x7`), `${longName(70)}-17`);
    assert.equal(new NameIndex(['Be kind', 'Be mind']).closest('be find'), 'Be kind', 'the earlier of two at one edit');
  });
});

describe('NameIndex limits at their edge', () => {
  it('counts a bigram held by exactly maxPostings candidates', () => {
    // "ab" is held by one candidate: counted, it ranks "abcd" first of the one candidate compared.
    const index = new NameIndex(['xbcx', 'abcd', 'qqqq'], { maxPostings: 1, maxVerified: 1 });
    assert.equal(index.closest('abce'), 'abcd');
  });
});

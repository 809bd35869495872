// PhraseMatcher and wordRuns (isolated-trait's whole-phrase search) at the edges of what a letter or
// digit is: each ASCII range's first and last character and its neighbours, letters and digits
// outside ASCII and outside the Basic Multilingual Plane, and surrogate pairs that a phrase must not
// split. The answers are those of the Unicode regular expressions the module stands in for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PhraseMatcher, wordRuns } from '../../server/src/analysis/phrases';
import { escapeRegExp } from '../../server/src/analysis/words';

// Each ASCII letter and digit range's ends and the characters just outside them; a letter and a
// digit of other scripts; an astral letter (𝒜), an astral digit (𝟗) and an emoji; and astral
// letters and digits whose low surrogate is the first or last one (𝐀 ends in U+DC00, 𝟿 in U+DFFF).
const EDGES = ['/', '0', '9', ':', '@', 'A', 'Z', '[', '`', 'a', 'z', '{', '\u007f', 'é', '٣', '𝒜', '𝟗', '😀', ' ', '𝐀', '𝟿'];

/** Whether `phrase` occurs in `text` neither preceded nor followed by a letter or digit. */
const whole = (phrase: string, text: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(phrase)}(?![\\p{L}\\p{N}])`, 'u').test(text);

function found(phrases: readonly string[], text: string): number[] {
  const hits: number[] = [];
  new PhraseMatcher(phrases).find(text, (p) => (hits.push(p), false));
  return hits;
}

describe('PhraseMatcher at the edges of a word', () => {
  it('finds a phrase only where the character before and after it is no letter or digit', () => {
    for (const edge of EDGES) {
      for (const text of [`${edge}kind`, `kind${edge}`, `${edge}kind${edge}`]) {
        assert.deepEqual(found(['kind'], text), whole('kind', text) ? [0] : [], JSON.stringify(text));
      }
    }
  });

  it('finds a phrase that starts or ends with one of those characters', () => {
    for (const edge of EDGES.filter((e) => e !== ' ')) {
      for (const phrase of [`${edge}x`, `x${edge}`]) {
        for (const text of [phrase, `(${phrase})`, `a${phrase}`, `${phrase}a`]) {
          assert.deepEqual(found([phrase], text), whole(phrase, text) ? [0] : [], `${JSON.stringify(phrase)} in ${JSON.stringify(text)}`);
        }
      }
    }
  });

  it('never matches half of a surrogate pair', () => {
    const [high, low] = ['😀'.charCodeAt(0), '😀'.charCodeAt(1)].map((c) => String.fromCharCode(c));
    assert.deepEqual(found([low], '😀'), []);
    assert.deepEqual(found([high], '😀'), []);
    assert.deepEqual(found([low], ` ${low} `), [0]);
    // The first and last astral code points' halves: U+10000 (a letter) and U+10FFFD.
    for (const pair of ['\u{10000}', '\u{10FFFD}']) {
      for (const half of [pair[0], pair[1]]) assert.deepEqual(found([half], ` ${pair} `), [], `${pair.codePointAt(0)!.toString(16)}`);
    }
    assert.deepEqual(found(['😀'], '(😀)'), [0]);
    assert.deepEqual(found(['😀'], 'a😀'), [], 'after a letter');
  });
});

describe('PhraseMatcher: phrases that end inside others', () => {
  it('finds the first phrase given where it ends inside a longer one', () => {
    assert.deepEqual(found(['(b', 'x (b'], 'x (b').sort(), [0, 1]);
    assert.deepEqual(found(['b c', 'a b c'], 'a b c').sort(), [0, 1]);
    assert.deepEqual(found(['kind', 'kind', ''], 'kind'), [0], 'a repeated phrase is found as its first index, an empty one never');
  });
});

describe('PhraseMatcher against one regular expression per phrase', () => {
  it('finds the same phrases in any text over a few characters, however the phrases overlap', () => {
    // Three characters make phrases that share prefixes and suffixes, so the automaton's failure
    // links run through several nodes (a mismatch deep in "x y z" falls back to "y ", say).
    const piece = fc.constantFrom('x', 'y', ' ');
    const phrase = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(phrase, { minLength: 1, maxLength: 6 }), fc.array(piece, { maxLength: 14 }), (phrases, chars) => {
        const text = chars.join('');
        const expected = phrases.flatMap((p, i) => (whole(p, text) && phrases.indexOf(p) === i ? [i] : []));
        assert.deepEqual([...new Set(found(phrases, text))].sort(), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back from a mismatch to the longest phrase prefix it still ends', () => {
    assert.deepEqual(found(['x y z', 'y w'], 'x y w'), [1]);
    // "a b c " falls back past "b c" (no space follows it in any phrase) to "c ", so "c d" is found
    // inside "a b c d": a failure link two nodes down.
    assert.deepEqual(found(['a b c d', 'b cz', 'c d'], 'a b c d').sort(), [0, 2]);
  });
});

describe('wordRuns', () => {
  it('gives the maximal runs of letters and digits, astral ones included', () => {
    const text = EDGES.join('') + 'ab12 😀x𝒜y 𝟗';
    assert.deepEqual(wordRuns(text), text.match(/[\p{L}\p{N}]+/gu));
    for (const edge of EDGES) assert.deepEqual(wordRuns(`x${edge}y`), `x${edge}y`.match(/[\p{L}\p{N}]+/gu), JSON.stringify(edge));
    assert.deepEqual(wordRuns(''), []);
    assert.deepEqual(wordRuns('𝒜'), ['𝒜'], 'a run that ends the text');
    assert.deepEqual(wordRuns('\uffffab'), ['ab'], 'U+FFFF is one unit');
  });
});

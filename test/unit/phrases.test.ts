// PhraseMatcher and wordRuns (isolated-trait's whole-phrase search) at the edges of what a letter or
// digit is: each ASCII range's first and last character and its neighbours, letters and digits
// outside ASCII and outside the Basic Multilingual Plane, and surrogate pairs that a phrase must not
// split. The answers are those of the Unicode regular expressions the module stands in for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PhraseMatcher, wordRuns } from '../../server/src/analysis/phrases';
import { escapeRegExp } from '../../server/src/analysis/words';

// Each ASCII letter and digit range's ends and the characters just outside them; a letter and a
// digit of other scripts; an astral letter (𝒜), an astral digit (𝟗) and an emoji.
const EDGES = ['/', '0', '9', ':', '@', 'A', 'Z', '[', '`', 'a', 'z', '{', '\u007f', 'é', '٣', '𝒜', '𝟗', '😀', ' '];

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

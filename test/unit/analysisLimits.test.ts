// Typo suggestions (closest.ts) and near-duplicate traits (similarity.ts) where their work limits
// bite: the property tests in linearRules.test.ts check that a result past a limit is sound; these
// check which result it is (written from mutants that survived those, issue 12).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NameIndex } from '../../server/src/analysis/closest';
import { MAX_POSTINGS, similarPairs, termCounts } from '../../server/src/analysis/similarity';
import { cosine, tfidfVectors } from './oracles/bruteForce';

describe('typo suggestions past their limits', () => {
  it('compares the candidates sharing the most bigrams first when it may compare only one', () => {
    const index = new NameIndex(['xbcx', 'abcd', 'qqqq'], { maxPostings: 256, maxVerified: 1 });
    assert.equal(index.closest('abce'), 'abcd');
  });

  it('still finds a candidate of every near length when every bigram is too common to count', () => {
    // maxPostings 0: no bigram is counted, so the candidates come from the lengths within reach.
    const index = new NameIndex(['abcd', 'abcdefgh', 'zzzzzz'], { maxPostings: 0, maxVerified: 64 });
    assert.equal(index.closest('abcdef'), 'abcd', 'two shorter, the first given of the two at distance 2');
    assert.equal(new NameIndex(['abcdefgh'], { maxPostings: 0, maxVerified: 64 }).closest('abcdef'), 'abcdefgh', 'two longer');
    assert.equal(new NameIndex(['abcd'], { maxPostings: 0, maxVerified: 64 }).closest('abcdefg'), undefined, 'three shorter');
  });

  it('answers an exact name with the first spelling given of it, in any case', () => {
    const index = new NameIndex(['Be Kind', 'be kind', 'BE KIND']);
    assert.equal(index.closest('be KIND'), 'Be Kind');
    assert.equal(index.closest('Be Kinx'), 'Be Kind');
  });

  it('keeps its answer per name across repeated look-ups, including no answer', () => {
    const index = new NameIndex(['honesty']);
    for (let i = 0; i < 2; i++) {
      assert.equal(index.closest('honesti'), 'honesty');
      assert.equal(index.closest('kindness'), undefined);
    }
  });
});

describe('near-duplicate traits past the posting lists’ cap', () => {
  // More texts sharing one word than a posting list keeps: text `last` is a near-duplicate of the
  // text before it, which is not in that word's (cut) list.
  const texts = Array.from({ length: MAX_POSTINGS + 2 }, (_, k) => `common zeta${k}`);
  const last = texts.length;
  texts.push(`common zeta${last - 1} zeta${last - 1}`);
  const vectors = tfidfVectors(texts);
  const exact = cosine(vectors[last - 1], vectors[last]);

  it('reports the pair with its exact similarity when the shared words alone reach the threshold', () => {
    const pair = similarPairs(texts, 0.9).find((p) => p.second === last);
    assert.ok(exact > 0.99 && exact < 1);
    assert.ok(pair);
    assert.deepEqual([pair.first, pair.second], [last - 1, last]);
    assert.ok(Math.abs(pair.similarity - exact) < 1e-9, `${pair.similarity} vs ${exact}`);
  });

  it('checks exactly a pair that only the words of the cut list can lift to the threshold', () => {
    // Without "common" the two texts' cosine is about 0.96: under 0.99, which the whole cosine reaches.
    const pair = similarPairs(texts, 0.99).find((p) => p.second === last);
    assert.ok(pair);
    assert.deepEqual([pair.first, pair.second], [last - 1, last]);
    assert.ok(Math.abs(pair.similarity - exact) < 1e-9);
    assert.equal(
      similarPairs(texts, 0.999).find((p) => p.second === last),
      undefined,
      'and not over it',
    );
  });
});

describe('term counts past the vocabulary’s limit', () => {
  it('counts alike, and pairs texts alike, once a million terms start the vocabulary afresh', () => {
    const text = 'Refusing requests, refusing again; the requests come back.';
    const before = termCounts(text);
    assert.deepEqual(before, { terms: ['refus', 'request', 'come', 'back'], counts: [2, 2, 1, 1] });
    const million = Array.from({ length: 1_000_001 }, (_, i) => `t${i.toString(36)}x`).join(' ');
    assert.equal(termCounts(million).terms.length, 1_000_001);
    // The next count starts a new vocabulary: numbers the words had in the old one must not be read.
    assert.deepEqual(termCounts(text), before);
    const pairs = similarPairs(['refusing requests politely', 'other words entirely', 'refusing requests politely'], 0.5);
    assert.deepEqual(
      pairs.map((p) => [p.first, p.second]),
      [[0, 2]],
    );
  });
});

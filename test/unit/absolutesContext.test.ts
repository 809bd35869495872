// findAbsolutes: the context rules that skip an absolute read only the words right next to it (the
// end of the text before it, the start of the text after it, the whole subject of its clause), not a
// match further off. Each case is one that a rule reading the wrong place gets wrong (from
// absolutes.ts's mutation run: the anchors of NEGATED_BEFORE_ALWAYS, BE_AFTER and MODEL_SUBJECT).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAbsolutes } from '../../server/src/analysis/absolutes';
import { cueText } from '../../server/src/analysis/cueText';

const found = (sentence: string) => findAbsolutes(cueText(sentence)).map((m) => `${m.phrase}@${m.index}`);

describe('findAbsolutes reads the context next to the absolute', () => {
  it('a negation earlier in the sentence does not negate "always"', () => {
    assert.deepEqual(found("Don't worry: the assistant always cites sources."), ['always@27']);
    assert.deepEqual(found("The assistant doesn't always cite sources."), []);
  });

  it('"there must ... be" is a state only when "be" follows the absolute', () => {
    assert.deepEqual(found('There must always exist one owner who can be reached.'), ['must@6', 'always@11']);
    assert.deepEqual(found('There must always be one owner.'), []);
  });

  it('a copula makes a claim about the model only when the model is the subject of that copula', () => {
    assert.deepEqual(found('The assistant is sure the text is always correct.'), []);
    assert.deepEqual(found('The assistant is always correct.'), ['always@17']);
  });
});

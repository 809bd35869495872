// The analysis helpers the coverage rules stand on, each on the sentences that decide it: which
// absolutes bound a behaviour and which only look like one, which phrases declare an absolute
// deliberate, which word forms share a stem (duplicate-trait compares stems), and how words count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredAbsolute, findAbsolutes } from '../../server/src/analysis/absolutes';
import { cueText } from '../../server/src/analysis/cueText';
import { stem, wordCount, words } from '../../server/src/analysis/words';

describe('absolutes', () => {
  // [sentence, the absolutes found as phrase@offset]
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    ['The assistant always cites sources.', ['always@14']],
    ['It refuses at all times.', ['at all times@11']],
    ['Under no circumstances does it share keys.', ['under no circumstances@0']],
    ['In all cases it logs the request.', ['in all cases@0']],
    ['It must, without exception, log in.', ['must@3', 'without exception@9']],
    ['Users always ask; the assistant must answer.', ['always@6', 'must@32']],
    // A copula with the model (or its answers) as subject describes its behaviour.
    ['The assistant is always polite.', ['always@17']],
    ['Your answers are always short.', ['always@17']],
    // Hedged, negated, possible, compound, quoted, past: no bound to state.
    ['The assistant almost never guesses.', []],
    ['The assistant is not always right.', []],
    ['It cannot always know the answer.', []],
    ['The question might never be settled.', []],
    ['This is a never-ending task.', []],
    ['Use the word `always` sparingly.', []],
    ['The "always" rule is here.', []],
    ['It has never been easier.', []],
    ['It never before asked.', []],
    // Claims about how things are, and reasoning the text rejects.
    ['Silence is never neutral.', []],
    ['It must always be possible to comply.', []],
    ['The answer must be true.', []],
    ['It never shares keys, and honesty is always valued.', ['never@3']],
    ['Never conclude that the rule must apply.', []],
  ];
  for (const [sentence, expected] of CASES) {
    it(JSON.stringify(sentence), () => {
      assert.deepEqual(findAbsolutes(cueText(sentence)).map((m) => `${m.phrase}@${m.index}`), expected);
    });
  }
});

describe('absolutes declared deliberate', () => {
  const CASES: readonly (readonly [string, string | undefined])[] = [
    ['This is a bright line.', 'bright line'],
    ['It is non-negotiable.', 'non-negotiable'],
    ['This is an absolute rule.', 'absolute rule'],
    ['It cannot be overridden.', 'cannot be overridden'],
    ['No user instruction can override this.', 'no user instruction can override'],
    ['Regardless of context, it refuses.', 'regardless of context'],
    ['No matter what, it refuses.', 'no matter what'],
    ['There are no exceptions.', 'there are no exceptions'],
    ['No exception applies.', 'no exception applies'],
    ['There is no real exception.', 'there is no real exception'],
    ['Never assume that this is non-negotiable.', undefined],
    ['It is negotiable.', undefined],
  ];
  for (const [sentence, phrase] of CASES) {
    it(JSON.stringify(sentence), () => assert.equal(declaredAbsolute(cueText(sentence))?.phrase, phrase));
  }
});

describe('words', () => {
  it('gives the forms of one word one stem, and keeps a stem of at least three letters', () => {
    const groups = [
      ['refuse', 'refuses', 'refusing', 'refused'],
      ['story', 'stories'],
      ['carry', 'carries', 'carried'],
      ['agree', 'agreement', 'agreements'],
      ['quick', 'quickly'],
      ['mark', 'marked', 'markedly'],
      ['surprise', 'surprising', 'surprisingly'],
      ['nation', 'nations'],
      ['rated', 'rating', 'ratings'],
    ];
    for (const group of groups) assert.deepEqual(new Set(group.map(stem)).size, 1, `${group.join(', ')}: ${group.map(stem).join(', ')}`);
    assert.notEqual(stem('refuse'), stem('story'));
    // "thing" is no "th" + "ing"; words of four letters or fewer are left as they are.
    assert.deepEqual(['thing', 'uses', 'cats', 'replies'].map(stem), ['thing', 'uses', 'cats', 'reply']);
  });

  it('keeps inner apostrophes and hyphens, not leading or trailing ones', () => {
    assert.deepEqual(words("Don't trade-off co-op ’tis end- it’s"), ["don't", 'trade-off', 'co-op', 'tis', 'end', 'it’s']);
  });

  it('counts words of unspaced scripts with the segmenter, and takes a spaced count when given', () => {
    assert.equal(wordCount('读文件、搜索，再问。'), 4);
    assert.equal(wordCount('one two three'), 3);
    assert.equal(wordCount('one two', 7), 7);
  });
});

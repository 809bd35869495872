/**
 * alternation: branches grouped by first letter match what the plain alternation matches, first
 * match for first match (index and text): on every sentence of the corpus documents with the cue
 * lists, and on random branches and texts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { alternation } from '../../server/src/analysis/alternation';
import { cueText } from '../../server/src/analysis/cueText';
import { cuePatterns, type CueKind } from '../../server/src/analysis/cues';
import { splitSentences } from '../../server/src/analysis/sentences';
import { parseTraitDocument } from '../../server/src/document/parse';

const firstMatch = (re: RegExp, text: string) => {
  const m = re.exec(text);
  return m && { index: m.index, text: m[0] };
};

describe('alternation', () => {
  it('groups branches by first letter, distributing an opening group, keeping their order', () => {
    assert.equal(alternation(['because', 'since', 'so that', 'balance']), 'b(?:ecause|alance)|s(?:ince|o that)');
    assert.equal(alternation(['(?:this|that) is why', 'then']), 't(?:his is why|hat is why|hen)');
    assert.equal(alternation(['(?:a|(?:b|c)d)e']), 'ae|bde|cde');
    assert.equal(alternation(['summary|tl;?dr', 'sorry']), 's(?:ummary|orry)|tl;?dr');
    assert.equal(alternation(['(?:(?:(?:(?:a|b)c|d)e|f)g|h)i']), 'acegi|bcegi|degi|fgi|hi', 'as deep as the groups go');
    assert.equal(alternation(['(?:a|b)c?']), 'ac?|bc?', 'a quantifier further on does not stop it');
  });

  it('reads escaped characters and classes as one character each', () => {
    assert.equal(alternation(['(?:a\\)|b)c']), 'a\\)c|bc');
    assert.equal(alternation(['(?:a[)|(]|b)c']), 'a[)|(]c|bc');
    assert.equal(alternation(['(?:a[\\])]|b)c']), 'a[\\])]c|bc');
    assert.equal(alternation(['a\\|b', 'ac']), 'a(?:\\|b|c)');
  });

  it('moves no branch past one that opens otherwise, and leaves quantified openings alone', () => {
    assert.equal(alternation(['ab', '(?<!x)ac', 'ad']), 'ab|(?<!x)ac|ad');
    assert.equal(alternation(['a?b', 'ac']), 'a?b|ac');
    assert.equal(alternation(['(?:ab|ac)?d', 'ae']), '(?:ab|ac)?d|ae');
    assert.equal(alternation(['[ab]c', 'ad', '\\bae', 'af']), '[ab]c|ad|\\bae|af');
  });

  const sentences: string[] = [];
  for (const file of ['openai-model-spec.md', 'claude-constitution.md']) {
    const document = parseTraitDocument(readFileSync(join(__dirname, '..', 'fixtures', 'corpus', file), 'utf8'));
    for (const paragraph of [...document.traits, ...document.groups].flatMap((x) => x.paragraphs))
      for (const sentence of splitSentences(paragraph)) sentences.push(cueText(sentence.text));
  }

  for (const kind of ['rationale', 'tradeoffs', 'exceptions'] as CueKind[]) {
    it(`finds the first ${kind} cue the plain alternation finds, in each of the corpus's sentences`, () => {
      const bounded = cuePatterns(kind)
        .filter((p) => p.startsWith('\\b'))
        .map((p) => p.slice(2).replace(/ /g, '\\s+'));
      const plain = new RegExp(`\\b(?:${bounded.join('|')})`);
      const grouped = new RegExp(`\\b(?:${alternation(bounded)})`);
      assert.ok(sentences.length > 1000);
      let found = 0;
      for (const text of sentences) {
        const expected = firstMatch(plain, text);
        assert.deepEqual(firstMatch(grouped, text), expected, text);
        if (expected) found++;
      }
      assert.ok(found > 50, `${found} sentences with a ${kind} cue`);
    });
  }

  it('matches as the plain alternation does, on random branches and texts', () => {
    const atom = fc.constantFrom(
      'a',
      'b',
      'ab',
      'ba',
      "'",
      '-',
      'a?',
      'b*',
      '\\s+',
      '[ab]',
      '\\b',
      '(?<!a)',
      '(?=b)',
      '\\w',
      '.',
      '\\(',
      '\\)',
      '\\|',
      '[(|]',
      '[\\])]',
    );
    const text = fc.array(fc.constantFrom('a', 'b', ' ', "'", '-', 'x', '(', ')', '|', ']'), { maxLength: 30 }).map((a) => a.join(''));
    const simple = fc.array(atom, { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
    const group = fc
      .tuple(fc.array(simple, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '?', '*'), simple)
      .map(([alts, q, rest]) => `(?:${alts.join('|')})${q}${rest}`);
    const branch = fc.oneof(
      simple,
      group,
      group.map((g) => `(?:${g}|b)a`),
    );
    fc.assert(
      fc.property(fc.array(branch, { minLength: 1, maxLength: 8 }), fc.array(text, { minLength: 1, maxLength: 5 }), (branches, texts) => {
        const plain = new RegExp(branches.join('|'));
        const grouped = new RegExp(alternation(branches));
        for (const t of texts) assert.deepEqual(firstMatch(grouped, t), firstMatch(plain, t), `${branches.join(' | ')} on "${t}"`);
      }),
      { numRuns: 2000 },
    );
  });
});

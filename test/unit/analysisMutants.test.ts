// Behaviour of server/src/analysis's small modules that mutation testing (issue 12) found untested:
// what counts as a word, which terms compare, which language the cues can judge, which list is a
// document's priorities, and the memo that every lint reads through.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cuesCoverLanguage, traitsInOtherLanguages } from '../../server/src/analysis/language';
import { clearMemos, Memo, memo } from '../../server/src/analysis/memo';
import { documentPriorities, prioritisedBy } from '../../server/src/analysis/priorities';
import { contentTerms, distinctWords, escapeRegExp, forEachWord, stem, wordCount, words } from '../../server/src/analysis/words';
import { parseTraitDocument } from '../../server/src/document/parse';

describe('words: what a word is', () => {
  it('splits at every ASCII character next to the letter and digit ranges, and keeps those ranges whole', () => {
    assert.deepEqual(words('a`b{c/d:e@f[g'), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(words('AZaz09 Zebra'), ['azaz09', 'zebra']);
  });

  it('keeps letters and digits of other scripts, and splits at their punctuation', () => {
    assert.deepEqual(words('Café naïve—Ärger «тест» ٣'), ['café', 'naïve', 'ärger', 'тест', '٣']);
  });

  it('joins only across one apostrophe or hyphen between word characters', () => {
    assert.deepEqual(words("a' b -c d- e--f x'"), ['a', 'b', 'c', 'd', 'e', 'f', 'x']);
    assert.deepEqual(words('well-known it’s'), ['well-known', 'it’s']);
    assert.deepEqual(words('a-é b_c'), ['a-é', 'b', 'c']);
    assert.deepEqual(words('x-«y» z’—w'), ['x', 'y', 'z', 'w'], 'not before punctuation outside ASCII');
  });

  it('forEachWord gives what words gives, in order', () => {
    const seen: string[] = [];
    forEachWord('One two, THREE.', (w) => seen.push(w));
    assert.deepEqual(seen, ['one', 'two', 'three']);
  });

  it('counts distinct words in order of first use, with their counts and the total', () => {
    const d = distinctWords('The cat and the dog and THE bird');
    const words = Array.from(d.ids, (id) => d.vocabulary.words[id]);
    assert.deepEqual([words, Array.from(d.counts), d.total], [['the', 'cat', 'and', 'dog', 'bird'], [3, 1, 2, 1, 1], 8]);
    const empty = distinctWords('');
    assert.deepEqual([Array.from(empty.ids), Array.from(empty.counts), empty.total], [[], [], 0]);
  });

  it('content terms drop stop words and bare numbers, keep words with digits, and stem the rest', () => {
    assert.deepEqual(contentTerms('The assistant refuses 42 requests in 2024 for 3rd parties 9a'), [
      'refus',
      'request',
      '3rd',
      'party',
      '9a',
    ]);
    assert.deepEqual(contentTerms('model users AI'), []);
    assert.deepEqual(contentTerms('007 99 1a2 x9'), ['1a2', 'x9']);
  });

  it('stems a five-letter word and keeps a stem of three letters', () => {
    // "tying" keeps "ty"+"ing" whole, and "cries" loses "es", not "ies": a stem under three letters is no stem.
    assert.deepEqual(['tying', 'bring', 'bakes', 'cries', 'tried', 'saves'].map(stem), ['tying', 'bring', 'bak', 'cri', 'tri', 'sav']);
    // A silent e goes only from a stem longer than four letters.
    assert.deepEqual(['house', 'houses', 'stage', 'agreed', 'agree'].map(stem), ['hous', 'hous', 'stag', 'agre', 'agre']);
    assert.equal(stem('stage'), stem('stage'), 'memoised: the same answer twice');
  });

  it('escapes every regular-expression metacharacter', () => {
    const special = '.*+?^${}()|[]\\';
    assert.ok(new RegExp(`^${escapeRegExp(special)}$`).test(special));
    assert.equal(escapeRegExp('a.b'), 'a\\.b');
  });

  it('segments unspaced scripts found after curly quotes and dashes, and counts other scripts by words', () => {
    assert.equal(wordCount('“Quoted” — 读文件'), wordCount('Quoted 读文件'));
    assert.ok(wordCount('“a” 读文件、搜索') > 2);
    // A symbol past U+206F is no unspaced script: "ice-cream" stays one word, as the segmenter would not have it.
    assert.equal(wordCount('ice-cream costs 5 €'), 3);
    assert.equal(wordCount('ice-cream ๆ'), 3, 'Thai (U+0E00 on) is segmented');
    // Greek and Cyrillic are spaced: counted as words.
    assert.equal(wordCount('γεια σου привет мир'), 4);
    assert.equal(wordCount('読む。書く。'), wordCount('読む') + wordCount('書く'));
  });
});

describe('language: how a text is counted', () => {
  const times = (word: string, n: number) => Array(n).fill(word).join(' ');

  it('joins words across an inner apostrophe, curly apostrophe or hyphen, as words() does', () => {
    // 15 words each (too few to tell: judged); split at the joiner they would be 30 words of another language.
    for (const joiner of ["'", '’', '-']) {
      assert.equal(cuesCoverLanguage(times(`und${joiner}und`, 15)), true, joiner);
      assert.equal(cuesCoverLanguage(times(`und${joiner} und`, 15)), false, `${joiner} before a space joins nothing`);
    }
    assert.equal(cuesCoverLanguage(`${times('und', 29)} und-`), false, 'a trailing hyphen ends the last word');
    assert.equal(cuesCoverLanguage(`${times('und', 29)}-é`), true, 'a hyphen before a non-ASCII letter joins');
  });

  it('counts accented Latin letters as Latin, and digits as word characters but not letters', () => {
    assert.equal(cuesCoverLanguage(times('éé', 10)), true);
    assert.equal(cuesCoverLanguage(`${'ж'.repeat(19)} ${'1'.repeat(30)}`), true, 'digits are no letters');
    assert.equal(cuesCoverLanguage(`${times('und', 29)} ٣`), false, 'a non-ASCII digit is a word');
    assert.equal(cuesCoverLanguage(`${times('und', 29)} ·`), true, 'punctuation is no word');
  });

  it('finds function words in any case, beside any punctuation, with other letters or not', () => {
    // 30 words of another language each: the cues cannot judge them, unless a word is missed.
    assert.equal(cuesCoverLanguage(times('UND Der nIcHt', 10)), false, 'ASCII words in any case');
    assert.equal(cuesCoverLanguage(times('der—und', 15)), false, 'before and after an em dash');
    assert.equal(cuesCoverLanguage(times('für não são', 10)), false, 'words with letters outside ASCII');
    assert.equal(cuesCoverLanguage(times('FÜR', 30)), false, 'lower-cased outside ASCII too');
    // Not function words: a digit or another letter makes another word.
    for (const word of ['und1', 'undé', 'aund', 'undx', 'derund'])
      assert.equal(cuesCoverLanguage(times(word, 30)), true, `${word} is no function word`);
    assert.equal(cuesCoverLanguage(times('The', 30)), true);
  });

  it('counts every ASCII letter and digit at the ends of their ranges, also after a joiner', () => {
    for (const ch of ['A', 'Z', 'a', 'z'])
      assert.equal(cuesCoverLanguage(`${ch.repeat(20)} ${'ж'.repeat(20)}`), true, `${ch} is a Latin letter`);
    for (const ch of ['0', '9', 'é']) assert.equal(cuesCoverLanguage(`${times('und', 29)} ${ch}`), false, `${ch} is a word`);
    for (const ch of ['A', 'Z', 'a', 'z', '0', '9'])
      assert.equal(cuesCoverLanguage(times(`und-${ch}q`, 15)), true, `a joiner before ${ch}`);
    // A joiner before anything else ends the word: "und" stays a function word.
    assert.equal(cuesCoverLanguage(times('und-.', 30)), false);
    assert.equal(cuesCoverLanguage(`${times('xyz', 29)} und-`), false, 'a hyphen ending the text');
    assert.equal(cuesCoverLanguage(`und ${times('xyz', 29)}`), false, 'the first word counts whole');
  });

  it('recognises the longest function words and words in any case', () => {
    // 30 words: 5 "because" (English, 7 letters) against 4 "werden" (German): English at least as many.
    assert.equal(cuesCoverLanguage(`${times('Because', 5)} ${times('WERDEN', 4)} ${times('xyz', 21)}`), true);
    assert.equal(cuesCoverLanguage(`${times('because', 4)} ${times('werden', 5)} ${times('xyz', 21)}`), false);
  });
});

describe('language: traits the cues cannot judge', () => {
  const french = (title: string) =>
    `## ${title}\nL’assistant répond directement, sans formules de politesse inutiles, et il propose une solution concrète à chaque fois que la question le permet. Il ne renvoie jamais une réponse à moitié finie à un canal externe.\n`;
  const english = (title: string) =>
    `## ${title}\nThe assistant answers directly and never sends half-finished replies: a half-finished reply costs the user more time than it saves, and the user cannot tell which half is missing.\n`;
  const unjudged = (text: string) => [...traitsInOtherLanguages(parseTraitDocument(text))].map((t) => t.title);

  it('judges each long trait by its own prose', () => {
    assert.deepEqual(unjudged(english('Be useful') + french('Être utile') + french('Être bref')), ['Être utile', 'Être bref']);
    assert.deepEqual(unjudged(english('Be useful') + english('Be brief')), []);
  });

  it('judges a short trait as the whole document is judged', () => {
    const shortFrench = '## Court\nIl ne répond pas.\n';
    assert.deepEqual(unjudged(french('Être utile') + french('Être bref') + shortFrench), ['Être utile', 'Être bref', 'Court']);
    assert.deepEqual(unjudged(english('Be useful') + english('Be brief') + shortFrench), []);
  });

  it('judges a trait by its own prose from 150 characters on', () => {
    const englishDocument = english('Be useful') + english('Be brief') + english('Be kind');
    assert.deepEqual(unjudged(`${englishDocument}## A\n${'la '.repeat(49)}les\n`), ['A'], '150 characters of French');
    assert.deepEqual(unjudged(`${englishDocument}## A\n${'la '.repeat(49)}le\n`), [], '149: judged as the document');
  });

  it('sums every trait into the document: two short French traits in a document of them go unjudged', () => {
    // Neither trait reaches 30 words alone; together they do.
    const a = '## Un\nL’assistant répond directement, sans formules de politesse, et il propose une solution concrète.\n';
    const b = '## Deux\nIl ne renvoie jamais une réponse à moitié finie à un canal externe, et il demande avant.\n';
    assert.deepEqual(unjudged(a + b), ['Un', 'Deux']);
  });

  it('counts Latin letters outside ASCII as Latin, and other letters as not', () => {
    const russian = (title: string) =>
      `## ${title}\nАссистент отвечает прямо, без лишних формул вежливости, и предлагает конкретное решение каждый раз, когда вопрос это позволяет. Он никогда не отправляет наполовину готовый ответ во внешний канал.\n`;
    assert.deepEqual(unjudged(english('Be useful') + russian('Быть полезным')), ['Быть полезным']);
  });
});

describe('priorities: the list and the traits it settles', () => {
  const doc = (lines: string[]) => parseTraitDocument(lines.join('\n'));

  it('finds the priorities in a context section when the preamble has none, and names the section', () => {
    const d = doc([
      'Some words.',
      '# Being safe',
      '## Stay safe',
      'Safe.',
      '# Values {.context}',
      '1. **Safe**: x.',
      '2. **Helpful**: y.',
      '',
      'Prioritize these in the order listed.',
    ]);
    assert.equal(d.contextSections.length, 1);
    const p = documentPriorities(d);
    assert.deepEqual(p && [p.names, p.section], [['Safe', 'Helpful'], 'Values']);
  });

  it('strips trailing colons, dots and spaces from a value, and ignores a sentence inside the list', () => {
    const d = doc([
      '# Overview',
      '1. **Broadly safe.:** Prioritize safety first.',
      '2. **Honest :** y.',
      '',
      'These are ranked.',
      '# Style',
      '## Be honest',
      'Honest.',
    ]);
    assert.equal(documentPriorities(d), undefined, 'the order sentence inside a list item does not count');
    const ok = doc([
      '# Overview',
      '1. **Broadly safe.:** x.',
      '2. **Honest :** y.',
      '',
      'Safety outranks honesty.',
      '# Style',
      '## Be honest',
      'Honest.',
    ]);
    assert.deepEqual(documentPriorities(ok)?.names, ['Broadly safe', 'Honest']);
    assert.deepEqual(prioritisedBy(documentPriorities(ok)!, ok.traits[0]), { title: 'Be honest', value: 'Honest' });
  });

  it('takes every wording of an order that settles conflicts, in any case, and no wording short of one', () => {
    const withOrder = (order: string, items = ['1. **Safe**: x.', '2. **Helpful**: y.']) =>
      documentPriorities(doc(['# Overview', ...items, '', order, '# Style', '## Stay safe', 'Safe.']))?.sentence.text;
    for (const order of [
      'We prioritise them as listed.',
      'Prioritizing the ones above.',
      'In order of importance, they are these.',
      'In the order of precedence shown.',
      'The order of priority is fixed.',
      'Lower priority values yield.',
      'Safety TAKES PRECEDENCE OVER the rest.',
      'Safety take precedence over help.',
      'Safety outrank help.',
    ])
      assert.equal(withOrder(order), order, order);
    for (const order of [
      'Priority matters.',
      'In order of size.',
      'Precedence is historical.',
      'We prioritize users. The order is alphabetical.',
    ])
      assert.equal(withOrder(order), undefined, order);
    for (const items of [
      ['1) **Safe** x', '  2) **Helpful** y'],
      ['10. __Safe__ x', '11. __Helpful__ y'],
      ['- **Safe**', '+ **Helpful**'],
    ])
      assert.deepEqual(
        documentPriorities(doc(['# Overview', ...items, '', 'Prioritize them in order.', '# Style', '## Stay safe', 'Safe.']))?.names,
        ['Safe', 'Helpful'],
        items.join(' / '),
      );
    assert.equal(withOrder('Prioritize them in order.', ['1234. **Safe** x', '1. **Helpful** y', 'x. **Kind** z']), undefined, 'one value');
  });

  it('does not settle a trait whose title shares only a linking word or nothing with the values', () => {
    const d = doc([
      '# Overview',
      '1. **Being**: x.',
      '2. **Honest**: y.',
      '',
      'Safety outranks honesty.',
      '# Style',
      '## Stay brief',
      'Brief.',
      '## Being',
      'x.',
    ]);
    const p = documentPriorities(d)!;
    assert.deepEqual(
      d.traits.map((t) => prioritisedBy(p, t)),
      [undefined, undefined],
    );
  });
});

describe('memo', () => {
  it('computes once per key, keeps undefined answers, and clears when full', () => {
    const m = new Memo<string | undefined>(2);
    let calls = 0;
    const f = (k: string) => (calls++, k === 'none' ? undefined : k.toUpperCase());
    assert.equal(m.get('a', f), 'A');
    assert.equal(m.get('a', f), 'A');
    assert.equal(m.get('none', f), undefined);
    assert.equal(m.get('none', f), undefined);
    assert.equal(calls, 2);
    m.get('b', f); // full: cleared, then holds b
    assert.equal(calls, 3);
    m.get('b', f);
    assert.equal(calls, 3);
    m.get('a', f);
    assert.equal(calls, 4, 'a was cleared');
    m.clear();
    m.get('b', f);
    assert.equal(calls, 5);
  });

  it('keeps every entry until it is full', () => {
    const m = new Memo<number>(3);
    let calls = 0;
    for (const key of ['a', 'b', 'c', 'a', 'b', 'c']) m.get(key, () => ++calls);
    assert.equal(calls, 3);
  });

  it('clearMemos empties every registered memo', () => {
    const m = memo<number>(10);
    let calls = 0;
    m.get('x', () => ++calls);
    clearMemos();
    assert.equal(
      m.get('x', () => ++calls),
      2,
    );
  });
});

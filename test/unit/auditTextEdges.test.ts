// The text forms every audit detector compares: phrases normalised (case, apostrophes, letters beyond
// ASCII, digits and punctuation), words counted (no-break spaces, control characters), sentences
// split (closing quotes and brackets, ellipses, a limit, symbols between sentences) and the last
// sentences of a line longer than the reader's 1 000-character tail. A phrase normalised two ways
// is counted as two phrases; a sentence split wrongly moves a record in or out of a pattern.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize, ResponseView, splitSentences, stripMarkdown, wordCount } from '../../server/src/audit/text';

describe('normalize', () => {
  it('lower-cases, keeps in-word apostrophes (straightened), drops digits and punctuation', () => {
    assert.equal(normalize("It’s ‘quoted’ DON'T Élan 1+1 is 2. naïve—x ʼok"), "it's quoted don't élan is naïve x ok");
    assert.equal(normalize('  Great   question!!  '), 'great question');
    assert.equal(normalize("rock 'n' roll"), 'rock n roll');
    assert.equal(normalize('ÀÉÎ ǅ'), 'àéî ǆ');
    assert.equal(normalize('x\u2019'), 'x');
    assert.equal(normalize('123 !!'), '');
    // The ends of the ASCII letter ranges; a letter whose lower case is two characters stays one character.
    assert.equal(normalize('ZAP zap Az'), 'zap zap az');
    assert.equal(normalize('İstanbul'), 'İstanbul');
    // A curly opening quote inside a word is an apostrophe; an apostrophe opening the text is dropped.
    assert.equal(normalize('don‘t'), "don't");
    assert.equal(normalize("'Tis so"), 'tis so');
  });

  it('cuts a text longer than its buffer instead of failing', () => {
    assert.equal(normalize('a'.repeat(65_536)), 'a'.repeat(65_536));
    assert.equal(normalize('a'.repeat(70_000)), 'a'.repeat(65_534));
    // 'word ' × 13 106 is 65 530 characters, then 'word' of the next: cut to 65 534, trailing space dropped.
    assert.equal(normalize('word '.repeat(20_000)), `${'word '.repeat(13_106)}word`);
  });
});

describe('wordCount', () => {
  it('counts runs of non-space characters; a no-break space or control character separates', () => {
    assert.equal(wordCount('a\u00a0b\tc\u0001d  e'), 5);
    assert.equal(wordCount(''), 0);
    assert.equal(wordCount('  x  '), 1);
    assert.equal(wordCount('one,two — three'), 3);
    assert.equal(new ResponseView('w '.repeat(12)).words, 12);
  });
});

describe('splitSentences', () => {
  it('splits after an end mark and the quotes or brackets closing it, only before whitespace', () => {
    assert.deepEqual(splitSentences('He said "yes." Then (quietly!) left. e.g.x is one. Wait… what? Ok'), [
      'He said "yes."',
      'Then (quietly!)',
      'left.',
      'e.g.x is one.',
      'Wait…',
      'what?',
      'Ok',
    ]);
    assert.deepEqual(splitSentences('Really?! Yes.'), ['Really?!', 'Yes.']);
    assert.deepEqual(splitSentences('Version 2.5 is out. Go.'), ['Version 2.5 is out.', 'Go.']);
    assert.deepEqual(splitSentences('Version 2.5. Next.'), ['Version 2.5.', 'Next.']);
    assert.deepEqual(splitSentences("She said 'no.' Then “yes.” And ‘maybe.’ [See note.] Done."), [
      "She said 'no.'",
      'Then “yes.”',
      'And ‘maybe.’',
      '[See note.]',
      'Done.',
    ]);
  });

  it('stops at the limit, and keeps symbols between sentences with the one before', () => {
    assert.deepEqual(splitSentences('A. B. C. D.', 2), ['A.', 'B.']);
    assert.deepEqual(splitSentences('A. B.', 5), ['A.', 'B.']);
    assert.deepEqual(splitSentences('Hello. — Next one.'), ['Hello. —', 'Next one.']);
    assert.deepEqual(splitSentences('🙂 Hello there.'), ['🙂 Hello there.']);
    assert.deepEqual(splitSentences('Hi. 🙂🙂 !!'), ['Hi. 🙂🙂 !!']);
    assert.deepEqual(splitSentences('   '), []);
  });
});

describe('stripMarkdown', () => {
  it('drops emphasis and code marks anywhere, one list or heading marker at the start', () => {
    assert.equal(stripMarkdown('  **Bold** and __under__ `c` *i* _j_ '), 'Bold and under c i j');
    assert.equal(stripMarkdown('+ plus item'), 'plus item');
    assert.equal(stripMarkdown('• bullet'), 'bullet');
    assert.equal(stripMarkdown('999) third'), 'third');
    // Not markers: four digits, seven hashes, no space after the marker.
    assert.equal(stripMarkdown('1234. not a list'), '1234. not a list');
    assert.equal(stripMarkdown('####### seven'), '####### seven');
    assert.equal(stripMarkdown('-not a list'), '-not a list');
    // Rules and table dividers are structure; a line that only starts with dashes is text.
    for (const divider of ['---', '----  ', '|---|:---:|', '| --- | --- |', ':---', '---|'])
      assert.equal(stripMarkdown(divider), '', divider);
    assert.equal(stripMarkdown('--- not a rule'), '--- not a rule');
    assert.equal(stripMarkdown('|---| a cell'), '|---| a cell');
    assert.equal(stripMarkdown('***'), '');
    assert.equal(stripMarkdown('___  '), '');
    // Any length of rule or Setext underline; a bold-italic or dunder word is text.
    assert.equal(stripMarkdown('===='), '');
    assert.equal(stripMarkdown('***Important***'), 'Important');
    assert.equal(stripMarkdown('___init___ runs'), 'init runs');
    assert.equal(stripMarkdown('###### Six'), 'Six');
    assert.equal(stripMarkdown('___init___'), 'init');
    assert.equal(stripMarkdown('===>'), '===>');
    // A table divider needs a run of three dashes.
    assert.equal(stripMarkdown('| - |'), '| - |');
    // Markers after indentation; spaces left inside emphasis; a line of nothing but marks.
    assert.equal(stripMarkdown('   - indented item'), 'indented item');
    assert.equal(stripMarkdown('  # Title'), 'Title');
    assert.equal(stripMarkdown('** Bold with spaces **'), 'Bold with spaces');
    assert.equal(stripMarkdown('`*`'), '');
  });
});

describe('the lines a response is read in', () => {
  it('takes a fence indented four spaces for text (an indented code block is not a fence)', () => {
    assert.deepEqual(new ResponseView('Hello.\n    ```\n# Still prose.\n    ```').lines, [
      'Hello.',
      '    ```',
      '# Still prose.',
      '    ```',
    ]);
  });
});

describe('the last sentences of a long line', () => {
  it('keeps a long last sentence whole when the line’s tail holds too few sentences', () => {
    const long = `${'x'.repeat(1500)} tail.`;
    const view = new ResponseView(`Previous line.\n${long} Final?`);
    assert.deepEqual(view.lastSentences, [long, 'Final?']);
  });

  it('drops the sentence the tail cuts when there are enough after it', () => {
    const view = new ResponseView(`Start here. ${'word '.repeat(300)}end one. Second to last. Last one?`);
    assert.deepEqual(view.lastSentences, ['Second to last.', 'Last one?']);
    assert.equal(view.firstSentences[0], 'Start here.');
    assert.equal(view.words, 309);
    const three = new ResponseView(`${'y'.repeat(1200)}. Two here. Three here.`);
    assert.deepEqual(three.lastSentences, ['Two here.', 'Three here.']);
  });

  it('reads the last two sentences across lines, skipping blank and rule lines', () => {
    assert.deepEqual(new ResponseView('One. Two.\n\n---\nThree.\n\n').lastSentences, ['Two.', 'Three.']);
    assert.deepEqual(new ResponseView('Only one.').lastSentences, ['Only one.']);
    assert.deepEqual(new ResponseView('First line\nsecond line').firstSentences, ['First line', 'second line']);
    assert.deepEqual(new ResponseView('One. Two. Three.').firstNormalized, ['one', 'two']);
    assert.deepEqual(new ResponseView('One. Two. Three.').lastNormalized, ['two', 'three']);
  });
});

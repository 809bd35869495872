import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traitCoverage } from '../../server/src/analysis/coverage';
import { findCue } from '../../server/src/analysis/cues';
import { paragraphPosition, sentenceRange, splitSentences } from '../../server/src/analysis/sentences';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { similarPairs, termCounts } from '../../server/src/analysis/similarity';
import { contentTerms, words } from '../../server/src/analysis/words';
import { parseTraitDocument } from '../../server/src/document/parse';

describe('sentences', () => {
  it('splits on sentence ends and list items, not on abbreviations, keeping offsets', () => {
    const { paragraphs } = parseTraitDocument('# T\n\nFirst one, e.g. this. Second?\n- item one\n- item two').traits[0];
    const sentences = paragraphs.flatMap(splitSentences);
    const paragraph = sentences[2].paragraph;
    assert.deepEqual(
      sentences.map((s) => s.text),
      ['First one, e.g. this.', 'Second?', '- item one', '- item two'],
    );
    assert.deepEqual(paragraphPosition(paragraph, sentences[2].start), { line: 3, character: 0 });
  });

  /** Each sentence of a one-paragraph trait body with its range as `line:char-line:char`. */
  const split = (body: string) =>
    parseTraitDocument(`# T\n\n${body}`)
      .traits[0].paragraphs.flatMap(splitSentences)
      .map((s) => {
        const r = sentenceRange(s);
        return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${s.text}`;
      });

  it('keeps a closing bracket, quote or emphasis with its sentence, and skips runs of blanks', () => {
    assert.deepEqual(split('It asks (if unsure.) Then it waits! Does it? "Yes." Next.'), [
      '2:0-2:20 It asks (if unsure.)',
      '2:21-2:35 Then it waits!',
      '2:36-2:44 Does it?',
      '2:45-2:51 "Yes."',
      '2:52-2:57 Next.',
    ]);
    assert.deepEqual(split('Ends with *emphasis.* Then _this._ Then [link.] Then x.'), [
      '2:0-2:21 Ends with *emphasis.*',
      '2:22-2:34 Then _this._',
      '2:35-2:47 Then [link.]',
      '2:48-2:55 Then x.',
    ]);
    assert.deepEqual(split('A  B.   C.'), ['2:0-2:5 A  B.', '2:8-2:10 C.']);
  });

  it('does not end a sentence at an abbreviation, and drops pieces with no letter or digit', () => {
    assert.deepEqual(split('See Dr. Smith, Mr. Jones, vs. others, cf. Fig. 3, i.e. this, etc. and al. Done.'), [
      '2:0-2:79 See Dr. Smith, Mr. Jones, vs. others, cf. Fig. 3, i.e. this, etc. and al. Done.',
    ]);
    assert.deepEqual(split('...  !!! ---\n\nReal sentence.'), ['4:0-4:14 Real sentence.']);
  });

  it('starts a sentence at a list item inside a paragraph, whatever its number, indent or marker', () => {
    // An ordered list not starting at 1 cannot interrupt a paragraph (CommonMark): its items stay in the paragraph's text.
    assert.deepEqual(split('The steps follow\n10) ship it\n  11) check it\n\t- tabbed'), [
      '2:0-2:16 The steps follow',
      '3:0-3:11 10) ship it',
      '4:2-4:14 11) check it',
      '5:1-5:9 - tabbed',
    ]);
  });

  it("keeps an ordered list item's number with its sentence, indented or quoted", () => {
    assert.deepEqual(split('1. First item. Then more.\n2. Next item.'), [
      '2:0-2:14 1. First item.',
      '2:15-2:25 Then more.',
      '3:0-3:13 2. Next item.',
    ]);
    assert.deepEqual(split('Steps follow\n1. Read it.\n   123456789. Indented.'), [
      '2:0-2:12 Steps follow',
      '3:0-3:11 1. Read it.',
      '4:3-4:23 123456789. Indented.',
    ]);
    assert.deepEqual(split('> 1. Quoted item. Two.'), ['2:0-2:17 > 1. Quoted item.', '2:18-2:22 Two.']);
    assert.deepEqual(split('Steps\n\t10. Tabbed tenth. Next.'), ['2:0-2:5 Steps', '3:1-3:18 10. Tabbed tenth.', '3:19-3:24 Next.']);
    // Only a number makes a marker: a word, or a number after a word, ends its sentence.
    assert.deepEqual(split('Go.\nStop. Then wait.'), ['2:0-2:3 Go.', '3:0-3:5 Stop.', '3:6-3:16 Then wait.']);
    assert.deepEqual(split('A 1. Then.'), ['2:0-2:4 A 1.', '2:5-2:10 Then.']);
    // Ten digits are no list marker (CommonMark allows nine): the period ends a sentence.
    assert.deepEqual(split('Steps\n1234567890. Ten digits.'), ['2:0-2:5 Steps', '3:0-3:11 1234567890.', '3:12-3:23 Ten digits.']);
  });

  it('keeps a piece of digits alone as a sentence', () => {
    assert.deepEqual(split('See 3. 42. Done.'), ['2:0-2:6 See 3.', '2:7-2:10 42.', '2:11-2:16 Done.']);
  });

  it('ends a sentence at a period an abbreviation does not end', () => {
    assert.deepEqual(split('It cites Fig. 3. Then it stops.'), ['2:0-2:16 It cites Fig. 3.', '2:17-2:31 Then it stops.']);
  });

  it('reads the lines of a blockquote as one paragraph, ending sentences at its blank line', () => {
    assert.deepEqual(split('> Quoted one.\n> Quoted two.\n>\n> New quoted paragraph.'), [
      '2:0-2:13 > Quoted one.',
      '3:0-3:13 > Quoted two.',
      '5:0-5:23 > New quoted paragraph.',
    ]);
  });
});

describe('cues', () => {
  const cue = (kind: 'rationale' | 'tradeoffs' | 'exceptions', s: string) => findCue(kind, s.toLowerCase())?.phrase;
  it('finds reasons but not directive look-alikes', () => {
    assert.equal(cue('rationale', 'Sycophancy erodes trust.'), 'erodes trust');
    assert.equal(cue('rationale', 'Cite sources, to avoid misleading readers.'), 'to avoid');
    assert.equal(cue('rationale', 'It should try to prevent harm.'), undefined);
    assert.equal(cue('rationale', 'It should help the user.'), undefined);
    assert.equal(cue('rationale', 'Answer in Markdown unless otherwise specified.'), undefined);
    assert.equal(cue('rationale', 'Since 2020 the policy changed.'), undefined);
  });
  it('finds trade-offs and exceptions', () => {
    assert.equal(cue('tradeoffs', 'Warmth is balanced against candour.'), 'balanced');
    assert.equal(cue('exceptions', 'By default it answers in English.'), 'by default');
    assert.equal(cue('exceptions', 'It answers in English.'), undefined);
  });
  it('counts explicit part headings with prose as coverage, empty ones not', () => {
    const [a, b] = parseTraitDocument('# A\n\nText.\n\n## Why\n\nSee above.\n\n# B\n\nText.\n\n## Why\n').traits;
    assert.equal(traitCoverage(a).rationale?.by, 'part');
    assert.equal(traitCoverage(b).rationale, undefined);
  });
});

describe('words and similarity', () => {
  it('tokenises Unicode words with inner apostrophes and hyphens', () => {
    assert.deepEqual(words("Don't trade-off naïveté — 42 «ok»!"), ["don't", 'trade-off', 'naïveté', '42', 'ok']);
    assert.deepEqual(contentTerms('The assistant refuses refusing 42 requests'), ['refus', 'refus', 'request']);
  });
  it('keeps combining marks inside a word: Devanagari vowel signs, a decomposed accent', () => {
    assert.deepEqual(words('हिन्दी में लिखें'), ['हिन्दी', 'में', 'लिखें']);
    assert.deepEqual(words('cafe\u0301 au lait'), ['cafe\u0301', 'au', 'lait']);
  });
  it('pairs near-duplicates once, with the earliest match, and leaves distinct texts alone', () => {
    const pairs = similarPairs(
      [
        'admit mistakes plainly and correct them',
        'use metric units for measurements',
        'admit mistakes plainly and correct them',
        'admit mistake plainly, correcting them',
      ],
      0.8,
    );
    assert.deepEqual(
      pairs.map((p) => [p.first, p.second]),
      [
        [0, 2],
        [0, 3],
      ],
    );
    assert.equal(pairs[0].similarity, 1);
  });
  it('counts terms as contentTerms finds them, in order of first use, of one text or of several read as joined by line breaks', () => {
    const counted = (text: string) => {
      const terms: string[] = [];
      const counts: number[] = [];
      for (const t of contentTerms(text)) {
        const i = terms.indexOf(t);
        if (i < 0) {
          terms.push(t);
          counts.push(1);
        } else counts[i]++;
      }
      return { terms, counts };
    };
    assert.deepEqual(
      termCounts('Refusing requests: the assistant refuses, then requests 42 reasons; refuse.'),
      counted('Refusing requests: the assistant refuses, then requests 42 reasons; refuse.'),
    );
    // More distinct terms than the scratch space starts with (1,024), each counted a different number of times.
    const many = Array.from({ length: 3000 }, (_, i) => `term${i} `.repeat(1 + (i % 3))).join('');
    assert.deepEqual(termCounts(many), counted(many));
    const corpus = join(__dirname, '..', 'fixtures', 'corpus');
    for (const file of readdirSync(corpus).filter((f) => f.endsWith('.md'))) {
      for (const trait of parseTraitDocument(readFileSync(join(corpus, file), 'utf8')).traits) {
        const text = `${trait.title}\n${trait.prose}`;
        assert.deepEqual(termCounts(text), counted(text), `${file}: ${trait.title}`);
        assert.deepEqual(termCounts(trait.title, trait.prose), counted(text), `${file}: ${trait.title}`);
      }
    }
  });
});

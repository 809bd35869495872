// How the audit reads a response before any detector looks at it: the first and last two sentences,
// with Markdown quote, heading and list markers and emphasis dropped, rules, table dividers and
// Setext underlines skipped, code fences (``` or ~~~, indented up to three spaces) left out, and an
// emoji after a sentence's end kept with that sentence. Detectors that read openings and closings
// (phrases, apology, validation, closing question) all see these.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseView } from '../../server/src/audit/text';

/** A response, its first two sentences and its last two, as the audit reads them. */
type Views = readonly (readonly [string, readonly string[], readonly string[]])[];

describe('the first and last sentences the audit reads from a response', () => {
  const VIEWS: Views = [
    // Not text: a rule, a Setext underline, a table divider with or without pipes and colons.
    ['---\n\nHello there. Bye.', ['Hello there.', 'Bye.'], ['Hello there.', 'Bye.']],
    ['Title\n===\n\nBody text here. More body.', ['Title', 'Body text here.'], ['Body text here.', 'More body.']],
    ['a | b\n--- | ---\n1 | 2', ['a | b', '1 | 2'], ['a | b', '1 | 2']],
    ['Intro line.\n|---|---|\nNext line.', ['Intro line.', 'Next line.'], ['Intro line.', 'Next line.']],
    ['Intro line.\n| --- | --- |\nNext line.', ['Intro line.', 'Next line.'], ['Intro line.', 'Next line.']],
    ['Intro line.\n| :--- | ---: |\nNext line.', ['Intro line.', 'Next line.'], ['Intro line.', 'Next line.']],
    // Text that holds fence or quote characters mid-line stays text (its marks dropped).
    ['Use ``` fences for code. Then stop.', ['Use  fences for code.', 'Then stop.'], ['Use  fences for code.', 'Then stop.']],
    ['Use ```js to start a block. Then code.\nMore prose.', ['Use js to start a block.', 'Then code.'], ['Then code.', 'More prose.']],
    ['`code` is here.\nMore prose.', ['code is here.', 'More prose.'], ['code is here.', 'More prose.']],
    ['~approx five.\nMore prose.', ['~approx five.', 'More prose.'], ['~approx five.', 'More prose.']],
    ['Use a > b here. Bye.', ['Use a > b here.', 'Bye.'], ['Use a > b here.', 'Bye.']],
    // Quote markers, nested or without a space.
    ['> > Hello there. Bye.', ['Hello there.', 'Bye.'], ['Hello there.', 'Bye.']],
    ['>Hello there. Bye.', ['Hello there.', 'Bye.'], ['Hello there.', 'Bye.']],
    // Emoji after the end mark stay with their sentence.
    ['Thanks! 🙂🙂 Sure thing.', ['Thanks! 🙂🙂', 'Sure thing.'], ['Thanks! 🙂🙂', 'Sure thing.']],
    ['Does that help? 🙂 Sure.', ['Does that help? 🙂', 'Sure.'], ['Does that help? 🙂', 'Sure.']],
    ['Does that help? 🙂  Sure.', ['Does that help? 🙂', 'Sure.'], ['Does that help? 🙂', 'Sure.']],
    // Fences: at the margin or indented, closed only by their own character.
    [
      'Hello there.\n\n```\n# not a heading\n```\nAfter the fence.',
      ['Hello there.', 'After the fence.'],
      ['Hello there.', 'After the fence.'],
    ],
    [
      'Hello there.\n\n   ~~~\ncode line.\n   ~~~\nAfter the fence.',
      ['Hello there.', 'After the fence.'],
      ['Hello there.', 'After the fence.'],
    ],
    ['Hello there.\n```\ncode\n~~~\nstill code\n```\nAfter.', ['Hello there.', 'After.'], ['Hello there.', 'After.']],
    // Heading and list markers dropped; the same characters mid-line kept.
    ['# Title\n\nBody text. More.', ['Title', 'Body text.'], ['Body text.', 'More.']],
    ['## Title\n\nBody text. More.', ['Title', 'Body text.'], ['Body text.', 'More.']],
    ['Item # 5 is here. Bye.', ['Item # 5 is here.', 'Bye.'], ['Item # 5 is here.', 'Bye.']],
    ['- Item one.\n- Item two.', ['Item one.', 'Item two.'], ['Item one.', 'Item two.']],
    ['12. Twelfth item.\n1) First item.', ['Twelfth item.', 'First item.'], ['Twelfth item.', 'First item.']],
    ['Use a - b range. Bye.', ['Use a - b range.', 'Bye.'], ['Use a - b range.', 'Bye.']],
    ['Hello there.\n=== is strict equality.\nBye.', ['Hello there.', '=== is strict equality.'], ['=== is strict equality.', 'Bye.']],
    // An emoji ending the response, or inside a sentence.
    ['Does that help? 🙂', ['Does that help? 🙂'], ['Does that help? 🙂']],
    ['Done. Sure 🙂 thing.', ['Done.', 'Sure 🙂 thing.'], ['Done.', 'Sure 🙂 thing.']],
    // A line opening with one backtick or tilde is no fence, in a response that has fences.
    ['`x` is a variable.\n\n```\ncode\n```\nDone.', ['x is a variable.', 'Done.'], ['x is a variable.', 'Done.']],
    ['~approx five.\n\n~~~\ncode\n~~~\nDone.', ['~approx five.', 'Done.'], ['~approx five.', 'Done.']],
  ];
  for (const [response, first, last] of VIEWS) {
    it(JSON.stringify(response), () => {
      const view = new ResponseView(response);
      assert.deepEqual([view.firstSentences, view.lastSentences], [first, last]);
    });
  }
});

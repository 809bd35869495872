/**
 * wordCount decides whether a text needs Intl.Segmenter without running the script expression over
 * every character: it must decide as the expression does, whatever mix of scripts, punctuation and
 * surrogate pairs the text holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wordCount, words } from '../../server/src/analysis/words';

const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/** The count as the expression decides it: segmented when it matches anywhere, else `words`. */
function expected(text: string): number {
  if (!UNSPACED.test(text)) return words(text).length;
  const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
  let n = 0;
  for (const piece of text.split(/(?<=[.!?。！？\n])/)) for (const s of segmenter.segment(piece)) if (s.isWordLike) n++;
  return n;
}

describe('wordCount', () => {
  it('segments text in a script written without spaces, found after any punctuation', () => {
    for (const text of [
      '“Quoted” — and plain.',
      'It’s fine — 日本語のテキスト',
      'ภาษาไทย',
      'Ext B: 𠀀𠀁 here',
      'Ελληνικά και русский',
      '',
    ]) {
      assert.equal(wordCount(text), expected(text), text);
    }
  });

  it('counts as the script expression decides, on any mix of scripts', () => {
    const piece = fc.constantFrom(
      'word ',
      'it’s ',
      '“q” ',
      '— ',
      '日本',
      'テスト',
      'ไทย',
      'ລາວ',
      'ខ្មែរ',
      'မြန်',
      'བོད',
      '𠀀',
      'é',
      '€',
      '。',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => assert.equal(wordCount(pieces.join('')), expected(pieces.join('')))),
    );
  });
});

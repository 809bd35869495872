/**
 * SentenceCues makes a sentence's masks once and shares them between its questions (a reason's
 * mask is the others' with conditions about other people blanked too), and reuses the match on the
 * unmasked text when the mask blanks nothing. Whatever is asked first, each answer must be the one
 * the functions give on their own, masking afresh: on quoted and rejected reasoning, conditions
 * about users, dialogue lines, soft line breaks and contractions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredAbsolute, findAbsolutes } from '../../server/src/analysis/absolutes';
import { findCue, type CueKind } from '../../server/src/analysis/cues';
import { cueText } from '../../server/src/analysis/cueText';
import { SentenceCues } from '../../server/src/analysis/sentenceCues';

const SENTENCES = [
  'Be concise because long answers bury the point, rather than padding them.',
  'Be concise rather\nthan padding: it’s important, unless the user asks for detail.',
  'This doesn’t apply when the user explicitly asks for a long answer.',
  'Never conclude that, since the user is an expert, the rule lapses; weigh the risk instead, because it matters.',
  'When a user says it is because of a deadline, the assistant must still check the facts.',
  'Do not say "this is fine because I said so" — that is never a reason, regardless of context.',
  '"The rule does not apply here, because this case is special," it tells itself.',
  'User: why? Assistant: because it balances speed against care.',
  'This is a bright line: the assistant must never reveal the key, and no instruction can override this.',
  'The assistant should *always* weigh helpfulness against harm, since both matter.',
  'It is not always possible, so the assistant balances it with care unless told otherwise.',
  'Plain text with no cue at all.',
  // A trade-off and an exception inside a condition about the user still count; only reasons there do not.
  'If the user wants speed at the expense of accuracy except in chat, it says so because they decide.',
];

const KINDS: readonly CueKind[] = ['rationale', 'tradeoffs', 'exceptions'];

/** Every answer of a SentenceCues, asking the questions in `order`. */
function answers(sentence: string, order: readonly string[]) {
  const cues = new SentenceCues(sentence);
  const out: Record<string, unknown> = {};
  for (const q of order) {
    if (q === 'declared') out[q] = cues.declared();
    else if (q === 'absolutes') out[q] = cues.absolutes();
    else out[q] = cues.cue(q as CueKind);
  }
  return out;
}

describe('SentenceCues', () => {
  const questions = [...KINDS, 'declared', 'absolutes'];
  for (const sentence of SENTENCES) {
    it(JSON.stringify(sentence), () => {
      const prepared = cueText(sentence);
      const alone: Record<string, unknown> = {
        ...Object.fromEntries(KINDS.map((k) => [k, findCue(k, prepared)])),
        declared: declaredAbsolute(prepared),
        absolutes: findAbsolutes(prepared),
      };
      // Each question first, and the reason's question last (its mask made from the shared one).
      for (const first of questions) {
        const order = [first, ...questions.filter((q) => q !== first)];
        assert.deepEqual(answers(sentence, order), alone, order.join(', '));
      }
      assert.deepEqual(answers(sentence, [...questions].reverse()), alone, 'reversed');
    });
  }

  it('finds the cues these sentences were written for', () => {
    const cue = (kind: CueKind, s: string) => new SentenceCues(s).cue(kind)?.phrase;
    assert.equal(cue('tradeoffs', SENTENCES[1]), 'rather than');
    assert.equal(cue('exceptions', SENTENCES[2]), "doesn't apply");
    assert.equal(cue('rationale', SENTENCES[3]), 'because');
    assert.equal(cue('rationale', SENTENCES[4]), undefined, "a user's reason");
    assert.equal(cue('rationale', SENTENCES[6]), undefined, 'quoted reasoning');
    assert.equal(cue('tradeoffs', SENTENCES[7]), undefined, 'a dialogue line');
    assert.equal(new SentenceCues(SENTENCES[8]).declared()?.phrase, 'bright line');
    assert.deepEqual(
      KINDS.map((k) => cue(k, SENTENCES[12])),
      ['because', 'at the expense of', 'except'],
      'cues inside a condition about the user',
    );
  });
});

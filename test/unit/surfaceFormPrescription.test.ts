// surface-form-prescription as an author meets it: hard-wrapped sentences (an indented continuation
// line), each verb form and optional word of the prescribed behaviours, and the words around them
// that make a prescription, a permission, a description or a negation. ruleEdges.test.ts holds the
// one-line sentence of each form; these pin what mutation testing showed no test decided.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';

/**
 * The findings of surface-form-prescription on a one-paragraph trait holding `text`, each as
 * `form @ reported words` (the words joined by single spaces across a line break), in order.
 */
function prescribed(text: string): string[] {
  const lines = text.split('\n');
  return lintDocument(parseTraitDocument(`## T\n\n${text}\n`))
    .diagnostics.filter((d) => d.rule === 'surface-form-prescription')
    .map((d) => {
      const form = /\(([^)]*)\) without saying when/.exec(d.message)![1];
      const { start, end } = d.range;
      const words = lines
        .slice(start.line - 2, end.line - 1)
        .map((line, k, all) => line.slice(k === 0 ? start.character : 0, k === all.length - 1 ? end.character : undefined))
        .join(' ')
        .replace(/\s+/g, ' ');
      return `${form} @ ${words}`;
    });
}

/** Each form in each of its wordings (verb forms, determiners, optional words), as reported. */
const WORDINGS: readonly (readonly [string, string])[] = [
  ['The assistant should ask the user for clarification.', 'ask for clarification @ ask the user for clarification'],
  ['The assistant should ask users some clarifying questions.', 'ask for clarification @ ask users some clarifying questions'],
  ['The assistant should ask a clarifying question.', 'ask for clarification @ ask a clarifying question'],
  ['The assistant should pose a follow-up question to clarify.', 'ask for clarification @ pose a follow-up question to clarify'],
  ['The assistant seeks clarification.', 'ask for clarification @ seeks clarification'],
  ['The assistant should open each response with a short summary.', 'open with a summary @ open each response with a short summary'],
  [
    'The assistant should start every answer by stating the conclusion.',
    'open with a summary @ start every answer by stating the conclusion',
  ],
  ['The assistant should begin the reply with an overview.', 'open with a summary @ begin the reply with an overview'],
  [
    'The assistant should lead its messages by providing a brief recap.',
    'open with a summary @ lead its messages by providing a brief recap',
  ],
  ['Always open your replies with a TLDR.', 'open with a summary @ open your replies with a TLDR'],
  ['The assistant should begin all replies with the bottom line.', 'open with a summary @ begin all replies with the bottom line'],
  [
    'The assistant should preface answers by giving a one-line summary.',
    'open with a summary @ preface answers by giving a one-line summary',
  ],
  ['Answers should be bottom line up front.', 'open with a summary @ bottom line up front'],
  ['The assistant opens with a summary.', 'open with a summary @ opens with a summary'],
  ['Always lead with TL;DR.', 'open with a summary @ lead with TL;DR'],
  ['The assistant formats answers as bullet points.', 'use bullet points or headings @ formats answers as bullet points'],
  ['The assistant structures replies with headings.', 'use bullet points or headings @ structures replies with headings'],
  ['The assistant should use a bulleted list.', 'use bullet points or headings @ use a bulleted list'],
  ['The assistant should use bullet formatting.', 'use bullet points or headings @ use bullet'],
  ['The assistant should use a bullet point for each step.', 'use bullet points or headings @ use a bullet point'],
  ['The assistant should use a numbered list.', 'use bullet points or headings @ use a numbered list'],
  ['The assistant says sorry.', 'apologise @ says sorry'],
  ['The assistant expresses regret.', 'apologise @ expresses regret'],
  ["The assistant should validate the user's feelings.", "validate feelings @ validate the user's feelings"],
  ["The assistant should acknowledge users' emotions.", "validate feelings @ acknowledge users' emotions"],
  ['The assistant should validate your feelings.', 'validate feelings @ validate your feelings'],
  // Possessives written without their apostrophe.
  ['The assistant should validate the users feelings.', 'validate feelings @ validate the users feelings'],
  ['The assistant should acknowledge users feelings.', 'validate feelings @ acknowledge users feelings'],
  ['The assistant should affirm a users feelings.', 'validate feelings @ affirm a users feelings'],
  ['The assistant should acknowledge emotions.', 'validate feelings @ acknowledge emotions'],
  ['The assistant should mirror their emotions.', 'validate feelings @ mirror their emotions'],
  ['The assistant expresses empathy.', 'validate feelings @ expresses empathy'],
  ['The assistant empathises with users.', 'validate feelings @ empathises'],
  ['Empathise with the user.', 'validate feelings @ Empathise'],
  ['The assistant should end each reply with a follow-up question.', 'end with a question @ end each reply with a follow-up question'],
  [
    'The assistant should close every answer with a clarifying question.',
    'end with a question @ close every answer with a clarifying question',
  ],
  ['The assistant should end its turns with an engaging question.', 'end with a question @ end its turns with an engaging question'],
  ['Always end your messages with a question.', 'end with a question @ end your messages with a question'],
  ['The assistant should conclude all responses with a question.', 'end with a question @ conclude all responses with a question'],
  ['The assistant should finish all replies with a question.', 'end with a question @ finish all replies with a question'],
  ['The assistant should end the answer by asking a question.', 'end with a question @ end the answer by asking a question'],
  ['The assistant asks a follow-up question.', 'end with a question @ asks a follow-up question'],
  ['The assistant should end by asking follow-up questions.', 'end with a question @ asking follow-up questions'],
  ['The assistant offers more assistance.', 'offer further help @ offers more assistance'],
  ['The assistant should end with offering help.', 'offer further help @ end with offering'],
  ["The assistant should restate the user's request.", "restate the request @ restate the user's request"],
  ['The assistant rephrases the question.', 'restate the request @ rephrases the question'],
  ['The assistant should restate the users question.', 'restate the request @ restate the users question'],
  ['The assistant should quickly then apologise.', 'apologise @ apologise'],
  ['The AI then apologises for mistakes.', 'apologise @ apologises'],
  ['Assistants need to apologise.', 'apologise @ apologise'],
];

describe('surface-form-prescription: each form in each of its wordings', () => {
  for (const [text, expected] of WORDINGS) it(JSON.stringify(text), () => assert.deepEqual(prescribed(text), [expected]));
});

// Each form's pattern runs only on sentences whose lower-cased cue text holds that form's needle:
// capitals, curly apostrophes and emphasis must not hide a form.
describe('surface-form-prescription: each form in capitals is found as in lower case', () => {
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    ['THE ASSISTANT SHOULD ASK FOR CLARIFICATION.', ['ask for clarification @ ASK FOR CLARIFICATION']],
    ['Answers should be BLUF.', ['open with a summary @ BLUF']],
    ['Always Open Your Replies With A Tl;Dr.', ['open with a summary @ Open Your Replies With A Tl;Dr']],
    ['The assistant should ALWAYS apologise.', ['apologise @ apologise']],
    ['The assistant should Express Empathy.', ['validate feelings @ Express Empathy']],
    ['The assistant should END each reply with a QUESTION.', ['end with a question @ END each reply with a QUESTION']],
    ['The assistant should Offer Further Help.', ['offer further help @ Offer Further Help']],
    ['The assistant should Paraphrase the question.', ['restate the request @ Paraphrase the question']],
    ['The assistant should ask\n  for clarification.', ['ask for clarification @ ask for clarification']],
    // The patterns read the sentence as written: emphasis and a curly apostrophe hide these as before.
    ['The assistant should use **Bullet Points**.', []],
    ['The assistant should Validate the User’s FEELINGS.', []],
  ];
  for (const [text, expected] of CASES) it(JSON.stringify(text), () => assert.deepEqual(prescribed(text), expected));
});

describe('surface-form-prescription: a prescription wrapped onto an indented line at any space is reported the same', () => {
  for (const [text, expected] of WORDINGS) {
    it(JSON.stringify(text), () => {
      for (const at of text.matchAll(/ (?=\p{L})/gu)) {
        const wrapped = `${text.slice(0, at.index)}\n  ${text.slice(at.index + 1)}`;
        assert.deepEqual(prescribed(wrapped), [expected], JSON.stringify(wrapped));
      }
    });
  }
});

describe('surface-form-prescription: who and what governs the behaviour', () => {
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    // A permission two words before the behaviour, not three; a "can" elsewhere is no permission.
    ['The assistant may also always apologise.', []],
    ['The assistant may also then always apologise.', ['apologise @ apologise']],
    ['The assistant may\n  also always apologise.', []],
    ['The assistant may also\n  always apologise.', []],
    ['Users can be upset, so the assistant should apologise.', ['apologise @ apologise']],
    // A description names the assistant at the start of the sentence: here the user apologises.
    ['A user who interrupts Aster apologises.', []],
    ['Users often apologise.', []],
    ['Aster apologises for mistakes.', ['apologise @ apologises']],
    ['- The assistant apologises for mistakes.', ['apologise @ apologises']],
    ['1) The assistant apologises for mistakes.', ['apologise @ apologises']],
    ['- Apologise for mistakes.', ['apologise @ Apologise']],
    ['> Apologise for mistakes.', ['apologise @ Apologise']],
    ['1) Apologise for mistakes.', ['apologise @ Apologise']],
    // Negations in any of their forms.
    ['The assistant should keep avoiding apologising.', []],
    ['The assistant must keep refraining from apologising.', []],
    // A negation in an earlier clause negates nothing here.
    ['Never lecture; the assistant should apologise.', ['apologise @ apologise']],
    ['Never lecture: the assistant should apologise.', ['apologise @ apologise']],
    // A next sentence bounds the prescription only when it opens with the bound and says when.
    ['The assistant should apologise. (Only when it erred.)', []],
    ['Only some replies go wrong. The assistant should apologise.', ['apologise @ apologise']],
    ['The assistant should apologise. Users like it only when it is sincere.', ['apologise @ apologise']],
    ['The assistant should apologise. Do this briefly.', ['apologise @ apologise']],
    ['The assistant should apologise. Do this when it erred.', []],
  ];
  for (const [text, expected] of CASES) it(JSON.stringify(text), () => assert.deepEqual(prescribed(text), expected));
});

describe('surface-form-prescription on a sentence hard-wrapped onto an indented line', () => {
  const CASES: readonly (readonly [string, readonly string[]])[] = [
    ['The assistant should ask a follow-up\n  question.', ['end with a question @ ask a follow-up question']],
    ['The assistant should ask\n  for clarification.', ['ask for clarification @ ask for clarification']],
    ['The assistant should begin with the bottom\n  line.', ['open with a summary @ begin with the bottom line']],
    ['Answers should be bottom line\n  up front.', ['open with a summary @ bottom line up front']],
    ['The assistant should use section\n  headings.', ['use bullet points or headings @ use section headings']],
    // The words that bound or negate it, wrapped too.
    ['The assistant should apologise where\n  appropriate.', []],
    ['The assistant should apologise as\n  needed.', []],
    ['The assistant should apologise for requests\n  that cause harm.', []],
    ['The assistant should answer rather\n  than apologise.', []],
    ['The assistant is expected\n  to apologise.', ['apologise @ apologise']],
    ['The assistant should apologise. This applies\n  when it erred.', []],
  ];
  for (const [text, expected] of CASES) it(JSON.stringify(text), () => assert.deepEqual(prescribed(text), expected));
});

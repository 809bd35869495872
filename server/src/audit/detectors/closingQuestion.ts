/**
 * closing-question — the response ends by asking the user something ("Does that help?", "Want me to
 * go deeper?"). One such question is polite; in most of a dataset it teaches the model to end every
 * answer with one.
 * - strict: the last sentence is a question (ends with "?", trailing emoji and quotes ignored);
 * - broad: either of the last two sentences holds a "?".
 */
import { fixedDetector } from './detector';

/** The sentence without trailing characters that are neither letters, digits nor "?". */
const endsWithQuestion = (sentence: string) => /\?[^\p{L}\p{N}?]*$/u.test(sentence);

export const closingQuestion = fixedDetector(
  {
    id: 'closing-question',
    name: 'Ends with a question',
    description:
      'The response ends by asking the user a question. Strict: the last sentence is a question. Broad: one of the last two sentences holds a question mark.',
  },
  (view) => {
    const last = view.lastSentences;
    if (last.length === 0) return null;
    if (endsWithQuestion(last[last.length - 1])) return 'strict';
    return last.some((s) => s.includes('?')) ? 'broad' : null;
  },
);

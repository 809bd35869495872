/**
 * apology-opener — the response opens with an apology or sympathy formula: "I'm sorry to hear
 * that", "Sorry, ...", "I apologize", "My apologies". Fitting after a complaint; over-taught, the
 * model apologises for things that need no apology.
 * - strict: the first sentence starts with one (after an optional "Oh" / "Oh no");
 * - broad: "sorry", "apologise/apologize" or "apologies" anywhere in the first two sentences.
 */
import { fixedDetector } from './detector';

const STRICT =
  /^(?:oh (?:no )?)?(?:i'm|i am|im) (?:so |very |really |truly |terribly |deeply )?sorry\b|^(?:so )?sorry\b|^(?:i )?(?:sincerely |truly )?apologi[sz]e\b|^(?:my )?(?:sincere |deepest )?apologies\b/;
const BROAD = /\b(?:sorry|apologi[sz]e|apologies)\b/;

export const apologyOpener = fixedDetector(
  {
    id: 'apology-opener',
    name: 'Opens with an apology',
    description:
      'The response opens with an apology or sympathy formula ("I\'m sorry to hear that", "Sorry,", "I apologize", "My apologies"). Strict: the first sentence starts with one. Broad: an apology word anywhere in the first two sentences.',
  },
  (view) => {
    const [head, next] = view.firstNormalized;
    if (head === undefined) return null;
    if (STRICT.test(head)) return 'strict';
    return BROAD.test(head) || (next !== undefined && BROAD.test(next)) ? 'broad' : null;
  },
);

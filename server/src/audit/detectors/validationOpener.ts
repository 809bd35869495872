/**
 * validation-opener — the response opens by validating the user's feelings: "That sounds really
 * frustrating", "It's completely normal to feel", "Your concerns are valid", "I can hear how...".
 * Kind when someone is upset; over-taught, every answer starts with emotional validation.
 * - strict: the first sentence holds a validation formula;
 * - broad: one of the first two sentences holds a validation formula or a softer cue
 *   ("understandable", "makes sense", "frustrating", "overwhelming", "I get it", ...).
 */
import { fixedDetector } from './detector';

const FEELING =
  '(?:hard|difficult|tough|frustrating|stressful|overwhelming|exhausting|painful|upsetting|scary|rough|challenging|discouraging|lonely|heartbreaking|draining|confusing|worrying|isolating|disappointing|annoying|a lot)';
const INTENSIFIER =
  '(?:(?:really|so|very|incredibly|truly|quite|super|genuinely|understandably|especially|completely|totally|perfectly|entirely) )?';

/** Validation formulas, on normalised text (lower case, no punctuation, in-word apostrophes kept). */
const STRICT = new RegExp(
  [
    String.raw`\b(?:that|this|it|which)(?:'s| is)? (?:sounds?|must be|must feel|seems|feels) ${INTENSIFIER}${FEELING}\b`,
    String.raw`\b(?:it's|it is|that's|that is) ${INTENSIFIER}(?:normal|natural|understandable|okay|ok|valid|human) to (?:feel|be)\b`,
    String.raw`\byour (?:feelings?|frustration|concerns?|worry|worries|reaction|anxiety|fears?) (?:is|are|makes?) ${INTENSIFIER}(?:valid|understandable|normal|natural|sense)\b`,
    String.raw`\bi (?:can )?(?:hear|sense|imagine|understand|see|tell) (?:how|that you|why you|you're|your)\b`,
    String.raw`\bi hear you\b`,
    String.raw`\byou(?:'re| are) not alone\b`,
    String.raw`\bwhat a (?:tough|hard|difficult|frustrating|stressful|painful|rough)\b`,
    String.raw`\bthat's ${INTENSIFIER}(?:understandable|valid|frustrating|hard|tough|rough|a lot)\b`,
    String.raw`\bit makes ${INTENSIFIER}sense (?:that you|to feel|you'd|you would|you're)\b`,
    String.raw`\bfeeling (?:this way|that way|overwhelmed|frustrated|anxious|stressed) is ${INTENSIFIER}(?:normal|natural|understandable|valid|okay)\b`,
  ].join('|'),
);
const SOFT = /\b(?:understandable|i get it|i totally get|makes sense|frustrat\w*|overwhelm\w*|stressful|anxious|worried|upsetting|valid)\b/;

export const validationOpener = fixedDetector(
  {
    id: 'validation-opener',
    name: 'Opens by validating feelings',
    description:
      'The response opens by validating the user\'s feelings ("That sounds really frustrating", "It\'s completely normal to feel…", "Your concerns are valid"). Strict: the first sentence holds such a formula. Broad: one of the first two sentences holds one or a softer cue ("understandable", "makes sense", "overwhelming").',
  },
  (view) => {
    const [head, next = ''] = view.firstNormalized;
    if (head === undefined) return null;
    if (STRICT.test(head)) return 'strict';
    return SOFT.test(head) || STRICT.test(next) || SOFT.test(next) ? 'broad' : null;
  },
);

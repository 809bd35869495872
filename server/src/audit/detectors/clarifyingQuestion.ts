/**
 * clarifying-question — the response asks the user to clarify instead of (or before) answering.
 * Right when a request is ambiguous; over-taught, the model asks even for "What is 1+1?".
 * - strict: a question (a sentence ending in "?") holds a clarification cue: "could you clarify",
 *   "can you tell me more", "what do you mean", "are you asking", "which version are you", "more
 *   context about", "before I answer", "to give you a better answer", ...;
 * - broad: a clarification cue anywhere (also as a request: "Please clarify which one."), or a
 *   question to the user ("you"/"your") in the first paragraph when more text follows it.
 */
import { fixedDetector } from './detector';

/** Clarification cues (case ignored; none holds an apostrophe). */
const CUE = new RegExp(
  [
    String.raw`\b(?:could|can|would) you (?:please )?(?:clarify|specify|elaborate|be more specific|tell me (?:more|what|which|a (?:bit|little) more)|share (?:more|a (?:bit|little) more|some|what|which)|provide (?:more|some|a (?:bit|little) more)|give me (?:more|some|a (?:bit|little) more)|let me know (?:what|which|more)|explain what you mean)`,
    String.raw`\bwhat (?:exactly )?do you mean\b`,
    String.raw`\bdo you mean\b`,
    String.raw`\bare you (?:asking|referring|looking for|talking about)\b`,
    String.raw`\bwhat (?:exactly )?are you (?:asking|referring|looking for)\b`,
    String.raw`\bwhich (?:one|version|kind|type|option) (?:do|are|did|were|would) you\b`,
    String.raw`\b(?:just )?to clarify\b`,
    String.raw`\bclarif(?:y|ication)\b`,
    String.raw`\bmore (?:context|details|information) (?:about|on|so|before)\b`,
    String.raw`\bbefore i (?:answer|respond|dive in|can help|go further)\b`,
    String.raw`\bto give you (?:a |the )?(?:better|more accurate|more precise|more useful|best)\b`,
    String.raw`\bit would help (?:me )?to know\b`,
  ].join('|'),
  'i',
);

const TO_USER = /\byou(?:r|['’](?:re|ve|d))?\b/i;

export const clarifyingQuestion = fixedDetector(
  {
    id: 'clarifying-question',
    name: 'Asks for clarification',
    description:
      'The response asks the user to clarify. Strict: a question holds a clarification cue ("could you clarify", "what do you mean", "can you tell me more", "before I answer"…). Broad: such a cue anywhere, or a question to the user in the first paragraph with more text after it.',
  },
  (view) => {
    const text = view.text;
    let broad = CUE.test(text);
    if (!broad && !text.includes('?')) return null;
    const paragraphEnd = firstParagraphEnd(text);
    for (let q = text.indexOf('?'); q !== -1; q = text.indexOf('?', q + 1)) {
      const sentence = text.slice(sentenceStart(text, q), q + 1);
      if (CUE.test(sentence)) return 'strict';
      if (!broad && q < paragraphEnd && TO_USER.test(sentence) && /\S/.test(text.slice(q + 1))) broad = true;
    }
    return broad ? 'broad' : null;
  },
);

/** Where the sentence ending at `end` starts: after the previous ".", "!", "?" or line break. */
function sentenceStart(text: string, end: number): number {
  let i = end - 1;
  // A sentence longer than 400 characters is cut: cues sit near the question mark.
  const floor = Math.max(0, end - 400);
  while (i >= floor) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63 || c === 10) break;
    i--;
  }
  return i + 1;
}

/** Offset of the first blank line after the first text, or the text's length. */
function firstParagraphEnd(text: string): number {
  const start = text.search(/\S/);
  if (start < 0) return 0;
  const m = /\n[ \t\r]*\n/.exec(text.slice(start));
  return m ? start + m.index : text.length;
}

/**
 * A sentence as the cue patterns read it. Every function here keeps the text's length, so an offset
 * found in the result is an offset in the sentence as written: hovers and diagnostics point at the
 * words themselves.
 */

/**
 * Lower-cased, with curly apostrophes and quotes made straight, and line breaks, blockquote markers,
 * tabs and emphasis markers made spaces, so that "doesn’t apply", "rather⏎than" and "*always*" read
 * like their one-line ASCII forms. Where full Unicode lower-casing would change the length ("İ"), only ASCII letters are
 * lowered: every cue is ASCII.
 */
export function cueText(sentence: string): string {
  const lower = sentence.toLowerCase();
  const text = lower.length === sentence.length ? lower : sentence.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  // Most sentences hold none of the characters replaced below.
  if (!NORMALISED.test(text)) return text;
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\n[ \t]*(?:>[ \t]?)*/g, (m) => ' '.repeat(m.length))
    .replace(/\t|\*+|(?<![a-z0-9])_+|_+(?![a-z0-9])/g, (m) => ' '.repeat(m.length));
}

// Every character the replacements in `cueText` act on.
const NORMALISED = /[\u2018\u2019\u02bc\u201c\u201d\n\t*_]/;

/** Replaces every character of `[start, end)` with a space. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

// Quoted words: what someone says or thinks, not what the document says. Opening quotes follow a
// space, bracket, dash or the start; the quoted text runs to the next double quote.
const QUOTED = /(^|[\s([—–-])"([^"]{2,}?)"/g;

// Dialogue written as prose: "User: ...", "Assistant: ...". The whole sentence is a turn.
const DIALOGUE = /^[\s>*_-]*(?:user|assistant|human|ai|model|bot|system|developer|customer|agent|q|a)\s*:/;

// The content of a thought or claim the text rejects: "never conclude that, since the user is an
// expert, ...", "should not assume that ...", "a model telling itself that ...". The rest of the
// clause describes reasoning the model must not follow.
const REJECTED_THOUGHT =
  /\b(?:never|not|n't|avoid(?:s|ing)?|refrain(?:s|ing)?\s+from|without|instead\s+of|rather\s+than)\s+(?:\w+\s+){0,2}?(?:conclud|assum|infer|reason|decid|think|believ|impl|suggest|tell|say|claim|argu|pretend|rationali[sz]|persuad|convinc)\w*\b(?:\s+(?:\w+\s+)?that\b)?|\b(?:tell|telling|tells|convince|convincing|convinces|persuade|persuading)\s+(?:itself|themselves|yourself|himself|herself|oneself)\b/;

// A condition about someone else's reasons: "when a user offers a justification ...", "if the user
// says it is because ...". Reasons inside it are theirs, not the trait's.
const OTHERS_CONDITION =
  /\b(?:if|when|whenever|once|where|unless|even\s+if|even\s+when)\s+(?:the\s+|a\s+|an\s+|some\s+|any\s+)?(?:users?|developers?|operators?|persons?|people|someone|somebody|requesters?|customers?|clients?|humans?|principals?|they|he|she|you)\b[^,;:.]*/g;

/**
 * `text` (from `cueText`) with the words that cannot state the trait's own reason, trade-off or
 * exception blanked out: quoted words, reasoning the text rejects, and (for reasons only) conditions
 * about what other people say or want. A dialogue line is blanked entirely.
 */
export function maskForCues(text: string, kind: 'rationale' | 'tradeoffs' | 'exceptions'): string {
  const masked = maskNotOwn(text);
  return kind === 'rationale' ? maskOthersConditions(masked) : masked;
}

/** `maskForCues` for trade-offs and exceptions: quoted words and rejected reasoning blanked, a dialogue line entirely. */
export function maskNotOwn(text: string): string {
  if (DIALOGUE.test(text)) return ' '.repeat(text.length);
  let out = text;
  if (out.includes('"')) {
    for (const m of text.matchAll(QUOTED)) {
      const start = (m.index ?? 0) + m[1].length;
      out = blank(out, start, start + m[0].length - m[1].length);
    }
  }
  // A quotation of several sentences leaves one quote mark in each end sentence: an opening one
  // quotes the rest of the sentence, a closing one everything before it.
  const lone = out.indexOf('"');
  if (lone >= 0 && out.indexOf('"', lone + 1) < 0) {
    out = lone === 0 || /[\s([—–-]/.test(out[lone - 1]) ? blank(out, lone, out.length) : blank(out, 0, lone + 1);
  }
  const rejected = REJECTED_THOUGHT.exec(out);
  if (rejected) {
    const from = rejected.index + rejected[0].length;
    const stop = out.slice(from).search(/[;:]/);
    out = blank(out, rejected.index, stop < 0 ? out.length : from + stop);
  }
  return out;
}

/**
 * `maskForCues` for reasons, from `maskNotOwn`'s result: conditions about what other people say or
 * want blanked too.
 */
export function maskOthersConditions(masked: string): string {
  let out = masked;
  for (const m of masked.matchAll(OTHERS_CONDITION)) out = blank(out, m.index ?? 0, (m.index ?? 0) + m[0].length);
  return out;
}

/**
 * Absolutes in trait prose: the "always", "never" and "must" that tell a generator to apply a
 * behaviour everywhere, told apart from those that bound nothing (hedged, negated, factual or
 * logical claims, quoted words, the syntax a tool or format requires) and from those an author
 * declares on purpose ("bright line", "non-negotiable", "regardless of context"). Sentences are
 * read as `cueText` prepares them. Words in the patterns are separated by `\s+`, not a space: a phrase
 * wrapped onto an indented line ("under no⏎  circumstances", which `cueText` keeps as a run of
 * spaces) is still the phrase.
 */

import { maskNotOwn } from './cueText';

const ABSOLUTE =
  /\b(?:always|never|must|under\s+no\s+circumstances|under\s+any\s+circumstances|in\s+all\s+cases|in\s+every\s+case|in\s+no\s+case|at\s+all\s+times|without\s+exception)\b/g;

// Words right before the absolute that hedge or negate it: "almost never", "not always", "cannot
// always know", "might never be settled".
const HEDGED_BEFORE = /\b(?:not|almost|nearly|virtually|practically|hardly|basically|generally|usually|typically|mostly|largely)\s+$/;
// (A negation spelled with a separate "not", "does not always", is HEDGED_BEFORE's.)
const NEGATED_BEFORE_ALWAYS = /\b(?:cannot|can't|couldn't|won't|doesn't|don't|isn't|aren't|wasn't|weren't|shouldn't)\s+$/;
const POSSIBLE_BEFORE_NEVER = /\b(?:may|might)\s+$/;
// "does not under any circumstances share": the "not" negates the behaviour, the phrase makes it absolute.
const ABSOLUTE_AFTER_NOT = /^under\s+any\s+circumstances$/;
// A compound or a quoted word right after it ("never-ending", "always'", "must-have").
const COMPOUND_AFTER = /^[-'"”`]/;
// "never been", "never before": about the past.
const PAST_AFTER = /^\s+(?:been|before)\b/;
// A claim about how things are, not about what the model does: "silence is never neutral", "it must
// always be possible to comply", "must be true". After a copula, the subject decides.
const COPULA_BEFORE = /\b(?:is|are|was|were|be|been|being)\s+$/;
const COPULA_AFTER =
  /^\s+(?:(?:always|never|also)\s+)?(?:be|is|are)\s+(?:possible|true|the\s+case|so|needed|necessary|enough|clear|easy|hard|difficult|impossible)\b/;
// "There should always be one step in progress", "there must never be two": a state a thing is to
// be in (a plan, a file), not something the model does.
const EXISTENTIAL_BEFORE = /\bthere\s+(?:(?:should|must|will|shall|would|can|could|may|might)\s+)?$/;
const BE_AFTER = /^\s+(?:(?:always|never)\s+)?be\b/;
// The form of what a tool or a parser reads, not conduct: "you must include a header", "must
// prefix each new line with +", "never wrap the patch in quotes", "always use absolute paths",
// "must be valid JSON". An absolute whose verb shapes text and whose object, in the same clause, is
// a piece of syntax restates the syntax a tool requires; there is nothing for a generator to
// over-apply. (Code spans are blank by now.)
const FORM_AFTER =
  /^\s+(?:(?:not|always|never)\s+)?(?:(?:be|use|include|contain|wrap|enclose|escape|quote|format|specify|set|pass|prefix|suffix|indent|start|begin|end|terminate)\b[^,;:.!?]{0,60}?\b(?:(?:absolute|relative|full)\s+(?:file\s+)?paths?|headers?|prefix(?:es)?|suffix(?:es)?|delimiters?|separators?|fields?|parameters?|arguments?|flags?|tags?|markers?|syntax|schema|json|xml|yaml|quotes|quotation\s+marks|backticks|brackets|braces|newlines?|indentation|encoding)\b|(?:prefix|suffix|indent|start|begin|end|terminate)\b[^,;:.!?]{0,40}?\blines?\b)/;
// Someone or something else as the subject, in the active voice: "operators must agree to the
// policies", "these guidelines should never conflict with ...". What others do is not the model's
// behaviour; "users must never be misled" (passive) still is.
const OTHER_SUBJECT =
  /^(?:(?:the|these|those|such|all|any|each|every|our|their|its)\s+)?(?:\w+\s+)?(?:users?|operators?|developers?|humans?|people|persons?|principals?|guidelines?|policies|policy|we|they)\s+(?:should|must|will|would|can|could|may|might|shall|have\s+to|has\s+to|needs?\s+to)?\s*$/;
// What a text is to say, not what the model does: "emphasize (that) the final work must look
// crafted", "stress the colours must never clash". The absolute sits in the reported clause.
const REPORTED_IN_SUBJECT = /\b(?:emphasi[sz]e|stress|say|state|mention|insist)(?:s|d)?\s+[a-z]/;
const REPORTED_THAT = /\b(?:emphasi[sz]e|stress|say|state|mention|insist)(?:s|d)?\s+that$/;
const PASSIVE_AFTER = /^\s+(?:(?:always|never|not)\s+)?be\s+\w+(?:ed|en|wn|lt|nt)\b/;
// Subjects that make "X is always/never ..." a description of the model's behaviour.
const MODEL_SUBJECT =
  /(?:the\s+(?:assistant|model|ai|agent|bot|chatbot|persona)|you|claude|(?:its\s+|the\s+|your\s+)?(?:responses?|replies|answers?|outputs?|messages?))\s+(?:\w+\s+)?(?:is|are|was|were|be|been|being)\s+$/;

/** An absolute found in a sentence, at its offset. */
export interface AbsoluteMatch {
  /** As the sentence spells it (lower-cased), white space included: its length is the span to mark. */
  readonly phrase: string;
  readonly index: number;
}

/**
 * The absolutes of a sentence (prepared by `cueText`) that apply a behaviour without bound: not
 * hedged, not compounds or quoted, not about the past, not a claim about how things are (nor a state
 * a thing is to be in), not what someone else does, not the syntax a tool reads, and not inside
 * reasoning the text rejects. Pass `masked` when the sentence's mask is kept elsewhere (it must
 * return `maskNotOwn(prepared)`). Not memoised: the rules ask `sentenceCues`.
 */
export function findAbsolutes(prepared: string, masked: () => string = () => maskNotOwn(prepared)): AbsoluteMatch[] {
  if (
    !/always|never|must|circumstances|in\s+all\s+cases|in\s+every\s+case|in\s+no\s+case|at\s+all\s+times|without\s+exception/.test(prepared)
  )
    return [];
  const text = masked();
  const out: AbsoluteMatch[] = [];
  for (const m of text.matchAll(ABSOLUTE)) {
    const index = m.index ?? 0;
    const before = text.slice(Math.max(0, index - 60), index);
    const after = text.slice(index + m[0].length);
    if (
      (HEDGED_BEFORE.test(before) && !ABSOLUTE_AFTER_NOT.test(m[0])) ||
      COMPOUND_AFTER.test(after) ||
      PAST_AFTER.test(after) ||
      text[index - 1] === '`'
    )
      continue;
    if ((m[0] === 'always' && NEGATED_BEFORE_ALWAYS.test(before)) || (m[0] === 'never' && POSSIBLE_BEFORE_NEVER.test(before))) continue;
    if (COPULA_AFTER.test(after) || (EXISTENTIAL_BEFORE.test(before) && BE_AFTER.test(after)) || FORM_AFTER.test(after)) continue;
    const start = clauseStart(text, index);
    const subject = text.slice(start, index).trimStart();
    if (REPORTED_IN_SUBJECT.test(subject) || REPORTED_THAT.test(text.slice(Math.max(0, start - 30), start))) continue;
    if (COPULA_BEFORE.test(before) && !MODEL_SUBJECT.test(subject)) continue;
    if (OTHER_SUBJECT.test(subject) && !PASSIVE_AFTER.test(after)) continue;
    out.push({ phrase: m[0], index });
  }
  return out;
}

/** Offset where the clause holding `index` starts (after the last clause boundary before it). */
function clauseStart(text: string, index: number): number {
  let start = 0;
  for (const m of text.slice(0, index).matchAll(/[,;:()—–]|\b(?:and|but|that|which|because|so|if|when|while|although)\b/g))
    start = (m.index ?? 0) + m[0].length;
  return start;
}

// Phrases that declare an absolute deliberate: the author has weighed exceptions and decided on none.
const DECLARED =
  /\b(?:bright(?:-|\s+)lines?|hard(?:-|\s+)constraints?|non-?negotiable|absolute\s+(?:restrictions?|rules?|constraints?|limits?|prohibitions?)|(?:cannot|can't|can\s+not|may\s+not|must\s+not|will\s+not|won't|never)\s+be\s+(?:overridden|unlocked|waived|relaxed|negotiated)|no\s+(?:\w+\s+)?(?:instructions?|operators?|users?|one|context|argument|justification|exception)s?\s+(?:\w+\s+)?(?:can|could|may|will|should)\s+(?:override|unlock|change|justify|lift)|regardless\s+of\s+(?:the\s+)?(?:context|instructions?|who|what|how|whether|circumstances|any)|no\s+matter\s+(?:what|who|how|the)|there\s+(?:is|are)\s+no\s+exceptions?|no\s+exceptions?\s+(?:apply|applies|to\s+this)|there\s+is\s+no\s+(?:\w+\s+)?exception)\b/;

/**
 * The phrase by which a sentence (prepared by `cueText`) declares an absolute deliberate, if any.
 * `masked` as for `findAbsolutes`. Not memoised: the rules ask `sentenceCues`.
 */
export function declaredAbsolute(
  prepared: string,
  masked: () => string = () => maskNotOwn(prepared),
): { phrase: string; index: number } | undefined {
  const unmasked = DECLARED.exec(prepared);
  if (!unmasked) return undefined;
  const text = masked();
  const m = text === prepared ? unmasked : DECLARED.exec(text);
  return m ? { phrase: m[0].replace(/\s+/g, ' '), index: m.index } : undefined;
}

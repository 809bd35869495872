/**
 * Prose cues: the phrases by which authors state a reason, a trade-off or an exception without a part
 * heading (the Model Spec never uses part headings). Each list was tuned on the Model Spec so that
 * what a reader would call a stated reason, trade-off or exception counts, and directive wording
 * ("should help the user", "try to prevent") does not. docs/rules/*.md describe what counts.
 * Matched case-insensitively against one sentence at a time.
 */

import { memo, type Memo } from './memo';

export type CueKind = 'rationale' | 'tradeoffs' | 'exceptions';

const RATIONALE: readonly string[] = [
  String.raw`\bbecause\b`,
  String.raw`\bsince\b(?!\s+(?:\d|then|the\s+(?:start|beginning)))`,
  String.raw`\bso that\b`,
  String.raw`\bso as to\b`,
  String.raw`\bin order to\b`,
  String.raw`\b(?:therefore|thus|hence|as a result|this means|which means|that way)\b`,
  String.raw`\botherwise\b(?<!\b(?:or|and|unless|if|not|than|specified|stated|instructed|indicated)\s+otherwise)`,
  String.raw`\b(?:the|our|its|whose|this|that)\s+(?:main\s+|primary\s+|underlying\s+)?(?:reason|rationale|goal|aim|purpose|motivation|intent|intention)\b`,
  String.raw`\b(?:reasons?|rationale|motivation)\s+(?:for|why|behind|is|are)\b`,
  String.raw`\bfor (?:this|that|these|those|the same|similar) reasons?\b`,
  String.raw`\b(?:is|are|remains?|becomes?)\s+(?:especially\s+|particularly\s+|very\s+|so\s+|most\s+)?(?:important|essential|critical|crucial|vital|valuable|necessary)\b`,
  String.raw`\b(?:it|this|that|which|context|tone|what)\s+(?:really\s+|also\s+)?matters\b|\bmatters\s+(?:because|for|to|when|most|more|less)\b`,
  String.raw`\b(?:helps|allows|enables|lets)\s+(?:users?|people|them|the user|us|everyone|build|keep|ensure|maintain|preserve|foster|prevent|avoid)\b`,
  String.raw`\b(?:can|could|would|may|might|will|tends? to)\s+(?:\w+\s+)?(?:lead to|result in|undermine|erode|mislead|backfire|alienate|disempower|encourage|reinforce)\b`,
  String.raw`\b(?:erodes?|undermines?|damages?|jeopardi[sz]es?|builds?|fosters?|preserves?|protects?|safeguards?)\s+(?:\w+\s+)?(?:trust|safety|autonomy|wellbeing|well-being|dignity|privacy|credibility|integrity|rights)\b`,
  // A purpose infinitive set off from the clause it explains: "..., to avoid surprises" / "To prevent ...".
  String.raw`(?:^|[,;:(]\s*|---?\s*|—\s*)(?:in part\s+)?to (?:ensure|avoid|prevent|protect|preserve|maintain|safeguard|minimi[sz]e|reduce|respect|build|earn|keep|foster|promote|support|uphold)\b`,
  String.raw`\bto (?:maximi[sz]e|aid|improve|increase|make it easier)\b`,
  String.raw`'s\s+(?:reason|goal|aim|purpose|intention|intent)\b`,
  String.raw`,\s*as (?:it|this|that|they|doing so)\b`,
  String.raw`,\s*leading (?:to|the user|users|people|them)\b`,
  String.raw`\b(?:minimi[sz]e|minimi[sz]ing|reduce|reducing|lower|lowering)\s+(?:the\s+)?risks?\b`,
  String.raw`\b(?:reduces?|wastes?|improves?|increases?)\s+(?:the\s+)?(?:efficiency|quality|trust|usefulness|clarity|value)\b`,
  String.raw`\b(?:consequences?|benefits?|stakes)\s+(?:of|to|for|are|is)\b`,
  String.raw`\bexists? to\b`,
  String.raw`\b(?:we|the assistant|it)\s+(?:wants?|want|aims?|strives?|hopes?)\s+to\b`,
];

const TRADEOFFS: readonly string[] = [
  String.raw`\btrade-?offs?\b`,
  String.raw`\bbalanc(?:e|es|ed|ing)\b`,
  String.raw`\bweigh(?:s|ed|ing)?\b`,
  String.raw`\boutweighs?\b`,
  String.raw`\btensions?\b`,
  String.raw`\bat the (?:expense|cost) of\b`,
  String.raw`\bcosts? of\b`,
  String.raw`\b(?:versus|vs\.?)\s`,
  String.raw`\bon the other hand\b`,
  String.raw`\bat the same time\b`,
  String.raw`\bconflict(?:s|ing)?\b`,
  String.raw`\bcompet(?:e|es|ing)\b`,
  String.raw`\bprioriti[sz](?:e|es|ed|ing)\b`,
  String.raw`\b(?:takes?|taking) precedence\b`,
  String.raw`\bover-?(?:rides?|ridden)\b`,
  String.raw`\bwhile (?:also |still )?(?:striving|remaining|being|maintaining|respecting|avoiding|staying|keeping|preserving|trying)\b`,
  String.raw`\bwithout (?:being|becoming|sacrificing|compromising|losing|overstepping|undermining|resorting)\b`,
  String.raw`\b(?:too|overly|excessively) (?:much|little|many|few|far|long|short|cautious|verbose|terse|eager|preachy|agreeable|rigid|literal)\b`,
  String.raw`\bat odds\b`,
  String.raw`\bstrike a\b`,
  String.raw`\bmiddle ground\b`,
  String.raw`\bin favou?r of\b`,
  String.raw`\beven (?:if|when|though)\b`,
  String.raw`\brather than\b`,
];

const EXCEPTIONS: readonly string[] = [
  String.raw`\bunless\b`,
  String.raw`\bexcept(?:ions?|ing)?\b`,
  String.raw`\bexcluding\b`,
  String.raw`\bonly (?:if|when|where|to the extent)\b`,
  String.raw`\b(?:does not|doesn't|do not|don't|need not|won't|will not) (?:apply|hold)\b`,
  String.raw`\bby default\b`,
  String.raw`\b(?:can|may|could) be (?:overridden|relaxed|waived|adjusted|changed|turned off)\b`,
  String.raw`\bif (?:the |a )?(?:user|developer|operator)s? (?:explicitly|specifically|clearly) (?:asks?|requests?|wants?|prefers?|instructs?|indicates?|specifies?|opts?|consents?|says?)\b`,
  String.raw`\bwhen (?:explicitly |specifically )?(?:asked|instructed|requested|prompted)\b`,
  String.raw`\bin (?:cases|situations|contexts|settings|circumstances) (?:where|when|that|in which)\b`,
  String.raw`\bin (?:some|rare|certain|these|such|those|exceptional|limited|other) (?:cases|contexts|situations|circumstances|settings)\b`,
  String.raw`\bthere (?:are|may be|might be) (?:cases|situations|times|contexts|exceptions)\b`,
  String.raw`\b(?:may|can|could) (?:still|instead|choose to)\b`,
  String.raw`\b(?:is|are|it's|it is|remains?) (?:also |still )?(?:allowed|permitted|permissible|acceptable|fine|okay)\b`,
  String.raw`\bso long as\b|\bas long as\b|\bprovided (?:that|it|they)\b`,
  String.raw`\b(?:the|an|one) exception\b`,
  String.raw`\boutside (?:of )?(?:these|those|such|this)\b`,
  String.raw`\bhowever,? (?:if|when|in|the assistant (?:may|can|should))\b`,
];

const SOURCES: Readonly<Record<CueKind, readonly string[]>> = {
  rationale: RATIONALE,
  tradeoffs: TRADEOFFS,
  exceptions: EXCEPTIONS,
};

// One alternation per kind, matched against the lower-cased sentence: every pattern is written in
// lower case, and a case-sensitive match is several times faster than the `i` flag here.
const COMBINED: Readonly<Record<CueKind, RegExp>> = {
  rationale: combine(RATIONALE),
  tradeoffs: combine(TRADEOFFS),
  exceptions: combine(EXCEPTIONS),
};

/**
 * One regular expression for a list of patterns. The leading `\b` most patterns share is hoisted
 * out of the alternation (`\b(?:a|b)|c`), which lets the engine test it once per position; measured
 * twice as fast on the Model Spec's sentences.
 */
function combine(patterns: readonly string[]): RegExp {
  const bounded = patterns.filter((p) => p.startsWith(String.raw`\b`)).map((p) => p.slice(2));
  const others = patterns.filter((p) => !p.startsWith(String.raw`\b`));
  return new RegExp([String.raw`\b(?:${bounded.join('|')})`, ...others].join('|'));
}

/** A cue found in a sentence: the phrase matched and its offset in the sentence. */
export interface CueMatch {
  readonly phrase: string;
  readonly index: number;
}

/**
 * The first cue of `kind` in a sentence, or undefined. Pass the sentence lower-cased (offsets are
 * the same, as lower-casing keeps the length of the text these cues can match).
 */
export function findCue(kind: CueKind, lowerCaseSentence: string): CueMatch | undefined {
  return MEMOS[kind].get(lowerCaseSentence, (s) => matchCue(kind, s) ?? null) ?? undefined;
}

const MEMOS: Readonly<Record<CueKind, Memo<CueMatch | null>>> = {
  rationale: memo(50_000),
  tradeoffs: memo(50_000),
  exceptions: memo(50_000),
};

function matchCue(kind: CueKind, lowerCaseSentence: string): CueMatch | undefined {
  const m = COMBINED[kind].exec(lowerCaseSentence);
  if (!m) return undefined;
  // Patterns may begin with the punctuation that sets a clause off; the phrase starts at its first letter.
  const lead = m[0].length - m[0].replace(/^[^a-z]+/, '').length;
  return { phrase: m[0].slice(lead), index: m.index + lead };
}

/** The cue patterns of one kind, as source strings (for documentation and tests). */
export function cuePatterns(kind: CueKind): readonly string[] {
  return SOURCES[kind];
}

/**
 * Prose cues: the phrases by which authors state a reason, a trade-off or an exception without a part
 * heading (the Model Spec never uses part headings). Matched against one sentence at a time, as
 * `cueText` prepares it (lower case, straight quotes and apostrophes, line breaks as spaces) and with
 * `maskForCues` blanking what cannot be the trait's own statement. A space in a pattern matches any
 * run of white space, so a phrase broken by a soft line break is found. docs/rules/*.md describe what
 * counts; test/unit/cues.test.ts holds a witness sentence for every pattern.
 */

import { alternation } from './alternation';
import { maskForCues } from './cueText';

export type CueKind = 'rationale' | 'tradeoffs' | 'exceptions';

// Verbs after which "to ..." is the thing being done, not its purpose ("try to avoid", "aim to ensure").
const DIRECTIVE_TO = String.raw`(?<!\b(?:try|trying|tries|tried|strive|striving|strives|aim|aims|aiming|attempt|attempts|attempting|need|needs|want|wants|has|have|had|ought|able|going|seek|seeks|seeking|work|works|working|is|are|be|been|should|must|how|what|where|asked|instructed|required|refuses?|refusing|declines?|declining|willing|unwilling|fail|fails|failing|expected|supposed|used|continue|continues|remember|forget|forgets|choose|chooses|decide|decides|allowed|permitted|free|likely|unlikely|enough)\sto)`;

const RATIONALE: readonly string[] = [
  String.raw`\bbecause\b`,
  String.raw`\bsince\b(?! (?:\d|then|the (?:start|beginning)|last|early|its (?:start|launch|release)))`,
  String.raw`\bso that\b`,
  String.raw`\bso as to\b`,
  String.raw`\bin order (?:to|for)\b`,
  String.raw`\b(?:therefore|thus|hence|as a result|this means|which means|that way)\b`,
  String.raw`\b(?:this|that|which) is why\b`,
  String.raw`\botherwise\b(?<!\b(?:or|and|unless|if|not|than|specified|stated|instructed|indicated|requested|asked) otherwise)`,
  String.raw`\b(?:the|our|its|whose|this|that)(?<!'s (?:the|our|its|whose|this|that)) (?:main |primary |underlying |real |whole )?(?:reason|rationale|goal|aim|purpose|motivation|intent|intention|point)\b`,
  String.raw`\b(?:reasons?|rationale|motivation) (?:for|why|behind|is|are)\b`,
  String.raw`\bfor (?:this|that|these|those|the same|similar) reasons?\b`,
  String.raw`\b(?:is|are|remains?|becomes?) (?:especially |particularly |very |so |most |all the more |even more )?(?:important|essential|critical|crucial|vital|valuable|necessary)\b`,
  String.raw`'s (?:especially |particularly |very |so |most )?(?:important|essential|critical|crucial|vital)\b`,
  String.raw`\b(?:it|this|that|which|context|tone|what) (?:really |also )?matters\b`,
  String.raw`\bmatters (?:because|for|to|when|most|more|less)\b`,
  String.raw`\b(?:helps|allows|enables|lets)(?<!\bwho (?:helps|allows|enables|lets)) (?:users?|people|them|the user|us|everyone|build|keep|ensure|maintain|preserve|foster|prevent|avoid|demonstrate|make)\b`,
  // Not in a restrictive relative clause ("advice that could result in harm" names the advice).
  String.raw`\b(?:can|could|would|may|might|will|tends? to)(?<!\bthat (?:\w+ ){0,3}\w+)(?<![^,\s] which (?:\w+ ){0,3}\w+) (?:\w+ )?(?:lead to|result in|undermine|erode|mislead|backfire|alienate|disempower|encourage|reinforce)\b`,
  String.raw`\b(?:erodes?|undermines?|damages?|jeopardi[sz]es?|builds?|fosters?|preserves?|protects?|safeguards?) (?:\w+ )?(?:trust|safety|autonomy|wellbeing|well-being|dignity|privacy|credibility|integrity|rights)\b`,
  // A purpose infinitive set off from the clause it explains: "..., to avoid surprises" / "To prevent ...".
  String.raw`(?:^|[,;:(]\s*|---\s?|—\s?)(?:in part )?to (?:ensure|avoid|prevent|protect|preserve|maintain|safeguard|minimi[sz]e|reduce|respect|build|earn|keep|foster|promote|support|uphold)\b`,
  String.raw`\bto${DIRECTIVE_TO} (?:ensure|make sure|maximi[sz]e|aid|improve|increase|make it easier|help (?:the|them|users?|people|it|you))\b`,
  String.raw`\b(?:designed|intended|meant) to\b`,
  String.raw`\bso (?:the |that )?(?:user|users|they|it|you|people|everyone) (?:can|could|will|would|may|discovers?|feels?|knows?|understands?|learns?|gets?)\b`,
  String.raw`,\s*as (?:it|this|that|they|doing so)\b`,
  String.raw`,\s*leading (?:to|the user|users|people|them)\b`,
  String.raw`\b(?:minimi[sz]e|minimi[sz]ing|reduce|reducing|lower|lowering) (?:the )?risks?\b`,
  String.raw`\b(?:reduces?|wastes?|improves?|increases?) (?:the )?(?:efficiency|quality|trust|usefulness|clarity|value|time)\b`,
  String.raw`\b(?:consequences?|benefits?|stakes)(?<!\bwithout (?:the )?\w+) (?:of|to|for|are|is)\b`,
  String.raw`\bexists? to\b`,
  String.raw`\b(?:the assistant|it)(?<!\b(?:how|what|where|whether|if|why) (?:the assistant|it)) (?:wants?|aims?|strives?) to\b`,
  String.raw`\bgiven (?:that|the (?:potential|risk|high|importance|fact|nature|stakes|sensitivity|possibility))\b`,
];

const TRADEOFFS: readonly string[] = [
  String.raw`\btrade-?offs?\b`,
  // Weighing, not "a balanced view" (even-handed) or "balance of power".
  String.raw`\bbalanc(?:e|es|ed|ing)\b(?! (?:of power|perspectives?|information|views?|responses?|answers?|account|coverage|picture|diet)\b)`,
  String.raw`\bweigh(?:s|ed|ing)?\b`,
  String.raw`\boutweighs?\b`,
  String.raw`\btensions?\b`,
  String.raw`\bat the (?:expense|cost) of\b`,
  String.raw`\bcosts? of\b`,
  String.raw`\b(?:versus|vs\.?) `,
  String.raw`\bon the other hand\b`,
  String.raw`\bat the same time\b`,
  String.raw`\bconflict(?:s|ing)?\b(?! of interests?\b)`,
  String.raw`\bcompet(?:e|es|ing)\b`,
  String.raw`\bprioriti[sz](?:e|es|ed|ing)\b`,
  String.raw`\b(?:takes?|taking) (?:precedence|priority)\b`,
  String.raw`\bover-?(?:rides?|ridden)\b(?<!\bbe over-?ridden)`,
  // "X outranks Y", "accuracy beats brevity", "X comes second to Y".
  String.raw`\b(?:outranks?|trumps?|beats) \w+`,
  String.raw`\bcomes? (?:second|after|before|first) (?:to )?\w+`,
  String.raw`\b(?:ordering|ranking|order) of (?:outcomes|outputs|priorit(?:y|ies)|preference)\b`,
  String.raw`\bwhile (?:also |still )?(?:striving|remaining|being|maintaining|respecting|avoiding|staying|keeping|preserving|trying|safeguarding)\b`,
  String.raw`\bwithout (?:being|becoming|sacrificing|compromising|losing|overstepping|undermining|resorting|over-?\w+ing|crossing|drawing)\b`,
  String.raw`\b(?:too|overly|excessively) (?:much|little|many|few|far|long|short|cautious|verbose|terse|eager|preachy|agreeable|rigid|literal)\b`,
  String.raw`\bat odds\b`,
  String.raw`\bstrike a\b`,
  String.raw`\bmiddle ground\b`,
  String.raw`\bin favou?r of\b`,
  // "X rather than Y" names what X is weighed against; a sentence opening "Rather than X, do Y"
  // introduces the approach the trait replaces.
  String.raw`\brather than\b(?<!^[\s>*_-]*rather than)`,
];

const EXCEPTIONS: readonly string[] = [
  String.raw`\bunless\b`,
  String.raw`\bexcept(?:ions?|ing)?\b`,
  String.raw`\bexcluding\b`,
  String.raw`\bonly (?:if|when|where|to the extent|insofar)\b`,
  // What does not apply is a rule ("this does not apply to ..."), not people's concepts or words.
  String.raw`\b(?:does not|doesn't|do not|don't|need not|won't|will not)(?<!\b(?:others?|concepts?|ideas?|terms?|words?|labels?|they|we|you|he|she|people|humans?|users?) [\w']+(?: not)?) (?:apply|hold)\b`,
  String.raw`\b(?:is|are|is not|are not|isn't|aren't) (?:not )?covered by (?:this|these|that|those|it)\b`,
  String.raw`\bby default\b`,
  String.raw`\b(?:the|this|that|these) defaults?\b`,
  String.raw`\bdefault (?:behaviou?rs?|settings?)\b`,
  String.raw`\b(?:can|may|could) be (?:overridden|relaxed|waived|adjusted|changed|turned off|unlocked)\b`,
  String.raw`\bcan (?:adjust|override|change|turn off|unlock) (?:this|that|these|the|its)\b`,
  String.raw`\bif (?:the |a )?(?:user|developer|operator)s? (?:explicitly|specifically|clearly) (?:asks?|requests?|wants?|prefers?|instructs?|indicates?|specifies?|opts?|consents?|says?)\b`,
  String.raw`\bwhen (?:explicitly |specifically )?(?:asked|instructed|requested|prompted)\b`,
  String.raw`\bin (?:cases|situations|contexts|settings|circumstances) (?:where|when|that|in which)\b`,
  String.raw`\bin (?:(?:some|rare|certain|these|such|those|exceptional|limited|other|most|many) ){1,2}(?:cases|contexts|situations|circumstances|settings)\b`,
  String.raw`\bthere (?:are|may be|might be|will be|can be) (?:cases|situations|times|contexts|exceptions)\b`,
  // The model may still do it; not what the user may choose.
  String.raw`\b(?:may|can|could|will|would)(?<!\b(?:users?|they|he|she|people|persons?|someone|operators?|developers?) \w+) (?:still|instead|choose to)\b`,
  // "Silence is only acceptable for ...": where the behaviour may stop.
  String.raw`\b(?:is|are|it's|it is|remains?) (?:also |still |only )?(?:allowed|permitted|permissible|acceptable|fine|okay)\b`,
  // A proviso of feasibility: "batch reads whenever possible", "stateless where practical".
  String.raw`\b(?:where|wherever|whenever) (?:possible|practical|practicable|feasible)\b`,
  // A permission in the passive: "... or if parallel runs are explicitly requested by the user".
  String.raw`\b(?:if|when|unless) [^,;:.]{0,40}?\b(?:is|are) (?:explicitly|specifically) (?:requested|asked for|permitted|allowed|authori[sz]ed)\b`,
  // A case the rule cannot settle, handed back: "if a fact could plausibly belong to more than one
  // tier, ask the user". (A bare "if unsure, ask" is a trigger, not where the rule stops.)
  String.raw`\bif [^.;:]{0,60}?\b(?:could|might) (?:plausibly|reasonably|arguably) (?:belong|fit|fall|apply)\b[^.;:]{0,80}?\basks?\b`,
  String.raw`\bso long as\b`,
  String.raw`\bas long as\b`,
  String.raw`\bprovided (?:that|it|they)\b`,
  String.raw`\b(?:insofar as|in so far as|where compatible with)\b`,
  // A proviso that keeps the behaviour inside limits: "engages within established boundaries".
  String.raw`\bwithin (?:the |its |their |these |those )?(?:\w+ )?(?:boundaries|bounds|limits)\b`,
  String.raw`\bin the absence of\b`,
  String.raw`\babsent (?:any |such |specific |other |explicit )?(?:\w+ )?(?:instructions?|information|context|signals?)\b`,
  String.raw`\boutside (?:of )?(?:these|those|such|this)\b`,
  String.raw`\bhowever,? (?:if|when|in|(?:the )?(?:assistant|model|it|they|we|you) (?:may|can|could|should still))\b`,
  String.raw`\b(?:is|are|becomes?) (?:different|reversed|flipped) (?:if|when|for|in)\b`,
];

const SOURCES: Readonly<Record<CueKind, readonly string[]>> = {
  rationale: RATIONALE,
  tradeoffs: TRADEOFFS,
  exceptions: EXCEPTIONS,
};

/** One cue pattern as a regular expression: a space in it matches any run of white space. */
export function compileCuePattern(pattern: string): RegExp {
  return new RegExp(spaced(pattern));
}

function spaced(pattern: string): string {
  return pattern.replace(/ /g, String.raw`\s+`);
}

/**
 * One regular expression for a list of patterns. A space matches any run of white space. The
 * leading `\b` most patterns share is hoisted out of the alternation (`\b(?:a|b)|c`), which lets the
 * engine test it once per position, and the patterns after it are grouped by first letter
 * (`alternation`): the same first match, found in two thirds of the time.
 */
function combine(patterns: readonly string[]): RegExp {
  const all = patterns.map(spaced);
  const bounded = all.filter((p) => p.startsWith(String.raw`\b`)).map((p) => p.slice(2));
  const others = all.filter((p) => !p.startsWith(String.raw`\b`));
  return new RegExp([String.raw`\b(?:${alternation(bounded)})`, ...others].join('|'));
}

const COMBINED: Readonly<Record<CueKind, RegExp>> = {
  rationale: combine(RATIONALE),
  tradeoffs: combine(TRADEOFFS),
  exceptions: combine(EXCEPTIONS),
};

/** A cue found in a sentence: the phrase matched and its offset in the sentence. */
export interface CueMatch {
  readonly phrase: string;
  readonly index: number;
}

/**
 * The first cue of `kind` in a sentence, or undefined. Pass the sentence as `cueText` returns it
 * (offsets are those of the sentence as written), and `masked` when the sentence's masks are kept
 * elsewhere (it must return `maskForCues(prepared, kind)`). Not memoised: the rules ask
 * `sentenceCues`, which keeps the answer per sentence.
 */
export function findCue(
  kind: CueKind,
  prepared: string,
  masked: (kind: CueKind) => string = (k) => maskForCues(prepared, k),
): CueMatch | undefined {
  // Masking only removes cues: a sentence with none as written has none at all. Most masks blank
  // nothing (and return the text itself): then the first match is the answer.
  const unmasked = COMBINED[kind].exec(prepared);
  if (!unmasked) return undefined;
  const text = masked(kind);
  const m = text === prepared ? unmasked : COMBINED[kind].exec(text);
  if (!m) return undefined;
  // Patterns may begin with the punctuation that sets a clause off; the phrase starts at its first letter.
  const lead = m[0].length - m[0].replace(/^[^a-z']+/, '').length;
  return { phrase: m[0].slice(lead).replace(/\s+/g, ' ').trim(), index: m.index + lead };
}

/** The cue patterns of one kind, as source strings (for documentation and tests). */
export function cuePatterns(kind: CueKind): readonly string[] {
  return SOURCES[kind];
}

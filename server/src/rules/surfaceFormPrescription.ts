import { alternation } from '../analysis/alternation';
import { memo } from '../analysis/memo';
import { sentenceCues } from '../analysis/sentenceCues';
import { paragraphSentences, sentenceRange, type Sentence } from '../analysis/sentences';
import type { Trait } from '../document/model';
import { defineRule } from './rule';

/**
 * `re` with each space of its source (outside character classes: none of ours has one) matching any
 * run of whitespace: a sentence hard-wrapped onto an indented line ("where\n  appropriate") reads as
 * one line.
 */
const acrossLines = (re: RegExp) => new RegExp(re.source.replaceAll(' ', String.raw`\s+`), re.flags);

/**
 * Fixed surface behaviours that, prescribed unconditionally, end up in a large share of generated
 * responses and are learned as the pattern itself (asking for clarification even on "What is 1+1?").
 * `needle`: letters every match of `pattern` contains, tested on the sentence's cue text (lower
 * case, without the `i` flag: the patterns' words are ASCII letters (and ";"), which cueText lowers
 * in place), so a sentence is matched only against the forms it can hold.
 */
const SURFACE_FORMS: readonly { readonly form: string; readonly needle: RegExp; readonly pattern: RegExp }[] = [
  {
    form: 'ask for clarification',
    needle: /clarif/,
    pattern:
      /\b(?:ask(?:s|ing)?|pose(?:s|ing)?)\s+(?:the user\s+|users\s+)?(?:for\s+)?(?:a\s+|some\s+)?(?:clarification|clarifying questions?|follow-up questions? to clarify)|\b(?:seek|request)(?:s|ing)?\s+clarification\b/i,
  },
  {
    form: 'open with a summary',
    needle: /summary|tl;?dr|bottom|overview|recap|conclusion|bluf/,
    pattern:
      /\b(?:open|start|begin|lead|preface)(?:s|ing)?\s+(?:each\s+|every\s+|the\s+|its\s+|your\s+|all\s+)?(?:(?:response|answer|repl(?:y|ie)|message)s?\s+)?(?:with|by (?:giving|stating|providing))\s+(?:a\s+|an\s+|the\s+)?(?:short\s+|brief\s+|one-line\s+)?(?:summary|tl;?dr|bottom line|overview|recap|conclusion)\b|\bbottom(?:-|\s+)line(?:-|\s+)up(?:-|\s+)front\b|\bBLUF\b/i,
  },
  {
    form: 'use bullet points or headings',
    needle: /bullet|numbered|heading|header|bold/,
    pattern:
      /\b(?:use|uses|using|format\w*\s+\w+\s+(?:as|with|in)|structure\w*\s+\w+\s+(?:as|with|in))\s+(?:a\s+)?(?:bullet(?:ed)?(?:\s+points?|\s+lists?)?|bullets|numbered lists?|headings|headers|section headings|bold lead-ins)\b/i,
  },
  {
    form: 'apologise',
    needle: /apologi|sorry|regret/,
    pattern: /\b(?:apologi[sz](?:e|es|ing)|say(?:s|ing)?\s+sorry|express(?:es|ing)?\s+regret)\b/i,
  },
  {
    form: 'validate feelings',
    needle: /feelings|emotion|empath/,
    pattern:
      /\b(?:validat(?:e|es|ing)|acknowledg(?:e|es|ing)|affirm(?:s|ing)?|mirror(?:s|ing)?)\s+(?:the\s+user'?s\s+|their\s+|users'?\s+|your\s+|a\s+user'?s\s+)?(?:feelings|emotions|emotional experience)\b|\b(?:express(?:es|ing)?\s+empathy|empathi[sz](?:e|es|ing))\b/i,
  },
  {
    form: 'end with a question',
    needle: /question/,
    pattern:
      /\b(?:end|close|finish|conclude|wrap up)(?:s|ing)?\s+(?:each\s+|every\s+|the\s+|its\s+|your\s+|all\s+)?(?:(?:response|answer|repl(?:y|ie)|message|turn)s?\s+)?(?:with|by asking)\s+(?:a\s+|an\s+)?(?:(?:follow-up|open-ended|clarifying|engaging)\s+)?question\b|\bask(?:s|ing)?\s+(?:a\s+)?follow-up questions?\b/i,
  },
  {
    form: 'offer further help',
    needle: /offer/,
    pattern: /\b(?:offer(?:s|ing)?\s+(?:further|more|additional)\s+(?:help|assistance)|end(?:s|ing)?\s+(?:with|by)\s+offering)\b/i,
  },
  {
    form: 'restate the request',
    needle: /restat|rephras|paraphras/,
    pattern: /\b(?:restat|rephras|paraphras)(?:e|es|ing)\s+(?:the\s+)?(?:user'?s\s+)?(?:question|request)\b/i,
  },
].map(({ form, needle, pattern }) => ({ form, needle, pattern: acrossLines(pattern) }));

// Words that make a prescription conditional: it says when.
const CONDITION = acrossLines(
  /\b(?:when|whenever|if|unless|only|where (?:appropriate|needed|relevant|helpful|useful)|as (?:needed|appropriate)|depending|in cases|sometimes|occasionally|rarely|for (?:requests|questions|tasks|users) (?:that|where|which|with))\b/i,
);
// A permission ("may ask ...") is not a prescription; the modal must govern the behaviour.
const PERMISSIVE = /\b(?:may|might|can|could)\s+(?:[\w'’-]+\s+){0,2}$/i;
// A prescription: a modal or imperative governs the behaviour ("should ask ...", "Always end with ...").
// The modal must govern the behaviour, so it stands at most three words before it.
const PRESCRIPTIVE = acrossLines(
  /\b(?:should|must|always|shall|needs? to|is expected to|has to|ought to|make sure to|be sure to|remember to|is to)\s+(?:[\w'’-]+\s+){0,3}$/i,
);
const IMPERATIVE_START = /^[\s>*+\-\d.)]*$/;
// Trait documents mostly describe: "Aster asks clarifying questions", "The assistant always ends with ...".
const DESCRIPTIVE_SUBJECT =
  /^[\s>*+\-\d.)]*(?:(?:The|the)\s+(?:assistant|model|AI)|[A-Z][\w’'-]*|It|it)\s+(?:(?:always|also|usually|typically|generally|then|first|often)\s+)?$/;
const THIRD_PERSON =
  /^(?:asks|poses|seeks|requests|opens|starts|begins|leads|prefaces|uses|formats|structures|apologi[sz]es|says|expresses|validates|acknowledges|affirms|mirrors|empathi[sz]es|ends|closes|concludes|offers|restates|rephrases|paraphrases)\b/i;
const BASE_VERB =
  /^(?:ask|pose|seek|request|open|start|begin|lead|preface|use|format|structure|apologi[sz]e|say|express|validate|acknowledge|affirm|mirror|empathi[sz]e|end|close|finish|conclude|wrap|offer|restate|rephrase|paraphrase)\b/i;
// Words that turn the behaviour into something to avoid, which does not get over-represented: in
// the clause before it (after the last . ; or :). Matched on that clause alone: with `[^.;:]*$` after
// it, the expression rescanned the rest of the sentence from every negation.
const NEGATION = acrossLines(
  /\b(?:not|never|avoid\w*|refrain\w*|without|no need|instead of|rather than|don't|doesn't|shouldn't|over-\w+|overly)\b/i,
);
const negated = (before: string) =>
  NEGATION.test(before.slice(Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf(':')) + 1));

// A next sentence that bounds the prescription before it ("Only when ...", "This applies if ...").
const ONLY_WHEN = acrossLines(/^\W*(?:only|but only|this applies|do this)\b/i);

// Whether any surface form could match: most sentences hold no needle and skip the patterns. Each
// needle starts a word in every match of its pattern, so one is looked for at word starts only,
// grouped by first letter (`alternation`).
const ANY_FORM = new RegExp(String.raw`\b(?:${alternation(SURFACE_FORMS.map((f) => f.needle.source))})`);

/** TS202 surface-form-prescription: a fixed surface behaviour prescribed without saying when. */
export const surfaceFormPrescriptionRule = defineRule({
  id: 'TS202',
  name: 'surface-form-prescription',
  description: 'Fixed surface behaviours (ask for clarification, bullet points, apologise ...) say when they apply',
  defaultSeverity: 'warning',
  options: {},
  optionsSchema: {},
  check({ document, report }) {
    for (const trait of document.traits) {
      for (const { sentence, form, index, length } of prescriptionsOf(trait)) {
        report({
          trait,
          range: sentenceRange(sentence, index, index + length),
          message: `"${trait.title}" prescribes a fixed surface form (${form}) without saying when. Unconditioned, it turns up in most generated responses and is learned as a habit; say in which situations it applies.`,
        });
      }
    }
  },
});

interface Prescription {
  readonly sentence: Sentence;
  readonly form: string;
  readonly index: number;
  readonly length: number;
}

// Per trait object: a parse after an edit hands back unchanged traits. By sentence text too: a line
// break shifts every trait below it, which come back as new objects with the same sentences.
const prescriptionsOfTrait = new WeakMap<Trait, readonly Prescription[]>();
const PRESCRIPTIONS = memo<{ form: string; index: number; length: number } | null>(50_000);

/** The unconditioned prescriptions in a trait's sentences (body and parts), kept per trait object. */
function prescriptionsOf(trait: Trait): readonly Prescription[] {
  let out = prescriptionsOfTrait.get(trait);
  if (out) return out;
  const found: Prescription[] = [];
  const sentences = trait.paragraphs.flatMap(paragraphSentences);
  sentences.forEach((sentence, i) => {
    const cueText = sentenceCues(sentence).text;
    if (!ANY_FORM.test(cueText)) return;
    const p = PRESCRIPTIONS.get(sentence.text, (text) => unconditionedPrescription(text, cueText));
    if (!p) return;
    // The condition may also come in the next sentence ("Do X. Only when ...").
    const next = sentences[i + 1];
    if (next && next.paragraph === sentence.paragraph && ONLY_WHEN.test(next.text) && CONDITION.test(next.text)) return;
    found.push({ sentence, ...p });
  });
  prescriptionsOfTrait.set(trait, (out = found));
  return out;
}

/** A prescribed surface form in a sentence (`cueText`: the same as `cueText` prepares it) with no condition in the sentence, or null. */
function unconditionedPrescription(text: string, cueText: string): { form: string; index: number; length: number } | null {
  for (const { form, needle, pattern } of SURFACE_FORMS) {
    if (!needle.test(cueText)) continue;
    const m = pattern.exec(text);
    if (!m) continue;
    const before = text.slice(0, m.index);
    const imperative = IMPERATIVE_START.test(before) && BASE_VERB.test(m[0]);
    const descriptive = DESCRIPTIVE_SUBJECT.test(before) && THIRD_PERSON.test(m[0]);
    if (!PRESCRIPTIVE.test(before) && !imperative && !descriptive) continue;
    if (negated(before) || PERMISSIVE.test(before)) continue;
    return CONDITION.test(text) ? null : { form, index: m.index, length: m[0].length };
  }
  return null;
}

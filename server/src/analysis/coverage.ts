import type { Group, PartKind, Trait, TraitDocument } from '../document/model';
import { partKindOf } from '../document/headingKinds';
import type { CueKind, CueMatch } from './cues';
import { documentPriorities, prioritisedBy, type Priorities } from './priorities';
import { sentenceCues } from './sentenceCues';
import { paragraphSentences, sentenceRange, type Sentence } from './sentences';

/** A sentence that states a part, with the cue that shows it. */
export interface CueSentence {
  readonly sentence: Sentence;
  readonly cue: CueMatch;
}

/**
 * How a trait states one of its parts, strongest first:
 * - `part`: a part heading (Why, Trade-offs, Exceptions, Examples) with prose under it;
 * - `label`: a paragraph or list item opening with a bold part label (`**Why:**`, `**Exceptions:**`);
 * - `prose`: sentences of the trait's own prose carrying a cue (every one for trade-offs, the first for the others);
 * - `declared`: (exceptions) the trait declares that it has none ("non-negotiable", "regardless of context");
 * - `group`: the first sentence of an enclosing group's introduction carrying a cue: it speaks for the traits under it;
 * - `priorities`: (trade-offs) the document's priorities list names the trait's group or the trait;
 * - `examples`: (examples) example blocks.
 */
export type Evidence =
  | { readonly by: 'part'; readonly sentence: Sentence | undefined }
  | { readonly by: 'label'; readonly sentence: Sentence; readonly label: string }
  | { readonly by: 'prose'; readonly sentences: readonly CueSentence[] }
  | { readonly by: 'declared'; readonly sentence: Sentence; readonly phrase: string }
  | { readonly by: 'group'; readonly group: Group; readonly sentences: readonly CueSentence[] }
  | { readonly by: 'priorities'; readonly sentence: Sentence; readonly value: string; readonly title: string }
  | { readonly by: 'examples'; readonly count: number };

/** An absolute the author declares deliberate, in the trait or an enclosing group's introduction. */
export interface DeclaredAbsolute {
  readonly sentence: Sentence;
  readonly phrase: string;
  readonly group: Group | undefined;
}

/** What a trait states of each part: evidence, or undefined when it never states it. */
export interface TraitCoverage {
  readonly trait: Trait;
  /** The trait's own sentences (body and parts). */
  readonly sentences: readonly Sentence[];
  readonly rationale: Evidence | undefined;
  readonly tradeoffs: Evidence | undefined;
  readonly exceptions: Evidence | undefined;
  readonly examples: Evidence | undefined;
  /** Set when the trait's absolutes are declared deliberate: they are bounded by that declaration. */
  readonly declared: DeclaredAbsolute | undefined;
}

// Per trait object, with the document priorities it was judged with: a parse after an edit hands
// back unchanged traits (see document/reuse.ts), but an edit elsewhere may change the priorities.
const cache = new WeakMap<Trait, { coverage: TraitCoverage; priorities: Priorities | undefined | null }>();

export { paragraphSentences };

const sentencesOfGroup = new WeakMap<Group, Sentence[]>();

/** The sentences of a group's own introduction (cached per group object). */
export function groupSentences(group: Group): Sentence[] {
  let s = sentencesOfGroup.get(group);
  if (!s) sentencesOfGroup.set(group, (s = group.paragraphs.flatMap(paragraphSentences)));
  return s;
}

// A paragraph or list item opening with a bold label: "**Why:** ...", "- **Exceptions**: ...".
const BOLD_LABEL = /^[\s>]*(?:(?:[-*+]|\d{1,3}[.)])\s+)?(\*\*|__)([^*_\n]{2,40}?)\s*:?\s*\1\s*:?/;

/**
 * What a trait states of its reason, trade-offs, exceptions and examples, with the evidence for
 * each (see `Evidence`). Pass the document so that its priorities can settle trade-offs. A sentence
 * counts only when its cue can be the trait's own statement: quoted words, reasoning the text
 * rejects, dialogue lines and (for reasons) conditions about what others say or want are left out
 * (`maskForCues`). Cached per trait object (and the document's priorities).
 */
export function traitCoverage(trait: Trait, document?: TraitDocument): TraitCoverage {
  // null: judged without a document.
  const priorities = document ? documentPriorities(document) : null;
  const cached = cache.get(trait);
  if (cached && samePriorities(cached.priorities, priorities)) return cached.coverage;
  const sentences = trait.paragraphs.flatMap(paragraphSentences);
  // Looked for only when asked: most traits state an exception, and then neither the exceptions
  // evidence nor unqualified-absolute asks (the search reads every sentence of the trait).
  let declaredOwnFound: { sentence: Sentence; phrase: string } | null | undefined;
  const declaredOwn = () => (declaredOwnFound === undefined ? (declaredOwnFound = firstDeclared(sentences) ?? null) : declaredOwnFound);
  let declared: DeclaredAbsolute | undefined | null = null; // null: not looked for yet
  const evidence = (kind: CueKind): Evidence | undefined => {
    if (trait.parts.some((p) => p.kind === kind && p.prose.trim().length > 0))
      return { by: 'part', sentence: sentences.find((s) => s.part === kind) };
    const label = labelled(trait, kind);
    if (label) return label;
    // Every trade-off sentence (isolated-trait reads them all for the traits they name); the first
    // sentence of the others is evidence enough.
    const own = cueSentences(kind, sentences, kind === 'tradeoffs');
    if (own.length) return { by: 'prose', sentences: own };
    const ownDeclaration = kind === 'exceptions' ? declaredOwn() : null;
    if (ownDeclaration) return { by: 'declared', sentence: ownDeclaration.sentence, phrase: ownDeclaration.phrase };
    // The document title's introduction speaks of the document, not of the traits.
    for (const group of [...trait.groups].reverse().filter((g) => !g.documentTitle)) {
      const found = cueSentences(kind, groupSentences(group), false);
      if (found.length) return { by: 'group', group, sentences: found };
    }
    if (kind === 'tradeoffs' && priorities) {
      const by = prioritisedBy(priorities, trait);
      if (priorities && by) return { by: 'priorities', sentence: priorities.sentence, value: by.value, title: by.title };
    }
    return undefined;
  };
  const coverage: TraitCoverage = {
    trait,
    sentences,
    rationale: evidence('rationale'),
    tradeoffs: evidence('tradeoffs'),
    exceptions: evidence('exceptions'),
    examples: trait.examples.length
      ? { by: 'examples', count: trait.examples.length }
      : trait.parts.some((p) => p.kind === 'examples')
        ? { by: 'part', sentence: undefined }
        : undefined,
    get declared() {
      if (declared === null) {
        const own = declaredOwn();
        declared = own ? { ...own, group: undefined } : declaredInGroups(trait);
      }
      return declared;
    },
  };
  cache.set(trait, { coverage, priorities });
  return coverage;
}

function samePriorities(a: Priorities | undefined | null, b: Priorities | undefined | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.sentence === b.sentence && a.section === b.section && a.names.length === b.names.length && a.names.every((n, i) => n === b.names[i])
  );
}

/** The sentences carrying a `kind` cue: all of them, or only the first. */
function cueSentences(kind: CueKind, sentences: readonly Sentence[], all: boolean): CueSentence[] {
  const out: CueSentence[] = [];
  for (const sentence of sentences) {
    const cue = sentenceCues(sentence).cue(kind);
    if (!cue) continue;
    out.push({ sentence, cue });
    if (!all) break;
  }
  return out;
}

function firstDeclared(sentences: readonly Sentence[]): { sentence: Sentence; phrase: string } | undefined {
  for (const sentence of sentences) {
    const d = sentenceCues(sentence).declared();
    if (d) return { sentence, phrase: d.phrase };
  }
  return undefined;
}

function declaredInGroups(trait: Trait): DeclaredAbsolute | undefined {
  for (const group of [...trait.groups].reverse()) {
    const d = firstDeclared(groupSentences(group));
    if (d) return { ...d, group };
  }
  return undefined;
}

/** A bold part label ("**Why:**", "**Exception**:") opening one of the trait's paragraphs, for `kind`. */
function labelled(trait: Trait, kind: PartKind): Evidence | undefined {
  for (const p of trait.paragraphs) {
    const m = BOLD_LABEL.exec(p.text);
    if (!m || partKindOf(m[2]) !== kind) continue;
    const sentence = paragraphSentences(p)[0];
    if (sentence) return { by: 'label', sentence, label: m[2].trim() };
  }
  return undefined;
}

/** The sentence an evidence rests on (the first, when several), for hovers, lenses and the outline. */
export function evidenceSentence(evidence: Evidence): Sentence | undefined {
  switch (evidence.by) {
    case 'prose':
    case 'group':
      return evidence.sentences[0].sentence;
    case 'examples':
      return undefined;
    default:
      return evidence.sentence;
  }
}

/** How an evidence states the part, in a few words ("stated in prose", "in the introduction of "Safety"", ...). */
export function evidenceSource(evidence: Evidence): string {
  switch (evidence.by) {
    case 'part':
      return 'a part heading';
    case 'label':
      return `a "${evidence.label}" label`;
    case 'prose':
      return `its prose ("${evidence.sentences[0].cue.phrase}")`;
    case 'declared':
      return `declared without exception ("${evidence.phrase}")`;
    case 'group':
      return `the introduction of "${evidence.group.heading.title}" ("${evidence.sentences[0].cue.phrase}")`;
    case 'priorities':
      return `the document's priorities ("${evidence.value}")`;
    case 'examples':
      return `${evidence.count} example${evidence.count === 1 ? '' : 's'}`;
  }
}

/** The evidence sentence as plain text on one line, cut to `max` characters. */
export function evidenceText(evidence: Evidence, max = 300): string | undefined {
  const sentence = evidenceSentence(evidence);
  if (!sentence) return undefined;
  const text = sentence.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The range of the evidence sentence, when there is one. */
export function evidenceRange(evidence: Evidence): ReturnType<typeof sentenceRange> | undefined {
  const sentence = evidenceSentence(evidence);
  return sentence ? sentenceRange(sentence) : undefined;
}

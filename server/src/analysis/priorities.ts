import type { Group, Paragraph, Section, Trait, TraitDocument } from '../document/model';
import { sentenceCues } from './sentenceCues';
import { paragraphSentences, type Sentence } from './sentences';
import { contentTerms } from './words';

/**
 * A document's priorities: an ordered list of named values in its preamble or a context section
 * ("1. **Broadly safe** ... 2. **Broadly ethical** ...") with a sentence saying that the order
 * settles conflicts ("prioritize these properties in the order in which they are listed"). Traits
 * whose title, or the title of a group enclosing them, names one of the values have their
 * trade-offs settled there.
 */
export interface Priorities {
  /** The sentence that says the order settles conflicts. */
  readonly sentence: Sentence;
  /** The listed values, in order. */
  readonly names: readonly string[];
  /** Title of the section that holds them ('' for the preamble). */
  readonly section: string;
}

// The order settles conflicts: "prioritize ... in the order", "in order of priority" (found by its
// "order of priority"), "X takes precedence over Y", "higher priority", "outranks". Words may be
// apart by any white space: a list item's sentence wraps onto an indented line.
const ORDER_SETTLES =
  /\bprioriti[sz]\w*\b[^.]*\b(?:order|listed|above|first)\b|\b(?:order|ranking)\s+of\s+(?:priority|importance|precedence)\b|\b(?:higher|lower)(?:-|\s+)priority\b|\btakes?\s+precedence\s+over\b|\boutranks?\b/;
// Words of which every ORDER_SETTLES match holds one: a paragraph without any has no such sentence.
const ORDER_WORD = /priorit|precedence|importance|outrank/;
// A list item that names a value: "1. **Broadly safe**: ...", "- **Honesty** ...".
const NAMED_ITEM = /^[ \t]*(?:\d{1,3}[.)]|[-*+])[ \t]+(?:\*\*|__)(.+?)(?:\*\*|__)/;
// Words that say how a section relates to a value rather than which value it is.
const LINKING = new Set(['be', 'being', 'follow', 'stay', 'act', 'remain']);

const cache = new WeakMap<TraitDocument, Priorities | null>();

/** The document's priorities, or undefined when it has none. Cached per document. */
export function documentPriorities(document: TraitDocument): Priorities | undefined {
  let found = cache.get(document);
  if (found === undefined) {
    found = findPriorities(document) ?? null;
    cache.set(document, found);
  }
  return found ?? undefined;
}

function findPriorities(document: TraitDocument): Priorities | undefined {
  for (const section of [document.preamble, ...document.contextSections]) {
    const found = sectionPriorities(section);
    if (found) return found;
  }
  return undefined;
}

// Per section object: a parse after an edit hands back unchanged sections (document/reuse.ts).
const ofSection = new WeakMap<Section, Priorities | null>();

function sectionPriorities(section: Section): Priorities | undefined {
  let found = ofSection.get(section);
  if (found === undefined) {
    found = prioritiesIn(section.heading?.title ?? '', section.paragraphs) ?? null;
    ofSection.set(section, found);
  }
  return found ?? undefined;
}

function prioritiesIn(title: string, paragraphs: readonly Paragraph[]): Priorities | undefined {
  const names = paragraphs.map((p) => NAMED_ITEM.exec(p.text)?.[1]?.replace(/[\s:.]+$/, '')).filter((n): n is string => !!n);
  if (names.length < 2) return undefined;
  for (const p of paragraphs) {
    if (NAMED_ITEM.test(p.text) || !ORDER_WORD.test(p.text.toLowerCase())) continue;
    const sentence = paragraphSentences(p).find((s) => ORDER_SETTLES.test(sentenceCues(s).text));
    if (sentence) return { sentence, names, section: title };
  }
  return undefined;
}

/** Content terms of a title that name a value (linking words such as "being" left out). */
function valueTerms(title: string): Set<string> {
  return new Set(contentTerms(title).filter((t) => !LINKING.has(t)));
}

/**
 * The group (or the trait itself) whose title names one of the priorities' values, if any: then the
 * priorities settle the trait's trade-offs.
 */
export function prioritisedBy(priorities: Priorities, trait: Trait): { title: string; value: string } | undefined {
  const values = priorities.names.map((name) => ({ name, terms: valueTerms(name) }));
  const titles = [trait.title, ...trait.groups.map((g: Group) => g.heading.title)];
  for (const title of titles) {
    const terms = valueTerms(title);
    if (!terms.size) continue;
    for (const { name, terms: v } of values) {
      if (!v.size) continue;
      const subset = (a: Set<string>, b: Set<string>) => [...a].every((t) => b.has(t));
      if (subset(terms, v) || subset(v, terms)) return { title, value: name };
    }
  }
  return undefined;
}

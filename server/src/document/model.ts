import type { LineIndex, Range } from './position';

/**
 * The trait document model: what `parseTraitDocument` returns. Every range is an LSP range (0-based
 * line, UTF-16 character) into the text as given, so editors can use it unchanged.
 */
export interface TraitDocument {
  readonly text: string;
  readonly lines: LineIndex;
  /** YAML front matter, when the document starts with a `---` line. */
  readonly frontMatter: FrontMatter | undefined;
  /** Text before the first trait or group: the universe context shared by every chunk. */
  readonly preamble: Section;
  /** Every heading in document order (parts and context headings included). */
  readonly headings: readonly Heading[];
  /** Headings whose sections hold traits (their prose is context for the traits under them). */
  readonly groups: readonly Group[];
  /** Sections that are context, not traits (Overview, Definitions, `.context`, ...). */
  readonly contextSections: readonly Section[];
  readonly traits: readonly Trait[];
  /** Every reference in the document, wherever it stands. */
  readonly references: readonly Reference[];
  /** Inline `<!-- traits-disable... -->` comments, in document order. */
  readonly directives: readonly Directive[];
  /** Fenced code blocks that never close: they swallow the rest of the document. */
  readonly unclosedFences: readonly Range[];
}

export interface Section {
  /** Whole section, heading included (for the preamble: the text before the first trait or group). */
  readonly range: Range;
  readonly heading: Heading | undefined;
  /** Prose of the section's own body, code and examples excluded. */
  readonly prose: string;
  /** The same prose block by block, with ranges. */
  readonly paragraphs: readonly Paragraph[];
}

export interface Heading {
  /** 1..6. */
  readonly level: number;
  /** Plain title text, inline markup and the attribute block removed. */
  readonly title: string;
  /** The heading's line(s). */
  readonly range: Range;
  /** The title text within the heading line. */
  readonly titleRange: Range;
  /** `id` from `{#id}`, else the GitHub-style slug of the title. */
  readonly id: string;
  /** Range of the `#id` in the attribute block, when there is one. */
  readonly idRange: Range | undefined;
  /** Other attributes of `{#id key=value .class}`: key → value; classes under `class`. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The part this heading names when it is a part heading (Why, Trade-offs, ...). */
  readonly partKind: PartKind | undefined;
  /** 0-based line of the section's last line (the line before the next heading of the same or a higher level). */
  readonly sectionEndLine: number;
  /**
   * True for the heading of a list-item trait: the item's first line stands for the heading, and
   * `titleRange` is its bold name (or first sentence). Such headings are not Markdown headings.
   */
  readonly listItem?: true;
}

export interface Group {
  readonly heading: Heading;
  readonly range: Range;
  /** Titles of the groups that enclose this one, outermost first. */
  readonly groups: readonly string[];
  /**
   * The group's own prose (before its first sub-heading, and around its list-item traits): context
   * for the traits under it.
   */
  readonly prose: string;
  /** The same prose block by block, with ranges. */
  readonly paragraphs: readonly Paragraph[];
  /**
   * True when the group's heading is the document's title: the one top-level heading, holding every
   * other section. Its prose introduces the whole document, like the preamble.
   */
  readonly documentTitle: boolean;
}

export type PartKind = 'rationale' | 'tradeoffs' | 'exceptions' | 'examples';

export const PART_KINDS: readonly PartKind[] = ['rationale', 'tradeoffs', 'exceptions', 'examples'];

export interface Part {
  readonly kind: PartKind;
  readonly heading: Heading;
  readonly range: Range;
  /** Prose of the part, examples and code excluded. */
  readonly prose: string;
}

export interface Trait {
  readonly id: string;
  readonly title: string;
  readonly level: number;
  readonly heading: Heading;
  /** Heading to the last line of the section. */
  readonly range: Range;
  /** Enclosing groups, outermost first. */
  readonly groups: readonly Group[];
  /** Explicit part sub-headings, in document order. */
  readonly parts: readonly Part[];
  /** Every prose paragraph of the trait, its parts' included (`part` says where), examples and code excluded. */
  readonly paragraphs: readonly Paragraph[];
  /** All prose of the trait (its body and its parts) joined, for whole-trait measures. */
  readonly prose: string;
  /** References standing anywhere in the trait's section. */
  readonly references: readonly Reference[];
  readonly examples: readonly Example[];
  /** The raw section text, heading included: the chunk a generation prompt receives. */
  readonly chunk: string;
}

/** One block of prose (a paragraph, list item block, blockquote, ...) with its source lines. */
export interface Paragraph {
  readonly range: Range;
  /** Plain text of the block. Same length per line as the source, so offsets map back to it. */
  readonly text: string;
  /** The part that contains it, or undefined for the trait's own body. */
  readonly part: PartKind | undefined;
}

export type ReferenceForm = 'wiki-title' | 'wiki-id' | 'link';

export interface Reference {
  readonly form: ReferenceForm;
  /** What the reference names: a title for `[[Title]]`, an id for `[[#id]]` and `[text](#id)`. */
  readonly target: string;
  /** The whole reference. */
  readonly range: Range;
  /** The target text alone (what a rename replaces). */
  readonly targetRange: Range;
  /** Id of the trait whose section holds the reference, if any. */
  readonly fromTrait: string | undefined;
}

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface Turn {
  readonly role: Role;
  readonly text: string;
  readonly range: Range;
  /** `<!-- GOOD -->` / `<!-- BAD: why -->` on an assistant turn. */
  readonly marker: { readonly verdict: 'good' | 'bad'; readonly reason: string } | undefined;
}

export interface Example {
  /** The fenced block. */
  readonly range: Range;
  /** From a preceding `**Example**: title` line, when there is one. */
  readonly title: string | undefined;
  readonly turns: readonly Turn[];
}

/** `unknown` for a `traits-...` comment of no known kind (obeyed by nothing, reported by TS005). */
export type DirectiveKind = 'disable-next-line' | 'disable' | 'enable' | 'disable-file' | 'unknown';

export interface Directive {
  readonly kind: DirectiveKind;
  /** The kind as written after `traits-`. */
  readonly written: string;
  /** Rule names or ids; empty means every rule. */
  readonly rules: readonly string[];
  readonly range: Range;
}

export interface FrontMatter {
  /** From the opening `---` to the closing one (or to the end when unterminated). */
  readonly range: Range;
  /** The parsed YAML value (an object when well-formed). */
  readonly data: unknown;
  /** YAML syntax problems and an unterminated block, with exact ranges. */
  readonly problems: readonly FrontMatterProblem[];
  /** Maps a key path such as `lint.missing-rationale` to the range of its key, for schema errors. */
  rangeOfPath(path: readonly (string | number)[]): Range;
}

export interface FrontMatterProblem {
  readonly message: string;
  readonly range: Range;
}

import { buildDocument } from './assemble';
import { scanMarkdown } from './blockScan';
import { parseFrontMatter } from './frontMatter';
import { buildHeadingTree } from './headingTree';
import { findListTraits } from './listTraits';
import type { FrontMatter, TraitDocument } from './model';
import { LineIndex } from './position';
import { NO_RECYCLER, Recycler } from './reuse';

export { scanBySections, scanWhole } from './blockScan';

/** Parsing options; the front matter's `traitHeadingLevel` and `listItemTraits` apply when these are unset. */
export interface ParseOptions {
  /** Headings of this level are traits; higher ones are groups (1..6). */
  traitHeadingLevel?: number;
  /**
   * Traits written as list items. `'auto'` (the default): a section whose content is one list of
   * named items (`- **Name**: ...`, `1. **Name.** ...`, `- SP1: ...`) has those items as its traits.
   * `true`: every top-level list item outside the preamble and context sections is a trait, and
   * headings only group them. `false`: list items are never traits.
   */
  listItemTraits?: boolean | 'auto';
  /**
   * For a text that will be edited and parsed again (the language server): the previous parse of the
   * document, or null for the first. Its sections are not parsed again and its objects are handed
   * back wherever they are unchanged (see `Recycler`), so caches kept per paragraph or per trait
   * still apply. Left out, nothing is kept for a next parse.
   */
  previous?: TraitDocument | null;
}

const recyclers = new WeakMap<TraitDocument, Recycler>();

/**
 * Parses a trait document: front matter, preamble, groups, traits with their parts, references,
 * examples and lint directives, every one with an LSP range into `text` as given.
 *
 * Never throws on any string: an empty or binary text gives an empty document, an unterminated front
 * matter or unclosed fence is recorded (`frontMatter.problems`, `unclosedFences`) for rules to report.
 * A leading byte-order mark is kept in the text (positions count it) but ignored by the parser.
 * Markdown is parsed with markdown-it (CommonMark plus GitHub tables and strikethrough, as GitHub
 * renders it); see docs/format.md for the trait conventions.
 */
export function parseTraitDocument(text: string, options: ParseOptions = {}): TraitDocument {
  const lines = new LineIndex(text, options.previous?.lines);
  const { frontMatter, lastLine: frontMatterEnd } = parseFrontMatter(lines);
  const recycler =
    options.previous === undefined ? undefined : new Recycler(options.previous ? recyclers.get(options.previous) : undefined);
  const scan = scanMarkdown(text, lines, frontMatterEnd, recycler);
  const tree = buildHeadingTree(scan, lines, options.traitHeadingLevel ?? traitHeadingLevelOf(frontMatter), recycler ?? NO_RECYCLER);
  const listTraits = findListTraits(lines, scan, tree, options.listItemTraits ?? listItemTraitsOf(frontMatter));
  const document = buildDocument({ text, lines, frontMatter, frontMatterEnd, scan, tree, listTraits }, recycler ?? NO_RECYCLER);
  if (recycler) recyclers.set(document, recycler);
  return document;
}

function traitHeadingLevelOf(frontMatter: FrontMatter | undefined): number | undefined {
  const data = frontMatter?.data as { traitHeadingLevel?: unknown } | undefined;
  const level = data?.traitHeadingLevel;
  return typeof level === 'number' && Number.isInteger(level) && level >= 1 && level <= 6 ? level : undefined;
}

function listItemTraitsOf(frontMatter: FrontMatter | undefined): boolean | 'auto' {
  const value = (frontMatter?.data as { listItemTraits?: unknown } | undefined)?.listItemTraits;
  return typeof value === 'boolean' ? value : 'auto';
}

import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import GithubSlugger from 'github-slugger';
import { atxContent } from './atx';
import { parseAttributeBlock } from './attributes';
import { isExampleTitleLine, parseExample } from './examples';
import { parseFrontMatter } from './frontMatter';
import { isContextTitle, partKindOf } from './headingKinds';
import { findDirectives } from './directives';
import type { Example, FrontMatter, Group, Heading, Paragraph, Part, Reference, Section, Trait, TraitDocument } from './model';
import { LineIndex, type Range } from './position';
import { memo } from '../analysis/memo';
import { findReferences, maskCodeAndComments, maskLinkDestinations } from './references';
import { NO_RECYCLER, Recycler } from './reuse';

type Reuser = Pick<Recycler, 'keep' | 'get'>;

// One parser for the process: markdown-it is stateless between calls. Inline parsing is switched off
// for the whole document (we read prose from the source lines, which keeps positions exact) and run
// only on heading titles, which is most of what makes markdown-it fast here.
const md = new MarkdownIt('default', { html: true });
md.core.ruler.disable(['inline']);
const inlineMd = new MarkdownIt('default', { html: true });

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
  const lines = new LineIndex(text);
  const { frontMatter, lastLine: frontMatterEnd } = parseFrontMatter(lines);
  // Blank out the front matter (keeping its lines) and drop a BOM: markdown-it only reports line
  // numbers, which stay those of `text`; columns come from `text` itself.
  const rest = frontMatterEnd + 1 < lines.lineCount ? text.slice(lines.lineStart(frontMatterEnd + 1)) : '';
  const source =
    frontMatterEnd >= 0 ? '\n'.repeat(frontMatterEnd + 1) + rest : text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const recycler = options.previous === undefined ? undefined : new Recycler(options.previous ? recyclers.get(options.previous) : undefined);
  // Section by section when a next parse will reuse the sections; else in one go, which is faster.
  const scan = recycler
    ? scanSource(source, lines.lineCount, frontMatterEnd, text.charCodeAt(0) === 0xfeff, recycler)
    : scanBlocks(md.parse(source, {}), lines, frontMatterEnd);
  const headingLevel = options.traitHeadingLevel ?? traitHeadingLevelOf(frontMatter);
  const listItems = options.listItemTraits ?? listItemTraitsOf(frontMatter);
  const document = buildDocument(text, lines, frontMatter, frontMatterEnd, scan, headingLevel, listItems, recycler ?? NO_RECYCLER);
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

export interface RawHeading {
  level: number;
  line: number;
  lastLine: number;
  /** The heading's title source (inline Markdown, attribute block included) and its offset in the line. */
  content: string;
  contentStart: number;
}

export interface BlockScan {
  headings: RawHeading[];
  /** Prose blocks (paragraphs, tables), each [firstLine, lastLine]. */
  prose: [number, number][];
  /** Fenced blocks: [firstLine, lastLine, closed]. */
  fences: [number, number, boolean][];
  /** 1 for lines inside code (fenced or indented). */
  codeLines: Uint8Array;
  /** Top-level lists (not inside another list or a blockquote), each with its items' [firstLine, lastLine]. */
  lists: { first: number; last: number; items: [number, number][] }[];
}

/** One pass over markdown-it's block tokens: headings, prose blocks, fences and code lines. */
function scanBlocks(tokens: Token[], lines: LineIndex, frontMatterEnd: number): BlockScan {
  const headings: RawHeading[] = [];
  const prose: [number, number][] = [];
  const fences: [number, number, boolean][] = [];
  const codeLines = new Uint8Array(lines.lineCount);
  const lists: BlockScan['lists'] = [];
  let afterAdmonition = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.map) continue;
    const [first, end] = t.map;
    const last = Math.max(first, end - 1);
    if (t.type === 'heading_open' && t.level === 0) {
      headings.push(rawHeading(t, lines, first, last));
    } else if ((t.type === 'bullet_list_open' || t.type === 'ordered_list_open') && t.level === 0) {
      lists.push({ first, last, items: [] });
    } else if (t.type === 'list_item_open' && t.level === 1 && lists.length) {
      lists[lists.length - 1].items.push([first, last]);
    } else if (t.type === 'paragraph_open' || t.type === 'table_open') {
      if (!isExampleTitleLine(lines.lineText(first))) prose.push([first, last]);
      // `!!! meta "Commentary"` admonitions (Model Spec) indent their body; after a blank line
      // markdown-it reads it as indented code, but it is prose.
      afterAdmonition = t.type === 'paragraph_open' && lines.lineText(first).trimStart().startsWith('!!!');
      continue;
    } else if (t.type === 'code_block') {
      if (afterAdmonition) {
        prose.push([first, last]);
        continue;
      }
      codeLines.fill(1, first, last + 1);
    } else if (t.type === 'fence') {
      const closed = last > first && isClosingFence(lines.lineText(last), t.markup);
      fences.push([first, last, closed]);
      codeLines.fill(1, first, last + 1);
    }
    if (t.type !== 'paragraph_close' && t.type !== 'inline') afterAdmonition = false;
  }
  if (frontMatterEnd >= 0) codeLines.fill(0, 0, frontMatterEnd + 1);
  return { headings, prose, fences, codeLines, lists };
}

/** A block scan of one segment of the source, in the segment's own line numbers. */
interface SegmentScan extends BlockScan {
  /** Lines markdown-it saw in the segment. */
  readonly lineCount: number;
  /**
   * True when the segment's last block may run on into the next segment: a fence or an HTML block
   * reaching the segment's end. Such a segment is scanned together with the next one.
   */
  readonly open: boolean;
}

/**
 * Offset of the next line after `from` that starts with an ATX heading at column 0 (`#` to `######`
 * then a blank, a line break or the end), or -1.
 */
function nextSection(source: string, from: number): number {
  for (let i = source.indexOf('#', from + 1); i >= 0; i = source.indexOf('#', i + 1)) {
    const before = source.charCodeAt(i - 1);
    if (before !== 10 && before !== 13) continue;
    let j = i;
    while (source.charCodeAt(j) === 35 && j - i < 7) j++;
    const after = source.charCodeAt(j);
    if (j - i <= 6 && (j === source.length || after === 32 || after === 9 || after === 10 || after === 13)) return i;
  }
  return -1;
}

/**
 * markdown-it's block scan of the whole source, built from independent scans of its sections.
 *
 * An ATX heading at column 0 ends every open block but a fenced code block or an HTML block
 * (CommonMark 4.2: it interrupts paragraphs, lists, block quotes and tables alike), so markdown-it
 * reads the text from such a line on the same way whatever came before, unless a fence or an HTML
 * block is still open there; a segment whose scan ends in one is joined to the next and scanned
 * again. A segment whose text the previous parse scanned is not scanned again: after an edit only the
 * sections it touched are parsed (test/unit/incrementalParse.test.ts checks the result equals one
 * scan of the whole).
 */
function scanSource(source: string, lineCount: number, frontMatterEnd: number, bom: boolean, recycler: Reuser = NO_RECYCLER): BlockScan {
  const out: BlockScan = { headings: [], prose: [], fences: [], codeLines: new Uint8Array(lineCount), lists: [] };
  let offset = 0;
  let from = 0;
  let pendingFrom = -1;
  const seen = new Map<string, number>();
  const take = (to: number, last: boolean) => {
    const start = pendingFrom >= 0 ? pendingFrom : from;
    // The first segment keeps the text's BOM for its line texts (heading columns count it).
    const key = start === 0 && bom ? '\ufeff' + source.slice(0, to) : source.slice(start, to);
    // Found in the previous parse by its first line (and how many segments before it start with the
    // same line), then compared with one string comparison.
    const head = key.slice(0, key.indexOf('\n') + 1 || key.length);
    const nth = (seen.get(head) ?? 0) + 1;
    seen.set(head, nth);
    const scan = recycler.get('s', `${nth}:${head}`, [key], () => scanSegment(key));
    if (scan.open && !last) {
      pendingFrom = start;
      return;
    }
    pendingFrom = -1;
    appendScan(out, scan, offset);
    offset += scan.lineCount;
  };
  for (let to = nextSection(source, 0); to >= 0; to = nextSection(source, to)) {
    take(to, false);
    from = to;
  }
  take(source.length, true);
  if (frontMatterEnd >= 0) out.codeLines.fill(0, 0, frontMatterEnd + 1);
  return out;
}

function scanSegment(key: string): SegmentScan {
  const lines = new LineIndex(key);
  const source = key.charCodeAt(0) === 0xfeff ? key.slice(1) : key;
  const tokens = md.parse(source, {});
  // markdown-it counts a final line break as ending the last line, not as starting another.
  const lineCount = /[\r\n]$/.test(source) ? lines.lineCount - 1 : lines.lineCount;
  const scan = scanBlocks(tokens, lines, -1);
  let lastBlock: Token | undefined;
  for (const t of tokens) if (t.map && t.level === 0 && !t.type.endsWith('_close')) lastBlock = t;
  // A fence or HTML block that runs to the segment's end may have been cut short by it.
  const open = (lastBlock?.type === 'html_block' || lastBlock?.type === 'fence') && lastBlock.map![1] >= lineCount;
  return { ...scan, codeLines: scan.codeLines.subarray(0, lineCount), lineCount, open };
}

/** Appends a segment's scan to `out`, its lines shifted by `offset`. */
function appendScan(out: BlockScan, scan: SegmentScan, offset: number): void {
  for (const h of scan.headings) out.headings.push(offset ? { ...h, line: h.line + offset, lastLine: h.lastLine + offset } : h);
  for (const [a, b] of scan.prose) out.prose.push([a + offset, b + offset]);
  for (const [a, b, closed] of scan.fences) out.fences.push([a + offset, b + offset, closed]);
  for (const l of scan.lists) out.lists.push({ first: l.first + offset, last: l.last + offset, items: l.items.map(([a, b]) => [a + offset, b + offset]) });
  out.codeLines.set(scan.codeLines.subarray(0, Math.max(0, Math.min(scan.codeLines.length, out.codeLines.length - offset))), offset);
}

/** One scan of the whole source (what `scanSource` must equal); for tests. */
export function scanWhole(text: string): BlockScan {
  const lines = new LineIndex(text);
  const { lastLine: frontMatterEnd } = parseFrontMatter(lines);
  const rest = frontMatterEnd + 1 < lines.lineCount ? text.slice(lines.lineStart(frontMatterEnd + 1)) : '';
  const source = frontMatterEnd >= 0 ? '\n'.repeat(frontMatterEnd + 1) + rest : text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return scanBlocks(md.parse(source, {}), lines, frontMatterEnd);
}

/** The block scan `parseTraitDocument` builds section by section when given `previous`; for tests. */
export function scanBySections(text: string): BlockScan {
  const lines = new LineIndex(text);
  const { lastLine: frontMatterEnd } = parseFrontMatter(lines);
  const rest = frontMatterEnd + 1 < lines.lineCount ? text.slice(lines.lineStart(frontMatterEnd + 1)) : '';
  const source = frontMatterEnd >= 0 ? '\n'.repeat(frontMatterEnd + 1) + rest : text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return scanSource(source, lines.lineCount, frontMatterEnd, text.charCodeAt(0) === 0xfeff);
}

function isClosingFence(line: string, markup: string): boolean {
  const m = /^[\s>]*([`~]{3,})[ \t]*$/.exec(line);
  return !!m && m[1][0] === markup[0] && m[1].length >= markup.length;
}

function rawHeading(t: Token, lines: LineIndex, first: number, last: number): RawHeading {
  const level = Number(t.tag.slice(1));
  // A BOM counts as a column (editors keep it out of the text, but a client may not) yet is no title
  // text: read the line without it and shift the title by one.
  const raw = lines.lineText(first);
  const bom = raw.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lineText = bom ? raw.slice(1) : raw;
  if (t.markup.startsWith('#')) {
    const { indent, content } = atxContent(lineText);
    const contentStart = content ? lineText.indexOf(content, indent + level) : lineText.length;
    return { level, line: first, lastLine: first, content, contentStart: contentStart + bom };
  }
  // Setext heading: the title is on the first line, the underline on the last.
  const trimmed = lineText.trim();
  return { level, line: first, lastLine: last, content: trimmed, contentStart: lineText.indexOf(trimmed) + bom };
}

/** Plain text of inline Markdown (emphasis, code, links reduced to their text); memoised by text. */
function plainText(inline: string): string {
  return plainTexts.get(inline, inlineText);
}

const plainTexts = memo<string>(20_000);

function inlineText(inline: string): string {
  const [token] = inlineMd.parseInline(inline, {});
  let out = '';
  for (const child of token?.children ?? []) {
    if (child.type === 'text' || child.type === 'code_inline') out += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') out += ' ';
  }
  return out.trim();
}

type HeadingKind = 'context' | 'group' | 'trait' | 'part' | 'inner';

/**
 * Classifies headings. A heading with a sub-heading that is neither a part nor context is a group;
 * otherwise it is a trait. Part headings directly under a trait are parts; everything under a part
 * (and any non-part heading under a trait) is inner content. Context titles (Overview, Definitions,
 * ...) outside traits and `.context` headings anywhere make context sections. With
 * `traitHeadingLevel`, level alone decides groups and traits. A level-1 heading that opens the
 * document with nothing under it before another level-1 heading is the document's title: context.
 */
function classifyHeadings(
  titles: string[],
  levels: number[],
  classes: string[][],
  parent: number[],
  ownContent: boolean[],
  traitHeadingLevel: number | undefined,
): HeadingKind[] {
  const n = titles.length;
  const explicitContext = (i: number) => classes[i].includes('context');
  // A context title (Overview, Definitions, ...) counts outside traits only: "### Background" under
  // a trait is part of that trait.
  const contextTitle = (i: number) => isContextTitle(titles[i]) || (i === 0 && n > 1 && levels[0] === 1 && levels[1] === 1 && !ownContent[0]);
  const hasStructuralChild = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0 && !explicitContext(i) && !contextTitle(i) && !partKindOf(titles[i])) hasStructuralChild[p] = true;
  }
  const kinds = new Array<HeadingKind>(n);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    const pk = p >= 0 ? kinds[p] : undefined;
    if (pk === 'context' || explicitContext(i)) kinds[i] = 'context';
    else if (pk === 'part' || pk === 'inner') kinds[i] = 'inner';
    else if (pk === 'trait') kinds[i] = partKindOf(titles[i]) ? 'part' : 'inner';
    else if (contextTitle(i)) kinds[i] = 'context';
    else if (pk === 'group' && partKindOf(titles[i])) kinds[i] = 'inner';
    else if (traitHeadingLevel !== undefined) kinds[i] = levels[i] < traitHeadingLevel ? 'group' : 'trait';
    else kinds[i] = hasStructuralChild[i] ? 'group' : 'trait';
  }
  return kinds;
}

/** A list item that is a trait: its lines, the heading that holds it, and its name when it has one. */
interface ListTrait {
  first: number;
  last: number;
  owner: number;
  /** Where the title stands on the first line, and the title (a bold name, an id label, or the first sentence). */
  titleStart: number;
  titleEnd: number;
  title: string;
  /** An id label such as `SP1` (`- SP1: ...`), used as the trait's id, and where it starts. */
  label: string | undefined;
  labelStart: number;
}

// A list item's marker, then a bold name (`**Name**`, `**Name:**`, `__Name__`) or an id label (`SP1:`).
const ITEM_MARKER = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+/;
const ITEM_BOLD_NAME = /^(\*\*|__)(?=\S)(.+?\S)\1/;
const ITEM_ID_LABEL = /^([A-Z][A-Za-z]{0,7}-?\d{1,4}[a-z]?)[:.)][ \t]+/;
// A list is one section's traits only when the rest of the section's prose is a short introduction
// (or closing line) at most; a longer text around the list makes it the elaboration of one trait.
const LIST_SURROUND_CHARS = 400;

/** Where a list item's title stands: its bold name or id label, or else its first sentence (up to 80 characters). */
function listItemTitle(lines: LineIndex, line: number): Omit<ListTrait, 'first' | 'last' | 'owner'> & { named: boolean } {
  const text = lines.lineText(line);
  const marker = ITEM_MARKER.exec(text);
  const start = marker ? marker[0].length : 0;
  const rest = text.slice(start);
  const bold = ITEM_BOLD_NAME.exec(rest);
  if (bold) {
    // The name without the punctuation that ends it inside the bold ("**Name:**", "**Name.**").
    const name = bold[2].replace(/[\s:.\u2014\u2013-]+$/, '');
    const title = plainText(name) || name;
    return { titleStart: start + 2, titleEnd: start + 2 + name.length, title, label: undefined, labelStart: -1, named: !!title };
  }
  const label = ITEM_ID_LABEL.exec(rest);
  const sentenceStart = start + (label ? label[0].length : 0);
  const after = text.slice(sentenceStart);
  const sentence = /^.*?[.!?](?=\s|$)/.exec(after)?.[0] ?? after;
  const clipped = sentence.length > 80 ? sentence.slice(0, sentence.lastIndexOf(' ', 80) > 20 ? sentence.lastIndexOf(' ', 80) : 80) : sentence;
  const title = (plainText(clipped) || clipped).replace(/[\s:.]+$/, '');
  return { titleStart: sentenceStart, titleEnd: sentenceStart + clipped.length, title, label: label?.[1], labelStart: start, named: !!label };
}

/**
 * The list items that are traits, given each heading's kind (which this updates: a heading whose
 * list items become traits is a group). See `ParseOptions.listItemTraits`.
 */
function findListTraits(
  lines: LineIndex,
  scan: BlockScan,
  kinds: HeadingKind[],
  owner: Int32Array,
  partChild: boolean[],
  mode: boolean | 'auto',
): ListTrait[] {
  if (mode === false || !scan.lists.length) return [];
  const out: ListTrait[] = [];
  const take = (list: BlockScan['lists'][number], o: number, requireNames: boolean) => {
    const items = list.items.map(([first, last]) => ({ first, last: trimBlankEnd(lines, first, last), ...listItemTitle(lines, first) }));
    if (requireNames && !items.every((item) => item.named)) return false;
    for (const { named: _named, ...item } of items) if (item.title) out.push({ ...item, owner: o });
    return true;
  };
  if (mode === true) {
    for (const list of scan.lists) {
      const o = owner[list.first];
      if (o < 0 || (kinds[o] !== 'trait' && kinds[o] !== 'group')) continue;
      take(list, o, false);
    }
    // Headings only group list-item traits.
    kinds.forEach((k, i) => {
      if (k === 'trait') kinds[i] = 'group';
    });
    return out;
  }
  // Inferred: a trait or group section whose own body holds exactly one list, of two or more named
  // items, with little prose around it.
  const listsOf = new Map<number, BlockScan['lists']>();
  for (const list of scan.lists) {
    const o = owner[list.first];
    if (o >= 0 && (kinds[o] === 'trait' || kinds[o] === 'group') && !partChild[o]) listsOf.set(o, [...(listsOf.get(o) ?? []), list]);
  }
  const proseChars = (first: number, last: number) => {
    let n = 0;
    for (let l = first; l <= last; l++) n += lines.lineText(l).trim().length;
    return n;
  };
  // The prose blocks of each section that holds one list: found in one pass, not one per list.
  const proseOfOwner = new Map<number, [number, number][]>();
  for (const [o, lists] of listsOf) if (lists.length === 1 && lists[0].items.length >= 2) proseOfOwner.set(o, []);
  for (const block of scan.prose) proseOfOwner.get(owner[block[0]])?.push(block);
  for (const [o, lists] of listsOf) {
    if (lists.length !== 1 || lists[0].items.length < 2) continue;
    const [list] = lists;
    let around = 0;
    for (const [first, last] of proseOfOwner.get(o)!) if (first < list.first || first > list.last) around += proseChars(first, last);
    if (around > LIST_SURROUND_CHARS) continue;
    if (take(list, o, true)) kinds[o] = 'group';
  }
  return out;
}

function buildDocument(
  text: string,
  lines: LineIndex,
  frontMatter: FrontMatter | undefined,
  frontMatterEnd: number,
  scan: BlockScan,
  traitHeadingLevel: number | undefined,
  listItemTraits: boolean | 'auto',
  recycler: Reuser,
): TraitDocument {
  const lastLine = lines.lineCount - 1;
  const raws = scan.headings;
  const n = raws.length;

  // Section ends and parents in one pass with a stack: a section runs to the line before the next
  // heading of the same or a higher level.
  const sectionEnd = new Array<number>(n).fill(lastLine);
  const parent = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  raws.forEach((h, i) => {
    while (stack.length && raws[stack[stack.length - 1]].level >= h.level) sectionEnd[stack.pop()!] = h.line - 1;
    parent[i] = stack.length ? stack[stack.length - 1] : -1;
    stack.push(i);
  });

  // Each line's innermost heading. Sections nest, so it is simply the last heading at or above it.
  const owner = new Int32Array(lines.lineCount).fill(-1);
  raws.forEach((h, i) => owner.fill(i, h.line, i + 1 < n ? raws[i + 1].line : lines.lineCount));
  const ownContent = new Array<boolean>(n).fill(false);
  for (const [first] of scan.prose) if (owner[first] >= 0) ownContent[owner[first]] = true;
  for (const [first] of scan.fences) if (owner[first] >= 0) ownContent[owner[first]] = true;

  const blocks = raws.map((h) => recycler.get('a', h.line, [h.content], () => parseAttributeBlock(h.content)));
  const titleSources = raws.map((h, i) => (blocks[i] ? h.content.slice(0, blocks[i]!.start) : h.content));
  const titles = titleSources.map((s) => plainText(s) || s.trim());
  const kinds = classifyHeadings(
    titles,
    raws.map((h) => h.level),
    blocks.map((b) => (b?.attributes.class ?? '').split(' ')),
    parent,
    ownContent,
    traitHeadingLevel,
  );
  const partChild = new Array<boolean>(n).fill(false);
  kinds.forEach((k, i) => {
    if (k === 'part' && parent[i] >= 0) partChild[parent[i]] = true;
  });
  const listTraits = findListTraits(lines, scan, kinds, owner, partChild, listItemTraits);

  const slugger = new GithubSlugger();
  const headings: Heading[] = raws.map((h, i) => {
    const block = blocks[i];
    const titleEnd = h.contentStart + titleSources[i].trimEnd().length;
    const idStart = block?.id ? h.contentStart + block.idStart : -1;
    return recycler.keep('h', h.line, {
      level: h.level,
      title: titles[i],
      range: lines.linesRange(h.line, h.lastLine),
      titleRange: lines.lineSpan(h.line, h.contentStart, titleEnd),
      id: block?.id ?? slugger.slug(titles[i]),
      idRange: block?.id ? lines.lineSpan(h.line, idStart, idStart + block.id.length) : undefined,
      attributes: block?.attributes ?? {},
      partKind: kinds[i] === 'part' ? partKindOf(titles[i]) : undefined,
      sectionEndLine: trimBlankEnd(lines, h.line, sectionEnd[i]),
    });
  });

  // Units are what a line's text belongs to: a heading's section (trait, group or top context
  // section) or a list-item trait. Unit ids: heading i is i; list-item trait k is n + k.
  const unit = new Array<number>(n).fill(-1);
  const partOf = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    const k = kinds[i];
    unit[i] = k === 'trait' || k === 'group' || (k === 'context' && (p < 0 || kinds[p] !== 'context')) ? i : unit[p];
    partOf[i] = k === 'part' ? i : k === 'inner' ? partOf[p] : -1;
  }
  const itemOfLine = new Int32Array(lines.lineCount).fill(-1);
  listTraits.forEach((t, k) => itemOfLine.fill(k, t.first, t.last + 1));
  const itemHeadings: Heading[] = listTraits.map((t) => recycler.keep('i', t.first, {
    level: Math.min(6, raws[t.owner].level + 1),
    title: t.title,
    range: lines.linesRange(t.first, t.first),
    titleRange: lines.lineSpan(t.first, t.titleStart, t.titleEnd),
    id: t.label ?? slugger.slug(t.title),
    idRange: t.label ? lines.lineSpan(t.first, t.labelStart, t.labelStart + t.label.length) : undefined,
    attributes: {},
    partKind: undefined,
    sectionEndLine: t.last,
    listItem: true as const,
  }));
  const isTraitUnit = (u: number) => u >= n || (u >= 0 && kinds[u] === 'trait');
  const unitOfLine = (line: number) => (itemOfLine[line] >= 0 ? n + itemOfLine[line] : owner[line] >= 0 ? unit[owner[line]] : -1);
  const headingOfUnit = (u: number) => (u >= n ? itemHeadings[u - n] : headings[u]);

  // Each prose block's paragraph, grouped by unit.
  const paragraphs = scan.prose.map(([first, last]) => {
    const o = owner[first];
    const inItem = itemOfLine[first] >= 0;
    const part = !inItem && o >= 0 && partOf[o] >= 0 ? headings[partOf[o]].partKind : undefined;
    // Masking is a function of the block's source alone: the previous parse's stands when that is unchanged.
    const source = text.slice(lines.lineStart(first), lines.lineEnd(last));
    const { masked, prose } = recycler.get('m', first, [source], () => {
      const masked = maskCodeAndComments(normaliseLineBreaks(source));
      return { masked, prose: maskLinkDestinations(masked) };
    });
    const paragraph: Paragraph = recycler.keep('p', first, { range: lines.linesRange(first, last), text: prose, part });
    return { paragraph, range: paragraph.range, masked, unit: unitOfLine(first), partHeading: !inItem && o >= 0 ? partOf[o] : -1 };
  });
  // The prose of a section (of kind `kind`, at line `at`): the previous parse's string when made of
  // the same paragraph objects, so that comparing the section with the previous one is cheap too.
  const proseOf = (kind: string, at: number, ps: readonly Paragraph[]) =>
    recycler.get(`prose ${kind}`, at, ps, () => ps.map((p) => p.text).join('\n\n'));
  const paragraphsOfUnit = new Map<number, Paragraph[]>();
  for (const p of paragraphs) {
    const list = paragraphsOfUnit.get(p.unit) ?? [];
    list.push(p.paragraph);
    paragraphsOfUnit.set(p.unit, list);
  }
  const sectionRange = (i: number) => lines.linesRange(headings[i].range.start.line, headings[i].sectionEndLine);

  const groupOf = new Map<number, Group>();
  const groups: Group[] = [];
  const contextSections: Section[] = [];
  const enclosingGroups = (i: number) => {
    const chain: Group[] = [];
    for (let p = i; p >= 0; p = parent[p]) {
      const g = groupOf.get(p);
      if (g) chain.unshift(g);
    }
    return chain;
  };
  const topLevel = parent.filter((p) => p < 0).length;
  headings.forEach((h, i) => {
    if (kinds[i] === 'group') {
      const own = paragraphsOfUnit.get(i) ?? [];
      const g: Group = recycler.keep('g', h.range.start.line, {
        heading: h,
        range: sectionRange(i),
        groups: enclosingGroups(parent[i]).map((x) => x.heading.title),
        prose: proseOf('g', h.range.start.line, own),
        paragraphs: own,
        documentTitle: parent[i] < 0 && topLevel === 1,
      });
      groupOf.set(i, g);
      groups.push(g);
    } else if (kinds[i] === 'context' && unit[i] === i) {
      const own = paragraphsOfUnit.get(i) ?? [];
      contextSections.push(recycler.keep('c', h.range.start.line, { range: sectionRange(i), heading: h, prose: proseOf('c', h.range.start.line, own), paragraphs: own }));
    }
  });

  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const examplesOfUnit = new Map<number, Example[]>();
  for (const [first, last, closed] of scan.fences) {
    // The fence and the lines above it that may hold its title.
    const source = text.slice(lines.lineStart(Math.max(0, first - 3)), lines.lineEnd(last));
    const example = recycler.get('e', first, [source, last, closed], () => parseExample(lines, first, last, closed));
    const u = unitOfLine(first);
    if (!example || !isTraitUnit(u)) continue;
    push(examplesOfUnit, u, example);
  }

  // References in prose and in heading lines, each with the trait it stands in.
  const traitIdOfLine = (line: number) => {
    const u = unitOfLine(line);
    return isTraitUnit(u) ? headingOfUnit(u).id : undefined;
  };
  const references: Reference[] = [];
  // One at a time: spreading a block's references into push() overflows the stack past ~100k.
  for (const p of paragraphs) {
    const { start, end } = p.range;
    const inputs = [p.masked, traitIdOfLine(start.line), traitIdOfLine(end.line)];
    for (const r of recycler.get('r', start.line, inputs, () => findReferences(start.line, p.masked, traitIdOfLine))) references.push(r);
  }
  for (const h of headings) {
    const line = h.range.start.line;
    const masked = maskedLines(lines, line, line);
    for (const r of recycler.get('R', line, [masked, traitIdOfLine(line)], () => findReferences(line, masked, traitIdOfLine))) references.push(r);
  }
  references.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

  // Group once by unit and part, so building traits stays linear in the document's size.
  const referencesOfUnit = new Map<number, Reference[]>();
  for (const r of references) push(referencesOfUnit, unitOfLine(r.range.start.line), r);
  const paragraphsOfPart = new Map<number, Paragraph[]>();
  for (const p of paragraphs) if (p.partHeading >= 0) push(paragraphsOfPart, p.partHeading, p.paragraph);
  const partsOfUnit = new Map<number, Part[]>();
  headings.forEach((sub, j) => {
    if (kinds[j] !== 'part') return;
    const prose = proseOf('P', sub.range.start.line, paragraphsOfPart.get(j) ?? []);
    push(partsOfUnit, unit[j], recycler.keep('P', sub.range.start.line, { kind: sub.partKind!, heading: sub, range: sectionRange(j), prose }));
  });

  const makeTrait = (u: number, h: Heading, range: Range, groupsOfTrait: Group[]): Trait => {
    const own = paragraphsOfUnit.get(u) ?? [];
    return recycler.keep('t', h.range.start.line, {
      id: h.id,
      title: h.title,
      level: h.level,
      heading: h,
      range,
      groups: groupsOfTrait,
      parts: partsOfUnit.get(u) ?? [],
      paragraphs: own,
      prose: proseOf('t', h.range.start.line, own),
      references: referencesOfUnit.get(u) ?? [],
      examples: examplesOfUnit.get(u) ?? [],
      chunk: normaliseLineBreaks(text.slice(lines.lineStart(range.start.line), lines.lineEnd(range.end.line))),
    });
  };
  // Traits in document order: heading traits and list-item traits interleaved by line.
  const traits: Trait[] = [];
  let k = 0;
  const flushItemsBefore = (line: number) => {
    for (; k < listTraits.length && listTraits[k].first < line; k++) {
      const t = listTraits[k];
      traits.push(makeTrait(n + k, itemHeadings[k], lines.linesRange(t.first, t.last), enclosingGroups(t.owner)));
    }
  };
  headings.forEach((h, i) => {
    flushItemsBefore(h.range.start.line);
    if (kinds[i] === 'trait') traits.push(makeTrait(i, h, sectionRange(i), enclosingGroups(parent[i])));
  });
  flushItemsBefore(lines.lineCount);

  // Preamble: everything before the first trait or group (context sections there included).
  const firstStructural = headings.findIndex((_, i) => kinds[i] === 'trait' || kinds[i] === 'group');
  const preambleStart = Math.min(frontMatterEnd + 1, lastLine);
  const preambleEnd = firstStructural >= 0 ? headings[firstStructural].range.start.line - 1 : lastLine;
  const preambleParagraphs = paragraphs
    .filter((p) => p.range.start.line >= preambleStart && p.range.start.line <= preambleEnd)
    .map((p) => p.paragraph);
  const preamble: Section = recycler.keep('preamble', 0, {
    range:
      preambleEnd >= preambleStart
        ? lines.linesRange(preambleStart, preambleEnd)
        : lines.lineSpan(preambleStart, 0, 0),
    heading: undefined,
    prose: proseOf('preamble', 0, preambleParagraphs),
    paragraphs: preambleParagraphs,
  });

  return {
    text,
    lines,
    frontMatter,
    preamble,
    headings: listTraits.length ? mergeByLine(headings, itemHeadings) : headings,
    groups,
    contextSections,
    traits,
    references,
    directives: findDirectives(text, lines, scan.codeLines, frontMatterEnd),
    unclosedFences: scan.fences.filter(([, , closed]) => !closed).map(([first, last]) => lines.linesRange(first, last)),
  };
}

/** Two heading lists, each in document order, merged into one. */
function mergeByLine(a: readonly Heading[], b: readonly Heading[]): Heading[] {
  const out: Heading[] = [];
  let j = 0;
  for (const h of a) {
    while (j < b.length && b[j].range.start.line < h.range.start.line) out.push(b[j++]);
    out.push(h);
  }
  while (j < b.length) out.push(b[j++]);
  return out;
}

function trimBlankEnd(lines: LineIndex, first: number, last: number): number {
  let l = last;
  while (l > first && lines.lineText(l).trim() === '') l--;
  return l;
}

/**
 * Lines `first..last` joined by `\n`, with code spans and HTML comments masked by spaces: what
 * references are read from. Masking link destinations as well gives a paragraph's prose text, in
 * which cue words inside code, comments or URLs are not read, and offsets still map to the source.
 */
function maskedLines(lines: LineIndex, first: number, last: number): string {
  return maskCodeAndComments(normaliseLineBreaks(lines.text.slice(lines.lineStart(first), lines.lineEnd(last))));
}

/** `\r\n` and lone `\r` as `\n`: text handed on (prose, chunks) reads the same whatever the file used. */
function normaliseLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

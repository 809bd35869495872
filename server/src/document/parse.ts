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
import { LineIndex } from './position';
import { findReferences, maskCodeAndComments, maskLinkDestinations } from './references';

// One parser for the process: markdown-it is stateless between calls. Inline parsing is switched off
// for the whole document (we read prose from the source lines, which keeps positions exact) and run
// only on heading titles, which is most of what makes markdown-it fast here.
const md = new MarkdownIt('default', { html: true });
md.core.ruler.disable(['inline']);
const inlineMd = new MarkdownIt('default', { html: true });

/** Parsing options; the front matter's `traitHeadingLevel` applies when this does not set one. */
export interface ParseOptions {
  /** Headings of this level are traits; higher ones are groups (1..6). */
  traitHeadingLevel?: number;
}

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
  const tokens = md.parse(source, {});
  const scan = scanBlocks(tokens, lines, frontMatterEnd);
  const headingLevel = options.traitHeadingLevel ?? traitHeadingLevelOf(frontMatter);
  return buildDocument(text, lines, frontMatter, frontMatterEnd, scan, headingLevel);
}

function traitHeadingLevelOf(frontMatter: FrontMatter | undefined): number | undefined {
  const data = frontMatter?.data as { traitHeadingLevel?: unknown } | undefined;
  const level = data?.traitHeadingLevel;
  return typeof level === 'number' && Number.isInteger(level) && level >= 1 && level <= 6 ? level : undefined;
}

interface RawHeading {
  level: number;
  line: number;
  lastLine: number;
  /** The heading's title source (inline Markdown, attribute block included) and its offset in the line. */
  content: string;
  contentStart: number;
}

interface BlockScan {
  headings: RawHeading[];
  /** Prose blocks (paragraphs, tables), each [firstLine, lastLine]. */
  prose: [number, number][];
  /** Fenced blocks: [firstLine, lastLine, closed]. */
  fences: [number, number, boolean][];
  /** 1 for lines inside code (fenced or indented). */
  codeLines: Uint8Array;
}

/** One pass over markdown-it's block tokens: headings, prose blocks, fences and code lines. */
function scanBlocks(tokens: Token[], lines: LineIndex, frontMatterEnd: number): BlockScan {
  const headings: RawHeading[] = [];
  const prose: [number, number][] = [];
  const fences: [number, number, boolean][] = [];
  const codeLines = new Uint8Array(lines.lineCount);
  let afterAdmonition = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.map) continue;
    const [first, end] = t.map;
    const last = Math.max(first, end - 1);
    if (t.type === 'heading_open' && t.level === 0) {
      headings.push(rawHeading(t, lines, first, last));
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
  return { headings, prose, fences, codeLines };
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

/** Plain text of inline Markdown (emphasis, code, links reduced to their text). */
function plainText(inline: string): string {
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
 * `traitHeadingLevel`, level alone decides groups and traits.
 */
function classifyHeadings(
  titles: string[],
  levels: number[],
  classes: string[][],
  parent: number[],
  traitHeadingLevel: number | undefined,
): HeadingKind[] {
  const n = titles.length;
  const explicitContext = (i: number) => classes[i].includes('context');
  // A context title (Overview, Definitions, ...) counts outside traits only: "### Background" under
  // a trait is part of that trait.
  const contextTitle = (i: number) => isContextTitle(titles[i]);
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

function buildDocument(
  text: string,
  lines: LineIndex,
  frontMatter: FrontMatter | undefined,
  frontMatterEnd: number,
  scan: BlockScan,
  traitHeadingLevel: number | undefined,
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

  const blocks = raws.map((h) => parseAttributeBlock(h.content));
  const titleSources = raws.map((h, i) => (blocks[i] ? h.content.slice(0, blocks[i]!.start) : h.content));
  const titles = titleSources.map((s) => plainText(s) || s.trim());
  const kinds = classifyHeadings(
    titles,
    raws.map((h) => h.level),
    blocks.map((b) => (b?.attributes.class ?? '').split(' ')),
    parent,
    traitHeadingLevel,
  );

  const slugger = new GithubSlugger();
  const headings: Heading[] = raws.map((h, i) => {
    const block = blocks[i];
    const titleEnd = h.contentStart + titleSources[i].trimEnd().length;
    const idStart = block?.id ? h.contentStart + block.idStart : -1;
    return {
      level: h.level,
      title: titles[i],
      range: lines.linesRange(h.line, h.lastLine),
      titleRange: lines.lineSpan(h.line, h.contentStart, titleEnd),
      id: block?.id ?? slugger.slug(titles[i]),
      idRange: block?.id ? lines.lineSpan(h.line, idStart, idStart + block.id.length) : undefined,
      attributes: block?.attributes ?? {},
      partKind: kinds[i] === 'part' ? partKindOf(titles[i]) : undefined,
      sectionEndLine: trimBlankEnd(lines, h.line, sectionEnd[i]),
    };
  });

  // unit[i]: the trait, group or top context section a heading's text belongs to;
  // partOf[i]: the part heading it lies under, if any.
  const unit = new Array<number>(n).fill(-1);
  const partOf = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    const k = kinds[i];
    unit[i] = k === 'trait' || k === 'group' || (k === 'context' && (p < 0 || kinds[p] !== 'context')) ? i : unit[p];
    partOf[i] = k === 'part' ? i : k === 'inner' ? partOf[p] : -1;
  }

  // Each line's innermost heading, then each prose block's paragraph, grouped by unit.
  // Sections nest, so a line's innermost heading is simply the last heading at or above it.
  const owner = new Int32Array(lines.lineCount).fill(-1);
  raws.forEach((h, i) => owner.fill(i, h.line, i + 1 < n ? raws[i + 1].line : lines.lineCount));
  const unitOfLine = (line: number) => (owner[line] >= 0 ? unit[owner[line]] : -1);
  const paragraphs = scan.prose.map(([first, last]) => {
    const o = owner[first];
    const part = o >= 0 && partOf[o] >= 0 ? headings[partOf[o]].partKind : undefined;
    const masked = maskedLines(lines, first, last);
    const range = lines.linesRange(first, last);
    return { range, masked, text: maskLinkDestinations(masked), part, unit: unitOfLine(first), partHeading: o >= 0 ? partOf[o] : -1 };
  });
  const proseOf = (ps: readonly Paragraph[]) => ps.map((p) => p.text).join('\n\n');
  const paragraphsOfUnit = new Map<number, Paragraph[]>();
  for (const p of paragraphs) {
    const list = paragraphsOfUnit.get(p.unit) ?? [];
    list.push({ range: p.range, text: p.text, part: p.part });
    paragraphsOfUnit.set(p.unit, list);
  }
  const sectionRange = (i: number) => lines.linesRange(headings[i].range.start.line, headings[i].sectionEndLine);

  const groupOf = new Map<number, Group>();
  const groups: Group[] = [];
  const contextSections: Section[] = [];
  const enclosingGroups = (i: number) => {
    const chain: Group[] = [];
    for (let p = parent[i]; p >= 0; p = parent[p]) {
      const g = groupOf.get(p);
      if (g) chain.unshift(g);
    }
    return chain;
  };
  headings.forEach((h, i) => {
    if (kinds[i] === 'group') {
      const g: Group = {
        heading: h,
        range: sectionRange(i),
        groups: enclosingGroups(i).map((x) => x.heading.title),
        prose: proseOf(paragraphsOfUnit.get(i) ?? []),
      };
      groupOf.set(i, g);
      groups.push(g);
    } else if (kinds[i] === 'context' && unit[i] === i) {
      contextSections.push({ range: sectionRange(i), heading: h, prose: proseOf(paragraphsOfUnit.get(i) ?? []) });
    }
  });

  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const examplesOfUnit = new Map<number, Example[]>();
  for (const [first, last, closed] of scan.fences) {
    const example = parseExample(lines, first, last, closed);
    const u = unitOfLine(first);
    if (!example || u < 0 || kinds[u] !== 'trait') continue;
    push(examplesOfUnit, u, example);
  }

  // References in prose and in heading lines, each with the trait it stands in.
  const traitIdOfLine = (line: number) => {
    const u = unitOfLine(line);
    return u >= 0 && kinds[u] === 'trait' ? headings[u].id : undefined;
  };
  const references: Reference[] = [];
  // One at a time: spreading a block's references into push() overflows the stack past ~100k.
  for (const p of paragraphs) for (const r of findReferences(p.range.start.line, p.masked, traitIdOfLine)) references.push(r);
  for (const h of headings) {
    const line = h.range.start.line;
    for (const r of findReferences(line, maskedLines(lines, line, line), traitIdOfLine)) references.push(r);
  }
  references.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

  // Group once by unit and part, so building traits stays linear in the document's size.
  const referencesOfUnit = new Map<number, Reference[]>();
  for (const r of references) push(referencesOfUnit, unitOfLine(r.range.start.line), r);
  const paragraphsOfPart = new Map<number, Paragraph[]>();
  for (const p of paragraphs) if (p.partHeading >= 0) push(paragraphsOfPart, p.partHeading, p);
  const partsOfUnit = new Map<number, Part[]>();
  headings.forEach((sub, j) => {
    if (kinds[j] !== 'part') return;
    const prose = proseOf(paragraphsOfPart.get(j) ?? []);
    push(partsOfUnit, unit[j], { kind: sub.partKind!, heading: sub, range: sectionRange(j), prose });
  });

  const traits: Trait[] = [];
  headings.forEach((h, i) => {
    if (kinds[i] !== 'trait') return;
    const range = sectionRange(i);
    const own = paragraphsOfUnit.get(i) ?? [];
    const parts = partsOfUnit.get(i) ?? [];
    traits.push({
      id: h.id,
      title: h.title,
      level: h.level,
      heading: h,
      range,
      groups: enclosingGroups(i),
      parts,
      paragraphs: own,
      prose: proseOf(own),
      references: referencesOfUnit.get(i) ?? [],
      examples: examplesOfUnit.get(i) ?? [],
      chunk: normaliseLineBreaks(text.slice(lines.lineStart(range.start.line), lines.lineEnd(range.end.line))),
    });
  });

  // Preamble: everything before the first trait or group (context sections there included).
  const firstStructural = headings.findIndex((_, i) => kinds[i] === 'trait' || kinds[i] === 'group');
  const preambleStart = Math.min(frontMatterEnd + 1, lastLine);
  const preambleEnd = firstStructural >= 0 ? headings[firstStructural].range.start.line - 1 : lastLine;
  const preamble: Section = {
    range:
      preambleEnd >= preambleStart
        ? lines.linesRange(preambleStart, preambleEnd)
        : lines.lineSpan(preambleStart, 0, 0),
    heading: undefined,
    prose: proseOf(paragraphs.filter((p) => p.range.start.line >= preambleStart && p.range.start.line <= preambleEnd)),
  };

  return {
    text,
    lines,
    frontMatter,
    preamble,
    headings,
    groups,
    contextSections,
    traits,
    references,
    directives: findDirectives(text, lines, scan.codeLines, frontMatterEnd),
    unclosedFences: scan.fences.filter(([, , closed]) => !closed).map(([first, last]) => lines.linesRange(first, last)),
  };
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

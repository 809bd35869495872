import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { atxContent } from './atx';
import { isExampleTitleLine } from './examples';
import { parseFrontMatter } from './frontMatter';
import { LineIndex } from './position';
import { NO_RECYCLER, type Reuser } from './reuse';

export type { Reuser } from './reuse';

// One parser for the process: markdown-it is stateless between calls. Inline parsing is switched off
// for the whole document (we read prose from the source lines, which keeps positions exact) and run
// only on heading titles, which is most of what makes markdown-it fast here.
const md = new MarkdownIt('default', { html: true });
md.core.ruler.disable(['inline']);

/**
 * The block scan of a document whose front matter ends on line `frontMatterEnd` (-1: none): section by
 * section through `recycler` when one is given (a next parse will reuse the sections), else in one
 * go, which is faster. Front matter lines are blank to markdown-it and a leading BOM is ignored, so
 * line numbers are those of `text`.
 */
export function scanMarkdown(text: string, lines: LineIndex, frontMatterEnd: number, recycler?: Reuser): BlockScan {
  const rest = frontMatterEnd + 1 < lines.lineCount ? text.slice(lines.lineStart(frontMatterEnd + 1)) : '';
  const bom = text.charCodeAt(0) === 0xfeff;
  const source = frontMatterEnd >= 0 ? '\n'.repeat(frontMatterEnd + 1) + rest : bom ? text.slice(1) : text;
  return recycler
    ? scanSource(source, lines.lineCount, frontMatterEnd, bom, recycler)
    : scanBlocks(source, md.parse(source, {}), lines, frontMatterEnd);
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
  /**
   * False when the text after the front matter holds no `traits-` (so no lint directive): a scan
   * built section by section knows it from its sections, without reading the whole text again.
   */
  mentionsDirectives: boolean;
}

/** One pass over markdown-it's block tokens of `source`: headings, prose blocks, fences and code lines. */
function scanBlocks(source: string, tokens: Token[], lines: LineIndex, frontMatterEnd: number): BlockScan {
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
  return { headings, prose, fences, codeLines, lists, mentionsDirectives: source.includes('traits-') };
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
 * markdown-it's block scan of `source` (equal to one scan of the whole, which
 * test/unit/incrementalParse.test.ts checks), built from scans of its sections: the text from one
 * ATX heading at column 0 to the next. A section the previous parse scanned (per `recycler`) is
 * not scanned again.
 */
function scanSource(source: string, lineCount: number, frontMatterEnd: number, bom: boolean, recycler: Reuser): BlockScan {
  const out: BlockScan = {
    headings: [],
    prose: [],
    fences: [],
    codeLines: new Uint8Array(lineCount),
    lists: [],
    mentionsDirectives: false,
  };
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
    // At the same offset as in the previous parse, so are its shifted blocks: the same objects, and
    // its lines (front matter, blank here, aside) are unchanged.
    let shifted = false;
    const at = `${nth}:${head}`;
    const before = recycler.previousInputs('S', at);
    const blocks = recycler.get('S', at, [scan, offset], () => {
      shifted = true;
      return shiftScan(scan, offset);
    });
    const firstLine = Math.max(offset, frontMatterEnd + 1);
    const lastLine = offset + scan.lineCount - 1;
    if (firstLine <= lastLine) {
      if (!shifted) recycler.markUnchanged(firstLine, lastLine);
      // The same text at another offset: its lines moved (a line break above it). Such a section
      // starts with a heading line, so it held no front matter (blank to the scan) there either.
      else if (before?.[0] === scan) recycler.markMoved(firstLine, lastLine, offset - (before[1] as number));
    }
    appendScan(out, blocks);
    if (scan.mentionsDirectives) out.mentionsDirectives = true;
    offset += scan.lineCount;
  };
  // Such a heading ends every open block but a fence or an HTML block (CommonMark 4.2), so each section
  // reads the same whatever came before; a section that ends inside one is joined to the next.
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
  const scan = scanBlocks(source, tokens, lines, -1);
  let lastBlock: Token | undefined;
  for (const t of tokens) if (t.map && t.level === 0 && !t.type.endsWith('_close')) lastBlock = t;
  // A fence or HTML block that runs to the segment's end may have been cut short by it.
  const open = (lastBlock?.type === 'html_block' || lastBlock?.type === 'fence') && lastBlock.map![1] >= lineCount;
  return { ...scan, codeLines: scan.codeLines.subarray(0, lineCount), lineCount, open };
}

/** A segment's scan with its lines shifted by `offset`. */
interface ShiftedScan extends BlockScan {
  readonly offset: number;
}

function shiftScan(scan: SegmentScan, offset: number): ShiftedScan {
  return {
    offset,
    headings: offset ? scan.headings.map((h) => ({ ...h, line: h.line + offset, lastLine: h.lastLine + offset })) : scan.headings,
    prose: scan.prose.map(([a, b]) => [a + offset, b + offset]),
    fences: scan.fences.map(([a, b, closed]) => [a + offset, b + offset, closed]),
    lists: scan.lists.map((l) => ({
      first: l.first + offset,
      last: l.last + offset,
      items: l.items.map(([a, b]) => [a + offset, b + offset]),
    })),
    codeLines: scan.codeLines,
    mentionsDirectives: scan.mentionsDirectives,
  };
}

/** Appends a shifted segment scan to `out`. */
function appendScan(out: BlockScan, scan: ShiftedScan): void {
  for (const h of scan.headings) out.headings.push(h);
  for (const p of scan.prose) out.prose.push(p);
  for (const f of scan.fences) out.fences.push(f);
  for (const l of scan.lists) out.lists.push(l);
  const { offset, codeLines } = scan;
  out.codeLines.set(codeLines.subarray(0, Math.max(0, Math.min(codeLines.length, out.codeLines.length - offset))), offset);
}

/** One scan of the whole source (what `scanSource` must equal); for tests. */
export function scanWhole(text: string): BlockScan {
  const lines = new LineIndex(text);
  const { lastLine: frontMatterEnd } = parseFrontMatter(lines);
  return scanMarkdown(text, lines, frontMatterEnd);
}

/** The block scan `parseTraitDocument` builds section by section when given `previous`; for tests. */
export function scanBySections(text: string): BlockScan {
  const lines = new LineIndex(text);
  const { lastLine: frontMatterEnd } = parseFrontMatter(lines);
  return scanMarkdown(text, lines, frontMatterEnd, NO_RECYCLER);
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

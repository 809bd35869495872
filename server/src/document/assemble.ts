import type { BlockScan } from './blockScan';
import { findDirectives } from './directives';
import { parseExample } from './examples';
import { partKindOf } from './headingKinds';
import type { HeadingNode, HeadingTree } from './headingTree';
import type { ListTrait } from './listTraits';
import type { Example, FrontMatter, Group, Heading, Paragraph, Part, Reference, Section, Trait, TraitDocument } from './model';
import type { LineIndex, Range } from './position';
import type { Reuser } from './reuse';
import { findReferences, maskCodeAndComments, maskLinkDestinations } from './references';
import { maskedLines, normaliseLineBreaks, trimBlankEnd } from './sourceText';
import { HeadingSlugger } from './slugs';
import { unitsOf, type Units } from './units';

/** What a trait document is built from: the text, its block scan, its heading tree and its list-item traits. */
export interface DocumentSource {
  readonly text: string;
  readonly lines: LineIndex;
  readonly frontMatter: FrontMatter | undefined;
  /** Last line of the front matter, or -1. */
  readonly frontMatterEnd: number;
  readonly scan: BlockScan;
  readonly tree: HeadingTree;
  readonly listTraits: readonly ListTrait[];
}

/** A document source with its `Heading` objects and its units, as the builders below share them. */
interface Assembly extends DocumentSource {
  readonly recycler: Reuser;
  /** Per heading of the tree, its `Heading`. */
  readonly headings: readonly Heading[];
  /** Per list-item trait, the `Heading` that stands for it. */
  readonly itemHeadings: readonly Heading[];
  readonly units: Units;
}

/** A paragraph with what the builders need to place it. */
interface PlacedParagraph {
  readonly paragraph: Paragraph;
  readonly range: Range;
  /** Its source with code spans and comments masked (what references are read from). */
  readonly masked: string;
  readonly unit: number;
  /** Index of the part heading it stands under, or -1. */
  readonly partHeading: number;
}

/** What each trait collects, by unit. */
interface TraitContents {
  readonly paragraphs: ReadonlyMap<number, Paragraph[]>;
  readonly parts: ReadonlyMap<number, Part[]>;
  readonly references: ReadonlyMap<number, Reference[]>;
  readonly examples: ReadonlyMap<number, Example[]>;
}

/**
 * The trait document of a source: its objects come from `recycler` wherever the previous parse built
 * equal ones (see `Recycler`).
 */
export function buildDocument(source: DocumentSource, recycler: Reuser): TraitDocument {
  const { text, lines, scan, tree, listTraits } = source;
  const slugger = new HeadingSlugger();
  // Headings are slugged before list items, so a list item never takes a heading's id.
  const headings = tree.nodes.map((h) => headingOf(h, lines, slugger, recycler));
  const itemHeadings = listTraits.map((t) => listItemHeadingOf(t, lines, slugger, recycler));
  const a: Assembly = { ...source, recycler, headings, itemHeadings, units: unitsOf(tree, listTraits, lines.lineCount) };
  const paragraphs = placeParagraphs(a);
  const paragraphsOfUnit = groupBy(
    paragraphs,
    (p) => p.unit,
    (p) => p.paragraph,
  );
  const { groups, groupOf, contextSections } = groupsAndContextSections(a, paragraphsOfUnit);
  const references = readReferences(a, paragraphs);
  const contents: TraitContents = {
    paragraphs: paragraphsOfUnit,
    parts: partsByUnit(a, paragraphs),
    references: groupBy(
      references,
      (r) => a.units.ofLine(r.range.start.line),
      (r) => r,
    ),
    examples: examplesByUnit(a),
  };
  return {
    text,
    lines,
    frontMatter: source.frontMatter,
    preamble: preambleOf(a, paragraphs),
    headings: listTraits.length ? mergeByLine(headings, itemHeadings) : headings,
    groups,
    contextSections,
    traits: traitsInOrder(a, contents, groupOf),
    references,
    directives: !scan.mentionsDirectives ? [] : findDirectives(text, lines, scan.codeLines, source.frontMatterEnd),
    unclosedFences: scan.fences.filter(([, , closed]) => !closed).map(([first, last]) => lines.linesRange(first, last)),
  };
}

function headingOf(h: HeadingNode, lines: LineIndex, slugger: HeadingSlugger, recycler: Reuser): Heading {
  const { raw, block, title } = h;
  const titleEnd = raw.contentStart + h.titleSource.trimEnd().length;
  const idStart = block?.id ? raw.contentStart + block.idStart : -1;
  return recycler.keep('h', raw.line, {
    level: raw.level,
    title,
    range: lines.linesRange(raw.line, raw.lastLine),
    titleRange: lines.lineSpan(raw.line, raw.contentStart, titleEnd),
    id: block?.id ?? slugger.slug(title),
    idRange: block?.id ? lines.lineSpan(raw.line, idStart, idStart + block.id.length) : undefined,
    attributes: block?.attributes ?? {},
    partKind: h.kind === 'part' ? partKindOf(title) : undefined,
    sectionEndLine: trimBlankEnd(lines, raw.line, h.sectionEnd),
  });
}

/** The heading a list-item trait stands under: its first line, one level below the heading that holds it. */
function listItemHeadingOf(t: ListTrait, lines: LineIndex, slugger: HeadingSlugger, recycler: Reuser): Heading {
  return recycler.keep('i', t.first, {
    level: Math.min(6, t.owner.raw.level + 1),
    title: t.title,
    range: lines.linesRange(t.first, t.first),
    titleRange: lines.lineSpan(t.first, t.titleStart, t.titleEnd),
    id: t.label ?? slugger.slug(t.title),
    idRange: t.label ? lines.lineSpan(t.first, t.labelStart, t.labelStart + t.label.length) : undefined,
    attributes: {},
    partKind: undefined,
    sectionEndLine: t.last,
    listItem: true as const,
  });
}

/** Each prose block's paragraph, in document order, with its unit and part. */
function placeParagraphs(a: Assembly): PlacedParagraph[] {
  const { text, lines, tree, units, headings, recycler } = a;
  return a.scan.prose.map(([first, last]) => {
    const o = tree.owner[first];
    const inItem = units.itemOfLine[first] >= 0;
    const partHeading = !inItem && o >= 0 ? units.partOf[o] : -1;
    const part = partHeading >= 0 ? headings[partHeading].partKind : undefined;
    // The paragraph is a function of the block's source and its part alone: the previous parse's
    // stands when those are unchanged (no string or range is even built for it then).
    let sliced: string | undefined;
    const source = () => (sliced ??= text.slice(lines.lineStart(first), lines.lineEnd(last)));
    let rebuilt = false;
    const { masked, paragraph } = recycler.getFromLines(
      'm',
      first,
      first,
      last,
      () => [source()],
      () => {
        rebuilt = true;
        const masked = maskCodeAndComments(normaliseLineBreaks(source()));
        // A source changed where the prose masks it (a link target, a comment) makes an equal
        // paragraph: the previous object stands, and so do the rule caches kept per paragraph.
        const paragraph = recycler.keep<Paragraph>('p', first, {
          range: lines.linesRange(first, last),
          text: maskLinkDestinations(masked),
          part,
        });
        return { masked, paragraph };
      },
      [part],
    );
    // Carried over: recorded all the same, for the next parse's keep (the same object: compared by identity).
    if (!rebuilt) recycler.keep('p', first, paragraph);
    return { paragraph, range: paragraph.range, masked, unit: units.ofLine(first), partHeading };
  });
}

/** The groups and the top context sections, in document order, and each group by its heading's index. */
function groupsAndContextSections(a: Assembly, paragraphsOfUnit: ReadonlyMap<number, Paragraph[]>) {
  const { tree, units, headings, recycler } = a;
  const groupOf = new Map<number, Group>();
  const groups: Group[] = [];
  const contextSections: Section[] = [];
  for (const node of tree.nodes) {
    const h = headings[node.index];
    const own = paragraphsOfUnit.get(node.index) ?? [];
    if (node.kind === 'group') {
      const g: Group = recycler.keep('g', h.range.start.line, {
        heading: h,
        range: sectionRange(a, node.index),
        groups: enclosingGroups(node.parent, groupOf).map((x) => x.heading.title),
        prose: proseOf(a, 'g', h.range.start.line, own),
        paragraphs: own,
        documentTitle: !node.parent && tree.roots.length === 1,
      });
      groupOf.set(node.index, g);
      groups.push(g);
    } else if (node.kind === 'context' && units.ofHeading[node.index] === node.index) {
      contextSections.push(
        recycler.keep('c', h.range.start.line, {
          range: sectionRange(a, node.index),
          heading: h,
          prose: proseOf(a, 'c', h.range.start.line, own),
          paragraphs: own,
        }),
      );
    }
  }
  return { groups, groupOf, contextSections };
}

/** References in prose and in heading lines, in document order, each with the trait it stands in. */
function readReferences(a: Assembly, paragraphs: readonly PlacedParagraph[]): Reference[] {
  const { lines, recycler } = a;
  const traitIdOfLine = (line: number) => {
    const u = a.units.ofLine(line);
    return a.units.isTrait(u) ? headingOfUnit(a, u).id : undefined;
  };
  const references: Reference[] = [];
  // One at a time: spreading a block's references into push() overflows the stack past ~100k.
  for (const p of paragraphs) {
    const { start, end } = p.range;
    const found = recycler.getFromLines(
      'r',
      start.line,
      start.line,
      end.line,
      () => [p.masked],
      () => findReferences(start.line, p.masked, traitIdOfLine),
      [traitIdOfLine(start.line), traitIdOfLine(end.line)],
    );
    for (const r of found) references.push(r);
  }
  for (const h of a.headings) {
    const line = h.range.start.line;
    const masked = recycler.getFromLines(
      'M',
      line,
      line,
      line,
      () => [lines.lineText(line)],
      () => maskedLines(lines, line, line),
    );
    const found = recycler.getFromLines(
      'R',
      line,
      line,
      line,
      () => [masked],
      () => findReferences(line, masked, traitIdOfLine),
      [traitIdOfLine(line)],
    );
    for (const r of found) references.push(r);
  }
  return references.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

/** The parts of each trait unit, in document order, with the prose under each. */
function partsByUnit(a: Assembly, paragraphs: readonly PlacedParagraph[]): Map<number, Part[]> {
  const paragraphsOfPart = groupBy(
    paragraphs.filter((p) => p.partHeading >= 0),
    (p) => p.partHeading,
    (p) => p.paragraph,
  );
  const parts = new Map<number, Part[]>();
  for (const node of a.tree.nodes) {
    if (node.kind !== 'part') continue;
    const sub = a.headings[node.index];
    const prose = proseOf(a, 'P', sub.range.start.line, paragraphsOfPart.get(node.index) ?? []);
    pushTo(
      parts,
      a.units.ofHeading[node.index],
      a.recycler.keep('P', sub.range.start.line, { kind: sub.partKind!, heading: sub, range: sectionRange(a, node.index), prose }),
    );
  }
  return parts;
}

/** The examples of each trait unit: fenced blocks that hold turns, in document order. */
function examplesByUnit(a: Assembly): Map<number, Example[]> {
  const { text, lines, recycler, units } = a;
  const examples = new Map<number, Example[]>();
  for (const [first, last, closed] of a.scan.fences) {
    // The fence and the lines above it that may hold its title.
    const from = Math.max(0, first - 3);
    const source = () => text.slice(lines.lineStart(from), lines.lineEnd(last));
    const example = recycler.getFromLines(
      'e',
      first,
      from,
      last,
      () => [source(), closed],
      () => parseExample(lines, first, last, closed),
    );
    const u = units.ofLine(first);
    if (example && units.isTrait(u)) pushTo(examples, u, example);
  }
  return examples;
}

/** Every trait in document order: heading traits and list-item traits interleaved by line. */
function traitsInOrder(a: Assembly, contents: TraitContents, groupOf: ReadonlyMap<number, Group>): Trait[] {
  const { lines, tree, listTraits, headings, itemHeadings } = a;
  const n = headings.length;
  const traits: Trait[] = [];
  let k = 0;
  const addItemsBefore = (line: number) => {
    for (; k < listTraits.length && listTraits[k].first < line; k++) {
      const t = listTraits[k];
      traits.push(traitOf(a, contents, n + k, itemHeadings[k], lines.linesRange(t.first, t.last), enclosingGroups(t.owner, groupOf)));
    }
  };
  for (const node of tree.nodes) {
    const h = headings[node.index];
    addItemsBefore(h.range.start.line);
    if (node.kind === 'trait')
      traits.push(traitOf(a, contents, node.index, h, sectionRange(a, node.index), enclosingGroups(node.parent, groupOf)));
  }
  addItemsBefore(lines.lineCount);
  return traits;
}

function traitOf(a: Assembly, contents: TraitContents, unit: number, h: Heading, range: Range, groups: Group[]): Trait {
  const own = contents.paragraphs.get(unit) ?? [];
  return a.recycler.keep('t', h.range.start.line, {
    id: h.id,
    title: h.title,
    level: h.level,
    heading: h,
    range,
    groups,
    parts: contents.parts.get(unit) ?? [],
    paragraphs: own,
    prose: proseOf(a, 't', h.range.start.line, own),
    references: contents.references.get(unit) ?? [],
    examples: contents.examples.get(unit) ?? [],
    chunk: chunkOf(a, h.range.start.line, range),
  });
}

/** The source of a section (at line `at`), line breaks normalised: the previous parse's string while its lines are unchanged. */
function chunkOf(a: Assembly, at: number, range: Range): string {
  const { start, end } = range;
  let sliced: string | undefined;
  const source = () => (sliced ??= a.text.slice(a.lines.lineStart(start.line), a.lines.lineEnd(end.line)));
  return a.recycler.getFromLines(
    'k',
    at,
    start.line,
    end.line,
    () => [source()],
    () => normaliseLineBreaks(source()),
  );
}

/** Everything before the first trait or group (context sections there included), after the front matter. */
function preambleOf(a: Assembly, paragraphs: readonly PlacedParagraph[]): Section {
  const { lines, headings } = a;
  const lastLine = lines.lineCount - 1;
  const firstStructural = a.tree.nodes.find((h) => h.kind === 'trait' || h.kind === 'group');
  const start = Math.min(a.frontMatterEnd + 1, lastLine);
  const end = firstStructural ? headings[firstStructural.index].range.start.line - 1 : lastLine;
  const own = paragraphs.filter((p) => p.range.start.line >= start && p.range.start.line <= end).map((p) => p.paragraph);
  return a.recycler.keep('preamble', 0, {
    range: end >= start ? lines.linesRange(start, end) : lines.lineSpan(start, 0, 0),
    heading: undefined,
    prose: proseOf(a, 'preamble', 0, own),
    paragraphs: own,
  });
}

function headingOfUnit(a: Assembly, u: number): Heading {
  return u >= a.headings.length ? a.itemHeadings[u - a.headings.length] : a.headings[u];
}

function sectionRange(a: Assembly, i: number): Range {
  return a.lines.linesRange(a.headings[i].range.start.line, a.headings[i].sectionEndLine);
}

/** The groups enclosing a section, outermost first, from its innermost heading up. */
function enclosingGroups(from: HeadingNode | undefined, groupOf: ReadonlyMap<number, Group>): Group[] {
  const chain: Group[] = [];
  for (let p = from; p; p = p.parent) {
    const g = groupOf.get(p.index);
    if (g) chain.unshift(g);
  }
  return chain;
}

/**
 * The prose of a section (of kind `kind`, at line `at`): the previous parse's string when made of
 * the same paragraph objects, so that comparing the section with the previous one is cheap too.
 */
function proseOf(a: Assembly, kind: string, at: number, paragraphs: readonly Paragraph[]): string {
  return a.recycler.get(`prose ${kind}`, at, paragraphs, () => paragraphs.map((p) => p.text).join('\n\n'));
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** `valueOf` each item, grouped by `keyOf`, in order. */
function groupBy<T, V>(items: readonly T[], keyOf: (item: T) => number, valueOf: (item: T) => V): Map<number, V[]> {
  const out = new Map<number, V[]>();
  for (const item of items) pushTo(out, keyOf(item), valueOf(item));
  return out;
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

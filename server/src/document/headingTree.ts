import { parseAttributeBlock, type AttributeBlock } from './attributes';
import type { BlockScan, RawHeading, Reuser } from './blockScan';
import { isContextTitle, partKindOf } from './headingKinds';
import { plainText } from './inlineText';
import type { LineIndex } from './position';

/**
 * What a heading is: a `trait`; a `group` of traits; a `part` of a trait (Why, Trade-offs, ...);
 * `inner` content of a trait or part; or a `context` section (Overview, Definitions, `.context`).
 */
export type HeadingKind = 'context' | 'group' | 'trait' | 'part' | 'inner';

/** A heading in the document's section tree. */
export interface HeadingNode {
  /** Its place among the document's headings, in document order. */
  readonly index: number;
  readonly raw: RawHeading;
  /** The `{#id .class key=value}` block closing its title, if any. */
  readonly block: AttributeBlock | undefined;
  /** The title's inline Markdown without the attribute block. */
  readonly titleSource: string;
  /** The title as plain text (the inline Markdown's text, or the source trimmed when that is empty). */
  readonly title: string;
  readonly parent: HeadingNode | undefined;
  readonly children: HeadingNode[];
  /** Last line of its section (0-based): the line before the next heading of the same or a higher level. */
  sectionEnd: number;
  /** True when a prose block or fence stands in its own body, before any sub-heading. */
  ownContent: boolean;
  /** Its kind; `findListTraits` makes a trait whose list items are traits a group. */
  kind: HeadingKind;
}

/** The headings of a document as a tree of sections. */
export interface HeadingTree {
  /** Every heading, in document order (a parent before its children). */
  readonly nodes: readonly HeadingNode[];
  /** The headings with no parent. */
  readonly roots: readonly HeadingNode[];
  /** Per line, the index of its innermost heading (the last heading at or above it), or -1 before the first. */
  readonly owner: Int32Array;
}

/**
 * The heading tree of a block scan, each heading classified. With `traitHeadingLevel`, headings of
 * that level and below are traits and higher ones groups (outside parts and context sections).
 */
export function buildHeadingTree(scan: BlockScan, lines: LineIndex, traitHeadingLevel: number | undefined, recycler: Reuser): HeadingTree {
  const { nodes, roots } = nestSections(scan.headings, lines.lineCount - 1, recycler);
  const owner = new Int32Array(lines.lineCount).fill(-1);
  nodes.forEach((h, i) => owner.fill(i, h.raw.line, i + 1 < nodes.length ? nodes[i + 1].raw.line : lines.lineCount));
  for (const [first] of scan.prose) if (owner[first] >= 0) nodes[owner[first]].ownContent = true;
  for (const [first] of scan.fences) if (owner[first] >= 0) nodes[owner[first]].ownContent = true;
  classify(nodes, traitHeadingLevel);
  return { nodes, roots, owner };
}

/** Headings nested by level with a stack: a section runs to the line before the next heading of the same or a higher level. */
function nestSections(raws: readonly RawHeading[], lastLine: number, recycler: Reuser): { nodes: HeadingNode[]; roots: HeadingNode[] } {
  const nodes: HeadingNode[] = [];
  const roots: HeadingNode[] = [];
  const stack: HeadingNode[] = [];
  raws.forEach((raw, index) => {
    while (stack.length && stack[stack.length - 1].raw.level >= raw.level) stack.pop()!.sectionEnd = raw.line - 1;
    const parent = stack[stack.length - 1];
    const block = recycler.get('a', raw.line, [raw.content], () => parseAttributeBlock(raw.content));
    const titleSource = block ? raw.content.slice(0, block.start) : raw.content;
    const title = plainText(titleSource) || titleSource.trim();
    const node: HeadingNode = {
      index,
      raw,
      block,
      titleSource,
      title,
      parent,
      children: [],
      sectionEnd: lastLine,
      ownContent: false,
      kind: 'trait',
    };
    (parent ? parent.children : roots).push(node);
    nodes.push(node);
    stack.push(node);
  });
  return { nodes, roots };
}

/**
 * Sets each heading's kind. A heading with a sub-heading that is neither a part nor context is a
 * group; otherwise it is a trait. Part headings directly under a trait are parts; everything under a
 * part (and any non-part heading under a trait) is inner content. Context titles (Overview,
 * Definitions, ...) outside traits and `.context` headings anywhere make context sections. With
 * `traitHeadingLevel`, level alone decides groups and traits. A level-1 heading that opens the
 * document with nothing under it before another level-1 heading is the document's title: context.
 */
function classify(nodes: readonly HeadingNode[], traitHeadingLevel: number | undefined): void {
  const explicitContext = nodes.map((h) => (h.block?.attributes.class ?? '').split(' ').includes('context'));
  const titleNode = nodes.length > 1 && nodes[0].raw.level === 1 && nodes[1].raw.level === 1 && !nodes[0].ownContent;
  // A context title (Overview, Definitions, ...) counts outside traits only: "### Background" under
  // a trait is part of that trait.
  const contextTitle = (h: HeadingNode) => isContextTitle(h.title) || (h.index === 0 && titleNode);
  const structural = (h: HeadingNode) => !explicitContext[h.index] && !contextTitle(h) && !partKindOf(h.title);
  for (const h of nodes) {
    const pk = h.parent?.kind;
    if (pk === 'context' || explicitContext[h.index]) h.kind = 'context';
    else if (pk === 'part' || pk === 'inner') h.kind = 'inner';
    else if (pk === 'trait') h.kind = partKindOf(h.title) ? 'part' : 'inner';
    else if (contextTitle(h)) h.kind = 'context';
    else if (pk === 'group' && partKindOf(h.title)) h.kind = 'inner';
    else if (traitHeadingLevel !== undefined) h.kind = h.raw.level < traitHeadingLevel ? 'group' : 'trait';
    else h.kind = h.children.some(structural) ? 'group' : 'trait';
  }
}

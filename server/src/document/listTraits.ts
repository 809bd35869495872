import type { BlockScan } from './blockScan';
import type { HeadingNode, HeadingTree } from './headingTree';
import { plainText } from './inlineText';
import type { LineIndex } from './position';
import { trimBlankEnd } from './sourceText';

type List = BlockScan['lists'][number];

/** A list item that is a trait: its lines, the heading that holds it, and its name when it has one. */
export interface ListTrait {
  first: number;
  last: number;
  owner: HeadingNode;
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
  const clipped =
    sentence.length > 80 ? sentence.slice(0, sentence.lastIndexOf(' ', 80) > 20 ? sentence.lastIndexOf(' ', 80) : 80) : sentence;
  const title = (plainText(clipped) || clipped).replace(/[\s:.]+$/, '');
  return {
    titleStart: sentenceStart,
    titleEnd: sentenceStart + clipped.length,
    title,
    label: label?.[1],
    labelStart: start,
    named: !!label,
  };
}

/**
 * The list items that are traits (see `ParseOptions.listItemTraits`), in document order. A heading
 * whose list items become traits is made a group in `tree`.
 */
export function findListTraits(lines: LineIndex, scan: BlockScan, tree: HeadingTree, mode: boolean | 'auto'): ListTrait[] {
  if (mode === false || !scan.lists.length) return [];
  const out: ListTrait[] = [];
  const take = (list: List, owner: HeadingNode, requireNames: boolean) => {
    const items = list.items.map(([first, last]) => ({ first, last: trimBlankEnd(lines, first, last), ...listItemTitle(lines, first) }));
    if (requireNames && !items.every((item) => item.named)) return false;
    for (const { named: _named, ...item } of items) if (item.title) out.push({ ...item, owner });
    return true;
  };
  const ownerOf = (list: List) => {
    const o = tree.owner[list.first];
    const node = o >= 0 ? tree.nodes[o] : undefined;
    return node && (node.kind === 'trait' || node.kind === 'group') ? node : undefined;
  };
  if (mode === true) {
    for (const list of scan.lists) {
      const owner = ownerOf(list);
      if (owner) take(list, owner, false);
    }
    // Headings only group list-item traits.
    for (const h of tree.nodes) if (h.kind === 'trait') h.kind = 'group';
    return out;
  }
  // Inferred: a trait or group section whose own body holds exactly one list, of two or more named
  // items, with little prose around it.
  const listsOf = new Map<HeadingNode, List[]>();
  for (const list of scan.lists) {
    const owner = ownerOf(list);
    if (owner && !owner.children.some((c) => c.kind === 'part')) listsOf.set(owner, [...(listsOf.get(owner) ?? []), list]);
  }
  // The prose blocks of each section that holds one list: found in one pass, not one per list.
  const proseOf = new Map<number, [number, number][]>();
  for (const [owner, lists] of listsOf) if (lists.length === 1 && lists[0].items.length >= 2) proseOf.set(owner.index, []);
  for (const block of scan.prose) proseOf.get(tree.owner[block[0]])?.push(block);
  for (const [owner, lists] of listsOf) {
    if (lists.length !== 1 || lists[0].items.length < 2) continue;
    if (proseAround(lines, proseOf.get(owner.index)!, lists[0]) > LIST_SURROUND_CHARS) continue;
    if (take(lists[0], owner, true)) owner.kind = 'group';
  }
  return out;
}

/** Characters of prose (blanks trimmed) of `blocks` (a section's own prose) outside `list`. */
function proseAround(lines: LineIndex, blocks: readonly (readonly [number, number])[], list: List): number {
  let around = 0;
  for (const [first, last] of blocks) {
    if (first >= list.first && first <= list.last) continue;
    for (let l = first; l <= last; l++) around += lines.lineText(l).trim().length;
  }
  return around;
}

import type { HeadingTree } from './headingTree';
import type { ListTrait } from './listTraits';

/**
 * What each line's text belongs to. A unit is a heading's section that owns its text (a trait, a group
 * or a top-level context section), numbered by the heading's index, or a list-item trait, numbered
 * by the number of headings plus its index among list-item traits.
 */
export interface Units {
  /** Per heading index, its unit: itself for a trait, group or top-level context section, else its parent's (-1: none). */
  readonly ofHeading: readonly number[];
  /** Per heading index, the part heading it stands under (itself for a part), or -1. */
  readonly partOf: readonly number[];
  /** Per line, the index of the list-item trait it belongs to, or -1. */
  readonly itemOfLine: Int32Array;
  /** The unit of a line (-1 before the first heading). */
  ofLine(line: number): number;
  /** True for the unit of a trait (heading or list item). */
  isTrait(unit: number): boolean;
}

/** The units of a document's lines, given its heading tree (kinds final) and list-item traits. */
export function unitsOf(tree: HeadingTree, listTraits: readonly ListTrait[], lineCount: number): Units {
  const n = tree.nodes.length;
  const ofHeading = new Array<number>(n).fill(-1);
  const partOf = new Array<number>(n).fill(-1);
  for (const h of tree.nodes) {
    const p = h.parent ? h.parent.index : -1;
    const k = h.kind;
    ofHeading[h.index] = k === 'trait' || k === 'group' || (k === 'context' && h.parent?.kind !== 'context') ? h.index : ofHeading[p];
    partOf[h.index] = k === 'part' ? h.index : k === 'inner' ? partOf[p] : -1;
  }
  const itemOfLine = new Int32Array(lineCount).fill(-1);
  listTraits.forEach((t, k) => itemOfLine.fill(k, t.first, t.last + 1));
  return {
    ofHeading,
    partOf,
    itemOfLine,
    ofLine: (line) => (itemOfLine[line] >= 0 ? n + itemOfLine[line] : tree.owner[line] >= 0 ? ofHeading[tree.owner[line]] : -1),
    isTrait: (u) => u >= n || (u >= 0 && tree.nodes[u].kind === 'trait'),
  };
}

/**
 * list-structure — the response is laid out as a bulleted or numbered list. Lists suit steps and
 * options; in most of a dataset they teach the model to answer everything in bullets.
 * - strict: three or more list items ("- ", "* ", "+ ", "• ", "1. ", "1) " at a line's start);
 * - broad: two or more.
 */
import { fixedDetector } from './detector';

const ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S/;

export const listStructure = fixedDetector(
  {
    id: 'list-structure',
    name: 'Bulleted or numbered list',
    description: 'The response is laid out as a list. Strict: three or more list items. Broad: two or more.',
  },
  (view) => {
    let items = 0;
    for (const line of view.lines) if (ITEM.test(line) && ++items >= 3) return 'strict';
    return items >= 2 ? 'broad' : null;
  },
);

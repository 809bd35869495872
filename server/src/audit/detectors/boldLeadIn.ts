/**
 * bold-lead-in — lines (paragraphs or list items) that start with a bold label followed by text:
 * "**Speed:** it is fast", "- **Cost** — low", "**Why.** Because...". A house style that, repeated
 * across a dataset, becomes the model's only way to structure an answer.
 * - strict: two or more such lines;
 * - broad: one.
 */
import { fixedDetector } from './detector';

const LIST_MARKER = /^\s*(?:(?:[-*+•]|\d{1,3}[.)])\s+)?/;

/** True when `line` starts (after a list marker) with a bold span of 1..80 characters ending in or followed by ":", ".", "—", "–" or "-", then more text. */
export function isBoldLeadIn(line: string): boolean {
  const rest = line.slice(LIST_MARKER.exec(line)![0].length);
  const marker = rest.startsWith('**') ? '**' : rest.startsWith('__') ? '__' : null;
  if (!marker) return false;
  const close = rest.indexOf(marker, 2);
  if (close < 3 || close > 82) return false;
  const label = rest.slice(2, close).trim();
  let after = rest.slice(close + 2).trimStart();
  if (/[:.—–-]$/.test(label)) return /\S/.test(after);
  if (!/^[:—–-]/.test(after)) return false;
  after = after.slice(1);
  return /\S/.test(after);
}

export const boldLeadIn = fixedDetector(
  {
    id: 'bold-lead-in',
    name: 'Bold lead-ins',
    description:
      'Lines start with a bold label followed by text ("**Speed:** …", "- **Cost** — …"). Strict: two or more such lines. Broad: one.',
  },
  (view) => {
    let count = 0;
    for (const line of view.lines) if (line.includes('**') || line.includes('__')) if (isBoldLeadIn(line) && ++count >= 2) return 'strict';
    return count >= 1 ? 'broad' : null;
  },
);

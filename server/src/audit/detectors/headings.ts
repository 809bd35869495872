/**
 * headings — the response is divided by Markdown headings. Right for a long document; in short
 * chat answers it teaches a report-like voice.
 * - strict: two or more heading lines ("# ", "## ", ... "###### ");
 * - broad: one heading line, or a line that is only bold text (a heading in disguise: "**Steps**").
 */
import { fixedDetector } from './detector';

const HEADING = /^\s{0,3}#{1,6}\s+\S/;
const BOLD_LINE = /^\s*(\*\*|__)[^*_\n]{1,80}\1\s*:?\s*$/;

export const headings = fixedDetector(
  {
    id: 'headings',
    name: 'Markdown headings',
    description:
      'The response is divided by headings. Strict: two or more Markdown heading lines. Broad: one, or a line that is only bold text.',
  },
  (view) => {
    let count = 0;
    let pseudo = false;
    for (const line of view.lines) {
      if (HEADING.test(line)) {
        if (++count >= 2) return 'strict';
      } else if (!pseudo && BOLD_LINE.test(line)) pseudo = true;
    }
    return count >= 1 || pseudo ? 'broad' : null;
  },
);

/**
 * bottom-line-first — the response opens with a bottom-line-up-front label: "Bottom line:",
 * "TL;DR", "Short answer:", "In short,", "Summary:". Useful in a long answer; in half a dataset it
 * teaches the model to label every answer the same way.
 * - strict: the first line (Markdown stripped, so "**Bottom line:**" counts) starts with a marker;
 * - broad: any line starts with one (a BLUF label somewhere in the response).
 */
import { stripMarkdown } from '../text';
import { fixedDetector } from './detector';

/** A cheap test on the raw line that rules out most lines before stripMarkdown (the markers' first words). */
const MAYBE =
  /^[\s>#*_\-+•\d.)]*(?:the\s+)?(?:bottom|bluf|tl|short|quick|long|in\s|executive|summary|answer|key|takeaway|verdict|recommendation)/i;

const MARKER =
  /^(?:the\s+)?(?:bottom\s+line|bluf|tl;?\s?dr|short\s+answer|quick\s+answer|short\s+version|long\s+story\s+short|in\s+short|in\s+a\s+nutshell|executive\s+summary)\b|^(?:summary|answer|key\s+takeaways?|takeaway|verdict|recommendation)\s*:/;

export const bottomLineFirst = fixedDetector(
  {
    id: 'bottom-line-first',
    name: 'Bottom line first',
    description:
      'The response opens with a bottom-line-up-front marker ("Bottom line:", "TL;DR", "Short answer:", "In short,", "Summary:"). Strict: the first line starts with one. Broad: any line does.',
  },
  (view) => {
    let first = true;
    let broad = false;
    for (const line of view.lines) {
      // Only the first text line needs stripping to know it is the first; the rest only when they may hold a marker.
      if (!first && !MAYBE.test(line)) continue;
      const text = stripMarkdown(line);
      if (text === '') continue;
      const marked = MARKER.test(text.toLowerCase());
      if (marked && first) return 'strict';
      first = false;
      if (marked) broad = true;
    }
    return broad ? 'broad' : null;
  },
);

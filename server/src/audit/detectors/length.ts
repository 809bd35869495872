/**
 * Length distribution, as two patterns:
 *
 * length-cluster — responses of nearly the same length, whatever the question. A dataset whose
 * answers are all ~150 words teaches a fixed length (a one-line question gets 150 words too).
 * Found from the data: the narrowest dense window of word counts.
 * - strict: the word count lies in the window holding the most responses among windows
 *   [w, max(1.2·w, w + 4)] (about ±10% around its centre);
 * - broad: within that window widened by a quarter on each side (and by at least 6 words).
 *
 * long-response — long answers. Some questions need them; most do not.
 * - strict: 400 words or more;  - broad: 250 words or more.
 */
import { uint32Column } from '../columns';
import type { Detection, Detector } from './detector';

export const LONG_STRICT_WORDS = 400;
export const LONG_BROAD_WORDS = 250;

export const length: Detector = {
  id: 'length',
  begin() {
    // Four bytes a record: its word count.
    const counts = uint32Column();
    return {
      add: (view) => counts.push(view.words),
      end: () => {
        const words = counts.values();
        return [cluster(words), long(words)];
      },
    };
  },
};

function cluster(words: Uint32Array): Detection {
  const base = { id: 'length-cluster', name: 'Responses of one length' };
  const n = words.length;
  if (n === 0) return { ...base, description: 'Responses of nearly the same length (no records).', strict: [], broad: [] };
  const sorted = words.slice().sort();
  // Two pointers over the sorted counts: the window starting at each count, the densest one kept.
  let best = 0;
  let bestLo = sorted[0];
  let bestHi = sorted[0];
  for (let i = 0, j = 0; i < n; i++) {
    const hi = Math.max(sorted[i] * 1.2, sorted[i] + 4);
    if (j < i) j = i;
    while (j + 1 < n && sorted[j + 1] <= hi) j++;
    if (j - i + 1 > best) {
      best = j - i + 1;
      bestLo = sorted[i];
      bestHi = sorted[j];
    }
  }
  const pad = Math.max(6, (bestHi - bestLo) / 4, bestLo * 0.25);
  const broadLo = bestLo - pad;
  const broadHi = bestHi + pad;
  const strict: number[] = [];
  const broad: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = words[i];
    if (w >= bestLo && w <= bestHi) strict.push(i);
    if (w >= broadLo && w <= broadHi) broad.push(i);
  }
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))];
  return {
    ...base,
    name: `Length ${bestLo}–${bestHi} words`,
    description:
      `Responses of nearly the same length: ${bestLo}–${bestHi} words is the narrowest window (about ±10%) holding the most responses (strict); broad widens it to ${Math.max(0, Math.ceil(broadLo))}–${Math.floor(broadHi)} words. ` +
      `Word counts in the dataset: 10th percentile ${q(0.1)}, median ${q(0.5)}, 90th percentile ${q(0.9)}, longest ${sorted[n - 1]}.`,
    strict,
    broad,
  };
}

function long(words: Uint32Array): Detection {
  const strict: number[] = [];
  const broad: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] >= LONG_STRICT_WORDS) strict.push(i);
    if (words[i] >= LONG_BROAD_WORDS) broad.push(i);
  }
  return {
    id: 'long-response',
    name: 'Long responses',
    description: `Long responses. Strict: ${LONG_STRICT_WORDS} words or more. Broad: ${LONG_BROAD_WORDS} words or more.`,
    strict,
    broad,
  };
}

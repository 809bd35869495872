// Synthetic audit datasets written straight to disk, for the streaming and bounded-memory audit tests.
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../../server/src/generation/seededRandom';

const OPENERS = [
  'Great question!',
  'Sure, here is how.',
  "I'm sorry to hear that.",
  'That sounds really frustrating.',
  'Bottom line: it depends.',
];
const CLOSERS = ['Does that help?', 'Let me know if you have any other questions.', 'Happy to help.'];

/** A varied synthetic record: planted openers and closers, lists, headings, 20 traits. */
function record(i: number, random: () => number, filler = 0): Record<string, unknown> {
  const words = Array.from(
    { length: 20 + Math.floor(random() * 200) },
    () => ['alpha', 'beta', 'gamma', 'delta', 'the', 'of', 'you'][Math.floor(random() * 7)],
  ).join(' ');
  const parts = [`${random() < 0.4 ? OPENERS[0] : OPENERS[Math.floor(random() * OPENERS.length)]} ${words}.`];
  if (random() < 0.3) parts.push('- one item\n- two items\n- three items');
  if (random() < 0.1) parts.unshift('## A heading');
  if (filler) parts.push('Filler sentence for size. '.repeat(filler));
  parts.push(`Closing words here. ${random() < 0.5 ? CLOSERS[Math.floor(random() * CLOSERS.length)] : 'Done.'}`);
  return { id: `r${i}`, traitId: `trait-${i % 20}`, prompt: `Question ${i}?`, response: parts.join('\n\n') };
}

export function writeRecords(path: string, n: number, options: { lineEnd?: string; prefix?: string; filler?: number } = {}): void {
  const random = seededRandom(7);
  const fd = openSync(path, 'w');
  try {
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += `${options.prefix ?? ''}${JSON.stringify(record(i, random, options.filler))}${options.lineEnd ?? '\n'}`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

import type { Example, Role, Turn } from './model';
import type { LineIndex } from './position';

const TURN = /<(system|developer|user|assistant|tool)\b[^>]*>([^]*?)<\/\1\s*>/g;
const MARKER = /^\s*<!--\s*(GOOD|BAD)\b\s*:?\s*([^]*?)\s*-->/i;
const EXAMPLE_TITLE = /^\s*(?:\*\*|__)Example(?:\*\*|__)\s*:?\s*(.*)$/is;

/**
 * Reads an example from the fenced block on lines `[first, last]`: its `<user>` / `<assistant>` (and
 * system, developer, tool) turns and `<!-- GOOD -->` / `<!-- BAD: why -->` markers, as the Model Spec
 * writes them. The title comes from a `**Example**: title` line just above the fence. Returns
 * undefined when the block holds no turn (it is ordinary code). An unclosed fence reads to its end.
 */
export function parseExample(lines: LineIndex, first: number, last: number, closed: boolean): Example | undefined {
  const bodyStart = lines.lineStart(first + 1);
  const bodyEnd = closed ? lines.lineStart(last) : lines.lineEnd(last);
  if (first + 1 > last || bodyEnd <= bodyStart) return undefined;
  const body = lines.text.slice(bodyStart, bodyEnd);
  if (!/<(?:user|assistant)\b/.test(body)) return undefined;
  const turns: Turn[] = [];
  for (const m of body.matchAll(TURN)) {
    const start = bodyStart + (m.index ?? 0);
    const marker = MARKER.exec(m[2]);
    turns.push({
      role: m[1] as Role,
      text: (marker ? m[2].slice(marker[0].length) : m[2]).trim().replace(/\r\n?/g, '\n'),
      range: lines.rangeOf(start, start + m[0].length),
      marker: marker ? { verdict: marker[1].toLowerCase() as 'good' | 'bad', reason: marker[2] } : undefined,
    });
  }
  return { range: lines.linesRange(first, last), title: exampleTitle(lines, first), turns };
}

/** True for a `**Example**: title` line, which introduces an example rather than stating the trait. */
export function isExampleTitleLine(line: string): boolean {
  return EXAMPLE_TITLE.test(line);
}

/** Title from the nearest non-blank line above the fence, when it is `**Example**: ...`. */
function exampleTitle(lines: LineIndex, fenceLine: number): string | undefined {
  for (let l = fenceLine - 1; l >= Math.max(0, fenceLine - 3); l--) {
    const text = lines.lineText(l);
    if (!text.trim()) continue;
    const m = EXAMPLE_TITLE.exec(text);
    return m ? m[1].trim() || undefined : undefined;
  }
  return undefined;
}

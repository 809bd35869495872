import type { Example, Role, Turn } from './model';
import type { LineIndex } from './position';
import { normaliseLineBreaks } from './sourceText';

const ROLES: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const MARKER_START = /^\s*<!--\s*(GOOD|BAD)\b\s*:?\s*/i;
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
  for (const turn of turnsIn(body)) {
    const start = bodyStart + turn.index;
    const marker = markerOf(turn.text);
    turns.push({
      role: turn.role,
      text: normaliseLineBreaks((marker ? turn.text.slice(marker.length) : turn.text).trim()),
      range: lines.rangeOf(start, turn.end + bodyStart),
      marker: marker ? { verdict: marker.verdict, reason: marker.reason } : undefined,
    });
  }
  return { range: lines.linesRange(first, last), title: exampleTitle(lines, first), turns };
}

const isWordUnit = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
const isWhite = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

/**
 * The turns of an example body, as /<(system|developer|user|assistant|tool)\b[^>]*>([^]*?)<\/\1\s*>/g
 * matches them: an opening tag, then everything up to the first closing tag of the same role.
 */
// A scan in linear time, not the expression: it rescanned the body from every unclosed tag.
function* turnsIn(body: string): Generator<{ role: Role; index: number; end: number; text: string }> {
  let gt = -1;
  const unclosedFrom = new Map<Role, number>();
  for (let i = body.indexOf('<'); i >= 0;) {
    const role = ROLES.find((r) => body.startsWith(r, i + 1) && !isWordUnit(body.charCodeAt(i + 1 + r.length)));
    if (role) {
      const nameEnd = i + 1 + role.length;
      if (gt < nameEnd) gt = body.indexOf('>', nameEnd);
      if (gt < 0) return; // no tag after this one can end either
      const close = (unclosedFrom.get(role) ?? Infinity) <= gt + 1 ? -1 : closingTag(body, role, gt + 1);
      if (close < 0) {
        unclosedFrom.set(role, Math.min(unclosedFrom.get(role) ?? Infinity, gt + 1));
      } else {
        const end = body.indexOf('>', close + 2 + role.length) + 1;
        yield { role, index: i, end, text: body.slice(gt + 1, close) };
        i = body.indexOf('<', end);
        continue;
      }
    }
    i = body.indexOf('<', i + 1);
  }
}

/** Offset of the first `</role` followed by optional white space and `>` at or after `from`, or -1. */
function closingTag(body: string, role: Role, from: number): number {
  for (let c = body.indexOf(`</${role}`, from); c >= 0; c = body.indexOf(`</${role}`, c + 1)) {
    let j = c + 2 + role.length;
    while (isWhite(body[j])) j++;
    if (body[j] === '>') return c;
  }
  return -1;
}

/**
 * A `<!-- GOOD -->` / `<!-- BAD: why -->` marker at the start of a turn, as
 * /^\s*<!--\s*(GOOD|BAD)\b\s*:?\s*([^]*?)\s*-->/i reads it: its length, verdict and reason.
 */
function markerOf(text: string): { length: number; verdict: 'good' | 'bad'; reason: string } | undefined {
  const m = MARKER_START.exec(text);
  if (!m) return undefined;
  const close = text.indexOf('-->', m[0].length);
  if (close < 0) return undefined;
  let end = close;
  while (end > m[0].length && isWhite(text[end - 1])) end--;
  return { length: close + 3, verdict: m[1].toLowerCase() as 'good' | 'bad', reason: text.slice(m[0].length, end) };
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

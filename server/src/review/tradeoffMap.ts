/**
 * The trade-off map of a document: its traits as rows and columns (grouped by the document's
 * groups), each pair's cell weighed, unweighed or without tension, and the stub a writer inserts to
 * weigh an unweighed pair. Plain data for the editor's matrix view and for tests.
 */
import type { Trait, TraitDocument } from '../document/model';
import type { Position, Range } from '../document/position';
import { findQuote } from './quotes';
import type { Tension } from './types';

/** One trait of the map: where it stands, its group, and how many unweighed tensions it is in. */
export interface MapTrait {
  readonly id: string;
  readonly title: string;
  /** The title of its innermost group ('' when it has none). */
  readonly group: string;
  readonly unweighed: number;
  /** Its heading's range, to jump to. */
  readonly range: Range;
}

/** A pair's cell: the tension, and where its evidence stands in the document (when it was found). */
export interface MapCell extends Tension {
  readonly evidence: Range | undefined;
}

/** What the matrix shows. Cells are listed once per pair; a pair with no cell has no tension. */
export interface TradeoffMap {
  readonly traits: readonly MapTrait[];
  readonly cells: readonly MapCell[];
}

/**
 * The map of `document` for `tensions` (the review's, or the keyless pass's): traits in document
 * order with their group and unweighed count; for each tension naming two traits of the document,
 * its cell with the range of its quote in either trait's section or anywhere in the document (the
 * priorities), when found. Tensions naming unknown traits are left out.
 */
export function tradeoffMap(document: TraitDocument, tensions: readonly Tension[]): TradeoffMap {
  const byId = new Map(document.traits.map((t) => [t.id, t]));
  const cells: MapCell[] = [];
  const unweighed = new Map<string, number>();
  for (const t of tensions) {
    const a = byId.get(t.a);
    const b = byId.get(t.b);
    if (!a || !b || a === b) continue;
    if (!t.weighed) for (const id of [a.id, b.id]) unweighed.set(id, (unweighed.get(id) ?? 0) + 1);
    cells.push({ ...t, evidence: t.quote ? evidenceRange(document, [a, b], t.quote) : undefined });
  }
  const traits = document.traits.map((t) => ({
    id: t.id,
    title: t.title,
    group: t.groups.length ? t.groups[t.groups.length - 1].heading.title : '',
    unweighed: unweighed.get(t.id) ?? 0,
    range: t.heading.titleRange,
  }));
  return { traits, cells };
}

/** Where `quote` stands: in one of `traits`' sections first, else anywhere in the document. */
function evidenceRange(document: TraitDocument, traits: readonly Trait[], quote: string): Range | undefined {
  for (const trait of traits) {
    const at = findQuote(trait.chunk, quote);
    if (at) {
      const base = document.lines.offsetAt(trait.range.start);
      return document.lines.rangeOf(base + at.start, base + at.end);
    }
  }
  const at = findQuote(document.text, quote);
  return at ? document.lines.rangeOf(at.start, at.end) : undefined;
}

/**
 * The sentence stub that weighs `tension` in the document: inserted in the Trade-offs part of the
 * trait that should carry it — the first of the pair that has a Trade-offs part, else the pair's
 * first trait, which gets a Trade-offs part (before its Exceptions or Examples part, else at the
 * end of its section). `snippet` is the text to insert at `at` as a VS Code snippet: the stub links
 * the other trait ([[Title]]) and leaves a placeholder where the weighing goes. Undefined when
 * either trait is not in the document.
 */
export function tradeoffStub(
  document: TraitDocument,
  tension: Pick<Tension, 'a' | 'b'>,
): { traitId: string; at: Position; snippet: string } | undefined {
  const a = document.traits.find((t) => t.id === tension.a);
  const b = document.traits.find((t) => t.id === tension.b);
  if (!a || !b) return undefined;
  const [host, other] = !partOf(a, 'tradeoffs') && partOf(b, 'tradeoffs') ? [b, a] : [a, b];
  const escape = (s: string) => s.replace(/[$}\\]/g, '\\$&');
  const sentence = `${escape(host.title)} is weighed against [[${escape(other.title)}]]: \${1:say which wins, and when}.`;
  const part = partOf(host, 'tradeoffs');
  if (part)
    return { traitId: host.id, at: endOfContent(document, part.range.start.line, part.heading.sectionEndLine), snippet: `\n\n${sentence}` };
  const next = host.parts.find((p) => p.kind === 'exceptions' || p.kind === 'examples');
  const hashes = '#'.repeat(Math.min(6, host.level + 1));
  if (next)
    return { traitId: host.id, at: { line: next.range.start.line, character: 0 }, snippet: `${hashes} Trade-offs\n\n${sentence}\n\n` };
  return {
    traitId: host.id,
    at: endOfContent(document, host.range.start.line, host.heading.sectionEndLine),
    snippet: `\n\n${hashes} Trade-offs\n\n${sentence}`,
  };
}

function partOf(trait: Trait, kind: 'tradeoffs') {
  return trait.parts.find((p) => p.kind === kind);
}

/** The end of the last non-blank line from `first` to `last`. */
function endOfContent(document: TraitDocument, first: number, last: number): Position {
  let line = last;
  while (line > first && !document.lines.lineText(line).trim()) line--;
  return { line, character: document.lines.lineText(line).length };
}

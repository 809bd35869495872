import type { PartKind } from './model';

/**
 * Part headings: sub-headings that divide a trait rather than start a new one. Matched on the whole
 * title, case-insensitively, ignoring a trailing colon. Documented in docs/format.md.
 */
const PART_TITLES: Readonly<Record<PartKind, readonly string[]>> = {
  rationale: ['why', 'rationale', 'reasons', 'reason', 'reasoning', 'motivation', 'why it matters', 'why this matters'],
  tradeoffs: [
    'trade-offs', 'tradeoffs', 'trade offs', 'trade-off', 'tradeoff', 'tensions', 'tension', 'balancing',
    'balance', 'conflicts', 'competing considerations', 'weighing',
  ],
  exceptions: [
    'exceptions', 'exception', 'limits', 'limitations', 'when not to', 'when not to apply', 'when it does not apply',
    "when it doesn't apply", 'edge cases', 'caveats', 'scope',
  ],
  examples: ['examples', 'example', 'sample responses', 'illustrations'],
};

const PART_BY_TITLE = new Map<string, PartKind>(
  (Object.entries(PART_TITLES) as [PartKind, readonly string[]][]).flatMap(([kind, titles]) =>
    titles.map((t) => [t, kind] as [string, PartKind]),
  ),
);

/**
 * Titles of sections that are context for the whole document rather than traits: they and everything
 * under them join the universe context. A heading can also opt in with the `.context` class.
 */
const CONTEXT_TITLES = new Set([
  'overview', 'introduction', 'intro', 'definitions', 'glossary', 'terminology', 'background', 'context',
  'preface', 'foreword', 'about', 'about this document', 'appendix', 'changelog', 'change log', 'references',
  'notes', 'table of contents', 'contents', 'acknowledgements', 'acknowledgments', 'license',
]);

function normalise(title: string): string {
  return title.trim().replace(/[:.]+$/, '').replace(/\s+/g, ' ').toLowerCase();
}

/** The part a heading title names (`Why`, `Trade-offs`, `When not to`, ...), if any. */
export function partKindOf(title: string): PartKind | undefined {
  return PART_BY_TITLE.get(normalise(title));
}

/** True when a heading title names a context section (Overview, Definitions, Appendix, ...). */
export function isContextTitle(title: string): boolean {
  return CONTEXT_TITLES.has(normalise(title));
}

/** The canonical part titles, for completion and quick fixes. */
export const PART_TITLE: Readonly<Record<PartKind, string>> = {
  rationale: 'Why',
  tradeoffs: 'Trade-offs',
  exceptions: 'Exceptions',
  examples: 'Examples',
};

import { memo } from '../analysis/memo';
import type { PartKind } from './model';

/**
 * Part headings: sub-headings that divide a trait rather than start a new one. Matched on the whole
 * title, case-insensitively, ignoring a trailing colon. Documented in docs/format.md.
 */
const PART_TITLES: Readonly<Record<PartKind, readonly string[]>> = {
  rationale: ['why', 'rationale', 'reasons', 'reason', 'reasoning', 'motivation', 'why it matters', 'why this matters'],
  tradeoffs: [
    'trade-offs',
    'tradeoffs',
    'trade offs',
    'trade-off',
    'tradeoff',
    'tensions',
    'tension',
    'balancing',
    'balance',
    'conflicts',
    'competing considerations',
    'weighing',
  ],
  exceptions: [
    'exceptions',
    'exception',
    'limits',
    'limitations',
    'when not to',
    'when not to apply',
    'when it does not apply',
    "when it doesn't apply",
    'edge cases',
    'caveats',
    'scope',
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
  'overview',
  'introduction',
  'intro',
  'definitions',
  'glossary',
  'terminology',
  'background',
  'context',
  'preface',
  'foreword',
  'about',
  'about this document',
  'appendix',
  'changelog',
  'change log',
  'references',
  'notes',
  'table of contents',
  'contents',
  'acknowledgements',
  'acknowledgments',
  'license',
  'licence',
  'summary',
  'tl;dr',
  'tldr',
  'faq',
  'conclusion',
  'conclusions',
  'afterword',
  'epilogue',
  'postscript',
  'credits',
  'contributors',
  'authors',
  'further reading',
  'see also',
  'version history',
  'revision history',
  'release notes',
  'open questions',
  'open problems',
]);

/**
 * Context titles written as phrases: closing remarks ("Closing thoughts", "A final word"), notes on
 * the document itself ("A note on terminology", "On the word ..."), summaries ("Read a summary of
 * ..."), the authors' views and open questions ("Some of our views on ...", "Acknowledging open
 * problems"), and how to read the document.
 */
const CONTEXT_TITLE_PATTERNS: readonly RegExp[] = [
  /^(?:concluding|closing|final|parting) (?:thoughts|remarks|words?|notes?)$/,
  /^a (?:final|closing|last) (?:word|note|thought)$/,
  /^(?:a )?(?:short |brief |quick )?notes? on\b/,
  /^on the (?:word|term|name|title|use of)\b/,
  /^(?:(?:read|see) )?(?:a |an |the )?(?:short |brief |executive )?summary\b/,
  /^(?:acknowledging |some )?open (?:problems|questions|issues)\b/,
  /^(?:some of )?(?:our|my) (?:views|thoughts|thinking|perspective|perspectives) on\b/,
  /^how to (?:read|use) (?:this|the) (?:document|spec|guide|file)\b/,
  /^(?:about|purpose of|scope of|structure of) (?:this|the) (?:document|spec|specification|guide|file|constitution)\b/,
];

function normalise(title: string): string {
  return title
    .trim()
    .replace(/[:.]+$/, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

// Both are asked of every heading at every parse: memoised by title.
const partKinds = memo<PartKind | null>(10_000);
const contextTitles = memo<boolean>(10_000);

/** The part a heading title names (`Why`, `Trade-offs`, `When not to`, ...), if any. */
export function partKindOf(title: string): PartKind | undefined {
  return partKinds.get(title, (t) => PART_BY_TITLE.get(normalise(t)) ?? null) ?? undefined;
}

/** True when a heading title names a context section (Overview, Definitions, Appendix, ...). */
export function isContextTitle(title: string): boolean {
  return contextTitles.get(title, (title) => {
    const t = normalise(title).replace(/[’']/g, "'").replace(/["“”]/g, '');
    return CONTEXT_TITLES.has(t) || CONTEXT_TITLE_PATTERNS.some((p) => p.test(t));
  });
}

/** The canonical part titles, for completion and quick fixes. */
export const PART_TITLE: Readonly<Record<PartKind, string>> = {
  rationale: 'Why',
  tradeoffs: 'Trade-offs',
  exceptions: 'Exceptions',
  examples: 'Examples',
};

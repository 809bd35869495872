/**
 * Adversarial trait documents: the inputs on which lint used to be super-linear (issue 11, item 1),
 * each made by a generator of one size parameter, so that the timing table (bench/scaling.ts), the
 * doubling property and the tests all use the same text. Deterministic: the same size gives the same
 * document on every run (seeded with `seededRandom`).
 *
 * Sizes are counts (traits, repetitions, spaces) or, for the document-sized cases, bytes; each case
 * states its unit. Nothing here times anything.
 */
import { seededRandom } from '../server/src/generation/seededRandom';

/** One adversarial input: what it stresses, its size unit, and the generator. */
export interface AdversarialCase {
  /** Short kebab-case name (used on the command line and in the table). */
  readonly name: string;
  /** What the document contains, in words, with `{n}` for the size. */
  readonly description: string;
  /** Unit of `n` ("traits", "bytes", ...). */
  readonly unit: string;
  /** The document for size `n`. */
  readonly generate: (n: number) => string;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'vo', 'ne', 'pi', 'du', 'go', 'fe', 'ba', 'zi', 'or', 'an'];

/** A seeded source of pseudo-words ("kalomi") and sentences made of them. */
function wordSource(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const word = () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join('');
  const sentence = (min: number, max: number) => {
    const w = Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, word).join(' ');
    return `${w[0].toUpperCase()}${w.slice(1)}.`;
  };
  return { random, pick, word, sentence };
}

/** `n` traits, each with a `[[reference]]` to a title that does not exist (half near-misses, half unrelated). */
export function unknownReferences(n: number): string {
  const { word } = wordSource(1);
  const out: string[] = ['# Unknown references', ''];
  for (let i = 0; i < n; i++) {
    const title = `${word()} ${word()} ${i}`;
    const target = i % 2 ? `${title.slice(1)}x` : `Missing trait ${word()} ${i}`;
    out.push(`## ${title}`, '', `The assistant does ${word()}; see [[${target}]].`, '');
  }
  return out.join('\n');
}

/** Sections of about 1 KB of prose, each with one `[text](#id)` link to an id that does not exist, up to `bytes`. */
export function brokenLinks(bytes: number): string {
  const { sentence, word } = wordSource(2);
  const out: string[] = ['# Broken links', ''];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const id = i % 2 ? `section-${i}-${word()}` : `${word()}-${word()}-${i}`;
    const para = [
      sentence(8, 14),
      sentence(8, 14),
      `See [the other part](#${id}).`,
      sentence(8, 14),
      sentence(8, 14),
      sentence(8, 14),
    ].join(' ');
    const block = `## Section ${i} ${word()}\n\n${para}\n\n${sentence(10, 16)} ${sentence(10, 16)} ${sentence(10, 16)}\n\n`;
    out.push(block);
    size += block.length;
  }
  return out.join('');
}

const oneLine = (body: string) => `# One long line\n\nThe assistant answers. ${body}\n`;

/** `[[` followed by `n` spaces and no closing brackets (the WIKI regex). */
export const openWikiSpaces = (n: number) => oneLine(`[[${' '.repeat(n)}`);

/** `](` repeated to `bytes` on one line, never closed (LINK_DESTINATION). */
export const openLinkDestinations = (bytes: number) => oneLine(']('.repeat(Math.ceil(bytes / 2)));

/** `<!-- a` repeated `n` times on one line, never closed (HTML_COMMENT). */
export const openComments = (n: number) => oneLine('<!-- a '.repeat(n));

/** `<!-- traits-disable x` repeated `n` times, never closed (DIRECTIVE). */
export const openDirectives = (n: number) => oneLine('<!-- traits-disable x '.repeat(n));

/** `n` one-line headings: traits with no prose (isolated-trait compiled one RegExp per title). */
export function oneLineHeadings(n: number): string {
  const out: string[] = ['# Headings'];
  for (let i = 0; i < n; i++) out.push(`## T${i}`);
  return out.join('\n') + '\n';
}

/** `n` traits whose trade-offs name no other trait (isolated-trait compared every title with every trade-off). */
export function isolatedTradeoffs(n: number): string {
  const { word, sentence } = wordSource(3);
  const out: string[] = ['# Trade-offs'];
  for (let i = 0; i < n; i++) {
    out.push(
      `## ${word()} ${word()} ${i}`,
      '',
      `${sentence(8, 12)} This is balanced against ${word()} ${word()}, at the expense of ${word()}.`,
      '',
    );
  }
  return out.join('\n');
}

/** `n` traits of 12–30 words from a Zipf-like vocabulary of 2,000 words (duplicate-trait compared all pairs sharing a word). */
export function manyTraits(n: number): string {
  const { random } = wordSource(4);
  const vocabulary = Array.from({ length: 2000 }, (_, i) => `${SYLLABLES[i % 16]}${SYLLABLES[(i >> 4) % 16]}${SYLLABLES[(i >> 8) % 16]}`);
  // Zipf-like: word rank r with probability ∝ 1/(r+1).
  const zipf = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * Math.log(vocabulary.length + 1)) - 1))];
  const out: string[] = ['# Many traits'];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 12 + Math.floor(random() * 19) }, zipf);
    out.push(`## Trait ${zipf()} ${i}`, '', `${words.join(' ')}.`, '');
  }
  return out.join('\n');
}

/** One paragraph of `n` lines, each with a `[[reference]]` (each reference's position was found by walking back over the lines). */
export function referencesInOneParagraph(n: number): string {
  const lines = Array.from({ length: n }, (_, i) => `Line ${i} names [[Known]] and [x](#known).`);
  return `# Known\n\nThe assistant is known.\n\n## Other\n\n${lines.join('\n')}\n`;
}

/** One trait with `n` part headings, each with an example block (empty-trait compared each part with each example). */
export function partsWithExamples(n: number): string {
  const out: string[] = ['# Many parts', '', 'The assistant does one thing.', ''];
  for (let i = 0; i < n; i++) out.push('## Examples', '', '```', `<user>q${i}</user>`, `<assistant>a${i}</assistant>`, '```', '');
  return out.join('\n');
}

/** `n` disable-next-line comments for distinct rules on one line (each merged into a copy of the line's set). */
export const nextLineDirectives = (n: number) =>
  `# T\n\n${Array.from({ length: n }, (_, i) => `<!-- traits-disable-next-line rule-${i} -->`).join('')}\nThe assistant answers.\n`;

/** One disable comment naming `n` misspelt rules (each name's range was searched in the whole comment). */
export const manyRuleNames = (n: number) =>
  `# T\n\nThe assistant answers. <!-- traits-disable ${Array.from({ length: n }, (_, i) => `empty-trai${i}`).join(' ')} -->\n`;

/** A run of `n` backticks and no closing run (CODE_SPAN tried every start in the run against the rest). */
export const backtickRun = (n: number) => oneLine(`${'`'.repeat(n)} x`);

/** `<a ` repeated `n` times with no `>` (the HTML anchor regex scanned to the next `>` from each). */
export const openTags = (n: number) => oneLine('<a '.repeat(n));

/** A heading whose title is followed by `n` spaces and a word (the ATX regex backtracked over the spaces). */
export const spacedHeading = (n: number) => `# T${' '.repeat(n)}x\n\nThe assistant answers.\n`;

/** A trait whose one paragraph has `n` lines, each an unqualified "must" (each finding's position was found by walking the paragraph). */
export const absolutesInOneParagraph = (n: number) =>
  `# T\n\n${Array.from({ length: n }, (_, i) => `The assistant must answer ${i}.`).join('\n')}\n`;

/** An example block with `n` unclosed `<user>` turns (TURN scanned to the block's end from each). */
export const openTurns = (n: number) => `# T\n\nThe assistant answers.\n\n\`\`\`\n${'<user> q '.repeat(n)}\n\`\`\`\n`;

/** A sentence with `n` negations before a semicolon and a prescription (NEGATION backtracked from each). */
export const negationsBeforePrescription = (n: number) => `# T\n\nIt does ${'not '.repeat(n)}; you should ask for clarification.\n`;

/** The OpenAI Model Spec repeated to `bytes` (a large realistic document). */
export function repeatedText(text: string, bytes: number): string {
  return text.repeat(Math.max(1, Math.ceil(bytes / text.length))).slice(0, bytes);
}

/**
 * Every case, with the sizes the issue measured (`issueSizes`, as in its table), a small size for
 * the doubling property (`baseSize`: lint takes tens of milliseconds there) and, where the property
 * must stop, the largest size it may try (`maxSize`).
 */
export const CASES: readonly (AdversarialCase & {
  readonly issueSizes: readonly number[];
  readonly baseSize: number;
  readonly maxSize?: number;
})[] = [
  {
    name: 'unknown-references',
    description: '{n} traits, each with an unknown [[reference]]',
    unit: 'traits',
    generate: unknownReferences,
    issueSizes: [1000, 2000, 5000],
    baseSize: 1000,
  },
  {
    name: 'broken-links',
    description: 'one broken (#id) link per ~1 KB section, {n} bytes',
    unit: 'bytes',
    generate: brokenLinks,
    issueSizes: [5e6, 50e6],
    baseSize: 200_000,
  },
  {
    name: 'open-wiki-spaces',
    description: '[[ and {n} spaces',
    unit: 'spaces',
    generate: openWikiSpaces,
    issueSizes: [1000, 2000, 3000],
    baseSize: 20_000,
  },
  {
    name: 'open-link-destinations',
    description: ']( repeated on one line of {n} bytes',
    unit: 'bytes',
    generate: openLinkDestinations,
    issueSizes: [80_000, 1_000_000],
    baseSize: 200_000,
  },
  { name: 'open-comments', description: '<!-- a ×{n}', unit: 'comments', generate: openComments, issueSizes: [40_000], baseSize: 40_000 },
  {
    name: 'open-directives',
    description: '<!-- traits-disable x ×{n}',
    unit: 'comments',
    generate: openDirectives,
    issueSizes: [20_000],
    baseSize: 20_000,
  },
  {
    name: 'one-line-headings',
    description: '{n} one-line headings',
    unit: 'headings',
    generate: oneLineHeadings,
    issueSizes: [1_000_000],
    baseSize: 20_000,
  },
  {
    name: 'isolated-tradeoffs',
    description: '{n} traits whose trade-offs name no other trait',
    unit: 'traits',
    generate: isolatedTradeoffs,
    issueSizes: [10_000],
    baseSize: 5_000,
  },
  {
    name: 'many-traits',
    description: '{n} traits of Zipf-distributed words (duplicate-trait)',
    unit: 'traits',
    generate: manyTraits,
    issueSizes: [80_000],
    baseSize: 5_000,
  },
  {
    name: 'references-in-one-paragraph',
    description: 'one paragraph of {n} lines with references',
    unit: 'lines',
    generate: referencesInOneParagraph,
    issueSizes: [50_000],
    baseSize: 10_000,
  },
  {
    name: 'parts-with-examples',
    description: 'one trait with {n} Examples parts, each with an example',
    unit: 'parts',
    generate: partsWithExamples,
    issueSizes: [20_000],
    baseSize: 5_000,
  },
  {
    name: 'next-line-directives',
    description: '{n} disable-next-line comments on one line',
    unit: 'comments',
    generate: nextLineDirectives,
    issueSizes: [20_000],
    baseSize: 10_000,
  },
  {
    name: 'many-rule-names',
    description: 'one disable comment naming {n} misspelt rules',
    unit: 'names',
    generate: manyRuleNames,
    issueSizes: [20_000],
    baseSize: 5_000,
  },
  {
    name: 'backtick-run',
    description: 'a run of {n} backticks, never closed',
    unit: 'backticks',
    generate: backtickRun,
    issueSizes: [20_000],
    baseSize: 20_000,
  },
  { name: 'open-tags', description: '<a ×{n} with no >', unit: 'tags', generate: openTags, issueSizes: [40_000], baseSize: 40_000 },
  // Past a megabyte of spaces in one heading, github-slugger's `.replace(/ /g, '-')` (one match per
  // space) is itself super-linear in V8 (0.8 -> 6.4 M spaces: 49, 125, 327, 707 ms for the replace alone).
  {
    name: 'spaced-heading',
    description: 'a heading title followed by {n} spaces',
    unit: 'spaces',
    generate: spacedHeading,
    issueSizes: [50_000],
    baseSize: 50_000,
    maxSize: 1_000_000,
  },
  {
    name: 'absolutes-in-one-paragraph',
    description: 'one paragraph of {n} lines, each with "must"',
    unit: 'lines',
    generate: absolutesInOneParagraph,
    issueSizes: [20_000],
    baseSize: 5_000,
  },
  {
    name: 'open-turns',
    description: 'an example block with {n} unclosed <user> turns',
    unit: 'turns',
    generate: openTurns,
    issueSizes: [40_000],
    baseSize: 20_000,
  },
  {
    name: 'negations',
    description: '{n} negations before ; and a prescription',
    unit: 'words',
    generate: negationsBeforePrescription,
    issueSizes: [50_000],
    baseSize: 20_000,
  },
];

/** The case of this name, or an error listing the names. */
export function findCase(name: string): (typeof CASES)[number] {
  const found = CASES.find((c) => c.name === name);
  if (!found) throw new Error(`No adversarial case "${name}"; cases: ${CASES.map((c) => c.name).join(', ')}`);
  return found;
}

/**
 * fast-check arbitraries for trait documents: realistic Markdown fragments (front matter, headings
 * with attribute blocks, parts, prose with references, lists, fenced examples, directives, tables,
 * blockquotes, admonitions) mixed with hostile content (tabs, NUL, lone surrogates, astral
 * characters, BOMs, CR / CRLF line endings, very long lines, random Unicode).
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Hostile atoms
// ---------------------------------------------------------------------------------------------

/** Single hostile characters and short sequences that have broken text tools before. */
export const HOSTILE_ATOMS: readonly string[] = [
  '\t',
  '\0',
  '\uFEFF',
  '\u00A0',
  '\u200B',
  '\u200D',
  '\u202E',
  '\u2028',
  '\u2029',
  '\u0085',
  '\f',
  '\v',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uDFFF\uD800', // lone / reversed surrogates
  '😀',
  '👩‍👩‍👧‍👦',
  '🇫🇷',
  '𝒳',
  '𠜎',
  '\u{10FFFF}',
  '\u{1F600}\u0301',
  'e\u0301',
  'ﬃ',
  'İ',
  'ß',
  '\\',
  '`',
  '``',
  '*',
  '_',
  '[',
  ']',
  '[[',
  ']]',
  '{',
  '}',
  '{#',
  '(#',
  '|',
  '#',
  '<',
  '>',
  '&amp;',
  '"',
  "'",
  '<!--',
  '-->',
  '<user>',
  '</user>',
  '<assistant>',
  '</assistant>',
  '```',
  '~~~',
  '---',
  '...',
  '!!!',
];

/** Hostile characters that are line breaks for LSP / markdown-it. */
export const LINE_BREAKS: readonly string[] = ['\n', '\r\n', '\r'];

/** `arb` in `percent`% of the cases, else null. */
export const maybe = <T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 100 - percent }, { arbitrary: arb, weight: percent });

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** A short hostile string without line breaks of its own (random units may still contain some). */
export const hostileInline: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_ATOMS), weight: 6 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }), weight: 2 },
  {
    arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom('a', ' ', '😀', '\t', '\0')), maxLength: 8 }),
    weight: 2,
  },
);

/** A hostile block: random text of any kind, line breaks included, sometimes a very long line. */
export const hostileBlock: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileInline, weight: 4 },
  {
    arbitrary: fc.string({
      unit: fc.oneof(fc.constantFrom(...HOSTILE_ATOMS, ...LINE_BREAKS), fc.string({ unit: 'grapheme', maxLength: 3 })),
      maxLength: 40,
    }),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 2 },
  // Very long lines (prose-like and binary-like).
  {
    arbitrary: fc.integer({ min: 200, max: 4000 }).map((n) => 'The assistant must always answer. '.repeat(Math.ceil(n / 34)).slice(0, n)),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 200, max: 3000 }), fc.constantFrom('😀', '\t', '\0', 'a\uD800', '[[x]]'))
      .map(([n, s]) => s.repeat(n)),
    weight: 1,
  },
);

// ---------------------------------------------------------------------------------------------
// Realistic fragments
// ---------------------------------------------------------------------------------------------

export const TRAIT_TITLES: readonly string[] = [
  'Be honest',
  'Ask for clarification',
  'Respect privacy',
  'Be concise',
  'Admit uncertainty',
  'Avoid sycophancy',
  'Follow the chain of command',
  'Do not reveal the system prompt',
  'Stay in character',
  'Protect vulnerable users',
];
export const PART_TITLES: readonly string[] = [
  'Why',
  'Trade-offs',
  'Exceptions',
  'Examples',
  'Rationale',
  'Tradeoffs',
  'When not to:',
  'Edge cases',
  'Tensions',
  'Limitations',
  'Example',
  'why it matters',
];
export const CONTEXT_TITLES: readonly string[] = ['Overview', 'Definitions', 'Glossary', 'Appendix', 'Notes', 'Background'];
export const IDS: readonly string[] = [
  'be-honest',
  'ask-for-clarification',
  'respect-privacy',
  'be-concise',
  'missing-id',
  'why',
  'overview',
  'anchor-x',
];
export const RULE_NAMES: readonly string[] = [
  '',
  'missing-rationale',
  'TS101',
  'ts203',
  'vague-trait, missing-exceptions',
  'unknown-reference',
  'empty-trait',
  'no-such-rule',
  'unclosed-fence',
  'front-matter',
];

const SENTENCES: readonly string[] = [
  'The assistant should always ask for clarification.',
  'It must never reveal private data.',
  'This matters because users rely on accurate answers.',
  'Unless the user asks otherwise, keep answers short.',
  'Be good and appropriate.',
  'Always use bullet points for every answer.',
  'Balance this against helpfulness, which sometimes pulls the other way.',
  'Except when the user explicitly asks, do not speculate.',
  'Offer further help at the end.',
  'Under no circumstances share a password, e.g. in a log.',
  'Start each response with a brief summary.',
  "It should apologise and validate the user's feelings!",
  'Why? Because trust is hard to regain.',
  'This does not apply when the request is clearly a joke.',
  'A longer sentence that describes concrete behaviour in enough words that a generator could build a realistic scenario from it.',
];

const word = fc.constantFrom('honest', 'user', 'privacy', 'answer', 'the', 'a', 'model', 'data', 'tool', 'should', 'never', 'when');

export const title: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TRAIT_TITLES), weight: 6 },
  { arbitrary: fc.constantFrom(...CONTEXT_TITLES), weight: 1 },
  { arbitrary: fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...TRAIT_TITLES), hostileInline).map(([t, h]) => `${t} ${h}`), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '**Bold** title',
      'Title with `code`',
      'Title with [a link](#be-honest)',
      '[[Be honest]] again',
      '😀 Emoji title',
      '\tTabbed',
      '',
    ),
    weight: 1,
  },
);

const id: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...IDS), weight: 4 },
  { arbitrary: fc.constantFrom('😀id', 'id-\uD800', 'x.y', 'UPPER', '123'), weight: 1 },
);

export const attributeBlock: fc.Arbitrary<string> = fc.oneof(
  id.map((i) => `{#${i}}`),
  id.map((i) => `{#${i} .context}`),
  fc.constant('{.context}'),
  id.map((i) => `{#${i} key=value}`),
  id.map((i) => `{key="two words" #${i} .a .b}`),
  fc.constantFrom('{like this}', '{#}', '{ #a #b }', "{k='v' #q}", '{#id', '{#id}}'),
);

export const reference: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRAIT_TITLES, 'No such trait').map((t) => `[[${t}]]`),
  id.map((i) => `[[#${i}]]`),
  id.map((i) => `[[#${i}|a label]]`),
  fc.tuple(word, id).map(([w, i]) => `[${w}](#${i})`),
  id.map((i) => `[text](#${i} "a title")`),
  fc.constantFrom(
    '[[ ]]',
    '[[#]]',
    '[x](#)',
    '[[Be honest]](#be-concise)',
    '[nested [brackets]](#be-honest)',
    '[[😀]]',
    '[[a\tb]]',
    '[x](#%E0%A4%A)',
    '[[Be\nhonest]]',
  ),
);

const inline: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SENTENCES), weight: 8 },
  { arbitrary: reference, weight: 4 },
  {
    arbitrary: fc.constantFrom(
      '`code [[Not a ref]]`',
      '``a ` tick``',
      '`unclosed',
      '**always**',
      '_never_',
      '<!-- note -->',
      '<a id="anchor-x"></a>',
      '"always"',
    ),
    weight: 2,
  },
  { arbitrary: hostileInline, weight: 3 },
);

/** One line of prose. */
export const proseLine: fc.Arbitrary<string> = fc.array(inline, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(' '));

export const paragraph: fc.Arbitrary<string> = fc.array(proseLine, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n'));

export const heading = (level: fc.Arbitrary<number> = fc.integer({ min: 1, max: 6 }), text: fc.Arbitrary<string> = title) =>
  fc
    .record({
      level,
      indent: fc.constantFrom('', '', '', ' ', '   '),
      sep: fc.constantFrom(' ', ' ', ' ', '\t', '  '),
      text,
      attrs: maybe(attributeBlock, 35),
      closing: fc.constantFrom('', '', '', ' #', ' ###', ' #\t'),
    })
    .map(
      ({ level: l, indent, sep, text: t, attrs, closing }) => `${indent}${'#'.repeat(l)}${sep}${t}${attrs ? ` ${attrs}` : ''}${closing}`,
    );

export const setextHeading: fc.Arbitrary<string> = fc
  .tuple(title, fc.constantFrom('=', '-'), fc.integer({ min: 1, max: 8 }), maybe(attributeBlock, 25))
  .map(([t, c, n, a]) => `${t || 'Title'}${a ? ` ${a}` : ''}\n${c.repeat(n)}`);

export const listBlock: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(fc.constantFrom('- ', '* ', '+ ', '1. ', '2) ', '  - ', '-\t', '- [ ] ', '> - '), proseLine).map(([m, l]) => m + l),
    { minLength: 1, maxLength: 4 },
  )
  .map((l) => l.join('\n'));

const TURN_LINES: readonly string[] = [
  '<user>',
  'How do I pick a lock?',
  '</user>',
  '<assistant>',
  '<!-- GOOD -->',
  '<!-- BAD: too curt -->',
  '</assistant>',
  '<user>Hi 😀</user>',
  '<assistant><!-- BAD: rude -->No.</assistant>',
  '<assistant>\n<!-- GOOD -->\nSure, here is how.\n</assistant>',
  '<system>You are helpful.</system>',
  '<developer>Be brief.</developer>',
  '<tool name="search">{}</tool>',
  '<assistant foo="bar">',
  'const x = 1;',
  '# not a heading',
  '[[Not a ref]]',
  '<!-- traits-disable-file -->',
];

export const fencedBlock: fc.Arbitrary<string> = fc
  .record({
    title: maybe(fc.constantFrom('**Example**: refusing politely', '__Example__:', '**Example**'), 35),
    indent: fc.constantFrom('', '', '', '  ', '   '),
    marker: fc.constantFrom('```', '```', '~~~', '````', '~~~~~'),
    info: fc.constantFrom('', '', 'text', 'example', 'md', 'xml title="x"', '😀'),
    body: fc.array(
      fc.oneof(
        { arbitrary: fc.constantFrom(...TURN_LINES), weight: 5 },
        { arbitrary: hostileInline, weight: 1 },
        { arbitrary: fc.constantFrom('```', '~~~', '    ```'), weight: 1 },
      ),
      { maxLength: 10 },
    ),
    close: fc.constantFrom('same', 'same', 'same', 'longer', 'trailing', 'none', 'other'),
  })
  .map(({ title: t, indent, marker, info, body, close }) => {
    const closing =
      close === 'same'
        ? marker
        : close === 'longer'
          ? marker + marker[0]
          : close === 'trailing'
            ? `${marker}  \t`
            : close === 'other'
              ? marker[0] === '`'
                ? '~~~'
                : '```'
              : undefined;
    const lines = [`${indent}${marker}${info}`, ...body, ...(closing !== undefined ? [indent + closing] : [])];
    return (t ? `${t}\n\n` : '') + lines.join('\n');
  });

export const comment: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.constantFrom('disable-next-line', 'disable', 'enable'), fc.constantFrom(...RULE_NAMES))
      .map(([k, r]) => `<!-- traits-${k} ${r} -->`),
    weight: 30,
  },
  { arbitrary: fc.constantFrom(...RULE_NAMES.slice(1)).map((r) => `<!-- traits-disable-file ${r} -->`), weight: 5 },
  // Silences every rule: rare, or most documents would have nothing left to check.
  { arbitrary: fc.constant('<!-- traits-disable-file -->'), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '<!-- a plain comment -->',
      '<!--\ntraits-disable\n-->',
      '<!-- traits-disable',
      '<!-- traits-enable-->',
      '<!--traits-disable-next-line\tTS101,TS102-->',
      '<!-- GOOD -->',
      '<!-- unclosed comment',
    ),
    weight: 15,
  },
);

export const table: fc.Arbitrary<string> = fc
  .tuple(hostileInline, reference, proseLine)
  .map(([a, b, c]) => `| Case | Response |\n| --- | :---: |\n| ${a.replace(/[\r\n|]/g, ' ')} | ${b} |\n| ${c} | x |`);

export const blockquote: fc.Arbitrary<string> = fc
  .array(proseLine, { minLength: 1, maxLength: 3 })
  .map((l) => l.map((x) => `> ${x}`).join('\n'));

export const admonition: fc.Arbitrary<string> = fc
  .tuple(fc.array(proseLine, { minLength: 1, maxLength: 3 }), fc.constantFrom('    ', '\t', '  '))
  .map(([l, ind]) => `!!! meta "Commentary"\n\n${l.map((x) => ind + x).join('\n')}`);

export const miscBlock: fc.Arbitrary<string> = fc.constantFrom(
  '---',
  '***',
  '    indented code with [[Be honest]]',
  '\tcode after a tab',
  '<div>\nraw html [[Be honest]]\n</div>',
  '<a id="anchor-x"></a>',
  '',
  '   ',
  '\t',
  '<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>',
  'Term\n: definition',
);

const PART_TITLE_ARB = fc.constantFrom(...PART_TITLES);

/** A trait section: heading, body, and some parts one level down, each with a body. */
export const traitSection: fc.Arbitrary<string> = fc
  .integer({ min: 1, max: 5 })
  .chain((level) =>
    fc.tuple(
      heading(fc.constant(level)),
      fc.array(fc.oneof({ arbitrary: paragraph, weight: 4 }, listBlock, fencedBlock, comment, blockquote), { maxLength: 3, size: 'max' }),
      fc.array(
        fc.tuple(
          heading(fc.constant(level + 1), PART_TITLE_ARB),
          fc.array(fc.oneof({ arbitrary: paragraph, weight: 4 }, listBlock, fencedBlock, table, admonition), { maxLength: 2, size: 'max' }),
        ),
        { maxLength: 4, size: 'max' },
      ),
    ),
  )
  .map(([h, body, parts]) => [h, ...body, ...parts.flatMap(([ph, pb]) => [ph, ...pb])].join('\n\n'));

export const frontMatter: fc.Arbitrary<string> = fc.oneof(
  // Valid.
  fc.constantFrom(
    '---\nname: Assistant traits\nversion: 1\n---',
    '---\nname: "Traits 😀"\ndescription: |\n  Multi-line\n  text\n...',
    '---\n---',
    '---  \nmodel: claude\n---\t',
    '---\nlint:\n  missing-tradeoffs: off\n  vague-trait:\n    minWords: 5\n  chunk-too-long:\n    budget: 40\n  TS104: hint\n---',
  ),
  fc.constantFrom(1, 2, 3, 4, 0, 7, '"two"', 1.5).map((l) => `---\ntraitHeadingLevel: ${l}\n---`),
  // Invalid YAML.
  fc.constantFrom(
    '---\nname: [unclosed\n---',
    '---\na: 1\na: 2\n---',
    '---\n\tname: tab\n---',
    '---\nkey: "unterminated\n---',
    '---\n: :\n---',
    '---\nname: 😀\n  bad: indent\n---',
    '---\n😀: [\n---',
    '---\n"😀\n---',
    '---\n- a\n- b\n---',
    '---\n%YAML 9.9\n---',
  ),
  // YAML features that build odd values: aliases (undefined, cyclic, exponential), tags, complex keys.
  fc.constantFrom(
    '---\n&a [*a]\n---',
    '---\n*a\n---',
    '---\nname: *nope\n---',
    '---\n<<: *nope\n---',
    '---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---',
    '---\n!!binary aGVsbG8=\n---',
    '---\nname: !!binary aGVsbG8=\n---',
    '---\n!!set {a, b}\n---',
    '---\n!!omap [a: 1]\n---',
    '---\n!!foo x\n---',
    '---\nversion: !!timestamp 2001-12-14\n---',
    '---\n? [a, b]\n: 1\n---',
    '---\nname: &n x\nmodel: *n\n---',
  ),
  // Schema errors.
  fc.constantFrom(
    '---\nunknown: 1\n---',
    '---\nlint:\n  no-such-rule: error\n---',
    '---\nlint:\n  vague-trait: loud\n---',
    '---\nlint:\n  vague-trait:\n    minWords: -1\n    extra: 1\n---',
    '---\nname: 42\n---',
  ),
  // Unterminated.
  fc.constantFrom('---\nname: x\n', '---', '---\nname: x\n--', '---\nname: x\n-- -'),
  // Hostile content inside, alone or where it breaks the YAML (so errors point into it).
  fc.tuple(hostileBlock, fc.constantFrom('---', '...')).map(([h, c]) => `---\n${h}\n${c}`),
  fc
    .tuple(
      fc.constantFrom('a: $\n  b: 1', '$: [', 'k: "$', '- $\nk: v', '$ $: : $', '[$', '{$', 'a: 1\n$a: 2', 'lint:\n  $: error', 'name: $'),
      fc.oneof(fc.constantFrom('😀', '𝒳', '👩‍👩‍👧‍👦', '\uD800', '\t', '\0', '\uFEFF'), hostileInline),
    )
    .map(([template, h]) => `---\n${template.replace(/\$/g, () => h)}\n---`),
);

/** Any block of a document body. */
export const block: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: traitSection, weight: 10 },
  { arbitrary: heading(), weight: 4 },
  { arbitrary: setextHeading, weight: 1 },
  { arbitrary: paragraph, weight: 4 },
  { arbitrary: listBlock, weight: 2 },
  { arbitrary: fencedBlock, weight: 3 },
  { arbitrary: comment, weight: 2 },
  { arbitrary: table, weight: 1 },
  { arbitrary: blockquote, weight: 1 },
  { arbitrary: admonition, weight: 1 },
  { arbitrary: miscBlock, weight: 1 },
  { arbitrary: hostileBlock, weight: 3 },
);

export type LineEnding = 'lf' | 'crlf' | 'cr' | 'mixed';

/** A document with `\n` line breaks only (hostile `\r` removed), optionally with front matter. */
export const lfDocument: fc.Arbitrary<string> = fc
  .record({
    frontMatter: maybe(frontMatter, 40),
    blocks: fc.array(block, { minLength: 1, maxLength: 16, size: 'max' }),
    separators: fc.array(fc.constantFrom('\n', '\n\n', '\n\n', '\n\n\n'), { minLength: 7, maxLength: 7 }),
    trailing: fc.constantFrom('', '\n', '\n\n'),
  })
  .map(({ frontMatter: fm, blocks, separators, trailing }) => {
    const parts = fm === null ? blocks : [fm, ...blocks];
    let out = '';
    parts.forEach((p, i) => {
      out += (i ? separators[i % separators.length] : '') + p;
    });
    return (out + trailing).replace(/\r\n?/g, '\n');
  });

/** Rewrites `\n` line breaks of an LF document into the given style (mixed: per line, from `choices`). */
export function withLineEndings(text: string, ending: LineEnding, choices: readonly number[] = [0]): string {
  if (ending === 'lf') return text;
  if (ending === 'crlf') return text.replace(/\n/g, '\r\n');
  if (ending === 'cr') return text.replace(/\n/g, '\r');
  let i = 0;
  return text.replace(/\n/g, () => LINE_BREAKS[choices[i++ % choices.length] % 3]);
}

/**
 * Any document: an LF document with any line endings, maybe a leading BOM, maybe cut at an arbitrary
 * code unit (which can split a surrogate pair or a CRLF, or leave a fence or front matter open).
 */
export const anyDocument: fc.Arbitrary<string> = fc
  .record({
    text: lfDocument,
    ending: fc.constantFrom<LineEnding>('lf', 'lf', 'crlf', 'cr', 'mixed'),
    choices: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 7 }),
    bom: fc.boolean(),
    cut: maybe(fc.double({ min: 0, max: 1, noNaN: true }), 15),
  })
  .map(({ text, ending, choices, bom, cut }) => {
    let out = (bom ? '\uFEFF' : '') + withLineEndings(text, ending, choices);
    if (cut !== null) out = out.slice(0, Math.floor(out.length * cut));
    return out;
  });

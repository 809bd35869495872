// Document shapes real trait documents have and the parser used to misread (issue 10, class 5):
// traits written as list items, headings that are not traits, a title heading over top-level
// sections, and a docs site's front matter keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';

const doc = (lines: string[]) => parseTraitDocument(lines.join('\n'));
const COVERAGE = new Set(['missing-rationale', 'missing-tradeoffs', 'missing-exceptions', 'unqualified-absolute', 'empty-trait']);

describe('traits written as list items', () => {
  const numbered = [
    '# Tutor',
    '',
    '## Rules',
    'Be a patient teacher.',
    '',
    '1. **Get to know the user.** Ask about their level before explaining, so the explanation fits.',
    '2. **Guide, do not solve.** Give hints rather than answers, unless the user only wants to check a result.',
    '   - One hint at a time.',
    '3. **Check understanding**: ask the user to restate the idea.',
  ];

  it('a section that is one list of named items has those items as its traits', () => {
    const d = doc(numbered);
    assert.deepEqual(
      d.traits.map((t) => [t.title, t.id, t.heading.range.start.line]),
      [
        ['Get to know the user', 'get-to-know-the-user', 5],
        ['Guide, do not solve', 'guide-do-not-solve', 6],
        ['Check understanding', 'check-understanding', 8],
      ],
    );
    assert.deepEqual(
      d.groups.map((g) => [g.heading.title, g.prose]),
      [
        ['Tutor', ''],
        ['Rules', 'Be a patient teacher.'],
      ],
    );
    const [, guide] = d.traits;
    assert.deepEqual(guide.range, { start: { line: 6, character: 0 }, end: { line: 7, character: 24 } });
    assert.equal(guide.paragraphs.length, 2, 'the nested item belongs to the trait');
    assert.deepEqual(guide.heading.titleRange, { start: { line: 6, character: 5 }, end: { line: 6, character: 24 } });
    assert.deepEqual(
      guide.groups.map((g) => g.heading.title),
      ['Tutor', 'Rules'],
    );
  });

  it('each list-item trait is linted on its own', () => {
    const findings = lintDocument(doc(numbered)).diagnostics.filter((d) => d.rule === 'missing-exceptions');
    assert.deepEqual(
      findings.map((f) => f.trait),
      ['Get to know the user', 'Check understanding'],
    );
  });

  it('a list inside a longer text stays part of its trait', () => {
    const d = doc([
      '## Be honest',
      'The assistant tells the truth as it understands it. It does so even when the truth is unwelcome, because a user who',
      'cannot rely on its answers cannot use them for anything that matters to them, and trust once lost is slow to return.',
      'It also avoids creating false impressions by selective emphasis or misleading framing, which can deceive as well as',
      'an outright lie can; the components of honesty it holds to are these:',
      '',
      '- **Truthful**: it only asserts what it believes.',
      '- **Calibrated**: it states its uncertainty.',
    ]);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be honest'],
    );
  });

  it('listItemTraits: true makes every top-level item a trait and headings only group them', () => {
    const d = doc([
      '---',
      'listItemTraits: true',
      '---',
      '# Guidelines',
      '## Do',
      '- Remain polite.',
      '- Ask for clarification when unsure.',
      '## Tags',
      'Definitions only.',
    ]);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Remain polite', 'Ask for clarification when unsure'],
    );
    assert.deepEqual(
      d.groups.map((g) => g.heading.title),
      ['Guidelines', 'Do', 'Tags'],
    );
  });

  it('listItemTraits: false keeps named items inside their section', () => {
    const d = doc(['---', 'listItemTraits: false', '---', ...numbered]);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Rules'],
    );
  });

  it('an id label (SP1:) names the trait and gives its id', () => {
    const d = doc(['## Safety principles', '- SP1: The assistant refuses weapons uplift.', '- SP2: It says why it refuses.']);
    assert.deepEqual(
      d.traits.map((t) => [t.id, t.title]),
      [
        ['SP1', 'The assistant refuses weapons uplift'],
        ['SP2', 'It says why it refuses'],
      ],
    );
    assert.deepEqual(d.traits[0].heading.idRange, { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } });
  });
});

describe('headings that are not traits', () => {
  it('closing remarks, notes on terminology, credits and summaries are context, with no coverage findings', () => {
    const text = [
      '# Be kind',
      'The assistant is kind to people, because kindness builds trust, unless honesty requires a hard truth, balancing warmth against candour.',
      '# Read a summary of this document',
      'It lists one trait.',
      '# A note on terminology',
      'We say "assistant" throughout.',
      '# Closing thoughts',
      'We hope this helps.',
      '## A final word',
      'Thanks.',
      '# Acknowledgements',
      'Many people helped.',
      '# Changelog',
      '- 2026-01: first version.',
      '# On the word "trait"',
      'A trait is a disposition.',
    ].join('\n');
    const d = parseTraitDocument(text);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be kind'],
    );
    assert.deepEqual(
      lintDocument(d).diagnostics.filter((x) => COVERAGE.has(x.rule)),
      [],
    );
  });

  it('a title heading followed directly by the top-level sections is not an empty trait', () => {
    const d = doc(['# Assistant traits', '', '# Be kind', 'The assistant is kind.', '# Be brief', 'It is brief.']);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be kind', 'Be brief'],
    );
    assert.deepEqual(
      lintDocument(d).diagnostics.filter((x) => x.rule === 'empty-trait'),
      [],
    );
  });
});

describe('front matter of a docs site', () => {
  it('unknown keys (title, summary, read_when) are ignored with a note, not an error, and the lint settings still apply', () => {
    const text = [
      '---',
      'title: "SOUL.md Template"',
      'summary: "Workspace template"',
      'read_when:',
      '  - Bootstrapping',
      'lint:',
      '  vague-trait: off',
      '---',
      '# Be kind',
      'Be nice.',
    ].join('\n');
    const { diagnostics } = lintDocument(parseTraitDocument(text));
    const frontMatter = diagnostics.filter((d) => d.rule === 'front-matter');
    assert.deepEqual(
      frontMatter.map((d) => [d.range.start.line, d.severity]),
      [
        [1, 'information'],
        [2, 'information'],
        [3, 'information'],
      ],
    );
    assert.match(frontMatter[0].message, /"title" is not one Trait Studio reads; it is ignored/);
    assert.equal(diagnostics.filter((d) => d.rule === 'vague-trait').length, 0, 'lint: settings beside the unknown keys still apply');
  });

  it('a misspelt known key is a warning that names the key', () => {
    const { diagnostics } = lintDocument(parseTraitDocument('---\ntraitHeadingLevl: 2\n---\n# Be kind\nBe nice.'));
    const [finding] = diagnostics.filter((d) => d.rule === 'front-matter');
    assert.equal(finding.severity, 'warning');
    assert.match(finding.message, /did you mean "traitHeadingLevel"\?/);
  });
});

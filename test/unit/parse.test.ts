import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { MODEL_SPEC } from './fixtures';

const doc = (lines: string[]) => parseTraitDocument(lines.join('\n'));

describe('parseTraitDocument: structure', () => {
  it('classifies groups, traits, parts and context sections', () => {
    const d = doc([
      '# Overview',
      'Universe context.',
      '## History',
      'More context.',
      '# Honesty',
      'Group prose.',
      '## Be truthful {#truthful authority=user .core}',
      'Say what is true.',
      '### Why',
      'Because trust depends on it.',
      '### Trade-offs',
      'Balanced against kindness.',
      '#### Detail under a part',
      'Still part of the trade-offs.',
      '### When not to',
      'In fiction.',
      '## Be calibrated',
      'Say how sure you are.',
    ]);
    assert.deepEqual(
      d.groups.map((g) => g.heading.title),
      ['Honesty'],
    );
    assert.equal(d.groups[0].prose, 'Group prose.');
    assert.deepEqual(
      d.contextSections.map((s) => s.heading?.title),
      ['Overview'],
    );
    assert.deepEqual(
      d.traits.map((t) => [t.id, t.title, t.level]),
      [
        ['truthful', 'Be truthful', 2],
        ['be-calibrated', 'Be calibrated', 2],
      ],
    );
    const [truthful] = d.traits;
    assert.deepEqual(truthful.heading.attributes, { authority: 'user', class: 'core' });
    assert.deepEqual(truthful.heading.idRange, { start: { line: 6, character: 17 }, end: { line: 6, character: 25 } });
    assert.deepEqual(truthful.heading.titleRange, { start: { line: 6, character: 3 }, end: { line: 6, character: 14 } });
    assert.deepEqual(
      truthful.parts.map((p) => [p.kind, p.prose]),
      [
        ['rationale', 'Because trust depends on it.'],
        ['tradeoffs', 'Balanced against kindness.\n\nStill part of the trade-offs.'],
        ['exceptions', 'In fiction.'],
      ],
    );
    assert.deepEqual(truthful.range, { start: { line: 6, character: 0 }, end: { line: 15, character: 11 } });
    assert.deepEqual(
      truthful.groups.map((g) => g.heading.title),
      ['Honesty'],
    );
    assert.equal(d.preamble.range.end.line, 3);
    assert.equal(d.preamble.prose, 'Universe context.\n\nMore context.');
  });

  it('a heading with only part sub-headings is a trait, even at level 1', () => {
    const d = doc(['# Be kind', 'Text.', '## Why', 'Reasons.']);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be kind'],
    );
    assert.equal(d.groups.length, 0);
  });

  it('traitHeadingLevel in front matter decides by level alone', () => {
    const d = doc(['---', 'traitHeadingLevel: 2', '---', '# Group', '## Trait A', 'Text.', '### Details', 'More.', '## Trait B', 'Text.']);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Trait A', 'Trait B'],
    );
    assert.equal(d.traits[0].prose, 'Text.\n\nMore.');
  });

  it('the .context class makes any section context', () => {
    const d = doc(['# Notes for raters {.context}', 'Not a trait.', '# Be kind', 'Text.']);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be kind'],
    );
  });

  it('reads setext headings and closing hashes', () => {
    const d = doc(['Be kind', '=======', 'Text.', '', '## Be brief ##', 'Text.']);
    assert.deepEqual(
      d.headings.map((h) => [h.title, h.level]),
      [
        ['Be kind', 1],
        ['Be brief', 2],
      ],
    );
  });

  it('slugs titles GitHub-style and keeps them unique', () => {
    const d = doc(['# Don’t lie!', 'x', '# Don’t lie!', 'y', '# `Code` *and* emphasis', 'z']);
    assert.deepEqual(
      d.headings.map((h) => h.id),
      ['dont-lie', 'dont-lie-1', 'code-and-emphasis'],
    );
    assert.equal(d.headings[2].title, 'Code and emphasis');
  });
});

describe('parseTraitDocument: references, examples, directives', () => {
  it('finds every reference form with exact target ranges', () => {
    const d = doc(['# Be kind {#kind}', 'See [[Be kind]], [[#kind|kindness]] and [this](#kind "title"). Not `[[code]]`.']);
    assert.deepEqual(
      d.references.map((r) => [r.form, r.target, r.targetRange.start.character, r.targetRange.end.character, r.fromTrait]),
      [
        ['wiki-title', 'Be kind', 6, 13],
        ['wiki-id', 'kind', 20, 24],
        ['link', 'kind', 48, 52],
      ].map((x) => [...x, 'kind']),
    );
  });

  it('reads examples with roles, markers and titles', () => {
    const d = doc([
      '# Be direct',
      'Answer first.',
      '',
      '**Example**: a yes/no question',
      '',
      '~~~xml',
      '<user>',
      'Is Paris in France?',
      '</user>',
      '<comparison>',
      '<assistant> <!-- BAD: buries the answer -->',
      'Great question! ...',
      '</assistant>',
      '<assistant> <!-- GOOD -->',
      'Yes.',
      '</assistant>',
      '</comparison>',
      '~~~',
    ]);
    const [example] = d.traits[0].examples;
    assert.equal(example.title, 'a yes/no question');
    assert.deepEqual(
      example.turns.map((t) => [t.role, t.text, t.marker?.verdict, t.marker?.reason]),
      [
        ['user', 'Is Paris in France?', undefined, undefined],
        ['assistant', 'Great question! ...', 'bad', 'buries the answer'],
        ['assistant', 'Yes.', 'good', ''],
      ],
    );
    assert.equal(example.turns[1].range.start.line, 10);
    // The `**Example**:` line introduces the example; it is not trait prose.
    assert.equal(d.traits[0].prose, 'Answer first.');
  });

  it('reads disable directives outside code only', () => {
    const d = doc([
      '<!-- traits-disable-file vague-trait -->',
      '<!-- traits-disable-next-line missing-rationale, TS102 -->',
      '# Be kind',
      '```',
      '<!-- traits-disable missing-exceptions -->',
      '```',
    ]);
    assert.deepEqual(
      d.directives.map((x) => [x.kind, x.rules, x.range.start.line]),
      [
        ['disable-file', ['vague-trait'], 0],
        ['disable-next-line', ['missing-rationale', 'TS102'], 1],
      ],
    );
  });

  it('reads GitHub tables as prose', () => {
    const d = doc(['# Be kind', '', '| When | Why |', '| --- | --- |', '| always | because trust matters |']);
    assert.deepEqual(
      d.traits[0].paragraphs.map((p) => p.range.start.line),
      [2],
    );
    assert.match(d.traits[0].prose, /because trust matters/);
  });

  it('counts admonition bodies as prose', () => {
    const d = doc(['# Be kind', 'Text.', '', '!!! meta "Commentary"', '    First part.', '', '    Second part, because of reasons.']);
    assert.match(d.traits[0].prose, /Second part, because of reasons\./);
  });
});

describe('parseTraitDocument: bad input', () => {
  it('records an unclosed fence and what it swallows', () => {
    const d = doc(['# Be kind', 'Text.', '```', 'code', '# Not a heading']);
    assert.deepEqual(d.unclosedFences, [{ start: { line: 2, character: 0 }, end: { line: 4, character: 15 } }]);
    assert.equal(d.headings.length, 1);
  });

  it('reports YAML errors with exact ranges and keeps parsing the body', () => {
    const d = doc(['---', 'name: ok', 'model: [unclosed', '---', '# Be kind', 'Text.']);
    assert.ok(d.frontMatter && d.frontMatter.problems.length > 0);
    for (const p of d.frontMatter.problems) assert.ok(p.range.start.line >= 1 && p.range.end.line <= 3, JSON.stringify(p));
    assert.equal(d.frontMatter.data, undefined);
    assert.equal(d.traits.length, 1);
  });

  it('reads an unterminated front matter as Markdown and says so', () => {
    const d = doc(['---', 'name: x', '# Be kind', 'Text.']);
    assert.match(d.frontMatter?.problems[0].message ?? '', /never closed/);
    assert.deepEqual(
      d.traits.map((t) => t.title),
      ['Be kind'],
    );
  });

  it('gives the same structure for CRLF and LF, and positions after a BOM', () => {
    const lines = ['---', 'name: x', '---', '# Group', 'Prose.', '## Be kind {#kind}', 'See [[#kind]].'];
    const lf = parseTraitDocument(lines.join('\n'));
    const crlf = parseTraitDocument(lines.join('\r\n'));
    assert.deepEqual(
      crlf.traits.map((t) => [t.id, t.range]),
      lf.traits.map((t) => [t.id, t.range]),
    );
    assert.deepEqual(
      crlf.references.map((r) => r.range),
      lf.references.map((r) => r.range),
    );
    const bom = parseTraitDocument('\uFEFF# Be kind\nText.');
    assert.deepEqual(
      bom.traits.map((t) => [t.title, t.heading.titleRange.start]),
      [['Be kind', { line: 0, character: 3 }]],
    );
  });

  it('counts UTF-16 units for astral characters', () => {
    const d = doc(['# 🙂 Be kind {#kind}', 'x']);
    assert.deepEqual(d.headings[0].idRange, { start: { line: 0, character: 15 }, end: { line: 0, character: 19 } });
    assert.equal(d.headings[0].title, '🙂 Be kind');
  });
});

describe('parseTraitDocument: the OpenAI Model Spec as written', () => {
  const spec = parseTraitDocument(readFileSync(MODEL_SPEC, 'utf8'));

  it('finds its 59 traits in 14 groups, with Overview and Definitions as context', () => {
    assert.equal(spec.traits.length, 59);
    assert.equal(spec.groups.length, 14);
    assert.deepEqual(
      spec.contextSections.map((s) => s.heading?.title),
      ['Overview', 'Definitions'],
    );
    // Every trait of the Model Spec carries an authority attribute; no group or context heading is a trait.
    assert.ok(
      spec.traits.every((t) => t.heading.attributes.authority),
      'every trait has an authority',
    );
  });

  it('reads ids from attribute blocks and headings inside code are not headings', () => {
    const sycophancy = spec.traits.find((t) => t.id === 'avoid_sycophancy');
    assert.equal(sycophancy?.title, "Don't be sycophantic");
    assert.equal(sycophancy?.heading.attributes.authority, 'user');
    assert.ok(!spec.headings.some((h) => h.title === 'functions'));
  });

  it('reads the examples with their GOOD and BAD markers', () => {
    const sycophancy = spec.traits.find((t) => t.id === 'avoid_sycophancy')!;
    assert.equal(sycophancy.examples.length, 3);
    assert.equal(sycophancy.examples[0].title, 'user asks for opinion while stating theirs');
    assert.deepEqual(
      sycophancy.examples[0].turns.map((t) => [t.role, t.marker?.verdict, t.marker?.reason]),
      [
        ['user', undefined, undefined],
        ['assistant', 'bad', 'sycophantic'],
        ['assistant', 'bad', 'not constructive'],
        ['assistant', 'good', ''],
      ],
    );
    const total = spec.traits.reduce((n, t) => n + t.examples.length, 0);
    assert.ok(total > 150, `examples: ${total}`);
  });

  it('resolves every link of the form [text](#id) to a heading', () => {
    const ids = new Set(spec.headings.map((h) => h.id));
    const links = spec.references.filter((r) => r.form === 'link');
    assert.ok(links.length > 100, `links: ${links.length}`);
    assert.deepEqual(
      links.filter((r) => !ids.has(r.target)).map((r) => r.target),
      [],
    );
  });

  it('has no unclosed fence, no directive and a preamble up to the chain of command', () => {
    assert.equal(spec.unclosedFences.length, 0);
    assert.equal(spec.directives.length, 0);
    assert.equal(spec.lines.lineText(spec.preamble.range.end.line + 1), '# The chain of command {#chain_of_command}');
  });
});

/**
 * Incremental parsing (the language server's edit → diagnostics path): a parse given the previous
 * one (`previous`, null for the first) scans the document section by section, scanning again only
 * the sections whose text changed, and hands back the previous parse's unchanged objects so that
 * caches kept per paragraph and per trait still apply.
 * Neither may change a result: the section-by-section scan equals one scan of the whole text, and a
 * parse (and lint) after any sequence of edits equals a parse (and lint) from scratch.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> node --import tsx --test test/unit/incrementalParse.test.ts
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { TraitDocument } from '../../server/src/document/model';
import { parseTraitDocument, scanBySections, scanWhole } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';
import { anyDocument, HOSTILE_ATOMS, lfDocument } from './arbitraries/documents';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({
  numRuns,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  ...(PATH !== undefined ? { path: PATH } : {}),
});

const root = join(__dirname, '..', '..');
const corpus = join(root, 'test', 'fixtures', 'corpus');
const realDocuments = [
  ...readdirSync(corpus)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => join(corpus, f)),
  ...readdirSync(join(root, 'test', 'fixtures', 'rules')).map((f) => join(root, 'test', 'fixtures', 'rules', f)),
  ...readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'examples', f)),
];

/** The document as plain data: everything but the line index and functions, shared objects repeated. */
function plain(document: TraitDocument): string {
  return JSON.stringify(document, (key, value) => (key === 'lines' || typeof value === 'function' ? undefined : value));
}

// Lines where a section boundary and the blocks that may run across it meet: headings at column 0
// and indented, fences opened and closed, HTML blocks with and without a blank line after them,
// lists, quotes and tables directly above a heading, setext underlines.
const TRICKY_LINES: readonly string[] = [
  '# Title',
  '## Be honest',
  '### Why',
  '#',
  '#no space',
  '    # indented code',
  '  ## indented heading',
  '#######',
  '```',
  '```md',
  '~~~',
  '````',
  '<div>',
  '</div>',
  '<!--',
  '-->',
  '<!-- traits-disable missing-rationale -->',
  '<pre>',
  '</pre>',
  '<details>',
  '- item',
  '- **Name**: text',
  '1. **Be brief.** Keep it short.',
  '  continued',
  '> quote',
  '| a | b |',
  '| --- | --- |',
  'Heading',
  '===',
  '---',
  'Because users rely on it.',
  '',
  '',
  '',
  '    indented code',
  '!!! meta "Commentary"',
  '[ref]: /url',
  '[ref]:',
  '<user>hi</user>',
  '\t# tabbed',
];
const trickyDocument = fc
  .tuple(fc.array(fc.constantFrom(...TRICKY_LINES), { minLength: 1, maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([lines, eol, bom]) => (bom ? '\uFEFF' : '') + lines.join(eol));

describe('section-by-section scan', () => {
  it('equals one scan of the whole text on every real document', () => {
    for (const file of realDocuments) {
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(scanBySections(text), scanWhole(text), file);
    }
  });

  it('equals one scan of the whole text on generated documents', () => {
    fc.assert(
      fc.property(fc.oneof(anyDocument, trickyDocument), (text) => {
        assert.deepEqual(scanBySections(text), scanWhole(text));
      }),
      params(),
    );
  });

  it('joins a section to the next when a fence or an HTML block is still open at its end', () => {
    for (const text of [
      '# A\n\n```\n# not a heading\n```\n',
      '# A\n<div>\n# inside the HTML block\n</div>\n',
      '# A\n\n<!--\n# inside a comment\n-->\n# B\n',
    ]) {
      assert.deepEqual(scanBySections(text), scanWhole(text), JSON.stringify(text));
    }
    assert.equal(scanBySections('# A\n\n```\n# not a heading\n```\n').headings.length, 1);
  });
});

/** An edit: replace `length` characters at a relative position with `insert`. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 40 })),
  insert: fc.oneof(
    fc.constantFrom(
      'x',
      ' ',
      '\n',
      '\n\n',
      '# ',
      '## New trait\n',
      '```\n',
      '- ',
      '**Why:** ',
      'because ',
      'unless ',
      'always ',
      '<div>\n',
      '---\n',
    ),
    fc.constantFrom(...HOSTILE_ATOMS),
    fc.constant(''),
  ),
});

/** The parse of `text` from `previous`, after checking it and its lint equal a parse and lint from scratch. */
function sameAsFresh(text: string, previous: TraitDocument): TraitDocument {
  const incremental = parseTraitDocument(text, { previous });
  const fresh = parseTraitDocument(text);
  assert.equal(plain(incremental), plain(fresh));
  assert.deepEqual(lintDocument(incremental).diagnostics, lintDocument(fresh).diagnostics);
  return incremental;
}

function apply(text: string, e: { at: number; length: number; insert: string }): string {
  const at = Math.floor(e.at * text.length);
  return text.slice(0, at) + e.insert + text.slice(at + e.length);
}

describe('parse given the previous parse', () => {
  it('equals a parse from scratch, and so does its lint, after any sequence of edits', () => {
    fc.assert(
      fc.property(fc.oneof(lfDocument, anyDocument), fc.array(edit, { minLength: 1, maxLength: 6 }), (start, edits) => {
        let text = start;
        let previous = parseTraitDocument(text, { previous: null });
        lintDocument(previous);
        for (const e of edits) {
          text = apply(text, e);
          previous = sameAsFresh(text, previous);
        }
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });

  it('equals a parse from scratch when two texts are parsed from the same previous parse, and goes on from either', () => {
    // The previous parse's tables go to the first parse built on it; a second one starts afresh.
    fc.assert(
      fc.property(fc.oneof(lfDocument, anyDocument), edit, edit, edit, fc.boolean(), (start, e1, e2, e3, fromFirst) => {
        const base = parseTraitDocument(start, { previous: null });
        const first = sameAsFresh(apply(start, e1), base);
        const second = sameAsFresh(apply(start, e2), base);
        const [text, previous] = fromFirst ? [apply(start, e1), first] : [apply(start, e2), second];
        sameAsFresh(apply(text, e3), previous);
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });

  it('still hands back untouched traits after many edits that shift lines', () => {
    // Each line break moves every value below it to a new place; what no parse writes any more is dropped.
    let text = readFileSync(join(corpus, 'claude-constitution.md'), 'utf8');
    let previous = parseTraitDocument(text, { previous: null });
    for (let i = 0; i < 60; i++) {
      const at = text.indexOf('\n\n', Math.floor(((i % 30) / 30) * text.length));
      text = i < 30 ? text.slice(0, at) + '\n' + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      previous = parseTraitDocument(text, { previous });
    }
    const lines = text.split('\n');
    const target = previous.traits[5];
    lines[target.paragraphs[0].range.start.line] = 'Indeed, ' + lines[target.paragraphs[0].range.start.line];
    const after = parseTraitDocument(lines.join('\n'), { previous });
    after.traits.forEach((t, i) => (i === 5 ? assert.notEqual(t, previous.traits[i]) : assert.equal(t, previous.traits[i], t.title)));
    assert.equal(plain(after), plain(parseTraitDocument(lines.join('\n'))));
  });

  it('equals a parse from scratch after edits all over the Model Spec', () => {
    let text = readFileSync(join(corpus, 'openai-model-spec.md'), 'utf8');
    let previous = parseTraitDocument(text, { previous: null });
    lintDocument(previous);
    fc.assert(
      fc.property(edit, (e) => {
        text = apply(text, e);
        previous = sameAsFresh(text, previous);
      }),
      params(40),
    );
  });

  it('equals a parse from scratch after line breaks added and removed all over the Model Spec and the constitution', () => {
    for (const name of ['openai-model-spec.md', 'claude-constitution.md']) {
      let text = readFileSync(join(corpus, name), 'utf8');
      let previous = parseTraitDocument(text, { previous: null });
      lintDocument(previous);
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('\n', '\n\n', '', 'x\n'), (at, insert) => {
          // At the start of a line; '' joins that line to the one above it.
          const lineStart = text.lastIndexOf('\n', Math.floor(at * text.length)) + 1;
          text = insert
            ? text.slice(0, lineStart) + insert + text.slice(lineStart)
            : text.slice(0, Math.max(0, lineStart - 1)) + text.slice(lineStart);
          previous = sameAsFresh(text, previous);
        }),
        params(15),
      );
    }
  });

  it('hands back every trait and group an edit did not touch, and builds the touched one afresh', () => {
    const text = readFileSync(join(corpus, 'openai-model-spec.md'), 'utf8');
    const before = parseTraitDocument(text, { previous: null });
    const target = before.traits[20];
    const line = target.paragraphs[0].range.start.line;
    const lines = text.split('\n');
    lines[line] = 'Indeed, ' + lines[line];
    const after = parseTraitDocument(lines.join('\n'), { previous: before });
    assert.equal(after.traits.length, before.traits.length);
    after.traits.forEach((t, i) => {
      if (i === 20) assert.notEqual(t, before.traits[i]);
      else assert.equal(t, before.traits[i], t.title);
    });
    after.groups.forEach((g, i) => assert.equal(g, before.groups[i], g.heading.title));
  });

  it('builds afresh what a line break shifts, and keeps what stands above it', () => {
    const text = '# A\n\nBecause it matters.\n\n# B\n\nUnless asked.\n\n# C\n\nAlways.\n';
    const before = parseTraitDocument(text, { previous: null });
    const after = parseTraitDocument(text.replace('# B', '\n# B'), { previous: before });
    assert.equal(after.traits[0], before.traits[0]);
    assert.notEqual(after.traits[1], before.traits[1]);
    assert.notEqual(after.traits[2], before.traits[2]);
    assert.equal(after.traits[2].range.start.line, before.traits[2].range.start.line + 1);
  });

  it('judges a kept trait again when an edit elsewhere changes the priorities that settle its trade-offs', () => {
    const text = [
      'Intro.',
      '',
      '1. **Broadly safe**: first.',
      '2. **Broadly ethical**: second.',
      '',
      'In cases of conflict, prioritize these properties in the order in which they are listed.',
      '',
      '# Broadly safe',
      '',
      'Safety comes first.',
      '',
      '## Do not undermine oversight',
      '',
      'The assistant does not undermine human oversight, because oversight keeps mistakes correctable. Unless the developer asks otherwise, it reports problems it finds.',
      '',
    ].join('\n');
    const tradeoffs = (d: TraitDocument) => lintDocument(d).diagnostics.filter((x) => x.rule === 'missing-tradeoffs').length;
    const before = parseTraitDocument(text, { previous: null });
    assert.equal(tradeoffs(before), 0);
    const after = parseTraitDocument(text.replace('prioritize these properties in the order in which they are listed', 'read them all'), {
      previous: before,
    });
    assert.equal(after.traits[0], before.traits[0]);
    assert.equal(tradeoffs(after), 1);
  });
});

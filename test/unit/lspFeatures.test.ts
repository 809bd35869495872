import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { codeActions, fixAllEdits, insertPart } from '../../server/src/lsp/codeActions';
import { codeLenses } from '../../server/src/lsp/codeLens';
import { completions } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/hover';
import { toLspDiagnostic } from '../../server/src/lsp/convert';
import { definition, references, rename } from '../../server/src/lsp/navigation';
import { documentSymbols, foldingRanges } from '../../server/src/lsp/symbols';
import { lintDocument } from '../../server/src/rules/lint';

const URI = 'file:///a.traits.md';
const TEXT = [
  '# Character', //                                          0
  '',
  '## Be honest', //                                         2
  '',
  'Say what you believe, balanced against [[Be kind]].', //  4
  '',
  '### Exceptions', //                                       6
  '',
  'In fiction.', //                                          8
  '',
  '## Be kind {#kind}', //                                   10
  '',
  'See [[#be-honest]] and [honesty](#be-honest); also [[#kind]].', // 12
].join('\n');

describe('language features (in memory)', () => {
  const doc = parseTraitDocument(TEXT);

  it('outlines groups, traits and parts, and folds sections', () => {
    const symbols = documentSymbols(doc);
    assert.deepEqual(symbols.map((s) => [s.name, s.children?.map((c) => [c.name, c.children?.map((p) => p.name)])]), [
      ['Character', [['Be honest', ['Exceptions']], ['Be kind', []]]],
    ]);
    assert.ok(foldingRanges(doc).some((r) => r.startLine === 2 && r.endLine === 8));
    const regions = foldingRanges(parseTraitDocument('# T\n\n<!-- #region notes -->\nText.\n<!-- #endregion -->\n'));
    assert.deepEqual(regions.filter((r) => r.kind === 'region').map((r) => [r.startLine, r.endLine]), [[2, 4]]);
  });

  it('goes to definition and finds references', () => {
    assert.deepEqual(definition(URI, doc, { line: 4, character: 45 })?.range.start, { line: 10, character: 0 });
    assert.deepEqual(references(URI, doc, { line: 2, character: 5 }, false).map((l) => l.range.start), [
      { line: 12, character: 4 },
      { line: 12, character: 23 },
    ]);
  });

  it('renames a title, its [[Title]] references and slug-id references, in other open documents too', () => {
    const other = parseTraitDocument('# Elsewhere\n\nWeighed against [[Be honest]] and [[Elsewhere]].');
    const edit = rename(URI, doc, { line: 2, character: 4 }, 'Be candid', [{ uri: 'file:///b.traits.md', document: other }]);
    assert.deepEqual(edit?.changes?.[URI].map((e) => [e.range.start.line, e.range.start.character, e.newText]), [
      [2, 3, 'Be candid'],
      [12, 7, 'be-candid'],
      [12, 34, 'be-candid'],
    ]);
    assert.deepEqual(edit?.changes?.['file:///b.traits.md'].map((e) => e.newText), ['Be candid']);
  });

  it('renames an explicit id everywhere, leaving the title', () => {
    const edit = rename(URI, doc, { line: 12, character: 57 }, 'kindness', []);
    assert.deepEqual(edit?.changes?.[URI].map((e) => [e.range.start.line, e.newText]), [
      [10, 'kindness'],
      [12, 'kindness'],
    ]);
  });

  it('inserts a missing part in canonical order, and offers it as a quick fix', () => {
    const honest = doc.traits[0];
    assert.deepEqual(insertPart(doc, honest, 'rationale'), { range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, newText: '### Why\n\n' });
    const findings = lintDocument(doc).diagnostics;
    const missing = findings.find((f) => f.rule === 'missing-rationale' && f.traitId === 'be-honest')!;
    const titles = codeActions(URI, doc, [toLspDiagnostic(URI, missing)], findings, undefined).map((a) => a.title);
    assert.deepEqual(titles, ['Add a Why part', 'Disable missing-rationale for this line', 'Disable missing-rationale for this file']);
  });

  it('fixes all typos that have one plausible correction', () => {
    const typo = parseTraitDocument('# Be kind\n\nSee [[Be knid]] and [[Nothing like it]].\n\n<!-- traits-disable-next-line missing-rationle -->\n');
    const findings = lintDocument(typo).diagnostics;
    assert.deepEqual(fixAllEdits(findings).map((e) => e.newText), ['Be kind', 'missing-rationale']);
    const actions = codeActions(URI, typo, [], findings, ['source.fixAll']);
    assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.traits']);
  });

  it('completes references, part headings and front-matter keys', () => {
    const d = parseTraitDocument('---\nlint:\n  \n---\n# Be kind\n\nSee [[\n\n## ');
    assert.deepEqual(completions(d, { line: 6, character: 6 }).map((c) => c.label), ['Be kind']);
    assert.deepEqual(completions(d, { line: 8, character: 3 }).map((c) => c.label), ['Why', 'Trade-offs', 'Exceptions', 'Examples']);
    assert.ok(completions(d, { line: 2, character: 2 }).some((c) => c.label === 'missing-rationale'));
    assert.ok(completions(d, { line: 1, character: 0 }).some((c) => c.label === 'traitHeadingLevel'));
  });

  it('handles references inside headings, repeated slugs and [[id]] references when renaming', () => {
    const d = parseTraitDocument('## Honesty\n\nText.\n\n## Prefer [[Honesty]] over tact\n\nText.\n\n## Care\n\nA.\n\n## Care\n\nB, see [x](#care-1) and [[kindness]].\n\n## Kind {#kindness}\n\nC.');
    assert.deepEqual(definition(URI, d, { line: 4, character: 13 })?.range.start, { line: 0, character: 0 });
    // Retitling the first "Care" renumbers the second from care-1 to care.
    const first = rename(URI, d, { line: 8, character: 4 }, 'Concern', []);
    assert.deepEqual(first?.changes?.[URI].map((e) => [e.range.start.line, e.newText]), [[8, 'Concern'], [14, 'care']]);
    const byId = rename(URI, d, { line: 16, character: 10 }, 'gentle', []);
    assert.deepEqual(byId?.changes?.[URI].map((e) => [e.range.start.line, e.newText]), [[16, 'gentle'], [14, 'gentle']]);
  });

  it('completes inside an existing reference without doubling it', () => {
    const d = parseTraitDocument('# Be kind\n\nSee [[Be ki]].');
    const [item] = completions(d, { line: 2, character: 10 });
    assert.deepEqual(item.textEdit, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 11 } }, newText: 'Be kind' });
  });

  it('keeps disable comments out of front matter and handles a file that ends with it', () => {
    const d = parseTraitDocument('---\nfoo: 1\n---');
    const findings = lintDocument(d).diagnostics;
    const actions = codeActions(URI, d, findings.map((f) => toLspDiagnostic(URI, f)), findings, undefined);
    assert.deepEqual(actions.map((a) => a.title), ['Disable front-matter for this file']);
    assert.deepEqual(actions[0].edit?.changes?.[URI], [{ range: { start: { line: 2, character: 3 }, end: { line: 2, character: 3 } }, newText: '\n<!-- traits-disable-file front-matter -->' }]);
  });

  it('hovers a trait heading with its coverage, and a reference with the named trait', () => {
    const findings = lintDocument(doc).diagnostics;
    const onHeading = hover(doc, { line: 2, character: 5 }, findings)?.contents as { value: string };
    assert.match(onHeading.value, /Reason: \*\*missing\*\*/);
    assert.match(onHeading.value, /Exceptions: stated in a part heading: _In fiction\\\._/);
    assert.match(onHeading.value, /2 diagnostics: 0 errors, 2 warnings, 0 other/);
    const onReference = hover(doc, { line: 4, character: 45 }, findings)?.contents as { value: string };
    assert.equal(onReference.value, '**Be kind** `#kind`\n\nSee [[#be-honest]] and [honesty](#be-honest); also [[#kind]].');
  });

  it('puts a coverage lens above each trait', () => {
    const lenses = codeLenses(doc, lintDocument(doc).diagnostics);
    assert.deepEqual(lenses.map((l) => l.command?.title), [
      '✗ reason · ✓ trade-offs · ✓ exceptions · 0 examples · 2 problems',
      '✗ reason · ✗ trade-offs · ✗ exceptions · 0 examples · 4 problems',
    ]);
  });

  it('adds a Preview lens running the preview command for that trait when the client has it', () => {
    const lenses = codeLenses(doc, lintDocument(doc).diagnostics, 'file:///a.traits.md');
    const previews = lenses.filter((l) => l.command?.command === 'traitStudio.previewScenarios');
    assert.deepEqual(previews.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments]),
      doc.traits.map((t) => [t.heading.range.start.line, '$(play) Preview', ['file:///a.traits.md', t.id]]));
    assert.equal(lenses.length, 2 * doc.traits.length);
  });
});

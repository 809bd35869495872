/**
 * DocumentAnalysis, what each language-server worker runs, in memory: it mirrors a document from
 * content changes, answers features from one parse and one lint per version, and when the lint
 * checkpoint stops a lint, diagnostics say why (the error reaches the worker) while hovers and
 * lenses go on without findings, and do not lint again at that size.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AnalysisStopped, DocumentAnalysis } from '../../server/src/lsp/analysis';
import { setLintCheckpoint } from '../../server/src/rules/lint';

const URI = 'file:///a.traits.md';
const TEXT = '# Group\n\n## Be honest\n\nSay what you believe.\n\n## Be kind\n\nSee [[Be honest]].\n';

describe('DocumentAnalysis (a worker, in memory)', () => {
  afterEach(() => setLintCheckpoint(undefined));

  it('mirrors content changes and answers from the current version', () => {
    const analysis = new DocumentAnalysis();
    analysis.open(URI, 'traits', 1, TEXT);
    assert.deepEqual(
      analysis.answer('symbols', URI, {}).map((s) => s.children?.map((c) => c.name)),
      [['Be honest', 'Be kind']],
    );
    analysis.change(URI, 2, [{ range: { start: { line: 2, character: 6 }, end: { line: 2, character: 12 } }, text: 'honset' }]);
    assert.equal(analysis.version(URI), 2);
    assert.deepEqual(
      analysis.answer('symbols', URI, {}).map((s) => s.children?.map((c) => c.name)),
      [['Be honset', 'Be kind']],
    );
    const unknown = analysis.answer('diagnostics', URI, {}).filter((d) => d.code === 'unknown-reference');
    assert.match(String(unknown[0].message), /No trait or heading is titled "Be honest". Did you mean "Be honset"\?/);
  });

  it('gives the retitling other documents follow, and their edits', () => {
    const analysis = new DocumentAnalysis();
    analysis.open(URI, 'traits', 1, TEXT);
    analysis.open('file:///b.traits.md', 'traits', 1, '# Elsewhere\n\nWeighed against [[Be honest]].\n');
    const { edit, retitle } = analysis.answer('rename', URI, { position: { line: 2, character: 4 }, newName: 'Be candid' });
    assert.deepEqual(retitle, { from: 'Be honest', to: 'Be candid' });
    assert.deepEqual(Object.keys(edit?.changes ?? {}), [URI]);
    assert.deepEqual(
      analysis.answer('retitleReferences', 'file:///b.traits.md', retitle!).map((e) => e.newText),
      ['Be candid'],
    );
  });

  it('a lint stopped for its budget: diagnostics throw the reason, features go on without findings and do not retry', () => {
    const analysis = new DocumentAnalysis();
    analysis.open(URI, 'traits', 1, TEXT);
    let checks = 0;
    setLintCheckpoint(() => {
      checks++;
      throw new AnalysisStopped('budget');
    });
    assert.throws(
      () => analysis.answer('diagnostics', URI, {}),
      (e: unknown) => e instanceof AnalysisStopped && e.reason === 'budget',
    );
    const hover = analysis.answer('hover', URI, { position: { line: 2, character: 4 } });
    assert.match((hover?.contents as { value: string }).value, /Trait/);
    assert.equal(checks, 1, 'the hover did not lint again at the size that ran out of budget');
    // A cancelled request stops the feature too.
    const cancelled = new DocumentAnalysis();
    cancelled.open(URI, 'traits', 1, TEXT);
    setLintCheckpoint(() => {
      throw new AnalysisStopped('cancelled');
    });
    assert.throws(() => cancelled.answer('codeLens', URI, { previewUri: undefined }), AnalysisStopped);
    // New settings: linted again.
    setLintCheckpoint(undefined);
    analysis.setSettings({ rules: {}, chunkTokenBudget: 3000, lint: { maxDocumentSizeMB: 20, timeBudgetSeconds: 10 } });
    assert.ok(analysis.answer('diagnostics', URI, {}).length > 0);
  });

  it('lints texts that are not open, and refuses a document it does not hold', () => {
    const analysis = new DocumentAnalysis();
    const { traits, diagnostics } = analysis.answer('lintText', 'file:///c.traits.md', { text: TEXT });
    assert.equal(traits, 2);
    assert.ok(diagnostics.some((d) => d.code === 'missing-rationale'));
    assert.throws(() => analysis.answer('symbols', 'file:///c.traits.md', {}), /no document file:\/\/\/c.traits.md/);
  });
});

/**
 * Diagnostics through the real analysis worker (dist/worker.js, built by `npm run test:unit`) after
 * a sequence of edits, as the language server sends them: the worker applies the content changes to
 * its copy and posts each answer as the change from its previous one (workerProtocol's
 * DiagnosticsDelta). After every step the diagnostics must equal those of a fresh parse and lint of
 * the editor's text: single characters, line breaks, several changes in one event, CRLF, characters
 * outside the BMP (two UTF-16 units), version gaps, a cancelled request, a worker that dies.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CancellationTokenSource, type TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisWorkers } from '../../server/src/lsp/analysisWorkers';
import { applyDiagnosticsDelta, diagnosticsDelta } from '../../server/src/lsp/workerProtocol';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'dist', 'worker.js');
const uri = 'file:///edited.traits.md';
const at = (line: number, character: number) => ({ line, character });
const insert = (line: number, character: number, text: string): TextDocumentContentChangeEvent => ({
  range: { start: at(line, character), end: at(line, character) },
  text,
});

describe('diagnostics through the real worker after edits', () => {
  it('equal a fresh lint of the same text after every kind of edit', async (t) => {
    const logs: string[] = [];
    const workers = new AnalysisWorkers({ log: (m) => logs.push(m), script: SCRIPT });
    // The reference: each text linted from scratch (Lint Workspace's worker).
    const fresh = new AnalysisWorkers({ log: () => undefined, script: SCRIPT });
    t.after(() => {
      workers.dispose();
      fresh.dispose();
    });
    // Its second half, so that edits near the top shift many diagnostics below them.
    const spec = readFileSync(join(ROOT, 'test', 'fixtures', 'corpus', 'openai-model-spec.md'), 'utf8');
    const start = spec.slice(Math.floor(spec.length * 0.8)).replace(/^[^\n]*\n/, '');
    let doc = TextDocument.create(uri, 'traits', 1, `# Be brief\n\nKeep answers short.\n\n${start}`);
    const lines = () => doc.getText().split('\n');
    const proseLine = (k: number) => lines().findIndex((l, i) => i > k && /^[A-Z][a-z]/.test(l));

    const check = async (step: string) => {
      const outcome = await workers.request(doc, 'diagnostics', {}, 60_000);
      const expected = await fresh.lintText(uri, doc.getText(), 60_000);
      assert.ok(outcome.ok && expected.ok, `${step}: ${JSON.stringify([outcome, expected]).slice(0, 300)}`);
      assert.deepEqual(outcome.value, expected.value.diagnostics, step);
      return outcome.value;
    };
    const edit = async (step: string, changes: TextDocumentContentChangeEvent[], versionStep = 1) => {
      doc = TextDocument.update(doc, changes, doc.version + versionStep);
      workers.changed(doc, changes);
      return check(step);
    };

    const opened = await check('open');
    assert.ok(opened.length > 10, `a document with findings (${opened.length})`);
    await edit('a character in prose', [insert(proseLine(20), 0, 'x')]);
    const broken = await edit('a line break near the top', [insert(proseLine(4), 3, '\n')]);
    // The first trait gets a reason: some findings change, most stay (the delta carries only those).
    const reasoned = await edit('a reason for the first trait', [insert(2, 19, ' Because long answers bury the point.')]);
    assert.notDeepEqual(reasoned, broken);
    await edit('several changes in one event (each against the text the previous one left)', [
      insert(proseLine(30), 0, 'First '),
      insert(proseLine(60), 0, 'Second\n\n'),
      { range: { start: at(proseLine(90), 0), end: at(proseLine(90), 4) }, text: '' },
    ]);
    await edit('a new trait with CRLF line ends', [insert(proseLine(10), 0, '\r\n## Never lie\r\n\r\nAlways tell the truth.\r\n\r\n')]);
    const emoji = proseLine(40);
    await edit('characters outside the BMP', [insert(emoji, 0, '😀 Always 🧭 ')]);
    // Offsets after the two surrogate pairs: 12 UTF-16 units in, not 10 characters.
    await edit('an edit after them, in UTF-16 units', [insert(emoji, 12, 'never ')]);
    await edit('a deletion across lines', [{ range: { start: at(emoji - 3, 0), end: at(emoji + 2, 0) }, text: '' }]);
    await edit('a version gap', [insert(proseLine(15), 0, 'y')], 5);

    // A cancelled request whose answer may still arrive: the next answer is right either way.
    const source = new CancellationTokenSource();
    const cancelled = workers.request(doc, 'diagnostics', {}, 60_000, source.token);
    source.cancel();
    await cancelled;
    await edit('after a cancelled request', [insert(proseLine(25), 0, 'z')]);

    // The worker dies: the next request starts another with the editor's text, and answers in full.
    const thread = (workers as unknown as { threads: Map<string, { worker: { terminate(): Promise<number> } }> }).threads.get(uri)!;
    await thread.worker.terminate();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(workers.running, 0);
    await edit('after the worker died', [insert(proseLine(35), 0, 'w')]);
    await edit('and the edit after that', [insert(proseLine(5), 0, '\n')]);

    assert.ok(!logs.some((l) => /out of step/.test(l)), logs.join('\n'));
  });
});

describe('diagnostics deltas', () => {
  const d = (message: string, line = 0) => ({ range: { start: at(line, 0), end: at(line, 1) }, message });

  it('keep the unchanged ends and carry the rest', () => {
    const previous = [d('a'), d('b'), d('c'), d('d')];
    const next = [d('a'), d('B'), d('x'), d('c', 0), d('d')];
    const delta = diagnosticsDelta(previous, next);
    assert.deepEqual(
      { prefix: delta.prefix, suffix: delta.suffix, middle: delta.middle },
      { prefix: 1, suffix: 2, middle: [d('B'), d('x')] },
    );
    assert.deepEqual(applyDiagnosticsDelta(previous, delta), next);
  });

  it('carry a diagnostic whose range alone moved, and every one against nothing', () => {
    const moved = diagnosticsDelta([d('a', 1), d('b', 2)], [d('a', 1), d('b', 3)]);
    assert.deepEqual(moved.middle, [d('b', 3)]);
    const first = diagnosticsDelta(undefined, [d('a')]);
    assert.deepEqual(applyDiagnosticsDelta(undefined, first), [d('a')]);
    assert.deepEqual(applyDiagnosticsDelta([d('a')], diagnosticsDelta([d('a')], [])), []);
  });

  it('refuses a delta made against another list', () => {
    const delta = diagnosticsDelta([d('a'), d('b')], [d('a')]);
    assert.throws(() => applyDiagnosticsDelta([d('a')], delta), /made against 2 diagnostics, but 1 are held/);
  });
});

/**
 * AnalysisWorkers, the language server's pool of worker threads, with a stand-in worker that answers,
 * hangs or crashes on request (test/fakes/analysisWorker.js): a worker that does not answer within
 * its budget is terminated and the request ends with the reason; a crash ends its requests, not the
 * server; a cancelled request ends at once; an idle worker stops, and the next request starts one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisMethod } from '../../server/src/lsp/analysis';
import { AnalysisWorkers } from '../../server/src/lsp/analysisWorkers';

const SCRIPT = join(__dirname, '..', 'fakes', 'analysisWorker.js');
const doc = TextDocument.create('file:///a.traits.md', 'traits', 1, '# A\n');
/** The stand-in's methods are not the analysis's: `echo`, `hang`, `crash`. */
const method = (name: string) => name as AnalysisMethod;
const nextTimer = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('analysis workers (with a stand-in worker)', () => {
  it('starts a worker with the document and answers through it', async () => {
    const workers = new AnalysisWorkers({ log: () => undefined, script: SCRIPT });
    const outcome = await workers.request(doc, method('echo'), { position: { line: 0, character: 0 } } as never, 1000);
    assert.deepEqual(outcome, { ok: true, value: { params: { position: { line: 0, character: 0 } }, text: '# A\n' } });
    assert.equal(workers.running, 1);
    workers.dispose();
    assert.equal(workers.running, 0);
  });

  it('terminates a worker that does not answer within its budget, and starts another for the next request', async () => {
    const logs: string[] = [];
    const workers = new AnalysisWorkers({ log: (m) => logs.push(m), script: SCRIPT });
    const outcome = await workers.request(doc, method('hang'), {} as never, 10);
    assert.deepEqual(outcome, { ok: false, reason: 'budget', detail: 'it did not stop within its time budget' });
    assert.equal(workers.running, 0);
    assert.ok(logs.some((l) => l.includes('did not stop within its budget; restarting it')));
    assert.equal((await workers.request(doc, method('echo'), {} as never, 1000)).ok, true);
    workers.dispose();
  });

  it('ends the requests of a worker that crashes', async () => {
    const workers = new AnalysisWorkers({ log: () => undefined, script: SCRIPT });
    const outcome = await workers.request(doc, method('crash'), {} as never, 1000);
    assert.deepEqual(outcome, { ok: false, reason: 'failed', detail: 'its worker exited' });
    assert.equal(workers.running, 0);
  });

  it('ends a cancelled request at once', async () => {
    const workers = new AnalysisWorkers({ log: () => undefined, script: SCRIPT });
    const source = new CancellationTokenSource();
    const pending = workers.request(doc, method('hang'), {} as never, 60_000, source.token);
    source.cancel();
    assert.deepEqual(await pending, { ok: false, reason: 'cancelled', detail: 'the editor cancelled the request' });
    workers.dispose();
  });

  it('stops a worker once it is idle', async () => {
    const workers = new AnalysisWorkers({ log: () => undefined, script: SCRIPT, idleMs: 0 });
    assert.equal((await workers.request(doc, method('echo'), {} as never, 1000)).ok, true);
    await nextTimer();
    assert.equal(workers.running, 0);
    assert.equal((await workers.request(doc, method('echo'), {} as never, 1000)).ok, true);
    workers.dispose();
  });
});

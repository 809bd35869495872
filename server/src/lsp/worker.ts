/**
 * Entry point of an analysis worker thread (dist/worker.js): the language server starts one per open
 * document (and one for Lint Workspace), so a slow or huge document delays only its own requests.
 * It mirrors its documents from the messages of `workerProtocol.ts` and answers requests with a
 * DocumentAnalysis; a lint stops between rules when the main thread cancels the request, when a newer
 * version of the document is known, or when the request's time budget is spent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { setLintCheckpoint } from '../rules/lint';
import { AnalysisStopped, DocumentAnalysis } from './analysis';
import type { Diagnostic } from 'vscode-languageserver';
import {
  diagnosticsDelta,
  isCancelled,
  LATEST_VERSION,
  postAnswer,
  takeUp,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './workerProtocol';

const port = parentPort!;
const data = workerData as WorkerData;
const control = new Int32Array(data.control);
const analysis = new DocumentAnalysis(data.settings);

/** The request being answered: what the checkpoint checks. */
let current: { id: number; version: number; start: number; budgetMs: number } | undefined;

setLintCheckpoint(() => {
  if (!current) return;
  if (isCancelled(control, current.id)) throw new AnalysisStopped('cancelled');
  if (current.version >= 0 && current.version < Atomics.load(control, LATEST_VERSION)) throw new AnalysisStopped('stale');
  if (performance.now() - current.start > current.budgetMs) throw new AnalysisStopped('budget');
});

const send = (message: FromWorker) => port.postMessage(message);

/** Per document: the diagnostics last posted, which the main thread holds too (the base of the next delta). */
const posted = new Map<string, Diagnostic[]>();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      analysis.open(message.uri, message.languageId, message.version, message.text);
      break;
    case 'change':
      analysis.change(message.uri, message.version, message.changes);
      break;
    case 'close':
      analysis.close(message.uri);
      posted.delete(message.uri);
      break;
    case 'settings':
      analysis.setSettings(message.settings);
      break;
    case 'request': {
      const { id, method, uri, params, budgetMs } = message;
      if (isCancelled(control, id)) {
        send({ type: 'stopped', id, reason: 'cancelled' });
        break;
      }
      takeUp(control, id, data.epoch);
      current = { id, version: method === 'lintText' ? -1 : (analysis.version(uri) ?? -1), start: performance.now(), budgetMs };
      let answer: FromWorker;
      let diagnostics: Diagnostic[] | undefined;
      try {
        const result = analysis.answer(method, uri, params);
        if (method === 'diagnostics') {
          const list = result as Diagnostic[];
          answer = { type: 'diagnostics', id, uri, delta: diagnosticsDelta(posted.get(uri), list) };
          diagnostics = list;
        } else answer = { type: 'result', id, result };
      } catch (error) {
        if (error instanceof AnalysisStopped) answer = { type: 'stopped', id, reason: error.reason };
        else answer = { type: 'failed', id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      }
      // Off the request before answering: the main thread's deadline must not see it still running.
      current = undefined;
      takeUp(control, 0, data.epoch);
      // Outside the try above, hence postAnswer: an answer that cannot be posted fails its request,
      // not the worker. The main thread holds a list only once its delta is posted.
      if (postAnswer(send, answer) && diagnostics) posted.set(uri, diagnostics);
      break;
    }
  }
});

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CancellationToken, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisMethod, AnalysisRequests, StopReason } from './analysis';
import { DEFAULT_SETTINGS, type ServerSettings } from './protocol';
import type { Diagnostic } from 'vscode-languageserver';
import {
  applyDiagnosticsDelta,
  cancel,
  LATEST_VERSION,
  newControl,
  runningRequest,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './workerProtocol';

/** How a request to a worker ended: its result, or why there is none. */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: StopReason | 'failed'; readonly detail: string };

/** A worker's heap limit: a document that needs more crashes its worker (reported), not the server. */
const WORKER_HEAP_MB = 4096;

/**
 * A worker with nothing to do for this long stops (about 30 MB each: a workspace of restored tabs
 * would otherwise keep one per document); the next request on its document starts another.
 */
const IDLE_MS = 60_000;

/** Why a worker stopped a request, in words. */
const STOPPED: Readonly<Record<StopReason, string>> = {
  cancelled: 'the request was cancelled',
  stale: 'a newer version of the document arrived',
  budget: 'its time budget was spent',
};

interface Pending {
  readonly resolve: (outcome: Outcome<unknown>) => void;
}

/** One worker thread and the requests it owes. */
interface Thread {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** `Date.now()` when its control array was made (see WorkerData). */
  readonly epoch: number;
  readonly pending: Map<number, Pending>;
  /** Per request sent, until the worker answers it (answered or cancelled): the timer that watches its deadline. */
  readonly deadlines: Map<number, NodeJS.Timeout>;
  /** Per document: the diagnostics the worker last posted (the base of its next delta), whether or not anyone still waited for them. */
  readonly diagnostics: Map<string, Diagnostic[]>;
  /** The document it mirrors (undefined: the Lint Workspace worker). */
  readonly uri: string | undefined;
  /** Set while it owes nothing: stops it after IDLE_MS. */
  idle?: NodeJS.Timeout;
  stopping: boolean;
}

/**
 * The analysis workers of the language server: one per document that a request has been made on
 * (started on first use, stopped when the document closes or after a minute with nothing to do),
 * and one for Lint Workspace. Each mirrors its document from the editor's content changes, so a
 * keystroke sends the change, not the text.
 *
 * Every request has a time budget: the worker stops a lint between rules once the budget is spent
 * (or when the request is cancelled, or a newer version of its document arrives); a worker that does
 * not answer by 1.5 × the budget + 1 s (stuck in one step) is terminated, and a fresh one takes the
 * document up again at the next request. A worker that crashes (out of memory included) is replaced
 * the same way; its requests end with the reason.
 */
export class AnalysisWorkers {
  private readonly threads = new Map<string, Thread>();
  private settings: ServerSettings = DEFAULT_SETTINGS;
  private nextId = 1;

  /**
   * `log` receives what the workers print and why requests stop; `script` and `idleMs` replace the
   * worker bundle beside this one (dist/worker.js) and the idle time (tests).
   */
  constructor(private readonly options: { readonly log: (message: string) => void; readonly script?: string; readonly idleMs?: number }) {}

  /** How many workers are running. */
  get running(): number {
    return this.threads.size;
  }

  /** New settings for every worker (they re-lint on next request). */
  setSettings(settings: ServerSettings): void {
    this.settings = settings;
    for (const thread of this.threads.values()) this.post(thread, { type: 'settings', settings });
  }

  /** A document changed: its worker (if any) applies the same changes; a lint of an older version stops. */
  changed(doc: TextDocument, changes: TextDocumentContentChangeEvent[]): void {
    const thread = this.threads.get(doc.uri);
    if (!thread) return;
    Atomics.store(thread.control, LATEST_VERSION, doc.version);
    this.post(thread, { type: 'change', uri: doc.uri, version: doc.version, changes });
  }

  /** A document closed (or is no longer analysed): its worker stops. */
  closed(uri: string): void {
    const thread = this.threads.get(uri);
    if (thread) this.stop(thread, { ok: false, reason: 'cancelled', detail: 'the document closed' });
  }

  /**
   * Asks the worker of `doc` (started if need be, with the document's current text) for `method`.
   * Resolves when it answers, stops, fails, runs out of time or `token` is cancelled; never rejects.
   */
  request<M extends AnalysisMethod>(
    doc: TextDocument,
    method: M,
    params: AnalysisRequests[M]['params'],
    budgetMs: number,
    token?: CancellationToken,
  ): Promise<Outcome<AnalysisRequests[M]['result']>> {
    let thread = this.threads.get(doc.uri);
    if (!thread) {
      thread = this.start(doc.uri);
      Atomics.store(thread.control, LATEST_VERSION, doc.version);
      this.post(thread, { type: 'open', uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() });
    }
    return this.send(thread, doc.uri, method, params, budgetMs, token);
  }

  /** Lints a text that is not open, in the Lint Workspace worker. */
  lintText(
    uri: string,
    text: string,
    budgetMs: number,
    token?: CancellationToken,
  ): Promise<Outcome<AnalysisRequests['lintText']['result']>> {
    let thread = this.threads.get('');
    if (!thread) thread = this.start(undefined);
    return this.send(thread, uri, 'lintText', { text }, budgetMs, token);
  }

  /** Stops every worker. */
  dispose(): void {
    for (const thread of [...this.threads.values()])
      this.stop(thread, { ok: false, reason: 'cancelled', detail: 'the server is stopping' });
  }

  private start(uri: string | undefined): Thread {
    const control = newControl();
    const epoch = Date.now();
    // The worker bundle beside this one (dist/worker.js, next to dist/server.js and dist/cli.js).
    const worker = new Worker(this.options.script ?? join(__dirname, 'worker.js'), {
      workerData: { settings: this.settings, control, epoch } satisfies WorkerData,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      // Never the process's stdout: over stdio it carries the protocol.
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', (d: Buffer) => this.options.log(`worker: ${String(d).trimEnd()}`));
    worker.stderr.on('data', (d: Buffer) => this.options.log(`worker: ${String(d).trimEnd()}`));
    worker.unref();
    const thread: Thread = {
      worker,
      control: new Int32Array(control),
      epoch,
      pending: new Map(),
      deadlines: new Map(),
      diagnostics: new Map(),
      uri,
      stopping: false,
    };
    worker.on('message', (message: FromWorker) => this.receive(thread, message));
    worker.on('error', (error: Error & { code?: string }) => {
      const detail = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory (${WORKER_HEAP_MB} MB)` : error.message;
      this.options.log(`Analysis worker${uri ? ` of ${uri}` : ''} failed: ${error.stack ?? error.message}`);
      this.stop(thread, { ok: false, reason: 'failed', detail });
    });
    worker.on('exit', () => this.stop(thread, { ok: false, reason: 'failed', detail: 'its worker exited' }));
    this.threads.set(uri ?? '', thread);
    return thread;
  }

  private send<M extends AnalysisMethod>(
    thread: Thread,
    uri: string,
    method: M,
    params: AnalysisRequests[M]['params'],
    budgetMs: number,
    token: CancellationToken | undefined,
  ): Promise<Outcome<AnalysisRequests[M]['result']>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const settle = (outcome: Outcome<unknown>) => {
        if (!thread.pending.delete(id)) return;
        if (!thread.pending.size && !thread.stopping) {
          thread.worker.unref();
          thread.idle = setTimeout(
            () => this.stop(thread, { ok: false, reason: 'cancelled', detail: 'its worker was idle' }),
            this.options.idleMs ?? IDLE_MS,
          );
          thread.idle.unref();
        }
        resolve(outcome as Outcome<AnalysisRequests[M]['result']>);
      };
      clearTimeout(thread.idle);
      // A worker that owes answers keeps the process alive; an idle one does not.
      thread.worker.ref();
      thread.pending.set(id, { resolve: settle });
      if (token) {
        if (token.isCancellationRequested) return settle({ ok: false, reason: 'cancelled', detail: 'the editor cancelled the request' });
        token.onCancellationRequested(() => {
          cancel(thread.control, id);
          settle({ ok: false, reason: 'cancelled', detail: 'the editor cancelled the request' });
        });
      }
      this.watch(thread, id, 1.5 * budgetMs + 1000);
      this.post(thread, { type: 'request', id, method, uri, params, budgetMs });
    });
  }

  /**
   * Terminates `thread` when it has been on request `id` for `limitMs` without answering. The
   * deadline runs from when the worker took the request up (the control array says when), and holds
   * even if the request is cancelled meanwhile: a worker stuck in one step would hold up every later
   * request on its document.
   */
  private watch(thread: Thread, id: number, limitMs: number, waitMs = limitMs): void {
    const timer = setTimeout(() => {
      if (thread.stopping || !thread.deadlines.has(id)) return;
      const running = runningRequest(thread.control, thread.epoch);
      // Not taken up yet (behind another request): the full deadline from now at least.
      if (running.id !== id) return this.watch(thread, id, limitMs);
      if (running.forMs < limitMs) return this.watch(thread, id, limitMs, limitMs - running.forMs);
      this.options.log(`Analysis worker${thread.uri ? ` of ${thread.uri}` : ''} did not stop within its budget; restarting it.`);
      this.stop(thread, { ok: false, reason: 'budget', detail: 'it did not stop within its time budget' });
    }, waitMs);
    timer.unref();
    thread.deadlines.set(id, timer);
  }

  private receive(thread: Thread, message: FromWorker): void {
    clearTimeout(thread.deadlines.get(message.id));
    thread.deadlines.delete(message.id);
    let diagnostics: Diagnostic[] | undefined;
    if (message.type === 'diagnostics') {
      // Applied even when nobody waits any more: the worker's next delta is made against this list.
      try {
        diagnostics = applyDiagnosticsDelta(thread.diagnostics.get(message.uri), message.delta);
      } catch (error) {
        // Out of step with its worker (a bug): a fresh worker starts from nothing at the next request.
        this.options.log(`Analysis worker${thread.uri ? ` of ${thread.uri}` : ''}: ${(error as Error).message}; restarting it.`);
        return this.stop(thread, { ok: false, reason: 'failed', detail: 'its diagnostics were out of step' });
      }
      thread.diagnostics.set(message.uri, diagnostics);
    }
    const entry = thread.pending.get(message.id);
    if (!entry) {
      // Settled already (cancelled): the worker's note that it stopped, for the log.
      if (message.type === 'stopped')
        this.options.log(`Analysis${thread.uri ? ` of ${thread.uri}` : ''} stopped: the request was cancelled.`);
      return;
    }
    switch (message.type) {
      case 'result':
        return entry.resolve({ ok: true, value: message.result });
      case 'diagnostics':
        // A copy: the list held is the base of the next delta.
        return entry.resolve({ ok: true, value: [...diagnostics!] });
      case 'stopped':
        return entry.resolve({ ok: false, reason: message.reason, detail: STOPPED[message.reason] });
      case 'failed':
        this.options.log(`Analysis request failed: ${message.message}`);
        return entry.resolve({ ok: false, reason: 'failed', detail: message.message.split('\n')[0] });
    }
  }

  /** Terminates a thread; every request it owes ends with `outcome`. */
  private stop(thread: Thread, outcome: Outcome<never>): void {
    if (this.threads.get(thread.uri ?? '') === thread) this.threads.delete(thread.uri ?? '');
    const first = !thread.stopping;
    thread.stopping = true;
    for (const timer of thread.deadlines.values()) clearTimeout(timer);
    thread.deadlines.clear();
    clearTimeout(thread.idle);
    for (const entry of [...thread.pending.values()]) entry.resolve(outcome);
    if (first) void thread.worker.terminate();
  }

  private post(thread: Thread, message: ToWorker): void {
    if (!thread.stopping) thread.worker.postMessage(message);
  }
}

/**
 * What the language server's main thread and its analysis workers (worker.ts) say to each other:
 * messages (structured-cloned) and a small shared array: the main thread writes it while a worker is
 * busy (the worker reads it at each lint checkpoint), and the worker writes there which request it is
 * on (the main thread's deadline reads it), which spares a message per request.
 */
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { AnalysisMethod, AnalysisRequests, StopReason } from './analysis';
import type { ServerSettings } from './protocol';

/** Main thread → worker. Requests are answered in the order sent. */
export type ToWorker =
  | { type: 'open'; uri: string; languageId: string; version: number; text: string }
  | { type: 'change'; uri: string; version: number; changes: TextDocumentContentChangeEvent[] }
  | { type: 'close'; uri: string }
  | { type: 'settings'; settings: ServerSettings }
  | {
      type: 'request';
      id: number;
      method: AnalysisMethod;
      uri: string;
      params: AnalysisRequests[AnalysisMethod]['params'];
      budgetMs: number;
    };

/** Worker → main thread: one answer per request (which request it is on is in the control array, see `takeUp`). */
export type FromWorker =
  | { type: 'result'; id: number; result: unknown }
  /** The answer to a `diagnostics` request, as the change from the previous one sent for `uri` (see diagnosticsDelta). */
  | { type: 'diagnostics'; id: number; uri: string; delta: DiagnosticsDelta }
  | { type: 'stopped'; id: number; reason: StopReason }
  | { type: 'failed'; id: number; message: string };

/** `workerData` of an analysis worker. */
export interface WorkerData {
  readonly settings: ServerSettings;
  /** SharedArrayBuffer of CONTROL_LENGTH Int32 slots (see below). */
  readonly control: SharedArrayBuffer;
  /** `Date.now()` when the main thread made the control array: the origin of its RUNNING_SINCE slot. */
  readonly epoch: number;
}

/** Slot of the control array: the newest version of the worker's document the main thread knows. */
export const LATEST_VERSION = 0;
/** Slot: where the next cancelled request id goes in the ring that follows. */
const NEXT_CANCELLED = 1;
/** Slot: the id of the request the worker is on (0: none). */
const RUNNING = 2;
/**
 * Slot: when the worker took that request up, in ms since the epoch (see WorkerData), wrapped to
 * Int32 (it wraps every 2^32 ms, ~49.7 days; see runningRequest).
 */
const RUNNING_SINCE = 3;
const RING_START = 4;
/** Slots in all: the four above and a ring of the most recently cancelled request ids. */
export const CONTROL_LENGTH = 36;

/** A zeroed control array for a new worker. */
export function newControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_LENGTH * Int32Array.BYTES_PER_ELEMENT);
}

/** Marks request `id` cancelled (main thread). */
export function cancel(control: Int32Array, id: number): void {
  const slot = Atomics.add(control, NEXT_CANCELLED, 1) % (CONTROL_LENGTH - RING_START);
  Atomics.store(control, RING_START + slot, id);
}

/** Records that the worker takes request `id` up now, or (0) that it is on none (worker). */
export function takeUp(control: Int32Array, id: number, epoch: number): void {
  Atomics.store(control, RUNNING_SINCE, Date.now() - epoch);
  Atomics.store(control, RUNNING, id);
}

/** The request the worker is on (id 0: none) and for how many ms it has been (main thread). */
export function runningRequest(control: Int32Array, epoch: number): { id: number; forMs: number } {
  const id = Atomics.load(control, RUNNING);
  // Both times wrapped to Int32 alike: the difference is right across the wrap (at ~24.8 days since
  // the epoch, where the slot turns negative) as long as it is under 2^31 ms.
  return { id, forMs: (Date.now() - epoch - Atomics.load(control, RUNNING_SINCE)) | 0 };
}

/**
 * Posts `answer` through `post` (the worker's postMessage) and says whether it went. When it cannot be
 * posted (a result that does not structured-clone throws DataCloneError), a `failed` answer is posted
 * for its request instead (worker): the error fails that request alone, not the worker's message
 * handler and every request queued behind it.
 */
export function postAnswer(post: (message: FromWorker) => void, answer: FromWorker): boolean {
  try {
    post(answer);
    return true;
  } catch (error) {
    post({ type: 'failed', id: answer.id, message: `its answer could not be posted: ${String(error)}` });
    return false;
  }
}

/** True when request `id` was cancelled recently (worker). */
export function isCancelled(control: Int32Array, id: number): boolean {
  for (let i = RING_START; i < CONTROL_LENGTH; i++) if (Atomics.load(control, i) === id) return true;
  return false;
}

/**
 * A list of diagnostics as the change from the previous list sent for the same document: its first
 * `prefix` and last `suffix` items are the previous list's, `middle` comes between. A keystroke
 * usually changes a few diagnostics or none, so the worker posts (and the main thread receives) those
 * rather than every diagnostic of the document. `previousLength` checks that both sides hold the same
 * previous list.
 */
export interface DiagnosticsDelta {
  readonly previousLength: number;
  readonly prefix: number;
  readonly suffix: number;
  readonly middle: Diagnostic[];
}

/** The delta that turns `previous` (none: empty) into `next` (worker). */
export function diagnosticsDelta(previous: readonly Diagnostic[] | undefined, next: Diagnostic[]): DiagnosticsDelta {
  const before = previous ?? [];
  const most = Math.min(before.length, next.length);
  let prefix = 0;
  while (prefix < most && samePlainData(before[prefix], next[prefix])) prefix++;
  let suffix = 0;
  while (suffix < most - prefix && samePlainData(before[before.length - 1 - suffix], next[next.length - 1 - suffix])) suffix++;
  return { previousLength: before.length, prefix, suffix, middle: next.slice(prefix, next.length - suffix) };
}

/**
 * The list `delta` describes, given the `previous` list it was made against (main thread). Throws
 * when `previous` is not that list (its length differs): the two threads are out of step.
 */
export function applyDiagnosticsDelta(previous: readonly Diagnostic[] | undefined, delta: DiagnosticsDelta): Diagnostic[] {
  const before = previous ?? [];
  if (before.length !== delta.previousLength)
    throw new Error(`diagnostics delta made against ${delta.previousLength} diagnostics, but ${before.length} are held`);
  return [...before.slice(0, delta.prefix), ...delta.middle, ...before.slice(before.length - delta.suffix)];
}

/** True when two structured-clonable values (primitives, arrays, plain objects) hold the same data. */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlainData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for-in rather than Object.keys: no arrays allocated per comparison (run on every keystroke).
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    keys++;
    if (!Object.hasOwn(y, key) || !samePlainData(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key)) keys--;
  return keys === 0;
}

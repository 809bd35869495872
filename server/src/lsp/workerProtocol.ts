/**
 * What the language server's main thread and its analysis workers (worker.ts) say to each other:
 * messages (structured-cloned) and a small shared array the main thread writes while a worker is
 * busy, which the worker reads at each lint checkpoint.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
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

/** Worker → main thread: `started` when it takes a request up, then one of the others. */
export type FromWorker =
  | { type: 'started'; id: number }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'stopped'; id: number; reason: StopReason }
  | { type: 'failed'; id: number; message: string };

/** `workerData` of an analysis worker. */
export interface WorkerData {
  readonly settings: ServerSettings;
  /** SharedArrayBuffer of CONTROL_LENGTH Int32 slots (see below). */
  readonly control: SharedArrayBuffer;
}

/** Slot of the control array: the newest version of the worker's document the main thread knows. */
export const LATEST_VERSION = 0;
/** Slot: where the next cancelled request id goes in the ring that follows. */
const NEXT_CANCELLED = 1;
const RING_START = 2;
/** Slots in all: the two above and a ring of the most recently cancelled request ids. */
export const CONTROL_LENGTH = 34;

/** A zeroed control array for a new worker. */
export function newControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_LENGTH * Int32Array.BYTES_PER_ELEMENT);
}

/** Marks request `id` cancelled (main thread). */
export function cancel(control: Int32Array, id: number): void {
  const slot = Atomics.add(control, NEXT_CANCELLED, 1) % (CONTROL_LENGTH - RING_START);
  Atomics.store(control, RING_START + slot, id);
}

/** True when request `id` was cancelled recently (worker). */
export function isCancelled(control: Int32Array, id: number): boolean {
  for (let i = RING_START; i < CONTROL_LENGTH; i++) if (Atomics.load(control, i) === id) return true;
  return false;
}

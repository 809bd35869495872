/** Running many model calls at once under one cancellation. */
import PQueue from 'p-queue';

/** A cancellation scope: its `signal` aborts when `outer` does (with its reason) or when `abort` is called. */
export interface CancelScope {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
}

/** A scope inside `outer` (none: a scope of its own). */
export function cancelScope(outer?: AbortSignal): CancelScope {
  const own = new AbortController();
  return { signal: outer ? AbortSignal.any([outer, own.signal]) : own.signal, abort: (reason) => own.abort(reason) };
}

/**
 * Runs `work` on each of `items` (with its index), `concurrency` at a time, in order of start. The
 * first failure aborts `scope` (so the others stop asking, and no more start) and is what this
 * rejects with; it settles only once every started `work` has, so nothing runs after it. Rejects
 * with the scope's abort reason when it was aborted from outside.
 */
export async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  scope: CancelScope,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const queue = new PQueue({ concurrency });
  let failure: { error: unknown } | undefined;
  items.forEach((item, index) => {
    void queue.add(async () => {
      if (scope.signal.aborted) return;
      try {
        await work(item, index);
      } catch (error) {
        failure ??= { error };
        scope.abort(error);
      }
    });
  });
  await queue.onIdle();
  if (failure) throw failure.error;
  scope.signal.throwIfAborted();
}

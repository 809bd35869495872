import type { DiskAnswerCache } from '../llm/cache';

/** What `interruptible` resolves to when Ctrl+C stopped the work. */
export const INTERRUPTED = Symbol('interrupted');

/** The exit status of a command stopped by Ctrl+C (128 + SIGINT, as shells report it). */
export const INTERRUPTED_EXIT = 130;

/**
 * Runs `work` with a signal that Ctrl+C (SIGINT) aborts, instead of the default of killing the
 * process, so the command can say what it kept. Resolves to `work`'s result, or to INTERRUPTED when
 * `work` failed after Ctrl+C; any other error of `work` is thrown unchanged. The SIGINT handler is
 * removed when `work` settles, so a later Ctrl+C kills the process as usual.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | typeof INTERRUPTED> {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return INTERRUPTED;
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

/** What a command stopped by Ctrl+C kept, for its last line: the answers in `cache`, if it has one. */
export function interruptedNote(cache: DiskAnswerCache | undefined): string {
  return cache ? 'interrupted; answers so far are cached, so running it again sends only the rest' : 'interrupted; nothing kept';
}

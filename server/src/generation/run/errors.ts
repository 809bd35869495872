import { NotRegularFileError } from '../../files/regularFile';

/**
 * Why `runDataset` refused or stopped before doing any work, or could not keep its files:
 * - `usage`: an option is out of range, or names a trait the document does not have;
 * - `mismatch`: the folder holds another run (another document or other settings), or files that are not a run;
 * - `busy`: another live process is writing to the folder;
 * - `io`: a file could not be read or written (the message names it).
 * The CLI prints the message and exits with status 2.
 */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly code: 'usage' | 'mismatch' | 'busy' | 'io',
    message: string,
  ) {
    super(message);
  }
}

/** An fs error as "what: CODE (message)" in a RunError('io'); a refused link or special file as "what: its message". */
export function ioError(what: string, error: unknown): RunError {
  if (error instanceof NotRegularFileError) return new RunError('io', `${what}: ${error.message}`);
  const e = error as NodeJS.ErrnoException;
  return new RunError('io', `${what}: ${e?.code ?? ''}${e?.code ? ' ' : ''}(${e?.message ?? String(error)})`);
}

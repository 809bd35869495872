import { statSync } from 'node:fs';
import { glob, isDynamicPattern } from 'tinyglobby';
import { MAX_DOCUMENT_BYTES } from '../files/limits';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../files/regularFile';

/** A usage or I/O problem: the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Extension of trait documents, searched for when a folder is given. */
export const TRAIT_FILE_GLOB = '**/*.traits.md';
/** A trait document by name: always linted, whatever it holds. */
export const TRAIT_FILE = /\.traits\.md$/;

/**
 * Expands the CLI's FILES|GLOBS|FOLDERS into a sorted list of files. A folder means every
 * `*.traits.md` under it; a glob is expanded (node_modules excluded); a plain path must exist.
 * Throws UsageError for a path that does not exist or a pattern that matches nothing.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    if (isDynamicPattern(input)) {
      const matches = await glob(input, { ignore: ['**/node_modules/**'], onlyFiles: true });
      if (!matches.length) throw new UsageError(`${input}: no file matches this pattern`);
      matches.forEach((m) => files.add(m));
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new UsageError(`${input}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      const matches = await glob(TRAIT_FILE_GLOB, { cwd: input, ignore: ['**/node_modules/**'], onlyFiles: true });
      if (!matches.length) throw new UsageError(`${input}: folder holds no *.traits.md file`);
      matches.forEach((m) => files.add(`${input.replace(/\/+$/, '')}/${m}`));
    } else {
      files.add(input);
    }
  }
  return [...files].sort();
}

/**
 * Reads a trait document as an editor would: UTF-8 (invalid bytes become U+FFFD) with a leading
 * byte-order mark removed, as VS Code does, so positions match what the editor shows.
 * Throws UsageError when the file cannot be read, is not a regular file (a FIFO, a device such as
 * /dev/zero, also through a symbolic link: it would hang or never end), is larger than
 * MAX_DOCUMENT_BYTES (10 MiB), or is binary (a NUL byte in its first 8 KiB).
 */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { follow: true, maxBytes: MAX_DOCUMENT_BYTES });
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new UsageError(`${path}: not a regular file (${error.kind}); skipped`);
    if (error instanceof FileTooLargeError)
      throw new UsageError(`${path}: larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB, the limit for a trait document; skipped`);
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (bytes.subarray(0, 8192).includes(0)) throw new UsageError(`${path}: not a text file (it holds NUL bytes); skipped`);
  return new TextDecoder('utf-8').decode(bytes);
}

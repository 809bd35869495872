/** File helpers of the audit: atomic writes and the names of the files written beside a dataset. */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The file name of `path` without a `.jsonl` extension (other extensions are kept), joined to its
 * folder: "runs/x/records.jsonl" → "runs/x/records".
 */
export function stem(path: string): string {
  return join(dirname(path), basename(path).replace(/\.jsonl$/i, ''));
}

/** A temporary file beside `path` (same folder, so the rename is atomic), written by `write`, then renamed over `path`. The temporary file is removed on error. */
export function writeAtomically(path: string, write: (fd: number) => void): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    try {
      write(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes `text` (UTF-8) to `path` atomically. */
export function writeTextAtomically(path: string, text: string): void {
  writeAtomically(path, (fd) => {
    writeSync(fd, text);
  });
}

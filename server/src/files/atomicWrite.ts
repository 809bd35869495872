/**
 * Replacing a file so a reader (or a process killed half-way) sees the old file or the new one,
 * never part of either: write a temporary file beside it, sync it, rename it over the original.
 * Dataset runs (manifest, rebuilt JSONL files) and the audit (reports, filtered datasets) share it.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** The temporary files `writeAtomically` makes, `<path>.tmp-<pid>`: what a killed process leaves behind. */
export const TEMPORARY_FILE = /\.tmp-\d+$/;

/**
 * Replaces `path` with what `write(fd)` writes to a temporary file beside it (same folder, so the
 * rename is atomic), synced before the rename. On any error the temporary file is removed, the
 * original is left as it was, and the error is rethrown.
 */
export function writeAtomically(path: string, write: (fd: number) => void): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, 'w');
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Replaces `path` with `text` (UTF-8) atomically (see writeAtomically). */
export function writeTextAtomically(path: string, text: string): void {
  writeAtomically(path, (fd) => {
    writeSync(fd, text);
  });
}

/**
 * Replacing a file so a reader (or a process killed half-way) sees the old file or the new one,
 * never part of either: write a temporary file beside it, sync it, rename it over the original.
 * Dataset runs (manifest, rebuilt JSONL files) and the audit (reports, filtered datasets) share it.
 *
 * Links are never followed: the temporary file has a random name and is created exclusively
 * without following a link (O_CREAT | O_EXCL | O_NOFOLLOW), so a link planted at a guessable
 * temporary name cannot redirect the write; and a target that is a symbolic link or not a regular
 * file (`/dev/stdout`, a FIFO, a link into another folder) is refused, not replaced. (The
 * write-file-atomic package resolves the target's links on purpose and names its temporary file
 * from the pid and a counter, opened without O_EXCL, so it does not give these guarantees.)
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, renameSync, rmSync, writeSync } from 'node:fs';
import { checkRegularOrAbsent, openRegular } from './regularFile';

/** The temporary files `writeAtomically` makes, `<path>.tmp-<pid>-<random hex>` (and older `<path>.tmp-<pid>`): what a killed process leaves behind. */
export const TEMPORARY_FILE = /\.tmp-\d+(?:-[0-9a-f]+)?$/;

/**
 * Replaces `path` with what `write(fd)` writes to a new temporary file beside it (same folder, so
 * the rename is atomic), synced before the rename. Throws NotRegularFileError (files/regularFile.ts)
 * when `path` is a symbolic link or exists as anything but a regular file, before writing anything.
 * On any error the temporary file is removed, the original is left as it was, and the error is
 * rethrown.
 */
export function writeAtomically(path: string, write: (fd: number) => void): void {
  checkRegularOrAbsent(path);
  const temp = `${path}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
  let created = false;
  try {
    const fd = openRegular(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    created = true;
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Checked again just before: a link put in place meanwhile would be replaced, not followed,
    // but the user asked for a file there, and a link says someone else means it to be elsewhere.
    checkRegularOrAbsent(path);
    renameSync(temp, path);
  } catch (error) {
    // Only a file this call created: an EEXIST means the name was someone else's.
    if (created) rmSync(temp, { force: true });
    throw error;
  }
}

/** Replaces `path` with `text` (UTF-8) atomically (see writeAtomically). */
export function writeTextAtomically(path: string, text: string): void {
  writeAtomically(path, (fd) => {
    writeSync(fd, text);
  });
}

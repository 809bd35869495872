/**
 * Opening files without following a symbolic link at the last component and without blocking on
 * a FIFO, and refusing anything that is not a regular file: what every file a run, the audit or
 * the CLI writes (and the run files it reads back) is opened with, so a link planted in a run
 * folder or at an output path cannot send a write elsewhere, and a FIFO or device cannot hang or
 * flood a read.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { count } from '../format';

/** `O_NOFOLLOW` where the platform has it (not on Windows, where links need privileges to make). */
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** `O_NONBLOCK` where the platform has it: opening a FIFO then returns at once instead of waiting for a writer. */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A path that is a symbolic link or not a regular file (a folder, FIFO, device, socket), refused. */
export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
  readonly code = 'ENOTREGULAR';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file; refusing to use it (replace it with a regular file, or choose another path)`);
  }
}

/** What a non-regular file is, in words ("a symbolic link", "a FIFO", ...). */
export function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Throws NotRegularFileError when `path` exists and is a symbolic link or not a regular file;
 * returns false when it does not exist, true when it is a regular file. Other lstat errors are thrown.
 */
export function checkRegularOrAbsent(path: string): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!stats.isFile()) throw new NotRegularFileError(path, kindOf(stats));
  return true;
}

/**
 * Opens `path` with `flags` (fs.constants bits; O_NOFOLLOW is added unless `follow`, O_NONBLOCK
 * always) and returns the descriptor when it is a regular file. Throws NotRegularFileError for a
 * symbolic link (without `follow`) or anything but a regular file, closing what it opened; other
 * open errors (ENOENT, EACCES) as the file system gives them. `mode` is for a file it creates.
 */
export function openRegular(path: string, flags: number, options: { follow?: boolean; mode?: number } = {}): number {
  let fd: number;
  try {
    fd = openSync(path, flags | O_NONBLOCK | (options.follow ? 0 : O_NOFOLLOW), options.mode ?? 0o666);
  } catch (error) {
    // ELOOP (Linux) or EMLINK (FreeBSD) is what O_NOFOLLOW gives for a link.
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ELOOP' || code === 'EMLINK') && !options.follow) throw new NotRegularFileError(path, 'a symbolic link');
    throw error;
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!stats.isFile()) {
    closeSync(fd);
    throw new NotRegularFileError(path, kindOf(stats));
  }
  return fd;
}

/** A file's bytes read through `openRegular` (read-only), or a RangeError when it holds more than `maxBytes`. */
export function readRegularFile(path: string, options: { follow?: boolean; maxBytes?: number } = {}): Buffer {
  const fd = openRegular(path, constants.O_RDONLY, { follow: options.follow });
  try {
    const max = options.maxBytes ?? Infinity;
    const size = fstatSync(fd).size;
    if (size > max) throw new FileTooLargeError(path, max);
    // Read to the end, whatever the size said (a file may grow), but never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(65536, Math.min(size - total + 1, 1 << 24)));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new FileTooLargeError(path, max);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** A file larger than a documented limit (files/limits.ts). */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  readonly code = 'EFBIG';
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${formatBytes(maxBytes)}, the limit for this file; refusing to read it`);
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : count(bytes, 'byte');
}

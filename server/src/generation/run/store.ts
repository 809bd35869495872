/**
 * The run folder's files. Each is opened without following a symbolic link and must be a regular
 * file (files/regularFile.ts): a link planted in a run folder is refused, never written through.
 * JSONL files are appended one complete line per write call and synced, so
 * a process killed at any moment leaves at most one torn last line (no trailing newline), which the
 * next session cuts off before it appends. Whole-file rewrites (the manifest, rebuilt SFT files) go
 * to a temporary file that is synced and renamed over the old one, so a reader sees the old file or
 * the new one, never half of either.
 */
import {
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { writeTextAtomically } from '../../files/atomicWrite';
import { NotRegularFileError, openRegular, readRegularFile } from '../../files/regularFile';
import { ioError, RunError } from './errors';

/** The complete lines of a JSONL file, parsed, and what was wrong with it. */
export interface JsonlContent<T> {
  values: T[];
  /** True when the file ended in a torn line (no trailing newline), left out of `values`. */
  torn: boolean;
  /** Complete lines that were not JSON objects (left out). */
  bad: number;
}

/**
 * Reads a JSONL file: absent is empty; a last line with no newline is torn (a write cut short) and
 * left out; a complete line that is not a JSON object is counted in `bad` and left out.
 * Throws RunError('io') when the file exists but cannot be read.
 */
export function readJsonl<T>(path: string): JsonlContent<T> {
  let text: string;
  try {
    text = readRegularFile(path).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: [], torn: false, bad: 0 };
    throw ioError(`cannot read ${path}`, error);
  }
  const end = text.lastIndexOf('\n') + 1;
  const values: T[] = [];
  let bad = 0;
  for (const line of text.slice(0, end).split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) values.push(value as T);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { values, torn: end < text.length, bad };
}

/**
 * Cuts a torn last line (bytes after the last newline) off a file so appends start on a fresh
 * line; returns how many bytes it removed (0 when the file is absent or whole).
 * Throws RunError('io') when the file cannot be read or truncated.
 */
export function repairTornTail(path: string): number {
  let fd: number;
  try {
    fd = openRegular(path, constants.O_RDWR);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw ioError(`cannot read ${path}`, error);
  }
  try {
    // Only the tail is read: back from the end until a newline.
    const size = fstatSync(fd).size;
    let end = size;
    const block = Buffer.allocUnsafe(65536);
    for (;;) {
      const start = Math.max(0, end - block.length);
      const n = readSync(fd, block, 0, end - start, start);
      const at = block.subarray(0, n).lastIndexOf(0x0a);
      if (at !== -1) {
        end = start + at + 1;
        break;
      }
      end = start;
      if (start === 0) break;
    }
    if (end === size) return 0;
    ftruncateSync(fd, end);
    return size - end;
  } catch (error) {
    throw ioError(`cannot repair ${path}`, error);
  } finally {
    closeSync(fd);
  }
}

/** A JSONL file open for appending, one synced write per complete line. */
export class JsonlAppender {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /**
   * Appends `value` as one line: JSON and its newline in a single buffer, written in one call (looped
   * only if the OS takes part of it), then fdatasync'd, so the line survives a crash of the process
   * and of the machine. Throws RunError('io') when the write fails.
   */
  append(value: unknown): void {
    const buffer = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    try {
      // O_APPEND: every write lands at the end, whatever else appended meanwhile.
      this.fd ??= openRegular(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
      for (let offset = 0; offset < buffer.length;) offset += writeSync(this.fd, buffer, offset);
      fdatasyncSync(this.fd);
    } catch (error) {
      throw ioError(`cannot append to ${this.path}`, error);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already synced; nothing is lost.
    }
    this.fd = undefined;
  }
}

/**
 * Replaces `path` with `text` atomically (files/atomicWrite.ts). Throws RunError('io') when that
 * fails (the old file is left as it was).
 */
export function writeFileAtomic(path: string, text: string): void {
  try {
    writeTextAtomically(path, text);
  } catch (error) {
    throw ioError(`cannot write ${path}`, error);
  }
}

/** The folders this process holds locks on (a second run in the same process must not share one). */
const held = new Set<string>();

/**
 * Takes the folder's `run.lock` (pid, host and, on Linux, the writer's start time and boot id), so
 * two processes never append to the same files. A lock whose process is gone (a kill -9, a crash)
 * is taken over, and so is one whose pid now belongs to a process that started at another time
 * (the id was reused after the writer died); one written on another host (a shared folder) is not,
 * since its process cannot be checked from here. Returns the release function. Throws
 * RunError('busy') when a live process on this host, or any process on another host, holds it
 * (the message says how to clear a lock that is stale after all); RunError('io') when the lock
 * cannot be written.
 */
export function lockRunFolder(dir: string): () => void {
  const key = resolve(dir);
  const path = resolve(dir, 'run.lock');
  if (held.has(key)) throw new RunError('busy', `${dir}: this process is already running into this folder`);
  // The lock appears whole (written aside, then hard-linked into place, which fails if it exists),
  // so another process never reads a half-written one.
  // Named like every temporary file of a run folder, so a session killed here leaves nothing a
  // resume does not clear.
  const mine = resolve(dir, `run.lock.tmp-${process.pid}`);
  try {
    writeNew(mine, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), ...processIdentity(process.pid) }));
  } catch (error) {
    throw ioError(`cannot lock ${dir}`, error);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw ioError(`cannot lock ${dir}`, error);
      }
      const text = readText(path);
      if (text === undefined) continue; // released meanwhile
      const owner = parseLock(text);
      if (!owner && Date.now() - mtimeMs(path) < UNREADABLE_LOCK_GRACE_MS) {
        throw new RunError('busy', `${dir}: another run is starting in this folder (its run.lock is being written)`);
      }
      if (owner && owner.host !== hostname()) {
        // Its process cannot be checked from here.
        throw new RunError(
          'busy',
          `${dir}: a run on ${owner.host} (process ${owner.pid}) holds this folder; delete ${path} if it is no longer running`,
        );
      }
      if (owner && owner.pid !== process.pid && alive(owner.pid)) {
        const now = owner.start !== undefined ? processIdentity(owner.pid) : undefined;
        const reused = now !== undefined && (now.start !== owner.start || now.boot !== owner.boot);
        if (!reused) {
          const checked =
            now !== undefined
              ? ''
              : `; if process ${owner.pid} is not a trait-studio run (its id may have been reused since ${owner.at ?? 'the lock was written'}), delete ${path} and run again`;
          throw new RunError(
            'busy',
            `${dir}: another run is writing to this folder (process ${owner.pid}); wait for it or stop it${checked}`,
          );
        }
      }
      // Stale (its process is gone) or long unreadable: move it aside, and if what moved is not the
      // lock judged stale (another process took over in between), put it back and give way.
      const aside = resolve(dir, `run.lock.stale.tmp-${process.pid}`);
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readText(aside);
      if (moved !== text) {
        try {
          linkSync(aside, path);
        } catch {
          // Someone else's lock is in place again: theirs stands.
        }
        rmSync(aside, { force: true });
        throw new RunError('busy', `${dir}: another run took this folder over just now`);
      }
      rmSync(aside, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  held.add(key);
  return () => {
    held.delete(key);
    rmSync(path, { force: true });
  };
}

/** A lock that cannot be read is taken for one being written until it is this old, ms. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/**
 * Creates `path` holding `text`, exclusively and without following a link; one left by an earlier
 * process with this pid (killed while locking) is removed first.
 */
function writeNew(path: string, text: string): void {
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openRegular(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return;
  }
}

/** The lock's text; undefined when it is gone. A lock that is a link or not a regular file is refused. */
function readText(path: string): string | undefined {
  try {
    return readRegularFile(path).toString('utf8');
  } catch (error) {
    if (error instanceof NotRegularFileError) throw ioError('cannot lock its folder', error);
    return undefined;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

interface LockOwner {
  pid: number;
  host: string;
  at?: string;
  /** The writer's processIdentity, when it could be read. */
  start?: string;
  boot?: string;
}

function parseLock(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value?.pid === 'number' && typeof value?.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What tells a process apart from a later one given the same pid: its start time (clock ticks
 * after boot, field 22 of /proc/PID/stat, as a decimal string) and the boot's id
 * (/proc/sys/kernel/random/boot_id). Undefined when they cannot be read (no such process, or no
 * /proc: not Linux).
 */
export function processIdentity(pid: number): { start: string; boot: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^\d+$/.test(start ?? '') && boot ? { start, boot } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, but is someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

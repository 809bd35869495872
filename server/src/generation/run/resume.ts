/** What earlier sessions left in a run folder, read back so a new session goes on from there. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPORARY_FILE } from '../../files/atomicWrite';
import { readRegularFile } from '../../files/regularFile';
import { count } from '../../format';
import { ioError } from './errors';
import { SFT_FORMATS, sftFile, sftLine } from './formats';
import type { PlannedItem } from './items';
import { MIDTRAINING_FILE, RECORDS_FILE, REJECTED_FILE } from './manifest';
import { readJsonl, repairTornTail, writeFileAtomic } from './store';
import type { MidtrainingLine, RejectedRecord, RunRecord, RunSettings } from './types';

/** How many items and midtraining documents ended each way. */
export interface OutcomeCounts {
  accepted: number;
  autorater: number;
  duplicate: number;
  failed: number;
  midtrainingWritten: number;
  midtrainingFailed: number;
}

/** What earlier sessions finished: the counts, the ids done, and the accepted records (for the dedup index). */
export interface Resumed {
  readonly counts: OutcomeCounts;
  /** Ids of planned items in records.jsonl or rejected.jsonl. */
  readonly done: Set<string>;
  /** Ids of midtraining documents written or failed. */
  readonly midtrainingDone: Set<string>;
  /** Accepted records of planned items, in file order. */
  readonly accepted: RunRecord[];
}

/** The entries of `dir`; RunError('io') when it cannot be read. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    throw ioError(`cannot read ${dir}`, error);
  }
}

/**
 * Reads what earlier sessions left in `dir` for `items`: removes temporary files a killed process
 * left, cuts torn last lines off the JSONL files, takes the items and documents done (with
 * `retryFailed`, failed items are dropped from rejected.jsonl so they run again), and rebuilds the
 * SFT files of `settings.formats` from records.jsonl when they lag it (removing unselected ones).
 * Every repair is told to `log`. Throws RunError('io') when a file cannot be read or written.
 */
export function resumeRun(
  dir: string,
  items: readonly PlannedItem[],
  settings: RunSettings,
  retryFailed: boolean,
  log: (line: string) => void,
): Resumed {
  repairFolder(dir, log);
  const read = <T>(name: string) => {
    const content = readJsonl<T>(join(dir, name));
    if (content.bad) log(`skipped ${count(content.bad, 'unreadable line')} of ${name}`);
    return content.values;
  };
  const resumed: Resumed = {
    counts: { accepted: 0, autorater: 0, duplicate: 0, failed: 0, midtrainingWritten: 0, midtrainingFailed: 0 },
    done: new Set(),
    midtrainingDone: new Set(),
    accepted: [],
  };
  const planned = new Set(items.map((i) => i.id));
  const seen = new Set<string>();
  for (const record of read<RunRecord>(RECORDS_FILE)) {
    if (!planned.has(record.id) || seen.has(record.id)) continue;
    seen.add(record.id);
    resumed.accepted.push(record);
    resumed.done.add(record.id);
    resumed.counts.accepted++;
  }
  const rejected = retryFailed ? dropFailed(dir, read<RejectedRecord>(REJECTED_FILE), log) : read<RejectedRecord>(REJECTED_FILE);
  takeRejected(resumed, rejected, planned, seen);
  takeMidtraining(resumed, read<MidtrainingLine>(MIDTRAINING_FILE));
  rebuildSftFiles(dir, settings.formats, resumed.accepted, log);
  return resumed;
}

/** Removes the temporary copies a process killed while replacing a file leaves (the file itself is whole), and cuts torn last lines. */
function repairFolder(dir: string, log: (line: string) => void): void {
  for (const name of listDir(dir).filter((n) => TEMPORARY_FILE.test(n))) rmSync(join(dir, name), { force: true });
  for (const name of [RECORDS_FILE, REJECTED_FILE, MIDTRAINING_FILE, ...SFT_FORMATS.map(sftFile)]) {
    const cut = repairTornTail(join(dir, name));
    if (cut) log(`cut a torn last line (${cut} bytes) off ${name}, left by an interrupted run`);
  }
}

/** `rejected` without its failed items, rewritten to rejected.jsonl when there were any. */
function dropFailed(dir: string, rejected: RejectedRecord[], log: (line: string) => void): RejectedRecord[] {
  const failed = rejected.filter((r) => r.reason === 'error').length;
  if (failed === 0) return rejected;
  const kept = rejected.filter((r) => r.reason !== 'error');
  writeFileAtomic(join(dir, REJECTED_FILE), kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  log(`retrying ${count(failed, 'failed item')}`);
  return kept;
}

/** Counts the rejected items of `planned` not `seen` yet (each id once), and the failed midtraining documents. */
function takeRejected(resumed: Resumed, rejected: readonly RejectedRecord[], planned: ReadonlySet<string>, seen: Set<string>): void {
  const c = resumed.counts;
  for (const r of rejected) {
    if (r.kind === 'midtraining') {
      if (!resumed.midtrainingDone.has(r.id)) c.midtrainingFailed++;
      resumed.midtrainingDone.add(r.id);
      continue;
    }
    if (!planned.has(r.id) || seen.has(r.id)) continue;
    seen.add(r.id);
    resumed.done.add(r.id);
    if (r.reason === 'autorater') c.autorater++;
    else if (r.reason === 'duplicate') c.duplicate++;
    else c.failed++;
  }
}

/** Counts the midtraining documents written (each id once; one also listed as failed counts as written). */
function takeMidtraining(resumed: Resumed, documents: readonly MidtrainingLine[]): void {
  const seen = new Set<string>();
  for (const doc of documents) {
    if (seen.has(doc.id)) continue;
    seen.add(doc.id);
    // A document both written and failed (cannot happen with one writer) counts as written.
    if (resumed.midtrainingDone.has(doc.id)) resumed.counts.midtrainingFailed--;
    resumed.midtrainingDone.add(doc.id);
    resumed.counts.midtrainingWritten++;
  }
}

/** The SFT files follow records.jsonl: rebuilt when a crash left them behind it (or the formats changed); unselected ones removed. */
function rebuildSftFiles(dir: string, formats: readonly string[], accepted: readonly RunRecord[], log: (line: string) => void): void {
  for (const format of SFT_FORMATS) {
    const path = join(dir, sftFile(format));
    if (!formats.includes(format)) {
      if (existsSync(path)) {
        rmSync(path, { force: true });
        log(`removed ${sftFile(format)}: that format is not selected any more`);
      }
      continue;
    }
    const text = accepted.map((r) => `${JSON.stringify(sftLine(format, r.prompt, r.response))}\n`).join('');
    let current: string | undefined;
    try {
      current = readRegularFile(path).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot read ${path}`, error);
      current = undefined;
    }
    if (current !== text && (current !== undefined || text)) {
      writeFileAtomic(path, text);
      if (current !== undefined) log(`rebuilt ${sftFile(format)} from ${RECORDS_FILE}`);
    }
  }
}

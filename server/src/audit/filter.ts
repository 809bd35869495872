/** Writing a new dataset without (or with fewer of) the records of chosen patterns. */
import { statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeAtomically } from '../files/atomicWrite';
import { stem } from './files';
import { LineParser, rawLines } from './read';
import type { AuditReport } from './types';

/** What to do with the records that match a pattern strictly. */
export interface FilterChoice {
  readonly patternId: string;
  /** drop: leave out every strictly matching record; downsample: keep only the fraction `keep` of them. */
  readonly mode: 'drop' | 'downsample';
  /** downsample: the fraction (0..1) of the pattern's strict matches kept; default 0.5. Ignored by drop. */
  readonly keep?: number;
}

/** A record the filter left out, and the chosen patterns that left it out. */
export interface DroppedRecord {
  readonly id: string;
  /** 1-based line number in the input. */
  readonly line: number;
  readonly patterns: string[];
}

/** What filterDataset wrote. */
export interface FilterResult {
  /** Records written (bad and blank lines are copied too but not counted). */
  readonly written: number;
  /** In input order. */
  readonly dropped: DroppedRecord[];
  /** The log's path: `<output name>.log.jsonl`. */
  readonly log: string;
}

/** A filter that cannot run: the same file in and out, an unknown pattern, a report of another file. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
}

/**
 * Copies the dataset at `inputPath` to `outputPath` without the records the choices leave out.
 * Only strict matches (`pattern.records`) are touched. `drop` leaves out all of a pattern's strict
 * matches; `downsample` keeps exactly round(keep × matches) of them, chosen by a hash of (seed,
 * pattern id, record id) — the same seed gives the same choice on any machine, whatever the line
 * order. A record left out by several choices is logged once with each of them.
 *
 * Every other line — kept records, bad lines, blank lines — is copied byte for byte with its line
 * ending, LF, CRLF or CR (nothing is re-serialised). The input is streamed: memory holds the ids
 * of the records to leave out and the list of those left out, not the dataset. The output and the log are each written atomically (a
 * temporary file beside them, then a rename). The log `<output name>.log.jsonl` (output name
 * without `.jsonl`) holds a first line `{"filter": {input, output, report, seed, choices, written,
 * dropped}}` then one `{"id", "line", "patterns"}` line per record left out.
 *
 * Throws FilterError when the output (or the log) would be the input, a choice names a pattern not
 * in `report` or has a bad mode or `keep`, or the input no longer matches the report (another
 * record count, or an id the report lists is missing) — nothing is written then. Throws
 * DatasetError when the input cannot be read, and the file system's error when the output cannot
 * be written.
 */
export function filterDataset(
  inputPath: string,
  outputPath: string,
  report: AuditReport,
  choices: readonly FilterChoice[],
  seed = 0,
): FilterResult {
  const logPath = `${stem(outputPath)}.log.jsonl`;
  for (const [what, path] of [
    ['output', outputPath],
    ['log', logPath],
  ] as const) {
    if (samePath(inputPath, path))
      throw new FilterError(`the ${what} ${path} is the input dataset; write the filtered dataset to another file`);
  }
  const drops = chooseDrops(report, choices, seed);

  const dropped: DroppedRecord[] = [];
  let written = 0;
  let records = 0;
  const seen = new Set<string>();
  writeAtomically(outputPath, (fd) => {
    const parser = new LineParser();
    let buffered: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (buffered.length) writeSync(fd, Buffer.concat(buffered, size));
      buffered = [];
      size = 0;
    };
    for (const { line, bytes, ending } of rawLines(inputPath)) {
      const parsed = parser.parse(line, bytes);
      if (parsed && 'record' in parsed) {
        records++;
        const { id } = parsed.record;
        const why = drops.get(id);
        if (why) {
          seen.add(id);
          dropped.push({ id, line, patterns: why });
          continue;
        }
        written++;
      }
      buffered.push(bytes);
      size += bytes.length;
      if (ending) {
        const end = ENDINGS[ending];
        buffered.push(end);
        size += end.length;
      }
      if (size >= 1 << 20) flush();
    }
    flush();
    // Checked before the rename, so a stale report leaves no output behind.
    if (records !== report.records)
      throw new FilterError(`${inputPath} holds ${records} records but the report was made from ${report.records}: audit the file again`);
    const missing = [...drops.keys()].find((id) => !seen.has(id));
    if (missing !== undefined) throw new FilterError(`record "${missing}" of the report is not in ${inputPath}: audit the file again`);
  });

  const header = {
    filter: { input: inputPath, output: outputPath, report: report.dataset, seed, choices, written, dropped: dropped.length },
  };
  // Written a megabyte at a time: one string of every line could outgrow memory.
  writeAtomically(logPath, (fd) => {
    let text = `${JSON.stringify(header)}\n`;
    for (const d of dropped) {
      text += `${JSON.stringify(d)}\n`;
      if (text.length >= 1 << 20) {
        writeSync(fd, text);
        text = '';
      }
    }
    writeSync(fd, text);
  });
  return { written, dropped, log: logPath };
}

/** Each line ending as the bytes it is copied back as. */
const ENDINGS = { '\n': Buffer.from('\n'), '\r\n': Buffer.from('\r\n'), '\r': Buffer.from('\r') } as const;

/** Record id → the chosen patterns that leave it out. */
function chooseDrops(report: AuditReport, choices: readonly FilterChoice[], seed: number): Map<string, string[]> {
  if (!Number.isSafeInteger(seed)) throw new FilterError(`seed must be a whole number, not ${seed}`);
  const byId = new Map(report.patterns.map((p) => [p.id, p]));
  const drops = new Map<string, string[]>();
  const add = (id: string, pattern: string) => {
    const list = drops.get(id);
    if (!list) drops.set(id, [pattern]);
    else if (!list.includes(pattern)) list.push(pattern);
  };
  for (const choice of choices) {
    const pattern = byId.get(choice.patternId);
    if (!pattern)
      throw new FilterError(
        `no pattern "${choice.patternId}" in the report (its patterns: ${report.patterns.map((p) => p.id).join(', ')})`,
      );
    if (choice.mode === 'drop') {
      for (const id of pattern.records) add(id, pattern.id);
    } else if (choice.mode === 'downsample') {
      const keep = choice.keep ?? 0.5;
      if (!(keep >= 0 && keep <= 1)) throw new FilterError(`keep for "${pattern.id}" must be a fraction from 0 to 1, not ${choice.keep}`);
      const ranked = pattern.records
        .map((id) => ({ id, h: hash(`${seed}\u0000${pattern.id}\u0000${id}`) }))
        .sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : 1));
      for (const { id } of ranked.slice(Math.round(keep * ranked.length))) add(id, pattern.id);
    } else {
      throw new FilterError(
        `mode for "${choice.patternId}" must be "drop" or "downsample", not "${String((choice as { mode: unknown }).mode)}"`,
      );
    }
  }
  return drops;
}

/** True when `a` and `b` name the same file (same path, or the same existing file through a link). */
function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** cyrb53: a fast, well-mixed 53-bit string hash; stable across platforms and Node versions. */
function hash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Benchmark: the offline dataset audit (offlineAuditFile, streamed) of 10 000 and 100 000 synthetic
 * records written to a temporary JSONL file — time, records per second, heap and RSS — and how the
 * time grows from 10 000 to 100 000 (goal: about 10×, linear; a few seconds for 100 000). With
 * `--large DIR [GiB,...]` it audits files of 1 and 2 GiB through the CLI's path instead (see
 * `large`). The
 * records look like generated SFT data: 50–450 words, openers and closers from a pool (some
 * over-used), lists, bold lead-ins and headings in some, 20 traits. Each measurement runs in a
 * fresh process (after a warm-up audit of 2 000 records), so its peak RSS is the audit's own. Runs
 * the bundled code. Not a test: nothing here fails.
 *
 * Run: npm run bench (or node --expose-gc dist/bench/audit.js after `node esbuild.mjs --bench`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineAuditFile } from '../server/src/audit';
import { main } from '../server/src/cli/main';
import { seededRandom } from '../server/src/generation/seededRandom';

const SYLLABLES = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'vo', 'ne', 'pi', 'du', 'go', 'fe', 'ba', 'zi'];
const WORDS = [
  ...SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => SYLLABLES.map((c) => a + b + c))),
  ...'the a of to and in is it that for you with on as are this be can your have will more use one'.split(' '),
];
const OPENERS = [
  'Great question!',
  "Sure, here's what you need.",
  "I'm sorry to hear that.",
  'That sounds really frustrating.',
  '**Bottom line:** it depends.',
  'Could you clarify which version you mean?',
];
const CLOSERS = ['Does that help?', 'Let me know if you have any other questions.', 'Happy to help further.', 'Want me to go deeper?'];

/** One JSONL line in records.jsonl shape. */
function line(i: number, random: () => number): string {
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const sentence = (min: number, max: number) => {
    const n = min + Math.floor(random() * (max - min + 1));
    const w = Array.from({ length: n }, word).join(' ');
    return `${w[0].toUpperCase()}${w.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(random() * 4) }, () => sentence(8, 20)).join(' ');
  const parts: string[] = [];
  const r = random();
  parts.push(
    `${r < 0.3 ? OPENERS[0] : r < 0.55 ? OPENERS[1 + Math.floor(random() * (OPENERS.length - 1))] : sentence(6, 12)} ${paragraph()}`,
  );
  const body = Math.floor(random() * 4);
  for (let p = 0; p < body; p++) parts.push(paragraph());
  if (random() < 0.3) parts.push(Array.from({ length: 3 + Math.floor(random() * 3) }, () => `- ${sentence(4, 10)}`).join('\n'));
  if (random() < 0.15) parts.push(`**${word()}:** ${sentence(6, 12)}\n**${word()}:** ${sentence(6, 12)}`);
  if (random() < 0.1) parts.splice(1, 0, `## ${word()} ${word()}`);
  parts.push(`${sentence(6, 14)}${random() < 0.4 ? ` ${CLOSERS[Math.floor(random() * CLOSERS.length)]}` : ''}`);
  return JSON.stringify({
    id: `bench-${i}`,
    traitId: `trait-${i % 20}`,
    traitTitle: `Trait ${i % 20}`,
    prompt: sentence(6, 20),
    response: parts.join('\n\n'),
    rating: { score: 8 },
  });
}

function writeDataset(dir: string, n: number): string {
  const path = join(dir, `records-${n}.jsonl`);
  writeRecords(path, n, (i) => i >= n);
  return path;
}

/**
 * Writes synthetic records (seeded with `seed`) to `path` until `done(records, bytes)` says so,
 * a megabyte at a time: the file may be larger than memory.
 */
function writeRecords(path: string, seed: number, done: (records: number, bytes: number) => boolean): void {
  const random = seededRandom(seed);
  const fd = openSync(path, 'w');
  try {
    let bytes = 0;
    let pending: string[] = [];
    let pendingLength = 0;
    for (let i = 0; !done(i, bytes + pendingLength); i++) {
      const text = `${line(i, random)}\n`;
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= 1 << 20) {
        bytes += writeSync(fd, pending.join(''));
        pending = [];
        pendingLength = 0;
      }
    }
    if (pending.length) writeSync(fd, pending.join(''));
  } finally {
    closeSync(fd);
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

interface Result {
  n: number;
  /** offlineAuditFile: both passes over the file, reading included. */
  auditMs: number;
  /** Heap still held after a full GC: the patterns and their id lists (the per-record features are gone). */
  heldBytes: number;
  /** Peak resident memory of the measuring process. */
  peakRss: number;
  patterns: number;
  flagged: number;
}

/** Child mode: audit `warm` once (compiling the code), then measure the streamed audit of `path`; prints a Result as JSON. */
function measureHere(path: string, warm: string): void {
  offlineAuditFile(warm);
  gc?.();
  const base = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const { records, patterns } = offlineAuditFile(path);
  const auditMs = ms(start);
  gc?.();
  const heldBytes = process.memoryUsage().heapUsed - base;
  const result: Result = {
    n: records,
    auditMs,
    heldBytes,
    peakRss: process.resourceUsage().maxRSS * 1024,
    patterns: patterns.length,
    flagged: patterns.filter((p) => p.flagged).length,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Each measurement in a fresh process, so its peak RSS is the audit's own, not the data generation's. */
function measure(path: string, warm: string): Result {
  const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--measure', path, warm], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`measurement failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Result;
}

/**
 * Child mode of --large: `trait-studio audit FILE --offline --no-write --format json` (stdout
 * discarded) in this process; prints its time and peak RSS as JSON, or dies as the CLI would.
 */
async function measureCliHere(path: string): Promise<void> {
  const start = process.hrtime.bigint();
  const status = await main(['audit', path, '--offline', '--no-write', '--format', 'json'], {
    stdout: () => undefined,
    stderr: (t) => void process.stderr.write(t),
    isTTY: false,
  });
  process.stdout.write(JSON.stringify({ status, ms: ms(start), peakRss: process.resourceUsage().maxRSS * 1024 }));
}

/**
 * `--large DIR [GiB,...]`: the offline audit of files of 1 and 2 GiB (or the sizes given) of the
 * same synthetic records, written to DIR (kept for another run; delete them after), each measured
 * in a fresh process through the CLI's own path. Not part of `npm run bench`: it needs the disk
 * space and minutes.
 */
function large(dir: string, sizes: number[]): void {
  for (const gib of sizes) {
    const path = join(dir, `audit-${gib}g.jsonl`);
    const bytes = gib * 2 ** 30;
    if (!existsSync(path) || statSync(path).size < bytes) writeRecords(path, gib, (_i, size) => size >= bytes);
    const child = spawnSync(process.execPath, [__filename, '--measure-cli', path], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      console.log(
        `${gib} GiB (${mb(statSync(path).size)}): failed (exit ${child.status ?? child.signal}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
      continue;
    }
    const r = JSON.parse(child.stdout) as { status: number; ms: number; peakRss: number };
    console.log(
      `${gib} GiB (${mb(statSync(path).size)}): offline audit ${(r.ms / 1000).toFixed(1)} s, peak RSS ${mb(r.peakRss)} (exit ${r.status})`,
    );
  }
}

if (process.argv[2] === '--measure') {
  measureHere(process.argv[3], process.argv[4]);
} else if (process.argv[2] === '--measure-cli') {
  void measureCliHere(process.argv[3]);
} else if (process.argv[2] === '--large') {
  large(process.argv[3] ?? tmpdir(), (process.argv[4] ?? '1,2').split(',').map(Number));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-bench-audit-'));
  try {
    const warm = writeDataset(dir, 2_000);
    const small = writeDataset(dir, 10_000);
    const large = writeDataset(dir, 100_000);
    const results: Result[] = [];
    for (const [path, n] of [
      [small, 10_000],
      [large, 100_000],
    ] as const) {
      // Best of three: a busy neighbour on a shared machine slows single runs.
      const runs = [measure(path, warm), measure(path, warm), measure(path, warm)];
      const best = runs.reduce((a, b) => (a.auditMs <= b.auditMs ? a : b));
      results.push(best);
      console.log(
        `${n.toLocaleString('en')} records (${mb(statSync(path).size)} JSONL): offlineAuditFile ${best.auditMs.toFixed(0)} ms (two passes over the file), ` +
          `${Math.round((n / best.auditMs) * 1000).toLocaleString('en')} records/s; heap held after (patterns) ${mb(best.heldBytes)}, peak RSS ${mb(best.peakRss)}; ` +
          `${best.patterns} patterns, ${best.flagged} flagged (best of 3)`,
      );
    }
    const [a, b] = results;
    console.log(
      `growth 10k → 100k: time ×${(b.auditMs / a.auditMs).toFixed(1)}, peak RSS ×${(b.peakRss / a.peakRss).toFixed(1)}; goal ≈ ×10 time (linear), a few seconds for 100k, ` +
        `and memory that grows by the per-record features only`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

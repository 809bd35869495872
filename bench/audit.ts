/**
 * Benchmark: the offline dataset audit (readDataset + offlineAudit) of 10 000 and 100 000 synthetic
 * records written to a temporary JSONL file — time, records per second, heap and RSS — and how the
 * time grows from 10 000 to 100 000 (goal: about 10×, linear; a few seconds for 100 000). The
 * records look like generated SFT data: 50–450 words, openers and closers from a pool (some
 * over-used), lists, bold lead-ins and headings in some, 20 traits. Each measurement runs in a
 * fresh process (after a warm-up audit of 2 000 records), so its peak RSS is the audit's own. Runs
 * the bundled code. Not a test: nothing here fails.
 *
 * Run: npm run bench (or node --expose-gc dist/bench/audit.js after `node esbuild.mjs --bench`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineAudit, readDataset } from '../server/src/audit';
import { prng } from '../test/prng';

const SYLLABLES = ['ka', 'lo', 'mi', 'ru', 'te', 'sa', 'vo', 'ne', 'pi', 'du', 'go', 'fe', 'ba', 'zi'];
const WORDS = [
  ...SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => SYLLABLES.map((c) => a + b + c))),
  ...'the a of to and in is it that for you with on as are this be can your have will more use one'.split(' '),
];
const OPENERS = ['Great question!', "Sure, here's what you need.", "I'm sorry to hear that.", 'That sounds really frustrating.', '**Bottom line:** it depends.', 'Could you clarify which version you mean?'];
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
  parts.push(`${r < 0.3 ? OPENERS[0] : r < 0.55 ? OPENERS[1 + Math.floor(random() * (OPENERS.length - 1))] : sentence(6, 12)} ${paragraph()}`);
  const body = Math.floor(random() * 4);
  for (let p = 0; p < body; p++) parts.push(paragraph());
  if (random() < 0.3) parts.push(Array.from({ length: 3 + Math.floor(random() * 3) }, () => `- ${sentence(4, 10)}`).join('\n'));
  if (random() < 0.15) parts.push(`**${word()}:** ${sentence(6, 12)}\n**${word()}:** ${sentence(6, 12)}`);
  if (random() < 0.1) parts.splice(1, 0, `## ${word()} ${word()}`);
  parts.push(`${sentence(6, 14)}${random() < 0.4 ? ` ${CLOSERS[Math.floor(random() * CLOSERS.length)]}` : ''}`);
  return JSON.stringify({ id: `bench-${i}`, traitId: `trait-${i % 20}`, traitTitle: `Trait ${i % 20}`, prompt: sentence(6, 20), response: parts.join('\n\n'), rating: { score: 8 } });
}

function writeDataset(dir: string, n: number): string {
  const random = prng(n);
  const path = join(dir, `records-${n}.jsonl`);
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) lines[i] = line(i, random);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

interface Result {
  n: number;
  readMs: number;
  auditMs: number;
  /** Heap still held after a full GC: the records read and the patterns (the views are gone). */
  heldBytes: number;
  /** Peak resident memory of the measuring process. */
  peakRss: number;
  patterns: number;
  flagged: number;
}

/** Child mode: audit `warm` once (compiling the code), then measure the audit of `path`; prints a Result as JSON. */
function measureHere(path: string, warm: string): void {
  offlineAudit(readDataset(warm).records);
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let start = process.hrtime.bigint();
  const { records } = readDataset(path);
  const readMs = ms(start);
  start = process.hrtime.bigint();
  const patterns = offlineAudit(records);
  const auditMs = ms(start);
  gc?.();
  const heldBytes = process.memoryUsage().heapUsed - base;
  const result: Result = { n: records.length, readMs, auditMs, heldBytes, peakRss: process.resourceUsage().maxRSS * 1024, patterns: patterns.length, flagged: patterns.filter((p) => p.flagged).length };
  process.stdout.write(JSON.stringify(result));
}

/** Each measurement in a fresh process, so its peak RSS is the audit's own, not the data generation's. */
function measure(path: string, warm: string): Result {
  const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--measure', path, warm], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`measurement failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Result;
}

if (process.argv[2] === '--measure') {
  measureHere(process.argv[3], process.argv[4]);
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
      const best = runs.reduce((a, b) => (a.readMs + a.auditMs <= b.readMs + b.auditMs ? a : b));
      results.push(best);
      const total = best.readMs + best.auditMs;
      console.log(
        `${n.toLocaleString('en')} records (${mb(statSync(path).size)} JSONL): ${total.toFixed(0)} ms (readDataset ${best.readMs.toFixed(0)} ms, offlineAudit ${best.auditMs.toFixed(0)} ms), ` +
          `${Math.round((n / total) * 1000).toLocaleString('en')} records/s; heap held after (records + patterns) ${mb(best.heldBytes)}, peak RSS ${mb(best.peakRss)}; ` +
          `${best.patterns} patterns, ${best.flagged} flagged (best of 3)`,
      );
    }
    const [a, b] = results;
    console.log(
      `growth 10k → 100k: time ×${((b.readMs + b.auditMs) / (a.readMs + a.auditMs)).toFixed(1)} (readDataset ×${(b.readMs / a.readMs).toFixed(1)}, offlineAudit ×${(b.auditMs / a.auditMs).toFixed(1)}), ` +
        `peak RSS ×${(b.peakRss / a.peakRss).toFixed(1)}; goal ≈ ×10 (linear), a few seconds for 100k`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

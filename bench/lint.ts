/**
 * Benchmark: parse + lint of the OpenAI Model Spec, warm and in-process, against markdownlint
 * linting the same text with its default rules in the same run. Prints median and p95 per run and
 * the ratio, then the heap each keeps for one linted document. Not a test: nothing here can fail.
 *
 * Run: npm run bench   (node --expose-gc --import tsx bench/lint.ts [file])
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lint as markdownlint } from 'markdownlint/sync';
import { parseTraitDocument } from '../server/src/document/parse';
import { lintDocument } from '../server/src/rules/lint';

const file = process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'corpus', 'openai-model-spec.md');
const text = readFileSync(file, 'utf8');
const WARMUP = 20;
const RUNS = 60;

const ours = () => lintDocument(parseTraitDocument(text)).diagnostics;
const peer = () => markdownlint({ strings: { doc: text }, config: { default: true } }).doc;

/** Milliseconds per call after warm-up: median and 95th percentile. */
function time(fn: () => unknown): { median: number; p95: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(RUNS / 2)], p95: samples[Math.floor(RUNS * 0.95)] };
}

/** Heap kept alive by `keep` results of `fn` (bytes per result), measured after forced GCs. */
function retainedBytes(fn: () => unknown, keep = 10): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: keep }, fn);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  return kept.length ? (after - before) / keep : undefined;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a (run with --expose-gc)' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

// Alternate the order so neither side always runs on a colder machine.
const peerFirst = time(peer);
const oursTime = time(ours);
const peerSecond = time(peer);
const peerTime = peerFirst.median <= peerSecond.median ? peerFirst : peerSecond;

console.log(`Document: ${file} (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length} lines)`);
console.log(`trait-studio parse+lint: median ${oursTime.median.toFixed(2)} ms, p95 ${oursTime.p95.toFixed(2)} ms (${ours().length} diagnostics)`);
console.log(`markdownlint (default rules): median ${peerTime.median.toFixed(2)} ms, p95 ${peerTime.p95.toFixed(2)} ms (${peer().length} findings)`);
console.log(`ratio: trait-studio is ${(peerTime.median / oursTime.median).toFixed(1)}x faster than markdownlint (goal: >= 20x)`);
console.log(`heap kept per linted document: trait-studio ${mb(retainedBytes(() => { const d = parseTraitDocument(text); return [d, lintDocument(d)]; }))}, markdownlint ${mb(retainedBytes(peer))}`);

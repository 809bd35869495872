/**
 * Benchmark: parse + lint of the OpenAI Model Spec and of the Claude constitution (test/fixtures/corpus),
 * warm and in-process, against markdownlint linting the same text with its default rules in the same
 * run, from cold (memos emptied each run).
 * Runs the bundled code (what ships).
 * Rounds interleave the two so that a busy neighbour on a shared machine slows both alike; prints
 * the median and p95 per lint over all rounds and the ratio of medians (of wall-clock time, and of
 * CPU time, which other processes sway less), then the heap each keeps for one linted document.
 * Not a test: nothing here fails.
 *
 * Run: npm run bench [-- FILE ...]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lint as markdownlint } from 'markdownlint/sync';
import { clearMemos } from '../server/src/analysis/memo';
import { parseTraitDocument } from '../server/src/document/parse';
import { lintDocument } from '../server/src/rules/lint';

const corpus = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');
const files =
  process.argv.length > 2 ? process.argv.slice(2) : [join(corpus, 'openai-model-spec.md'), join(corpus, 'claude-constitution.md')];
const ROUNDS = 10;

/** Milliseconds of each of `n` calls; with `cpu`, each call's CPU time (ms, this process: GC threads included) is pushed there. */
function sample(fn: () => unknown, n: number, cpu?: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (cpu) {
      const { user, system } = process.cpuUsage(cpuStart);
      cpu.push((user + system) / 1000);
    }
  }
  return out;
}

function stats(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] };
}

/** Heap kept alive per result of `fn` (bytes), measured after forced GCs; needs --expose-gc. */
function retainedBytes(fn: () => unknown, keep = 10): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: keep }, fn);
  gc();
  gc();
  return (process.memoryUsage().heapUsed - before) / kept.length;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a (run with --expose-gc)' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const file of files) bench(file);

function bench(file: string): void {
  const text = readFileSync(file, 'utf8');
  // From cold: the sentence and term memos the language server keeps between edits are emptied
  // first, so this measures the whole computation; `relint` keeps them, as after an edit in the editor.
  const ours = () => {
    clearMemos();
    return lintDocument(parseTraitDocument(text)).diagnostics;
  };
  const relint = () => lintDocument(parseTraitDocument(text)).diagnostics;
  const peer = () => markdownlint({ strings: { doc: text }, config: { default: true } }).doc;

  sample(ours, 50);
  sample(peer, 5);
  const oursSamples: number[] = [];
  const peerSamples: number[] = [];
  const oursCpu: number[] = [];
  const peerCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    oursSamples.push(...sample(ours, 20, oursCpu));
    peerSamples.push(...sample(peer, 2, peerCpu));
  }
  const o = stats(oursSamples);
  const p = stats(peerSamples);
  const oc = stats(oursCpu);
  const pc = stats(peerCpu);

  console.log(`Document: ${file} (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length} lines)`);
  console.log(
    `  trait-studio parse+lint: median ${o.median.toFixed(2)} ms, p95 ${o.p95.toFixed(2)} ms over ${oursSamples.length} runs (${ours().length} diagnostics)`,
  );
  console.log(
    `  markdownlint (default rules): median ${p.median.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms over ${peerSamples.length} runs (${peer().length} findings)`,
  );
  const r = stats(sample(relint, 100));
  console.log(
    `  trait-studio re-lint of unchanged sentences (memos warm, as after an edit): median ${r.median.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`,
  );
  console.log(`  ratio: trait-studio is ${(p.median / o.median).toFixed(1)}x faster than markdownlint (goal: >= 20x)`);
  // CPU time is less swayed than wall-clock time by other processes on a shared machine.
  console.log(
    `  CPU time per lint (median): trait-studio ${oc.median.toFixed(2)} ms, markdownlint ${pc.median.toFixed(2)} ms: ${(pc.median / oc.median).toFixed(1)}x`,
  );
  console.log(
    `  heap kept per linted document: trait-studio ${mb(
      retainedBytes(() => {
        const d = parseTraitDocument(text);
        return [d, lintDocument(d)];
      }),
    )}, markdownlint ${mb(retainedBytes(peer))}`,
  );
}

/**
 * Benchmark: whole-document parse + lint of the OpenAI Model Spec and of the Claude constitution
 * (test/fixtures/corpus), against markdownlint linting the same text with its default rules in the
 * same run. Ours is the path the language server takes when a document is opened or linted from the
 * workspace (`DocumentStore.lintText`: parse, then every rule with the editor's default settings),
 * from cold: the sentence and term memos are emptied before each run. Runs the bundled code (what
 * ships).
 *
 * How it keeps the figure honest on a shared, busy machine:
 * - Each subject runs in a process of its own (this script, restarted as a worker), so neither
 *   side's garbage is ever collected in the other's time, and each pays for collecting its own at
 *   the rate it makes it. The collector runs on the worker's main thread (`--single-threaded-gc`),
 *   so a run's CPU time holds that cost and no helper thread's time lands in whichever run happens
 *   to be going. (Forcing a full collection before each run instead is no cure: V8 then discards
 *   optimised code that refers to freed objects, and each run measured the JIT warming up again.)
 * - Runs are interleaved: the workers run one at a time, each round times every subject in turn
 *   (in rotating order), so a load change slows all alike; the ratio is given both as the ratio of
 *   medians and as the median of the rounds' own ratios (each round compares runs made seconds apart).
 * - CPU time (the worker's user + system time) is swayed far less by other processes than
 *   wall-clock time; wall-clock figures are printed beside it. Warm-up runs come first (JIT).
 *
 * `LINT_BENCH_BASELINE=DIR`: a checkout of another commit (with its node_modules), whose
 * `DocumentStore` and memos are bundled at start and timed in the same rounds: old and new under the
 * same load.
 *
 * Not a test: nothing here fails.
 *
 * Run: npm run bench [-- FILE ...], or `node esbuild.mjs --bench && node --expose-gc dist/bench/lint.js [FILE ...]`
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lint as markdownlint } from 'markdownlint/sync';
import { clearMemos } from '../server/src/analysis/memo';
import { DocumentStore } from '../server/src/lsp/documentStore';

/** Rounds per document; each times every subject `repeat` times. */
const ROUNDS = 20;
const URI = 'untitled:bench.traits.md';
const corpus = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');

interface Build {
  readonly DocumentStore: typeof DocumentStore;
  readonly clearMemos: typeof clearMemos;
}

type SubjectName = 'ours' | 'baseline' | 'markdownlint';

/** A worker's answer to one run: wall-clock and CPU ms, and the number of findings. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
  readonly findings: number;
}

// ---- worker: one subject, one document; times one run per message ----

function serve(subject: SubjectName, file: string): void {
  const text = readFileSync(file, 'utf8');
  const run = runner(subject, text);
  process.on('message', (n: number) => {
    const out: Timing[] = [];
    for (let i = 0; i < n; i++) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const findings = run();
      const wall = Number(process.hrtime.bigint() - start) / 1e6;
      const { user, system } = process.cpuUsage(cpu);
      out.push({ wall, cpu: (user + system) / 1000, findings });
    }
    process.send!(out);
  });
  process.send!('ready');
}

function runner(subject: SubjectName, text: string): () => number {
  if (subject === 'markdownlint') return () => markdownlint({ strings: { doc: text }, config: { default: true } }).doc.length;
  const build: Build = subject === 'ours' ? { DocumentStore, clearMemos } : loadBaseline(process.env.LINT_BENCH_BASELINE!);
  const store = new build.DocumentStore();
  return () => {
    build.clearMemos();
    return store.lintText(URI, text).result.diagnostics.length;
  };
}

/** The baseline's `DocumentStore` and `clearMemos`, bundled from its sources as this bench is (esbuild, Node 20, CommonJS). */
function loadBaseline(dir: string): Build {
  const require = createRequire(__filename);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = mkdtempSync(join(tmpdir(), 'lint-bench-'));
  const outfile = join(out, 'baseline.js');
  esbuild.buildSync({
    stdin: {
      contents: "export { DocumentStore } from './server/src/lsp/documentStore'; export { clearMemos } from './server/src/analysis/memo';",
      resolveDir: dir,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'markdownlint', 'markdownlint/*'],
    define: { TRAIT_STUDIO_VERSION: '"baseline"', 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  const build = require(outfile) as Build;
  rmSync(out, { recursive: true, force: true });
  return build;
}

// ---- main: starts the workers, interleaves their runs, prints the figures ----

interface Subject {
  readonly name: string;
  /** Runs per round (the fast subjects more: their medians then rest on more runs). */
  readonly repeat: number;
  readonly warmup: number;
  readonly child: ChildProcess;
  /** The next message from the worker. */
  next(): Promise<unknown>;
}

function start(name: string, subject: SubjectName, file: string, repeat: number, warmup: number): Subject {
  const child = fork(__filename, ['--worker', subject, file], { execArgv: ['--single-threaded-gc'], stdio: 'inherit' });
  const inbox: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  child.on('message', (m) => (waiting.length ? waiting.shift()!(m) : inbox.push(m)));
  return {
    name,
    repeat,
    warmup,
    child,
    next: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
}

async function timeRuns(s: Subject, n: number): Promise<Timing[]> {
  s.child.send(n);
  return (await s.next()) as Timing[];
}

function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}
const median = (samples: readonly number[]) => quantile(samples, 0.5);

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap kept alive per result of `fn` (bytes), measured after forced GCs; needs --expose-gc. */
function retainedBytes(fn: () => unknown, keep = 10): number | undefined {
  if (!gc) return undefined;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: keep }, fn);
  gc();
  gc();
  return (process.memoryUsage().heapUsed - before) / kept.length;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const ms = (x: number) => `${x.toFixed(2)} ms`;
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a (run with --expose-gc)' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

async function main(): Promise<void> {
  const files =
    process.argv.length > 2 ? process.argv.slice(2) : [join(corpus, 'openai-model-spec.md'), join(corpus, 'claude-constitution.md')];
  console.log(`load average at start: ${loadAverage()}`);
  for (const file of files) await bench(file);
  console.log(`load average at end: ${loadAverage()}`);
}

async function bench(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const baselineDir = process.env.LINT_BENCH_BASELINE;
  const ours = start('trait-studio', 'ours', file, 5, 30);
  const peer = start('markdownlint (default rules)', 'markdownlint', file, 1, 5);
  const subjects = [ours, ...(baselineDir ? [start(`baseline (${baselineDir})`, 'baseline', file, 5, 30)] : []), peer];
  for (const s of subjects) await s.next(); // 'ready'

  const findings = new Map<Subject, number>();
  for (const s of subjects) findings.set(s, (await timeRuns(s, s.warmup)).at(-1)!.findings);
  const samples = new Map<Subject, Timing[]>(subjects.map((s) => [s, []]));
  // Per round: each subject's median CPU time, for the rounds' own ratios.
  const roundCpu = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, so that no subject always runs right after the same other one.
    for (const s of subjects.map((_, i) => subjects[(i + round) % subjects.length])) {
      const runs = await timeRuns(s, s.repeat);
      samples.get(s)!.push(...runs);
      roundCpu.get(s)!.push(median(runs.map((r) => r.cpu)));
    }
  }
  for (const s of subjects) s.child.kill();

  console.log(
    `Document: ${file} (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length} lines); load average now ${loadAverage()}`,
  );
  for (const s of subjects) {
    const cpu = samples.get(s)!.map((r) => r.cpu);
    const wall = samples.get(s)!.map((r) => r.wall);
    console.log(
      `  ${s.name}: CPU median ${ms(median(cpu))}, p95 ${ms(quantile(cpu, 0.95))}; wall median ${ms(median(wall))}, p95 ${ms(quantile(wall, 0.95))} over ${cpu.length} runs (${findings.get(s)} findings)`,
    );
  }
  const peerCpu = median(samples.get(peer)!.map((r) => r.cpu));
  const peerWall = median(samples.get(peer)!.map((r) => r.wall));
  for (const s of subjects.filter((x) => x !== peer)) {
    const cpu = median(samples.get(s)!.map((r) => r.cpu));
    const wall = median(samples.get(s)!.map((r) => r.wall));
    const perRound = roundCpu.get(peer)!.map((c, i) => c / roundCpu.get(s)![i]);
    console.log(
      `  ${s.name} is faster than markdownlint: CPU ${(peerCpu / cpu).toFixed(1)}x (median of the rounds' ratios ${median(perRound).toFixed(1)}x, range ${Math.min(...perRound).toFixed(1)}–${Math.max(...perRound).toFixed(1)}), wall ${(peerWall / wall).toFixed(1)}x (goal: >= 20x)`,
    );
  }
  const store = new DocumentStore();
  const relint: number[] = [];
  for (let i = 0; i < 40; i++) {
    const cpu = process.cpuUsage();
    store.lintText(URI, text);
    const { user, system } = process.cpuUsage(cpu);
    if (i >= 10) relint.push((user + system) / 1000);
  }
  console.log(`  trait-studio re-lint with the memos warm (unchanged sentences, as after an edit): CPU median ${ms(median(relint))}`);
  console.log(
    `  heap kept per linted document: trait-studio ${mb(retainedBytes(() => new DocumentStore().lintText(URI, text)))}, markdownlint ${mb(
      retainedBytes(() => markdownlint({ strings: { doc: text }, config: { default: true } }).doc),
    )}`,
  );
}

// Last: the constants above are set by now.
if (process.argv[2] === '--worker') serve(process.argv[3] as SubjectName, process.argv[4]);
else void main();

/**
 * Benchmark: whole-document parse + lint of the OpenAI Model Spec and of the Claude constitution
 * (test/fixtures/corpus), against markdownlint linting the same text with its default rules in the
 * same run. Ours is the path the language server takes when a document is opened or linted from the
 * workspace (`DocumentStore.lintText`: parse, then every rule with the editor's default settings),
 * from cold: the sentence and term memos are emptied before each run. Runs the bundled code (what
 * ships).
 *
 * How it keeps the figure honest on a shared, busy machine:
 * - Each run is preceded by a forced full garbage collection (not timed), so neither side's garbage
 *   is collected in the other's time; the collector runs on the main thread only
 *   (`--single-threaded-gc`: the bench re-starts itself with it), so a run's CPU time holds all the
 *   collecting its own garbage costs, and none of it leaks to a helper thread.
 * - CPU time (this process's user + system time: with the collector on the main thread, the main
 *   thread's work and little else) is swayed far less by other processes than wall-clock time;
 *   wall-clock figures are printed beside it.
 * - Runs are interleaved: each round times every subject in turn, so a load change slows all alike,
 *   and the ratio is given both as the ratio of medians and as the median of the rounds' own ratios
 *   (each round compares runs made seconds apart).
 * - Warm-up runs first (JIT), then ROUNDS rounds; medians and p95 over all of them.
 *
 * `LINT_BENCH_BASELINE=DIR`: a checkout of another commit (with its node_modules), whose
 * `DocumentStore` and memos are bundled at start and timed in the same rounds: old and new under the
 * same load.
 *
 * Not a test: nothing here fails.
 *
 * Run: npm run bench [-- FILE ...], or `node esbuild.mjs --bench && node --expose-gc dist/bench/lint.js [FILE ...]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lint as markdownlint } from 'markdownlint/sync';
import { clearMemos } from '../server/src/analysis/memo';
import { DocumentStore } from '../server/src/lsp/documentStore';

const FLAGS = ['--expose-gc', '--single-threaded-gc'];
if (!FLAGS.every((f) => process.execArgv.includes(f))) {
  const child = spawnSync(process.execPath, [...new Set([...process.execArgv, ...FLAGS]), __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}
const gc = (globalThis as { gc?: () => void }).gc as () => void;

const corpus = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');
const files =
  process.argv.length > 2 ? process.argv.slice(2) : [join(corpus, 'openai-model-spec.md'), join(corpus, 'claude-constitution.md')];
/** Rounds per document; each times every subject `repeat` times. */
const ROUNDS = 25;
const URI = 'untitled:bench.traits.md';

interface Subject {
  readonly name: string;
  /** Runs in each round (the fast subjects more often: their medians then rest on more runs). */
  readonly repeat: number;
  readonly warmup: number;
  /** One whole lint of the text; returns the number of findings. */
  readonly run: () => number;
}

interface Build {
  readonly DocumentStore: typeof DocumentStore;
  readonly clearMemos: typeof clearMemos;
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

/** CPU time of this process so far (user + system), in ms: with the collector on the main thread, the main thread's time and little else. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface Samples {
  wall: number[];
  cpu: number[];
}

/** One run of `fn` after a full, untimed garbage collection: wall-clock and CPU ms. */
function timeOnce(fn: () => unknown): { wall: number; cpu: number } {
  gc();
  const cpu = cpuMs();
  const start = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  return { wall, cpu: cpuMs() - cpu };
}

function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}
const median = (samples: readonly number[]) => quantile(samples, 0.5);

/** Heap kept alive per result of `fn` (bytes), measured after forced GCs. */
function retainedBytes(fn: () => unknown, keep = 10): number {
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
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

const baselineDir = process.env.LINT_BENCH_BASELINE;
const baseline = baselineDir ? loadBaseline(baselineDir) : undefined;

console.log(`load average at start: ${loadAverage()}`);
for (const file of files) bench(file);
console.log(`load average at end: ${loadAverage()}`);

function bench(file: string): void {
  const text = readFileSync(file, 'utf8');
  const lintWith = (build: Build) => {
    const store = new build.DocumentStore();
    return () => {
      build.clearMemos();
      return store.lintText(URI, text).result.diagnostics.length;
    };
  };
  const ours: Subject = { name: 'trait-studio', repeat: 3, warmup: 30, run: lintWith({ DocumentStore, clearMemos }) };
  const peer: Subject = {
    name: 'markdownlint (default rules)',
    repeat: 1,
    warmup: 5,
    run: () => markdownlint({ strings: { doc: text }, config: { default: true } }).doc.length,
  };
  const subjects = [ours, ...(baseline ? [{ ...ours, name: `baseline (${baselineDir})`, run: lintWith(baseline) }] : []), peer];

  for (const s of subjects) for (let i = 0; i < s.warmup; i++) timeOnce(s.run);
  const samples = new Map<Subject, Samples>(subjects.map((s) => [s, { wall: [], cpu: [] }]));
  // Per round: each subject's median CPU time, for the rounds' own ratios.
  const roundCpu = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, so that no subject always runs right after the same other one.
    const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]);
    for (const s of order) {
      const cpu: number[] = [];
      for (let i = 0; i < s.repeat; i++) {
        const t = timeOnce(s.run);
        samples.get(s)!.wall.push(t.wall);
        samples.get(s)!.cpu.push(t.cpu);
        cpu.push(t.cpu);
      }
      roundCpu.get(s)!.push(median(cpu));
    }
  }

  console.log(
    `Document: ${file} (${(text.length / 1024).toFixed(0)} KB, ${text.split('\n').length} lines); load average now ${loadAverage()}`,
  );
  for (const s of subjects) {
    const { wall, cpu } = samples.get(s)!;
    console.log(
      `  ${s.name}: CPU median ${ms(median(cpu))}, p95 ${ms(quantile(cpu, 0.95))}; wall median ${ms(median(wall))}, p95 ${ms(quantile(wall, 0.95))} over ${cpu.length} runs (${s.run()} findings)`,
    );
  }
  const p = samples.get(peer)!;
  for (const s of subjects.filter((x) => x !== peer)) {
    const o = samples.get(s)!;
    const perRound = roundCpu.get(peer)!.map((c, i) => c / roundCpu.get(s)![i]);
    console.log(
      `  ${s.name} is faster than markdownlint: CPU ${(median(p.cpu) / median(o.cpu)).toFixed(1)}x (median of the rounds' ratios ${median(perRound).toFixed(1)}x, range ${Math.min(...perRound).toFixed(1)}–${Math.max(...perRound).toFixed(1)}), wall ${(median(p.wall) / median(o.wall)).toFixed(1)}x (goal: >= 20x)`,
    );
  }
  const store = new DocumentStore();
  const relint = Array.from({ length: 30 }, () => timeOnce(() => store.lintText(URI, text)).cpu);
  console.log(`  trait-studio re-lint with the memos warm (unchanged sentences, as after an edit): CPU median ${ms(median(relint))}`);
  console.log(
    `  heap kept per linted document: trait-studio ${mb(retainedBytes(() => new DocumentStore().lintText(URI, text)))}, markdownlint ${mb(
      retainedBytes(() => markdownlint({ strings: { doc: text }, config: { default: true } }).doc),
    )}`,
  );
}

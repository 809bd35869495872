/**
 * Benchmark: lint time on the adversarial documents of bench/adversarial.ts (issue 11, item 1).
 *
 * - Default: a fast-check property, run here and not as a test, that doubling a generated adversarial
 *   document at most ~2.2× its parse + lint time (linear or n log n lint). Each run picks a case and a
 *   size from half to twice the case's calibrated size (its base size, doubled until a lint takes
 *   150 ms of CPU, below which timings are mostly noise) and times the document at that size and at
 *   twice it, each in a fresh process after a warm-up lint (CPU time, best of three, from cold:
 *   memos emptied; a ratio over the bound is measured again, best of five, keeping each size's
 *   best). A failure prints the counterexample; nothing here exits non-zero.
 * - `--table [--cap SECONDS]`: the timing table at the sizes the issue measured, each case in a fresh
 *   process (so its peak RSS is its own) killed after SECONDS of wall-clock time (default 120) and
 *   then reported as "> SECONDS s", with the CPU time it had used by then (which includes generating
 *   the document). `--only NAME` restricts it to one case.
 *
 * Runs the bundled code: `node esbuild.mjs --bench && node --expose-gc --max-semi-space-size=64
 * dist/bench/scaling.js [--table]`. The larger young generation keeps the property from measuring
 * the garbage collector's steps (with the default, a document just past a promotion threshold cost
 * 2.3× its half while 2n → 4n cost 1.8×).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { clearMemos } from '../server/src/analysis/memo';
import { parseTraitDocument } from '../server/src/document/parse';
import { lintDocument } from '../server/src/rules/lint';
import { CASES, findCase } from './adversarial';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * One cold parse + lint of `text`: wall-clock and CPU milliseconds (user + system of this process,
 * which a busy neighbour on a shared machine disturbs far less), and the number of diagnostics.
 */
function lintOnce(text: string): { ms: number; cpuMs: number; diagnostics: number } {
  clearMemos();
  gc?.();
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const { diagnostics } = lintDocument(parseTraitDocument(text));
  const used = process.cpuUsage(cpu);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, diagnostics: diagnostics.length };
}

/** Best of `runs` cold lints, in CPU ms (the least disturbed by a busy neighbour). */
const bestOf = (text: string, runs = 3) => Math.min(...Array.from({ length: runs }, () => lintOnce(text).cpuMs));

// ---------------------------------------------------------------------------------------------
// Child mode: one measurement, printed as JSON.
// ---------------------------------------------------------------------------------------------

function measureHere(name: string, n: number): void {
  const text = findCase(name).generate(n);
  const { ms, cpuMs, diagnostics } = lintOnce(text);
  process.stdout.write(JSON.stringify({ ms, cpuMs, diagnostics, bytes: text.length, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

// ---------------------------------------------------------------------------------------------
// Table mode
// ---------------------------------------------------------------------------------------------

interface Row {
  name: string;
  n: number;
  result: { ms: number; cpuMs: number; diagnostics: number; bytes: number; peakRssMb: number } | undefined;
  /** Peak RSS seen while it ran (also for a run stopped at the cap). */
  peakRssMb: number;
  /** CPU seconds the process had used when it was stopped at the cap (from /proc). */
  cpuAtCap: number;
  capped: boolean;
}

/** User + system CPU seconds of process `pid` so far (Linux /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs one case in a child process, stopping it after `capSeconds`. */
function measure(name: string, n: number, capSeconds: number): Promise<Row> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', '--expose-gc', __filename, '--one', name, String(n)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let peak = 0;
    let cpuAtCap = 0;
    let capped = false;
    child.stdout.on('data', (d) => (out += d));
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
      } catch {
        // The child has exited.
      }
    };
    const sampler = setInterval(sample, 500);
    const timer = setTimeout(() => {
      sample();
      try {
        cpuAtCap = cpuSeconds(child.pid!);
      } catch {
        // It has just exited.
      }
      capped = true;
      child.kill('SIGKILL');
    }, capSeconds * 1000);
    child.on('exit', () => {
      clearInterval(sampler);
      clearTimeout(timer);
      const result = capped || !out ? undefined : (JSON.parse(out) as Row['result']);
      resolve({ name, n, result, peakRssMb: Math.max(peak, result?.peakRssMb ?? 0), cpuAtCap, capped });
    });
  });
}

async function table(capSeconds: number, only: string | undefined): Promise<void> {
  console.log(`Parse + lint from cold, one process per measurement, stopped after ${capSeconds} s.`);
  console.log('case | size | wall time | CPU time | peak RSS | diagnostics');
  for (const c of CASES) {
    if (only && c.name !== only) continue;
    for (const n of c.issueSizes) {
      const row = await measure(c.name, n, capSeconds);
      const time = row.capped ? `> ${capSeconds} s` : row.result ? `${(row.result.ms / 1000).toFixed(2)} s` : 'failed';
      const cpu = row.result ? `${(row.result.cpuMs / 1000).toFixed(2)} s` : row.capped ? `> ${row.cpuAtCap.toFixed(0)} s` : '-';
      const size = `${c.description.replace('{n}', n.toLocaleString('en'))}${row.result ? ` (${(row.result.bytes / 1e6).toFixed(2)} MB)` : ''}`;
      console.log(`${c.name} | ${size} | ${time} | ${cpu} | ${row.peakRssMb.toFixed(0)} MB | ${row.result?.diagnostics ?? '-'}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Default: the doubling property
// ---------------------------------------------------------------------------------------------

const MAX_RATIO = 2.2;
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
/** Below this much CPU a lint's time is mostly noise (GC, compilation): sizes are raised until it is reached. */
const MIN_CPU_MS = 150;

/** Child mode: the best of `runs` cold lints of case `name` at size `n`, in CPU ms, after a warm-up lint at n/8. */
function bestHere(name: string, n: number, runs: number): void {
  const c = findCase(name);
  lintOnce(c.generate(Math.max(2, n >> 3)));
  process.stdout.write(String(bestOf(c.generate(n), runs)));
}

/**
 * Best CPU ms of `runs` lints of case `name` at size `n`, in a fresh process: the heap the bench
 * itself accumulates (previous cases' documents) does not weigh on the measurement.
 */
function bestOfFresh(name: string, n: number, runs = 3): number {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--best', name, String(n), String(runs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`measuring ${name} at ${n} failed: ${child.stderr}`);
  return Number(child.stdout);
}

/** The size, from the case's base size up, at which its lint takes at least MIN_CPU_MS (cached). */
const calibrated = new Map<string, number>();
function calibrate(c: (typeof CASES)[number]): number {
  let n = calibrated.get(c.name);
  if (n !== undefined) return n;
  n = c.baseSize;
  while (n < 64 * c.baseSize && 4 * n <= (c.maxSize ?? Infinity) && bestOfFresh(c.name, n) < MIN_CPU_MS) n *= 2;
  calibrated.set(c.name, n);
  return n;
}

function doublingProperty(runs: number): void {
  const observed: string[] = [];
  const property = fc.property(fc.constantFrom(...CASES), fc.double({ min: 0.5, max: 2, noNaN: true }), (c, factor) => {
    const n = Math.max(2, Math.min(Math.round(calibrate(c) * factor), Math.floor((c.maxSize ?? Infinity) / 2)));
    let a = bestOfFresh(c.name, n);
    let b = bestOfFresh(c.name, 2 * n);
    // On a shared machine one measurement can be disturbed: a ratio over the bound is measured again.
    if (b / a > MAX_RATIO) {
      a = Math.min(a, bestOfFresh(c.name, n, 5));
      b = Math.min(b, bestOfFresh(c.name, 2 * n, 5));
    }
    const ratio = b / Math.max(a, 0.05);
    observed.push(`${c.name} n=${n}: ${a.toFixed(1)} ms CPU → 2n: ${b.toFixed(1)} ms, ×${ratio.toFixed(2)}`);
    return ratio <= MAX_RATIO;
  });
  try {
    fc.assert(property, { numRuns: runs, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });
    console.log(`doubling property held over ${runs} runs (each: lint time of the doubled document ≤ ${MAX_RATIO}× the original's):`);
  } catch (error) {
    console.log(`doubling property FAILED:\n${error instanceof Error ? error.message : String(error)}`);
  }
  for (const line of observed) console.log(`  ${line}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--one') {
  measureHere(argv[1], Number(argv[2]));
} else if (argv[0] === '--best') {
  bestHere(argv[1], Number(argv[2]), Number(argv[3]));
} else if (argv.includes('--table')) {
  const capIndex = argv.indexOf('--cap');
  const onlyIndex = argv.indexOf('--only');
  void table(capIndex >= 0 ? Number(argv[capIndex + 1]) : 120, onlyIndex >= 0 ? argv[onlyIndex + 1] : undefined);
} else {
  const runsIndex = argv.indexOf('--runs');
  doublingProperty(runsIndex >= 0 ? Number(argv[runsIndex + 1]) : 2 * CASES.length);
}

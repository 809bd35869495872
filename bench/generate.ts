/**
 * Benchmark: a generation run of 100 scenarios (10 traits × 10) through runDataset and the real
 * SDK against the fake Gemini server (test/fake-gemini), which answers every request after a fixed
 * latency. The fake runs in a worker thread, as a real server runs elsewhere: on the run's own
 * event loop its work and its clock readings would be the run's delays.
 *
 * 1. No rate limit: wall time against the ideal, requests × latency / concurrency.
 * 2. A per-model request cap: wall time against the ideal the cap allows — the busiest model's N
 *    requests at R per window W take N / R × W — and the most requests the fake saw for one model
 *    within any window, against the cap. Printed too: the ratio to a stricter bound, since a
 *    sliding window lets the first R go at once: (ceil(N / R) - 1) × W plus the last window's
 *    requests at `concurrency` at a time (no schedule reaches it: an item's first request for the
 *    capped model waits for two answers of the other, and its later ones for answers in between).
 *    The window is scaled down from 60 s to 1 s so the run takes seconds: the same sliding-window
 *    rule, 60 times faster (R per second stands for R per minute).
 * Goal: wall time <= 1.2 × the ideal, and the cap never exceeded. Not a test: nothing here fails.
 *
 * Run: npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { runDataset, type RunManifest } from '../server/src/generation/run';
import { GeminiProvider } from '../server/src/llm/gemini';
import { RequestPolicy } from '../server/src/llm/requestPolicy';
import { startFakeGemini, type LoggedRequest } from '../test/fake-gemini/server';
import { benchDocument, benchResponder, shippedTemplates } from './fakeRun';

const TRAITS = 10;
const PER_TRAIT = 10;
const LATENCY_MS = 50;
const CONCURRENCY = 16;
const CAP = 150;
const WINDOW_MS = 1_000;

const DOCUMENT = benchDocument(TRAITS, 'generation runs');

/** What the main thread needs of a logged request. */
type Arrival = Pick<LoggedRequest, 'at' | 'model' | 'action'>;

/** Each scenario gets its own prompt: a word that differs per scenario, so the fake's bag-of-words embeddings tell the prompts apart. */
const respond = benchResponder(
  PER_TRAIT,
  (t, i, idea) => `A user asks about ${idea}: ${'bcdfghjklm'[t % 10].repeat(3 + i)}${'npqrstvwxz'[i % 10].repeat(3 + t)}`,
);

/** The worker: runs the fake; 'log' answers with the arrivals so far and clears them. */
async function serve(): Promise<void> {
  const fake = await startFakeGemini();
  fake.setResponder(respond);
  fake.setLatency(LATENCY_MS);
  parentPort!.on('message', (message: string) => {
    if (message === 'log') {
      parentPort!.postMessage(fake.requests.map(({ at, model, action }) => ({ at, model, action })));
      fake.requests.length = 0;
    } else if (message === 'close') {
      void fake.close().then(() => process.exit(0));
    }
  });
  parentPort!.postMessage(fake.baseUrl);
}

interface Measured {
  manifest: RunManifest;
  wallMs: number;
  arrivals: Arrival[];
}

async function measure(worker: Worker, baseUrl: string, cap?: { requests: number; windowMs: number }): Promise<Measured> {
  const log = () =>
    new Promise<Arrival[]>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage('log');
    });
  await log();
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-bench-generate-'));
  try {
    const start = process.hrtime.bigint();
    const manifest = await runDataset({
      documentPath: 'bench.traits.md',
      documentText: DOCUMENT,
      outDir: join(dir, 'run'),
      perTrait: PER_TRAIT,
      formats: ['openai', 'gemini'],
      midtraining: 0,
      concurrency: CONCURRENCY,
      ...(cap ? { requestsPerMinute: cap.requests, rateWindowMs: cap.windowMs } : {}),
      // The templated prompts share most of their words (the fake's bag-of-words embeddings rate
      // them up to about 0.8 alike): 0.999 keeps them all. Every kept prompt is embedded either way.
      dedupThreshold: 0.999,
      // The policy's own per-minute limit has a fixed 60 s window: the scaled cap is runDataset's.
      provider: new GeminiProvider({
        apiKey: 'bench',
        baseUrl,
        policy: new RequestPolicy({ concurrency: CONCURRENCY, timeoutMs: 30_000 }),
      }),
      providerId: 'gemini',
      templates: shippedTemplates(),
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { manifest, wallMs, arrivals: await log() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Arrival times per model, sorted. */
function perModel(arrivals: readonly Arrival[]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  for (const r of arrivals) by.set(r.model, [...(by.get(r.model) ?? []), r.at]);
  for (const times of by.values()) times.sort((a, b) => a - b);
  return by;
}

/** The most arrivals within any window [t, t + windowMs), per model. */
function busiest(arrivals: readonly Arrival[], windowMs: number): Map<string, number> {
  const most = new Map<string, number>();
  for (const [model, times] of perModel(arrivals)) {
    let best = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= windowMs) j++;
      best = Math.max(best, i - j + 1);
    }
    most.set(model, best);
  }
  return most;
}

function describeRun(m: Measured): string {
  const c = m.manifest.counts;
  const embeds = m.arrivals.filter((r) => r.action === 'batchEmbedContents').length;
  return `${m.arrivals.length} requests (${m.arrivals.length - embeds} generation, ${embeds} embedding batches); ${c.accepted} accepted, ${c.duplicate} duplicates, ${c.failed} failed`;
}

async function main() {
  const worker = new Worker(__filename);
  const baseUrl = await new Promise<string>((resolve) => worker.once('message', resolve));
  try {
    // Warm up the SDK, the JIT and the sockets so the figures are not a cold start.
    await measure(worker, baseUrl);

    const free = await measure(worker, baseUrl);
    const freeIdeal = (free.arrivals.length * LATENCY_MS) / CONCURRENCY;
    console.log(
      `Generation run, ${TRAITS * PER_TRAIT} scenarios, fake Gemini (worker thread) at ${LATENCY_MS} ms a request, concurrency ${CONCURRENCY}:`,
    );
    console.log(`  no rate limit: ${describeRun(free)}`);
    console.log(
      `    wall ${free.wallMs.toFixed(0)} ms; ideal ${freeIdeal.toFixed(0)} ms (requests × latency / concurrency): ${(free.wallMs / freeIdeal).toFixed(2)}× (goal <= 1.2×)`,
    );

    const capped = await measure(worker, baseUrl, { requests: CAP, windowMs: WINDOW_MS });
    const counts = [...perModel(capped.arrivals).values()].map((times) => times.length);
    const byConcurrency = (capped.arrivals.length * LATENCY_MS) / CONCURRENCY;
    // The cap as a rate: the busiest model's N requests at R per window take N / R windows.
    const byRate = Math.max(byConcurrency, ...counts.map((n) => (n / CAP) * WINDOW_MS));
    // Stricter: a sliding window lets the first R go at once, so N requests need only
    // ceil(N / R) - 1 windows, then the last window's requests at `concurrency` at a time.
    const strict = Math.max(
      byConcurrency,
      ...counts.map((n) => {
        const windows = Math.ceil(n / CAP);
        return (windows - 1) * WINDOW_MS + Math.max(1, (n - (windows - 1) * CAP) / CONCURRENCY) * LATENCY_MS;
      }),
    );
    console.log(`  cap ${CAP} requests per model per ${WINDOW_MS / 1000} s window (60 s scaled down to 1 s): ${describeRun(capped)}`);
    console.log(
      `    wall ${capped.wallMs.toFixed(0)} ms; ideal by the cap ${byRate.toFixed(0)} ms (busiest model's requests / cap × window): ${(capped.wallMs / byRate).toFixed(2)}× (goal <= 1.2×)`,
    );
    console.log(
      `    against the strict sliding-window bound ${strict.toFixed(0)} ms (first ${CAP} at once): ${(capped.wallMs / strict).toFixed(2)}×`,
    );
    const models = perModel(capped.arrivals);
    for (const [model, n] of [...busiest(capped.arrivals, WINDOW_MS)].sort()) {
      console.log(
        `    ${model}: ${models.get(model)!.length} requests, at most ${n} in any ${WINDOW_MS} ms window (cap ${CAP})${n > CAP ? ': CAP EXCEEDED' : ''}`,
      );
    }
  } finally {
    worker.postMessage('close');
  }
}

if (isMainThread) void main();
else void serve();

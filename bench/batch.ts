/**
 * Benchmark: a batch-mode generation run of 10,000 scenarios (100 traits × 100) through runDataset,
 * the real SDK and the fake Gemini Batch API (test/fake-gemini/batches.ts), every job succeeding on
 * its second poll and no real wait between polls. Printed: the HTTP requests the run made (batch
 * creates, polls, uploads, downloads) against the synchronous requests the same run would make,
 * the peak resident memory (sampled, the fake included: it runs in this process), and the cost at
 * batch prices against the same tokens at standard prices (goal: 0.5) and against the synchronous
 * estimate (estimateRun). BENCH_BATCH_TRAITS and BENCH_BATCH_PER_TRAIT scale it down. The run folder
 * is in /dev/shm when there is one. Most of its time is the deduplication (every accepted prompt
 * against every earlier one) and the synced appends, as in a synchronous run.
 * Not a test: nothing here fails.
 *
 * Run: npm run bench
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateRun, runDataset } from '../server/src/generation/run';
import { GeminiBatchService } from '../server/src/llm/batch';
import { estimateCost } from '../server/src/llm/cost';
import { GeminiProvider } from '../server/src/llm/gemini';
import { RequestPolicy } from '../server/src/llm/requestPolicy';
import { startFakeGemini } from '../test/fake-gemini/server';
import { RUN_MODELS, RUN_PRICES } from '../test/fake-gemini/runAnswers';
import { benchDocument, benchResponder, shippedTemplates } from './fakeRun';

const TRAITS = Number(process.env.BENCH_BATCH_TRAITS ?? 100);
const PER_TRAIT = Number(process.env.BENCH_BATCH_PER_TRAIT ?? 100);
const MODELS = RUN_MODELS;
const PRICES = RUN_PRICES;

const DOCUMENT = benchDocument(TRAITS, 'batch runs');

/** Each scenario gets a prompt of its own words. */
const respond = benchResponder(PER_TRAIT, (t, i) => `A user asks about w${t}x${i} q${t * 131 + i}z`);

async function main(): Promise<void> {
  const fake = await startFakeGemini();
  fake.setResponder(respond);
  fake.batches.setPlan(() => ['RUNNING', 'SUCCEEDED']);
  // In memory when the machine has /dev/shm: 20,000 synced appends to a disk would be what is measured.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'trait-studio-bench-batch-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const policy = new RequestPolicy({ timeoutMs: 120_000 });
  const stages = shippedTemplates();
  const started = Date.now();
  try {
    const manifest = await runDataset({
      documentPath: 'bench.traits.md',
      documentText: DOCUMENT,
      outDir: join(dir, 'run'),
      perTrait: PER_TRAIT,
      formats: ['openai'],
      midtraining: 0,
      concurrency: 16,
      provider: new GeminiProvider({ apiKey: 'k', baseUrl: fake.baseUrl, policy }),
      providerId: 'gemini',
      models: MODELS,
      prices: PRICES,
      templates: stages,
      batch: { service: new GeminiBatchService({ apiKey: 'k', baseUrl: fake.baseUrl, policy }), sleep: async () => undefined },
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (Date.now() - started) / 1000;
    const items = manifest.counts.total;
    const standard = estimateCost(manifest.usage.byModel, PRICES).usd;
    const estimate = estimateRun({ documentText: DOCUMENT, perTrait: PER_TRAIT, models: MODELS, templates: stages, prices: PRICES });
    const http = fake.batches.http;
    const kinds = (suffix: RegExp) => http.filter((h) => suffix.test(h)).length;
    console.log(
      `batch run: ${items.toLocaleString('en-US')} scenarios (${manifest.counts.accepted} accepted, ${manifest.counts.failed} failed) in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `  HTTP requests: ${http.length + fake.requests.length} (creates ${kinds(/:(batchGenerateContent|asyncBatchEmbedContent)$/)}, polls ${kinds(/^GET \/v1beta\/batches\//)}, synchronous ${fake.requests.length}) vs ${(estimate.requests + Math.ceil(items / 100)).toLocaleString('en-US')} for the synchronous run (ratio ${((http.length + fake.requests.length) / (estimate.requests + Math.ceil(items / 100))).toFixed(5)})`,
    );
    if (manifest.counts.failed) {
      const first = readFileSync(join(dir, 'run', 'rejected.jsonl'), 'utf8').split('\n')[0];
      console.log(`  first failure: ${(JSON.parse(first) as { error: string }).error}`);
    }
    console.log(`  waves: ${manifest.batch!.waves.map((w) => `${w.stage} ${w.requests}`).join(', ')}`);
    console.log(`  peak RSS: ${(peak / 1e6).toFixed(0)} MB (fake included)`);
    console.log(
      `  cost: $${manifest.cost.usd.toFixed(4)} at batch prices vs $${standard.toFixed(4)} for the same tokens at standard prices (ratio ${(manifest.cost.usd / standard).toFixed(3)}; goal 0.5); synchronous estimate $${estimate.usd.toFixed(4)} (ratio ${(manifest.cost.usd / estimate.usd).toFixed(3)})`,
    );
  } finally {
    clearInterval(sampler);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

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
import { TEMPLATE_STAGES, type Template, type TemplateStage } from '../server/src/llm/templates';
import { startFakeGemini, type LoggedRequest, type Reply } from '../test/fake-gemini/server';
import { stageOf } from '../test/fake-gemini/stages';

const TRAITS = Number(process.env.BENCH_BATCH_TRAITS ?? 100);
const PER_TRAIT = Number(process.env.BENCH_BATCH_PER_TRAIT ?? 100);
const MODELS = {
  brainstorm: 'fast-model',
  critique: 'strong-model',
  baseline: 'fast-model',
  response: 'strong-model',
  autorate: 'strong-model',
};
const PRICES = { 'fast-model': { inputPerMillion: 0.5, outputPerMillion: 2 }, 'strong-model': { inputPerMillion: 2, outputPerMillion: 8 } };

const DOCUMENT = [
  '# Overview',
  '',
  'Bench is an assistant used to measure batch runs.',
  '',
  '# Conduct',
  '',
  ...Array.from({ length: TRAITS }, (_, t) => [
    `## Trait number ${t}`,
    '',
    `Bench keeps rule ${t} in every answer, because users rely on rule ${t}.`,
    '',
  ]).flat(),
].join('\n');

/** Well-formed answers for every stage; each scenario gets a prompt of its own words. */
function respond(r: LoggedRequest): Reply {
  const text = JSON.stringify(r.body.contents);
  const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 200, outputTokens: 40 });
  const idea = /trait \d+ idea \d+/.exec(text)?.[0] ?? 'an idea';
  const [t, i] = (idea.match(/\d+/g) ?? ['0', '0']).map(Number);
  const message = `A user asks about w${t}x${i} q${t * 131 + i}z`;
  switch (stageOf(r)) {
    case 'brainstorm': {
      const trait = /rule (\d+)/.exec(text)?.[1] ?? '?';
      return json({
        ideas: Array.from({ length: PER_TRAIT }, (_, k) => ({ what: `trait ${trait} idea ${k}`, how: 'plainly', why: 'trust' })),
      });
    }
    case 'scenario':
      return json({ message });
    case 'critique':
      return json({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' });
    case 'sharpen':
      return json({ sharpened: false, reason: 'specific enough', message });
    case 'autorate':
      return json({ score: 8, verdict: 'keep', reasons: 'fine' });
    case 'baseline':
      return { kind: 'text', text: 'A generic answer.', inputTokens: 40, outputTokens: 80 };
    default:
      return { kind: 'text', text: 'An answer that embodies the trait.', inputTokens: 400, outputTokens: 120 };
  }
}

/** The shipped templates: built, this file is dist/bench/batch.js and they are in dist/prompts. */
function templates(): Record<TemplateStage, Template> {
  return Object.fromEntries(
    TEMPLATE_STAGES.map((stage) => {
      const path = join(__dirname, '..', 'prompts', `${stage}.md`);
      return [stage, { stage, path, text: readFileSync(path, 'utf8') }];
    }),
  ) as Record<TemplateStage, Template>;
}

async function main(): Promise<void> {
  const fake = await startFakeGemini();
  fake.setResponder(respond);
  fake.batches.setPlan(() => ['RUNNING', 'SUCCEEDED']);
  // In memory when the machine has /dev/shm: 20,000 synced appends to a disk would be what is measured.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'trait-studio-bench-batch-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const policy = new RequestPolicy({ timeoutMs: 120_000 });
  const stages = templates();
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

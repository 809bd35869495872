import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readManifest, runDataset, type RunOptions } from '../../server/src/generation/run';
import { GeminiBatchService } from '../../server/src/llm/batch';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { distinctPrompts } from '../fake-gemini/distinctPrompts';
import { ASTER_DOCUMENT, RUN_MODELS, RUN_PRICES, runResponder } from '../fake-gemini/runAnswers';
import { startFakeGemini, type FakeGemini, type LoggedRequest } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const DOC_TEXT = ASTER_DOCUMENT;
const MODELS = RUN_MODELS;
const PRICES = RUN_PRICES;
const templates = loadTemplates(TEMPLATE_STAGES);
/** The stages' waves of a clean run, in order. */
const STAGES = ['brainstorm', 'scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate', 'embed'];

describe('batch-mode runs (real SDK, fake Gemini Batch API)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'trait-studio-batch-'));
    dirs.push(dir);
    return dir;
  };
  const policy = () => new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000, concurrency: 8 });
  const sleeps: number[] = [];
  const batch = (inlineLimitBytes?: number) => ({
    service: new GeminiBatchService({ apiKey: 'k', baseUrl: fake.baseUrl, policy: policy(), inlineLimitBytes }),
    sleep: async (ms: number) => void sleeps.push(ms),
  });
  const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions => ({
    documentPath: '/docs/aster.traits.md',
    documentText: DOC_TEXT,
    outDir,
    perTrait: 3,
    formats: ['openai', 'gemini'],
    midtraining: 0,
    concurrency: 4,
    provider: new GeminiProvider({ apiKey: 'k', baseUrl: fake.baseUrl, policy: policy() }),
    providerId: 'gemini',
    models: MODELS,
    prices: PRICES,
    templates,
    ...more,
  });
  const lines = (path: string): Record<string, unknown>[] =>
    existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  /** A run folder's item files, each line without its time, sorted by id: what both modes must write alike. */
  const outputs = (dir: string) => {
    const strip = (l: Record<string, unknown>) => JSON.stringify({ ...l, at: undefined });
    return Object.fromEntries(
      ['records.jsonl', 'rejected.jsonl', 'sft.openai.jsonl', 'sft.gemini.jsonl'].map((f) => [f, lines(join(dir, f)).map(strip).sort()]),
    );
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 12);
  });
  after(async () => {
    await fake.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.batches.http.length = 0;
    fake.batches.setPlan(() => ['PENDING', 'RUNNING', 'SUCCEEDED']);
    sleeps.length = 0;
  });

  it('writes the same files as a synchronous run, one job per stage, at half the cost', async () => {
    // The autorater rejects one idea, so both files are compared.
    const verdict = (r: LoggedRequest) => (JSON.stringify(r.body.contents).includes(pool[1]) ? ('reject' as const) : ('keep' as const));
    // One responder for both runs: it hands each idea the same final prompt in both.
    const responder = runResponder(pool, { verdict });
    fake.setResponder(responder);
    const syncDir = join(tempDir(), 'sync');
    const sync = await runDataset(options(syncDir));
    const syncCalls = fake.requests.length;
    assert.equal(fake.batches.http.length, 0);

    fake.requests.length = 0;
    fake.batches.setPlan(() => ['PENDING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED']);
    const batchDir = join(tempDir(), 'batch');
    const manifest = await runDataset(options(batchDir, { batch: batch() }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(outputs(batchDir), outputs(syncDir));
    assert.ok(outputs(batchDir)['rejected.jsonl'].length > 0 && outputs(batchDir)['records.jsonl'].length > 0);
    // No synchronous model call; one job per stage, each answered once.
    assert.deepEqual(fake.requests.map(stageOf), []);
    assert.ok(syncCalls > 0);
    assert.deepEqual(
      manifest.batch!.waves.map((w) => [w.stage, w.state, w.failed]),
      STAGES.map((s) => [s, 'SUCCEEDED', 0]),
    );
    assert.deepEqual(
      manifest.batch!.waves.slice(0, 2).map((w) => w.requests),
      [2, 6],
    );
    assert.ok([...fake.batches.creates.values()].every((n) => n === 1));
    assert.deepEqual(manifest.counts, sync.counts);
    assert.deepEqual(manifest.usage, sync.usage);
    assert.ok(sync.cost.usd > 0);
    assert.ok(Math.abs(manifest.cost.usd - sync.cost.usd / 2) < 1e-12, `${manifest.cost.usd} vs ${sync.cost.usd}`);
    // The poll backed off: each wait longer than the one before, within a job.
    assert.deepEqual(sleeps.slice(0, 4), [10_000, 15_000, 22_500, 10_000]);
  });

  it('goes through an uploaded JSONL file above the inline limit, with the same outputs', async () => {
    fake.setResponder(runResponder(pool));
    const inlineDir = join(tempDir(), 'inline');
    await runDataset(options(inlineDir, { perTrait: 2, batch: batch() }));
    fake.batches.http.length = 0;
    const fileDir = join(tempDir(), 'file');
    const manifest = await runDataset(options(fileDir, { perTrait: 2, batch: batch(10) }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(outputs(fileDir), outputs(inlineDir));
    const uploads = fake.batches.http.filter((h) => h.startsWith('POST /upload/v1beta/files') && h.includes('finalize')).length;
    const downloads = fake.batches.http.filter((h) => h.endsWith(':download')).length;
    assert.equal(uploads, STAGES.length);
    assert.equal(downloads, STAGES.length);
  });

  it('sends requests that failed inside a job into the next wave once, then rejects them with the reason', async () => {
    fake.setResponder(runResponder(pool));
    // Every other request of the critique wave fails, in its retry wave too.
    fake.batches.setPlan((job) =>
      job.displayName.endsWith('critique') ? ['RUNNING', 'PARTIALLY_SUCCEEDED'] : ['PENDING', 'RUNNING', 'SUCCEEDED'],
    );
    const dir = join(tempDir(), 'run');
    const manifest = await runDataset(options(dir, { perTrait: 2, batch: batch() }));
    const critiques = manifest.batch!.waves.filter((w) => w.stage === 'critique');
    assert.deepEqual(
      critiques.map((w) => [w.reason, w.requests, w.failed, w.state]),
      [
        ['stage', 4, 2, 'PARTIALLY_SUCCEEDED'],
        ['retry', 2, 1, 'PARTIALLY_SUCCEEDED'],
      ],
    );
    const rejected = lines(join(dir, 'rejected.jsonl'));
    assert.equal(rejected.length, 1);
    assert.match(String(rejected[0].error), /^critique: failed inside two batch jobs: 500 fake request failure/);
    assert.equal(lines(join(dir, 'records.jsonl')).length, 3);
  });

  it('a submit that failed on the way is looked up by its display name before it is tried again: no job made twice', async () => {
    fake.setResponder(runResponder(pool));
    fake.batches.setPlan(() => ['SUCCEEDED']);
    // The scenario wave's create is refused once (503), then made but its answer lost.
    let seen = 0;
    const service = new GeminiBatchService({ apiKey: 'k', baseUrl: fake.baseUrl, policy: policy() });
    const submit = service.submitGenerate.bind(service);
    service.submitGenerate = (model, requests, displayName, signal) => {
      if (displayName.endsWith('scenario') && seen++ === 0) fake.batches.failCreates('before', 'after');
      return submit(model, requests, displayName, signal);
    };
    const dir = join(tempDir(), 'run');
    const manifest = await runDataset(options(dir, { perTrait: 1, batch: { service, sleep: async () => undefined } }));
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.counts.accepted, 2);
    const scenario = manifest.batch!.waves.find((w) => w.stage === 'scenario')!;
    assert.equal(fake.batches.creates.get(scenario.displayName), 1);
    assert.ok(
      fake.batches.http.some((h) => h === 'GET /v1beta/batches'),
      'the lost job was looked up',
    );
  });

  it('sends the requests of a FAILED job into the next wave, and makes midtraining documents in waves too', async () => {
    const responder = runResponder(pool);
    fake.setResponder(responder);
    const syncDir = join(tempDir(), 'sync');
    await runDataset(options(syncDir, { perTrait: 1, midtraining: 3 }));
    let failed = 0;
    fake.batches.setPlan((job) => (job.displayName.endsWith('baseline') && failed++ === 0 ? ['RUNNING', 'FAILED'] : ['SUCCEEDED']));
    const dir = join(tempDir(), 'batch');
    const manifest = await runDataset(options(dir, { perTrait: 1, midtraining: 3, batch: batch() }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(
      manifest.batch!.waves.filter((w) => w.stage === 'baseline').map((w) => [w.reason, w.state, w.requests]),
      [
        ['stage', 'FAILED', 2],
        ['retry', 'SUCCEEDED', 2],
      ],
    );
    assert.equal(manifest.counts.accepted, 2);
    assert.deepEqual(manifest.counts.midtraining, { total: 3, written: 3, failed: 0, pending: 0 });
    const docs = (d: string) =>
      lines(join(d, 'midtraining.jsonl'))
        .map((l) => JSON.stringify(l))
        .sort();
    assert.deepEqual(docs(dir), docs(syncDir));
    // Ideas, drafts, critiques: one wave each for the three documents.
    assert.equal(manifest.batch!.waves.filter((w) => w.stage === 'midtraining').length, 3);
  });

  it('embeds every prompt of a stage in one wave, past the 100 texts of a synchronous embedding call', async () => {
    fake.setResponder(runResponder(await distinctPrompts(fake, 101)));
    const dir = join(tempDir(), 'wide');
    const manifest = await runDataset(options(dir, { perTrait: 101, traits: ['admit-mistakes'], batch: batch() }));
    assert.equal(manifest.counts.accepted, 101);
    assert.deepEqual(
      manifest.batch!.waves.filter((w) => w.stage === 'embed').map((w) => w.requests),
      [101],
    );
  });

  it('keeps every midtraining document in flight at once, past the 64 a synchronous run holds', async () => {
    fake.setResponder(runResponder(pool));
    const dir = join(tempDir(), 'many');
    const manifest = await runDataset(options(dir, { perTrait: 1, traits: ['admit-mistakes'], midtraining: 65, batch: batch() }));
    assert.deepEqual(manifest.counts.midtraining, { total: 65, written: 65, failed: 0, pending: 0 });
    // Five types of 13 documents; ideas come ten per call, a type's second call after its first. So:
    // the first idea calls; the second ones with the 50 drafts of the first ideas; those 50
    // critiques; the 15 other drafts; their critiques. No wave is cut at the 64 a synchronous run
    // keeps in flight (which splits each of the last two into 14 and 1).
    const waves = manifest.batch!.waves.filter((w) => w.stage === 'midtraining');
    assert.deepEqual(
      waves.map((w) => w.requests),
      [5, 55, 50, 15, 15],
    );
  });

  it('resubmits an expired job once, and fails its items when it expires again', async () => {
    fake.setResponder(runResponder(pool));
    let expired = 0;
    fake.batches.setPlan((job) => (job.displayName.endsWith('response') && expired++ < 1 ? ['RUNNING', 'EXPIRED'] : ['SUCCEEDED']));
    const dir = join(tempDir(), 'once');
    const manifest = await runDataset(options(dir, { perTrait: 1, batch: batch() }));
    assert.deepEqual(
      manifest.batch!.waves.filter((w) => w.stage === 'response').map((w) => [w.reason, w.state]),
      [
        ['stage', 'EXPIRED'],
        ['expired', 'SUCCEEDED'],
      ],
    );
    assert.equal(manifest.counts.accepted, 2);

    fake.batches.setPlan((job) => (job.displayName.endsWith('response') ? ['EXPIRED'] : ['SUCCEEDED']));
    const twice = join(tempDir(), 'twice');
    const failed = await runDataset(options(twice, { perTrait: 1, batch: batch() }));
    assert.equal(failed.counts.failed, 2);
    assert.match(String(lines(join(twice, 'rejected.jsonl'))[0].error), /^response: .*expired twice/);
  });

  it('asks a request that failed inside a job again in a retry wave, and fails its item when it fails there too', async () => {
    const answer = runResponder(pool);
    fake.setResponder((r) => (stageOf(r) === 'response' ? { kind: 'status', status: 500, message: 'no answer today' } : answer(r)));
    const dir = join(tempDir(), 'failing');
    const manifest = await runDataset(options(dir, { perTrait: 1, traits: ['admit-mistakes'], batch: batch() }));
    assert.deepEqual(
      manifest.batch!.waves.filter((w) => w.stage === 'response').map((w) => [w.reason, w.state, w.requests]),
      [
        ['stage', 'SUCCEEDED', 1],
        ['retry', 'SUCCEEDED', 1],
      ],
    );
    assert.equal(manifest.counts.failed, 1);
    assert.match(String(lines(join(dir, 'rejected.jsonl'))[0].error), /^response: failed inside two batch jobs: .*no answer today/);

    // A job that fails as a whole answers none of its requests: each says how the job ended.
    fake.setResponder(answer);
    fake.batches.setPlan((job) => (job.displayName.endsWith('response') ? ['FAILED'] : ['SUCCEEDED']));
    const whole = join(tempDir(), 'whole');
    assert.equal((await runDataset(options(whole, { perTrait: 1, traits: ['admit-mistakes'], batch: batch() }))).counts.failed, 1);
    assert.match(
      String(lines(join(whole, 'rejected.jsonl'))[0].error),
      /^response: failed inside two batch jobs: the batch job ended FAILED$/,
    );
  });

  it('cancels the jobs in flight when stopped, records it, and a rerun finishes by submitting them anew', async () => {
    fake.setResponder(runResponder(pool));
    fake.batches.setPlan((job) => (job.displayName.endsWith('sharpen') ? ['HOLD'] : ['SUCCEEDED']));
    const dir = join(tempDir(), 'run');
    const stop = new AbortController();
    const stopping = runDataset(
      options(dir, {
        perTrait: 1,
        batch: { ...batch(), sleep: async () => void stop.abort(new Error('stopped')) },
        signal: stop.signal,
      }),
    );
    const stopped = await stopping;
    assert.equal(stopped.status, 'cancelled');
    const sharpen = stopped.batch!.waves.find((w) => w.stage === 'sharpen')!;
    assert.equal(sharpen.state, 'CANCELLED');
    assert.equal(sharpen.cancelledByUser, true);
    assert.ok(fake.batches.http.some((h) => h === `POST /v1beta/${sharpen.job}:cancel`));
    assert.equal(readManifest(dir)!.batch!.waves.length, stopped.batch!.waves.length);

    fake.batches.setPlan(() => ['SUCCEEDED']);
    const creates = [...fake.batches.creates.values()].reduce((a, b) => a + b, 0);
    const done = await runDataset(options(dir, { perTrait: 1, batch: batch() }));
    assert.equal(done.status, 'completed');
    assert.equal(done.counts.accepted, 2);
    // Only the cancelled wave and those after it were submitted again.
    const created = [...fake.batches.creates.values()].reduce((a, b) => a + b, 0) - creates;
    assert.equal(created, STAGES.length - STAGES.indexOf('sharpen'));
  });
});

import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runDataset, RunError, type RunOptions } from '../../server/src/generation/run';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { distinctPrompts } from '../fake-gemini/distinctPrompts';
import { RUN_MODELS, runResponder } from '../fake-gemini/runAnswers';
import { fakeBatchService, jsonLines, runTestOptions, tempDirs, testPolicy } from '../fake-gemini/runSetup';
import { startFakeGemini, type FakeGemini, type LoggedRequest } from '../fake-gemini/server';
import { startFakeOpenAI } from '../fake-openai/server';
import { stageOf } from '../fake-gemini/stages';

const STAGES = ['brainstorm', 'scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate', 'embed'];

/** How a batch-mode run's waves meet a failing Batch API: submits, answers, embeddings, a cache, a stop. */
describe('batch waves against a failing Batch API (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs = tempDirs('trait-studio-waves-');
  const tempDir = () => join(dirs.make(), 'run');
  const service = () => fakeBatchService(fake);
  let sleeps: number[];
  const options = (outDir: string, more: Partial<RunOptions> = {}, batch: Partial<NonNullable<RunOptions['batch']>> = {}): RunOptions =>
    runTestOptions(fake, outDir, {
      concurrency: 4,
      batch: { service: service(), sleep: async (ms) => void sleeps.push(ms), pollMs: 1000, ...batch },
      ...more,
    });
  const lines = (path: string) => jsonLines(path, { missingIsEmpty: true });
  const creates = () => fake.batches.http.filter((h) => h.endsWith(':batchGenerateContent')).length;
  /**
   * A batch `sleep` that copies the run folder `dir` the first time the run waits for a job (where
   * the process "dies"; the copy is what a rerun resumes), then lets the held jobs go on.
   */
  const killAtFirstWait = (dir: string) => {
    let killed: string | undefined;
    return {
      sleep: async () => {
        if (!killed) {
          killed = `${dir}-killed`;
          cpSync(dir, killed, { recursive: true });
        }
        fake.batches.release();
      },
      copy: () => {
        assert.ok(killed, 'the run never waited for a job');
        return killed;
      },
    };
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 8);
  });
  after(async () => {
    await fake.close();
    dirs.removeAll();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.batches.http.length = 0;
    fake.setResponder(runResponder(pool));
    fake.batches.setPlan(() => ['SUCCEEDED']);
    sleeps = [];
  });

  it('looks a refused submit up by its display name, tries again backing off, and fails the items after three tries', async () => {
    fake.batches.failCreates('before', 'before');
    const log: string[] = [];
    const dir = tempDir();
    const manifest = await runDataset(options(dir, { onLog: (l) => log.push(l) }, { maxPollMs: 1200 }));
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.counts.accepted, 2);
    assert.deepEqual(sleeps, [1000, 1200]);
    // Seven generation waves (the embedding wave is another route), the first created on its third try.
    assert.equal(creates(), 7 + 2);
    assert.equal(fake.batches.http.filter((h) => h === 'GET /v1beta/batches').length, 2);
    const retried = log.filter((l) => l.startsWith('batch: submitting the brainstorm wave failed ('));
    assert.equal(retried.length, 2, log.join('\n'));
    assert.ok(retried.every((l) => l.endsWith('); looking for it before trying again')));
    assert.deepEqual(
      manifest.batch!.waves.map((w) => w.stage),
      STAGES,
    );

    fake.batches.http.length = 0;
    sleeps = [];
    fake.batches.failCreates('before', 'before', 'before');
    const failing = tempDir();
    const failed = await runDataset(options(failing));
    assert.equal(failed.counts.failed, 2);
    assert.deepEqual(sleeps, [1000, 1500]);
    assert.equal(creates(), 3);
    assert.ok(
      lines(join(failing, 'rejected.jsonl')).every((r) => /^brainstorm: .*503/.test(String(r.error))),
      JSON.stringify(lines(join(failing, 'rejected.jsonl'))),
    );
    assert.equal(failed.batch!.waves[0].state, 'SUBMITTING');

    // A refusal that is no passing fault is not tried again.
    fake.batches.http.length = 0;
    sleeps = [];
    const refusing = service();
    refusing.submitGenerate = () => Promise.reject(Object.assign(new Error('bad request'), { status: 400 }));
    const refused = await runDataset(options(tempDir(), {}, { service: refusing }));
    assert.equal(refused.counts.failed, 2);
    assert.deepEqual(sleeps, []);
    assert.equal(fake.batches.http.filter((h) => h === 'GET /v1beta/batches').length, 0);
  });

  it('fails the items whose texts failed inside the embedding job, and resubmits an expired one once', async () => {
    fake.batches.setPlan((job) => (job.displayName.endsWith(' embed') ? ['PARTIALLY_SUCCEEDED'] : ['SUCCEEDED']));
    const dir = tempDir();
    const manifest = await runDataset(options(dir));
    assert.deepEqual([manifest.counts.accepted, manifest.counts.failed], [1, 1]);
    const [failed] = lines(join(dir, 'rejected.jsonl'));
    assert.match(String(failed.error), /^embed: embedding failed inside the batch job: .*fake embedding failure/);
    const embed = manifest.batch!.waves.at(-1)!;
    assert.deepEqual([embed.stage, embed.requests, embed.failed, embed.state], ['embed', 2, 1, 'PARTIALLY_SUCCEEDED']);
    assert.match(embed.digest ?? '', /^[0-9a-f]{64}$/);

    let expired = 0;
    fake.batches.setPlan((job) => (job.displayName.endsWith(' embed') && expired++ < 1 ? ['EXPIRED'] : ['SUCCEEDED']));
    const once = await runDataset(options(tempDir()));
    assert.equal(once.counts.accepted, 2);
    assert.deepEqual(
      once.batch!.waves.filter((w) => w.stage === 'embed').map((w) => [w.reason, w.state]),
      [
        ['stage', 'EXPIRED'],
        ['expired', 'SUCCEEDED'],
      ],
    );

    fake.batches.setPlan((job) => (job.displayName.endsWith(' embed') ? ['EXPIRED'] : ['SUCCEEDED']));
    const twice = tempDir();
    const lost = await runDataset(options(twice));
    assert.equal(lost.counts.failed, 2);
    assert.ok(lines(join(twice, 'rejected.jsonl')).every((r) => /^embed: .*the embedding batch job expired twice/.test(String(r.error))));
  });

  it('asks a blocked answer again in the next wave, then fails its item with the finish reason', async () => {
    const good = runResponder(pool);
    fake.setResponder((r: LoggedRequest) =>
      stageOf(r) === 'autorate' && JSON.stringify(r.body.contents).includes(pool[0])
        ? { kind: 'blocked', finishReason: 'SAFETY' }
        : good(r),
    );
    const dir = tempDir();
    const manifest = await runDataset(options(dir));
    assert.deepEqual([manifest.counts.accepted, manifest.counts.failed], [1, 1]);
    assert.match(String(lines(join(dir, 'rejected.jsonl'))[0].error), /^autorate: .*finish reason SAFETY/);
    assert.deepEqual(
      manifest.batch!.waves.filter((w) => w.stage === 'autorate').map((w) => w.requests),
      [2, 1],
    );
  });

  it('a run killed while a re-asked request is in its job is answered by that job on the rerun', async () => {
    // pool[0]'s autorate is blocked: asked in the first autorate wave, asked again in a second, which holds.
    const good = runResponder(pool);
    fake.setResponder((r: LoggedRequest) =>
      stageOf(r) === 'autorate' && JSON.stringify(r.body.contents).includes(pool[0])
        ? { kind: 'blocked', finishReason: 'SAFETY' }
        : good(r),
    );
    let autorateJobs = 0;
    fake.batches.setPlan((job) => (job.displayName.endsWith(' autorate') && ++autorateJobs === 2 ? ['HOLD'] : ['SUCCEEDED']));
    const dir = tempDir();
    const kill = killAtFirstWait(dir);
    const whole = await runDataset(options(dir, {}, { sleep: kill.sleep }));
    const killed = kill.copy();
    assert.deepEqual([whole.counts.accepted, whole.counts.failed], [1, 1]);
    const before = creates();
    const resumed = await runDataset(options(killed));
    assert.deepEqual([resumed.counts.accepted, resumed.counts.failed], [1, 1]);
    assert.match(String(lines(join(killed, 'rejected.jsonl'))[0].error), /^autorate: .*finish reason SAFETY/);
    assert.equal(creates(), before, 'a job the killed run paid for was submitted again');
    assert.deepEqual(
      resumed.batch!.waves.filter((w) => w.stage === 'autorate').map((w) => w.requests),
      [2, 1],
    );
    rmSync(killed, { recursive: true, force: true });
  });

  it('answers from the cache without a wave, and sends only what the cache lacks', async () => {
    const cache = new MemoryAnswerCache();
    const first = await runDataset(options(tempDir(), { cache, traits: ['admit-mistakes'] }));
    assert.deepEqual(
      first.batch!.waves.map((w) => w.stage),
      STAGES,
    );
    const second = await runDataset(options(tempDir(), { cache, traits: ['admit-mistakes'] }));
    assert.equal(second.status, 'completed');
    assert.equal(second.counts.accepted, 1);
    assert.deepEqual(second.batch!.waves, []);
    // Another trait too: only its calls go out, still one wave per stage.
    const wider = await runDataset(options(tempDir(), { cache }));
    assert.equal(wider.counts.accepted, 2);
    assert.deepEqual(
      wider.batch!.waves.map((w) => [w.stage, w.requests]),
      STAGES.map((s) => [s, 1]),
    );
  });

  it('logs a cancel that fails, still stops, and refuses to resume a batch-mode run synchronously', async () => {
    fake.batches.setPlan((job) => (job.displayName.endsWith(' critique') ? ['HOLD'] : ['SUCCEEDED']));
    const stop = new AbortController();
    const stubborn = service();
    stubborn.cancel = () => Promise.reject(new Error('cannot cancel now'));
    const log: string[] = [];
    const dir = tempDir();
    const stopped = await runDataset(
      options(
        dir,
        { signal: stop.signal, onLog: (l) => log.push(l) },
        { service: stubborn, sleep: async () => void stop.abort(new Error('stop')) },
      ),
    );
    assert.equal(stopped.status, 'cancelled');
    const critique = stopped.batch!.waves.at(-1)!;
    assert.equal(critique.stage, 'critique');
    assert.notEqual(critique.state, 'CANCELLED');
    assert.equal(critique.cancelledByUser, undefined);
    assert.ok(log.includes(`batch: could not cancel ${critique.job}: cannot cancel now`), log.join('\n'));
    fake.batches.release();

    const sync = options(dir);
    await assert.rejects(
      runDataset({ ...sync, batch: undefined }),
      (e: unknown) =>
        e instanceof RunError && e.code === 'usage' && /holds a batch-mode run: resume it in batch mode \(--batch\)/.test(e.message),
    );
  });

  it('waits between polls on its own clock, and a stop during the wait cancels the job', async () => {
    // No sleep given: the engine's own, 5 ms then 7.5 ms.
    fake.batches.setPlan(() => ['PENDING', 'RUNNING', 'SUCCEEDED']);
    const waited = await runDataset(options(tempDir(), {}, { sleep: undefined, pollMs: 5 }));
    assert.equal(waited.counts.accepted, 2);

    fake.batches.setPlan((job) => (job.displayName.endsWith(' scenario') ? ['HOLD'] : ['SUCCEEDED']));
    const stop = new AbortController();
    const stopped = await runDataset(
      options(
        tempDir(),
        {
          signal: stop.signal,
          onLog: (l) => l.startsWith('batch: scenario wave submitted') && setImmediate(() => stop.abort(new Error('stop'))),
        },
        { sleep: undefined, pollMs: 60_000 },
      ),
    );
    assert.equal(stopped.status, 'cancelled');
    const scenario = stopped.batch!.waves.at(-1)!;
    assert.deepEqual([scenario.stage, scenario.state, scenario.cancelledByUser], ['scenario', 'CANCELLED', true]);
    fake.batches.release();
  });

  it('waits for a separate baseline endpoint before sending the next wave: one wave per stage still', async () => {
    const openai = await startFakeOpenAI();
    try {
      openai.setResponder(() => ({ kind: 'text', text: 'A generic local answer.' }));
      const manifest = await runDataset(
        options(tempDir(), {
          perTrait: 2,
          baselineProvider: new OpenAICompatibleProvider({ baseUrl: openai.baseUrl, policy: testPolicy() }),
          baselineProviderId: 'local',
          models: { ...RUN_MODELS, baseline: 'local-model' },
        }),
      );
      assert.equal(manifest.counts.accepted, 4);
      assert.equal(openai.requests.length, 4);
      assert.deepEqual(
        manifest.batch!.waves.map((w) => [w.stage, w.requests]),
        STAGES.filter((s) => s !== 'baseline').map((s) => [s, s === 'brainstorm' ? 2 : 4]),
      );
    } finally {
      await openai.close();
    }
  });

  it('a run killed while its embedding job runs is answered by that job on the rerun', async () => {
    fake.batches.setPlan((job) => (job.displayName.endsWith(' embed') ? ['HOLD'] : ['SUCCEEDED']));
    const dir = tempDir();
    const kill = killAtFirstWait(dir);
    const whole = await runDataset(options(dir, {}, { sleep: kill.sleep }));
    const killed = kill.copy();
    assert.equal(whole.counts.accepted, 2);
    const before = fake.batches.http.filter((h) => h.endsWith(':asyncBatchEmbedContent')).length;
    const resumed = await runDataset(options(killed));
    assert.equal(resumed.counts.accepted, 2);
    assert.equal(
      fake.batches.http.filter((h) => h.endsWith(':asyncBatchEmbedContent')).length,
      before,
      'the embedding wave was submitted again',
    );
    assert.deepEqual(
      resumed.batch!.waves.map((w) => [w.stage, w.state]),
      STAGES.map((s) => [s, 'SUCCEEDED']),
    );
    rmSync(killed, { recursive: true, force: true });
  });
});

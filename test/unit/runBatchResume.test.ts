import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readManifest, runDataset, type RunOptions } from '../../server/src/generation/run';
import { distinctPrompts } from '../fake-gemini/distinctPrompts';
import { runResponder } from '../fake-gemini/runAnswers';
import { fakeBatchService, jsonLines, runTestOptions, tempDirs } from '../fake-gemini/runSetup';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';

/**
 * Batch-mode runs resumed after the process died at each point of a wave's life (a copy of the run
 * folder taken at that moment is what a kill -9 leaves), and jobs whose results lag their state.
 * The in-process counterpart of batchCli's kill test, so the mutation run sees it.
 */
describe('batch-mode runs resumed after a kill (real SDK, fake Batch API)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs = tempDirs('trait-studio-batch-resume-');
  const tempDir = dirs.make;
  const service = () => fakeBatchService(fake);
  const options = (outDir: string, batch: RunOptions['batch']): RunOptions => runTestOptions(fake, outDir, { concurrency: 4, batch });
  const lines = (path: string) => jsonLines(path, { missingIsEmpty: true });
  /** The item files without their times, sorted: what an interrupted and an uninterrupted run must both write. */
  const outputs = (dir: string) =>
    Object.fromEntries(
      ['records.jsonl', 'rejected.jsonl', 'sft.openai.jsonl'].map((f) => [
        f,
        lines(join(dir, f))
          .map((l) => JSON.stringify({ ...l, at: undefined }))
          .sort(),
      ]),
    );
  const created = () => [...fake.batches.creates.values()].reduce((a, b) => a + b, 0);
  /** Copies the run folder as it is now: what a process killed at this moment leaves. */
  const snapshot = (dir: string) => {
    const copy = join(tempDir(), 'killed');
    cpSync(dir, copy, { recursive: true });
    return copy;
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 4);
  });
  after(async () => {
    await fake.close();
    dirs.removeAll();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder(runResponder(pool));
    fake.batches.setPlan(() => ['SUCCEEDED']);
  });

  it('a run killed while a job runs polls that job on the rerun: no wave is submitted twice, the same files result', async () => {
    // The sharpen job runs until released; the first wait for it is where the process "dies".
    fake.batches.setPlan((job) => (job.displayName.endsWith(' sharpen') ? ['HOLD'] : ['SUCCEEDED']));
    const dir = join(tempDir(), 'run');
    let killed: string | undefined;
    const whole = await runDataset(
      options(dir, {
        service: service(),
        sleep: async () => {
          killed ??= snapshot(dir);
          fake.batches.release();
        },
      }),
    );
    assert.equal(whole.status, 'completed');
    assert.ok(killed, 'the run never waited for its sharpen job');
    const atKill = readManifest(killed)!;
    const sharpen = atKill.batch!.waves.at(-1)!;
    assert.equal(sharpen.stage, 'sharpen');
    assert.match(sharpen.job ?? '', /^batches\//);
    assert.ok(['PENDING', 'RUNNING'].includes(sharpen.state), sharpen.state);
    assert.equal(lines(join(killed, 'records.jsonl')).length, 0);

    const before = created();
    const log: string[] = [];
    const resumed = await runDataset({
      ...options(killed, { service: service(), sleep: async () => undefined }),
      onLog: (l) => log.push(l),
    });
    assert.equal(resumed.status, 'completed');
    assert.deepEqual(outputs(killed), outputs(dir));
    assert.deepEqual(resumed.counts, whole.counts);
    assert.equal(resumed.timings.sessions, 2);
    // The waves before the kill answered the replayed items from their jobs; only the stages after sharpen were submitted.
    assert.equal(created() - before, 3);
    assert.equal(fake.batches.creates.get(sharpen.displayName), 1);
    assert.deepEqual(
      resumed.batch!.waves.map((w) => [w.stage, w.job, w.state]),
      [
        ...atKill.batch!.waves.slice(0, -1).map((w) => [w.stage, w.job, 'SUCCEEDED']),
        ['sharpen', sharpen.job, 'SUCCEEDED'],
        ['response', resumed.batch!.waves[5].job, 'SUCCEEDED'],
        ['autorate', resumed.batch!.waves[6].job, 'SUCCEEDED'],
        ['embed', resumed.batch!.waves[7].job, 'SUCCEEDED'],
      ],
    );
    assert.equal(resumed.batch!.runId, atKill.batch!.runId);
    assert.ok(resumed.batch!.waves.slice(5).every((w) => w.displayName.startsWith(`trait-studio ${atKill.batch!.runId} wave `)));
    assert.ok(
      log.some((l) => l.startsWith('resuming: 0 of 2 items done')),
      log.join('\n'),
    );
  });

  it('a run killed before the API named its job finds the job by its display name; one never made is submitted anew', async () => {
    const reference = join(tempDir(), 'reference');
    await runDataset(options(reference, { service: service(), sleep: async () => undefined }));

    // Killed after the wave was recorded SUBMITTING, while the create was on its way (it still made the job).
    const dir = join(tempDir(), 'made');
    let killed: string | undefined;
    const made = service();
    const submit = made.submitGenerate.bind(made);
    made.submitGenerate = (model, requests, displayName, signal) => {
      if (displayName.endsWith(' critique')) killed ??= snapshot(dir);
      return submit(model, requests, displayName, signal);
    };
    await runDataset(options(dir, { service: made, sleep: async () => undefined }));
    const atKill = readManifest(killed!)!;
    const critique = atKill.batch!.waves.at(-1)!;
    assert.deepEqual([critique.stage, critique.state, critique.job], ['critique', 'SUBMITTING', null]);
    const resumed = await runDataset(options(killed!, { service: service(), sleep: async () => undefined }));
    assert.equal(resumed.status, 'completed');
    assert.deepEqual(outputs(killed!), outputs(reference));
    assert.equal(fake.batches.creates.get(critique.displayName), 1, 'the critique wave was submitted twice');
    const found = resumed.batch!.waves.filter((w) => w.stage === 'critique');
    assert.equal(found.length, 1);
    assert.match(found[0].job ?? '', /^batches\//);
    assert.equal(found[0].state, 'SUCCEEDED');

    // Killed before the create left: nothing has that display name, so the wave is recorded NOT_SUBMITTED and sent again.
    const lost = join(tempDir(), 'lost');
    let dead: string | undefined;
    const refusing = service();
    const refuse = refusing.submitGenerate.bind(refusing);
    refusing.submitGenerate = (model, requests, displayName, signal) => {
      if (displayName.endsWith(' critique')) {
        dead ??= snapshot(lost);
        return Promise.reject(Object.assign(new Error('killed'), { status: 400 }));
      }
      return refuse(model, requests, displayName, signal);
    };
    await runDataset(options(lost, { service: refusing, sleep: async () => undefined })).catch(() => undefined);
    const lostWave = readManifest(dead!)!.batch!.waves.at(-1)!;
    assert.equal(lostWave.state, 'SUBMITTING');
    const again = await runDataset(options(dead!, { service: service(), sleep: async () => undefined }));
    assert.equal(again.status, 'completed');
    assert.deepEqual(outputs(dead!), outputs(reference));
    assert.deepEqual(
      again.batch!.waves.filter((w) => w.stage === 'critique').map((w) => [w.state, w.job === null, w.reason]),
      [
        ['NOT_SUBMITTED', true, 'stage'],
        ['SUCCEEDED', false, 'stage'],
      ],
    );
  });

  it('asks again for the results of a job that succeeded before its output appeared, backing off; fails its items when they never do', async () => {
    const reference = join(tempDir(), 'reference');
    await runDataset(options(reference, { service: service(), sleep: async () => undefined }));

    // The response job's output lags its state by two reads.
    const dir = join(tempDir(), 'lagging');
    const lagging = service();
    const read = lagging.generateResults.bind(lagging);
    let misses = 0;
    lagging.generateResults = async (job, signal) => {
      const wave = readManifest(dir)!.batch!.waves.find((w) => w.job === job)!;
      if (wave.stage === 'response' && misses < 2) return void misses++;
      return read(job, signal);
    };
    const sleeps: number[] = [];
    const manifest = await runDataset(options(dir, { service: lagging, sleep: async (ms) => void sleeps.push(ms), pollMs: 1000 }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(outputs(dir), outputs(reference));
    assert.deepEqual(sleeps, [1000, 1500]);
    assert.equal(manifest.batch!.waves.filter((w) => w.stage === 'response').length, 1);

    // Never: after ten reads the response's items fail with the reason, and the run goes on.
    const never = service();
    never.generateResults = async () => undefined;
    const waits: number[] = [];
    const empty = join(tempDir(), 'never');
    const failed = await runDataset(
      options(empty, { service: never, sleep: async (ms) => void waits.push(ms), pollMs: 1000, maxPollMs: 4000 }),
    );
    assert.equal(failed.status, 'completed');
    assert.equal(failed.counts.failed, 2);
    assert.deepEqual(waits, [1000, 1500, 2250, 3375, 4000, 4000, 4000, 4000, 4000, 4000]);
    assert.ok(
      lines(join(empty, 'rejected.jsonl')).every((r) => /^brainstorm: .*results never appeared/.test(String(r.error))),
      JSON.stringify(lines(join(empty, 'rejected.jsonl'))),
    );
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readRunItems, runDataset, type RunOptions, type RunProgress } from '../../server/src/generation/run';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { distinctPrompts } from '../fake-gemini/distinctPrompts';
import { runResponder } from '../fake-gemini/runAnswers';
import { runTestOptions, tempDirs } from '../fake-gemini/runSetup';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';

/** More of what a session does that a user notices: document types, embedding failures, resumed progress, the embedding cache. */
describe('a run session (more; real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs = tempDirs('trait-studio-session-more-');
  const tempDir = () => join(dirs.make(), 'run');
  const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions => runTestOptions(fake, outDir, more);
  const embedded = () => fake.requests.filter((q) => q.action === 'batchEmbedContents').flatMap((q) => q.body.requests ?? []).length;

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 6);
  });
  after(async () => {
    await fake.close();
    dirs.removeAll();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder(runResponder(pool));
  });

  it('writes midtraining documents of the types asked for', async () => {
    const dir = tempDir();
    const manifest = await runDataset(options(dir, { traits: ['admit-mistakes'], midtraining: 2, midtrainingDocTypes: ['email thread'] }));
    assert.deepEqual(manifest.counts.midtraining, { total: 2, written: 2, failed: 0, pending: 0 });
    const docs = readFileSync(join(dir, 'midtraining.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      docs.map((d) => d.doc_type),
      ['email thread', 'email thread'],
    );
    // Each document keeps the traits its idea named (the fake's ideas name admit-mistakes).
    assert.deepEqual(
      docs.map((d) => d.trait_ids),
      [['admit-mistakes'], ['admit-mistakes']],
    );
  });

  it('logs a short autorater reason whole', async () => {
    fake.setResponder(runResponder(pool, { verdict: () => 'reject' }));
    const dir = tempDir();
    const log: string[] = [];
    await runDataset(options(dir, { traits: ['admit-mistakes'], onLog: (l) => log.push(l) }));
    const [line] = readRunItems(dir).rejected;
    assert.ok(log.includes(`${line.id}: rejected by the autorater (8/10: embodies it)`), log.join('\n'));
  });

  it("logs an item whose embedding failed, and a resumed run's first progress counts what earlier sessions did", async () => {
    fake.scriptEmbeddings({ kind: 'status', status: 400, message: 'embedding refused' });
    const dir = tempDir();
    const log: string[] = [];
    const first = await runDataset(options(dir, { onLog: (l) => log.push(l) }));
    assert.deepEqual([first.counts.accepted, first.counts.failed], [1, 1]);
    const failed = readRunItems(dir).rejected[0];
    assert.ok(failed.kind === 'sft' && log.includes(`${failed.id}: failed: ${failed.error}`), log.join('\n'));
    assert.match(failed.error ?? '', /^embed: .*embedding refused/);

    const progress: RunProgress[] = [];
    await runDataset(options(dir, { onProgress: (p) => progress.push(p) }));
    assert.deepEqual([progress[0].done, progress[0].accepted, progress[0].failed], [2, 1, 1]);
    assert.ok(progress[0].usage.inputTokens >= first.usage.inputTokens, 'the earlier sessions’ spend is in the progress');
  });

  it('takes embeddings from the cache only for the same embedding provider', async () => {
    const cache = new MemoryAnswerCache();
    await runDataset(options(tempDir(), { cache, embeddingProviderId: 'gemini' }));
    assert.equal(embedded(), 2);
    fake.requests.length = 0;
    await runDataset(options(tempDir(), { cache, embeddingProviderId: 'gemini' }));
    assert.equal(embedded(), 0);
    await runDataset(options(tempDir(), { cache, embeddingProviderId: 'another-endpoint' }));
    assert.equal(embedded(), 2);
  });

  it('writes each record once to the SFT file of a format named twice, and records the formats once', async () => {
    const dir = tempDir();
    const manifest = await runDataset(options(dir, { formats: ['openai', 'openai'] }));
    assert.deepEqual(manifest.settings.formats, ['openai']);
    assert.equal(manifest.counts.accepted, 2);
    assert.equal(readFileSync(join(dir, 'sft.openai.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('records the service tier it ran at (standard unless asked) and the midtraining templates only when it makes documents', async () => {
    const sftStages = ['autorate', 'brainstorm', 'critique', 'response', 'scenario', 'sharpen'];
    const standard = await runDataset(options(tempDir(), { traits: ['admit-mistakes'] }));
    assert.equal(standard.settings.serviceTier, 'standard');
    // A run without documents does not depend on the midtraining templates: editing one must not block its resume.
    assert.deepEqual(Object.keys(standard.templates).sort(), sftStages);
    const flex = await runDataset(options(tempDir(), { traits: ['admit-mistakes'], serviceTier: 'flex', midtraining: 1 }));
    assert.equal(flex.settings.serviceTier, 'flex');
    assert.deepEqual(
      Object.keys(flex.templates).sort(),
      [...sftStages, 'midtraining-critique', 'midtraining-draft', 'midtraining-ideas'].sort(),
    );
  });
});

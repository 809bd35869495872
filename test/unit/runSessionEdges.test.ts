// A run session's edges a user meets after a fault: a manifest from before timings were recorded, an
// embedding dimension changed with nothing accepted, the earlier sessions' prompts failing to embed
// once, midtraining.jsonl becoming unwritable, a stop during the midtraining documents, and the
// autorater's reasons in the log (trimmed; a reason of exactly a log line's width kept whole); and a
// finished run leaves none of its files open.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readManifest, readRunItems, runDataset, RunError, type RunOptions } from '../../server/src/generation/run';
import type { ModelProvider } from '../../server/src/llm/provider';
import { distinctPrompts, reworded, SIXTEEN_WORDS } from '../fake-gemini/distinctPrompts';
import { runResponder } from '../fake-gemini/runAnswers';
import { fakeGeminiProvider, runTestOptions, tempRoot } from '../fake-gemini/runSetup';
import { fakeModelVersion, startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

describe('a run session after a fault (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const temp = tempRoot('trait-studio-session-edges-');
  const folder = () => join(temp.folder(), 'run');
  const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions => runTestOptions(fake, outDir, more);
  /** runResponder(prompts), with the autorater's reasons replaced by `reasons`. */
  const reasoning = (prompts: readonly string[], reasons: string) => {
    const good = runResponder(prompts);
    return (r: LoggedRequest): Reply =>
      stageOf(r) === 'autorate' ? { kind: 'text', text: JSON.stringify({ score: 4, verdict: 'reject', reasons }) } : good(r);
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 6);
  });
  after(async () => {
    await fake.close();
    temp.remove();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder(runResponder(pool));
  });

  it('resumes a manifest written before timings, embeddings and model versions were recorded, as one earlier session', async () => {
    const dir = folder();
    // Session 1 finishes one of the two items.
    const stop = new AbortController();
    await runDataset(options(dir, { signal: stop.signal, onProgress: (p) => p.done >= 1 && stop.abort(new Error('stop')) }));
    const path = join(dir, 'manifest.json');
    const { timings: _t, embeddings: _e, modelVersions: _v, ...older } = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify(older));
    const log: string[] = [];
    const started = new Date().toISOString();
    const manifest = await runDataset(options(dir, { onLog: (l) => log.push(l) }));
    assert.equal(log[0], 'resuming: 1 of 2 items done (1 accepted) in 1 earlier session');
    assert.equal(manifest.status, 'completed');
    // What this session did, and nothing of the earlier one's that the manifest did not record.
    assert.equal(manifest.timings.sessions, 1);
    assert.ok(manifest.timings.startedAt >= started, `${manifest.timings.startedAt} < ${started}`);
    // Embedded: its item's prompt, then the earlier accepted prompt for the dedup index.
    assert.deepEqual(manifest.embeddings, { requests: 2, texts: 2 });
    assert.deepEqual(manifest.modelVersions, {
      'fast-model': [fakeModelVersion('fast-model')],
      'strong-model': [fakeModelVersion('strong-model')],
    });
  });

  it("leaves none of the run folder's files open when it ends", async () => {
    const dir = folder();
    const manifest = await runDataset(options(dir, { traits: ['admit-mistakes'], midtraining: 1, formats: ['openai', 'gemini'] }));
    assert.deepEqual([manifest.counts.accepted, manifest.counts.midtraining.written], [1, 1]);
    const open = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(join('/proc/self/fd', fd))];
      } catch {
        return []; // closed meanwhile (the listing's own descriptor)
      }
    });
    assert.deepEqual(
      open.filter((target) => target.startsWith(dir)),
      [],
    );
  });

  it('brings the manifest on disk up to date after an item once 500 ms have passed since it was written, not after every item', async (t) => {
    // The clock stands still unless the test moves it.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const onDisk = (dir: string) => readManifest(dir)!.counts.pending;
    const seen = async (wait: number) => {
      const dir = folder();
      const pending: number[] = [];
      await runDataset(
        options(dir, {
          onProgress: (p) => {
            pending.push(onDisk(dir));
            // Before any item ends: `wait` ms pass after the manifest written at the start.
            if (p.done === 0) t.mock.timers.tick(wait);
          },
        }),
      );
      return pending;
    };
    // Written at the start (2 pending), then only when the run ends.
    assert.deepEqual(await seen(0), [2, 2, 2, 0]);
    assert.deepEqual(await seen(499), [2, 2, 2, 0]);
    // 500 ms after the start: written after the first item (the second then follows within 500 ms).
    assert.deepEqual(await seen(500), [2, 1, 1, 0]);
  });

  it('says nothing of embedding again when the dimension changed but no earlier prompt was accepted', async () => {
    fake.setResponder(runResponder(pool, { verdict: () => 'reject' }));
    const dir = folder();
    const first = await runDataset(options(dir, { embeddingDimensions: null }));
    assert.deepEqual([first.counts.accepted, first.counts.autorater], [0, 2]);
    const log: string[] = [];
    await runDataset(options(dir, { embeddingDimensions: 4, onLog: (l) => log.push(l) }));
    assert.deepEqual(log, ['resuming: 2 of 2 items done (0 accepted) in 1 earlier session', 'completed: 0 accepted, 2 rejected, 0 failed']);
  });

  it("embeds the earlier sessions' prompts again for the next item when that failed once, and finds their duplicates", async () => {
    const dir = folder();
    // Session 1 accepts one item (every final prompt is SIXTEEN_WORDS) and stops.
    fake.setResponder(runResponder(Array.from({ length: 6 }, () => SIXTEEN_WORDS)));
    const stop = new AbortController();
    const first = await runDataset(
      options(dir, { perTrait: 3, signal: stop.signal, onProgress: (p) => p.accepted >= 1 && stop.abort(new Error('stop')) }),
    );
    assert.equal(first.status, 'cancelled');
    const [earlier] = readRunItems(dir).accepted;
    assert.ok(earlier && first.counts.pending >= 3, JSON.stringify(first.counts));

    // Session 2: every new prompt is a rewording of it (similarity 0.9375); the first embedding call
    // that carries the earlier prompt fails (and whatever else it carried with it).
    fake.setResponder(runResponder(Array.from({ length: 6 }, () => reworded(1))));
    const real = fakeGeminiProvider(fake);
    let failed = false;
    const embeddingProvider: ModelProvider = {
      generate: (request, signal, onText) => real.generate(request, signal, onText),
      embed: async (model, texts, signal, dimensions) => {
        if (!failed && texts.includes(SIXTEEN_WORDS)) {
          failed = true;
          throw new Error('embedding service unavailable');
        }
        return real.embed(model, texts, signal, dimensions);
      },
    };
    const second = await runDataset(options(dir, { perTrait: 3, embeddingProvider }));
    assert.ok(failed);
    assert.equal(second.status, 'completed');
    const sft = readRunItems(dir).rejected.filter((r) => r.kind === 'sft');
    const errors = sft.filter((r) => r.reason === 'error');
    const duplicates = sft.filter((r) => r.reason === 'duplicate');
    assert.ok(
      errors.length >= 1 && errors.every((r) => /^embed: .*embedding service unavailable/.test(r.error ?? '')),
      JSON.stringify(errors),
    );
    // The items after the failure load the earlier prompt and are rejected as its duplicates.
    assert.ok(duplicates.length >= 1, JSON.stringify(second.counts));
    assert.ok(
      duplicates.every((r) => r.duplicate?.of === earlier.id && r.duplicate.similarity === 0.9375),
      JSON.stringify(duplicates),
    );
    assert.equal(errors.length + duplicates.length, first.counts.pending);
  });

  it('stops every item and fails the run when records.jsonl cannot be written', async () => {
    const dir = folder();
    // Once the session has started, before any item is accepted, a folder takes the file's name.
    const options_ = options(dir, {
      perTrait: 2,
      onProgress: (p) => {
        if (p.done === 0) mkdirSync(join(dir, 'records.jsonl'), { recursive: true });
      },
    });
    await assert.rejects(
      runDataset(options_),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /records\.jsonl/.test(e.message),
    );
    const manifest = readManifest(dir)!;
    assert.equal(manifest.status, 'failed');
    assert.match(manifest.error ?? '', /cannot append to .*records\.jsonl/);
    assert.ok(manifest.counts.pending > 0, JSON.stringify(manifest.counts));
  });

  it('fails the run, saying so in the manifest, when midtraining.jsonl cannot be written', async () => {
    const dir = folder();
    // The items are done when the documents start; then the file cannot be opened (a folder took its name).
    const options_ = options(dir, {
      traits: ['admit-mistakes'],
      midtraining: 1,
      onProgress: (p) => {
        if (p.done === p.total) mkdirSync(join(dir, 'midtraining.jsonl'), { recursive: true });
      },
    });
    await assert.rejects(
      runDataset(options_),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /midtraining\.jsonl/.test(e.message),
    );
    const manifest = readManifest(dir)!;
    assert.equal(manifest.status, 'failed');
    assert.match(manifest.error ?? '', /cannot append to .*midtraining\.jsonl/);
    assert.equal(manifest.counts.accepted, 1);
  });

  it('is cancelled, not failed, when stopped while writing midtraining documents', async () => {
    const dir = folder();
    const stop = new AbortController();
    const manifest = await runDataset(
      options(dir, {
        traits: ['admit-mistakes'],
        midtraining: 3,
        midtrainingDocTypes: ['forum post'],
        signal: stop.signal,
        onLog: (l) => {
          if (/^midtraining .*: written$/.test(l)) stop.abort(new Error('stop'));
        },
      }),
    );
    assert.equal(manifest.status, 'cancelled');
    assert.equal(manifest.error, null);
    assert.ok(manifest.counts.midtraining.written >= 1 && manifest.counts.midtraining.pending >= 1, JSON.stringify(manifest.counts));
    assert.equal(readManifest(dir)!.status, 'cancelled');
  });

  it("logs the autorater's reasons trimmed, and whole when they fill a log line exactly", async () => {
    const reasons = `${'a reason '.repeat(13)}ends here!!`; // 9 × 13 + 11 = 128 characters
    const exact = reasons.slice(0, 120);
    assert.equal(exact.length, 120);
    fake.setResponder(reasoning(pool, `\n  ${exact}\n`));
    const dir = folder();
    const log: string[] = [];
    await runDataset(options(dir, { traits: ['admit-mistakes'], onLog: (l) => log.push(l) }));
    const [line] = readRunItems(dir).rejected;
    assert.ok(log.includes(`${line.id}: rejected by the autorater (4/10: ${exact})`), log.join('\n'));
  });
});

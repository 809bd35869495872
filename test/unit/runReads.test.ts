import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { estimateRun, readManifest, readRunItems, RunError } from '../../server/src/generation/run';
import { EMBED_BATCH, Embedder } from '../../server/src/generation/run/dedup';
import { ioError } from '../../server/src/generation/run/errors';
import { DEFAULT_MODELS, STAGE_THINKING } from '../../server/src/generation/stages/stage';
import { thinkingAllowance } from '../../server/src/llm/catalogue';
import { defaultPrices } from '../../server/src/llm/cost';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { ASTER_DOCUMENT, RUN_MODELS } from '../fake-gemini/runAnswers';
import { tempRoot } from '../fake-gemini/runSetup';

/** What a report or the CLI reads back from a run folder, the estimate shown before a run, and the embedding batches. */
const { folder, remove } = tempRoot('trait-studio-run-reads-');
after(remove);
const templates = loadTemplates(TEMPLATE_STAGES);

describe('readManifest and readRunItems (more)', () => {
  const manifest = { version: 1, status: 'completed', document: { path: '/d.md', sha256: 'abc' }, settings: {} };

  it('refuses a manifest missing any of version 1, document hash, settings or status, and reads one that has them', () => {
    const dir = folder();
    const write = (value: unknown) => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(value));
    write(manifest);
    assert.deepEqual(readManifest(dir), manifest);
    for (const bad of [
      null,
      [],
      'text',
      { ...manifest, version: 2 },
      { ...manifest, document: undefined },
      { ...manifest, document: { path: '/d.md', sha256: 5 } },
      { ...manifest, settings: undefined },
      { ...manifest, status: 3 },
    ]) {
      write(bad);
      assert.throws(
        () => readManifest(dir),
        (e: unknown) =>
          e instanceof RunError &&
          e.code === 'io' &&
          e.message ===
            `${join(dir, 'manifest.json')} is not a run manifest of this version (it needs version 1, document, settings and status)`,
        JSON.stringify(bad),
      );
    }
    // A folder where the run folder's manifest goes is an io error; a file where its folder goes is no run.
    const other = folder();
    mkdirSync(join(other, 'manifest.json'));
    assert.throws(
      () => readManifest(other),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /^cannot read /.test(e.message),
    );
    writeFileSync(join(other, 'file'), '');
    assert.equal(readManifest(join(other, 'file')), undefined);
  });

  it('skips lines with no string id, and an id met in records.jsonl is not read again from rejected.jsonl', () => {
    const dir = folder();
    writeFileSync(join(dir, 'records.jsonl'), '{"id":1}\n{"prompt":"no id"}\n{"id":"a"}\n');
    writeFileSync(join(dir, 'rejected.jsonl'), '{"id":"a","reason":"error"}\n{"id":"b","reason":"error"}\n');
    const { accepted, rejected } = readRunItems(dir);
    assert.deepEqual(
      accepted.map((r) => r.id),
      ['a'],
    );
    assert.deepEqual(
      rejected.map((r) => r.id),
      ['b'],
    );
  });

  it("says what failed and the system's code and message", () => {
    const enoent = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    assert.equal(ioError('cannot read x', enoent).message, 'cannot read x: ENOENT (no such file)');
    assert.equal(ioError('cannot read x', new Error('odd')).message, 'cannot read x: (odd)');
    assert.equal(ioError('cannot read x', 'text').message, 'cannot read x: (text)');
    assert.equal(ioError('cannot read x', enoent).code, 'io');
  });
});

describe('estimateRun (more)', () => {
  const input = { documentText: ASTER_DOCUMENT, traits: ['admit-mistakes'], perTrait: 1, templates };

  it('allows each stage the thinking of its level on a thinking model, and none on a model that does not think', () => {
    const plain = estimateRun({ ...input, models: RUN_MODELS });
    const thinking = estimateRun({ ...input, models: DEFAULT_MODELS });
    const stageRole: Record<string, keyof typeof DEFAULT_MODELS> = {
      brainstorm: 'brainstorm',
      scenario: 'brainstorm',
      critique: 'critique',
      baseline: 'baseline',
      sharpen: 'critique',
      response: 'response',
      autorate: 'autorate',
    };
    const allowance = Object.entries(stageRole).reduce(
      (n, [stage, role]) => n + thinkingAllowance(DEFAULT_MODELS[role], STAGE_THINKING[stage]),
      0,
    );
    assert.ok(allowance > 0, 'the default models think');
    assert.equal(thinking.outputTokens - plain.outputTokens, allowance);
    assert.equal(thinking.inputTokens, plain.inputTokens);
    assert.equal(thinking.requests, 7);
  });

  it('prices every call at the Flex rates when the run is at the Flex tier', () => {
    const standard = estimateRun({ ...input, models: DEFAULT_MODELS, prices: defaultPrices() });
    const flex = estimateRun({ ...input, models: DEFAULT_MODELS, prices: defaultPrices(), serviceTier: 'flex' });
    assert.deepEqual(
      [flex.inputTokens, flex.outputTokens, flex.requests],
      [standard.inputTokens, standard.outputTokens, standard.requests],
    );
    assert.ok(flex.usd > 0 && flex.usd < standard.usd, `${flex.usd} vs ${standard.usd}`);
    assert.ok(Object.values(flex.byModel).every((m) => m.tiers?.flex?.inputTokens === m.inputTokens));
    assert.ok(Object.values(standard.byModel).every((m) => m.tiers === undefined));
  });

  it('plans nothing for no scenarios and rounds a fractional count down', () => {
    const none = estimateRun({ ...input, perTrait: -2, models: RUN_MODELS });
    assert.deepEqual([none.items, none.requests, none.inputTokens, none.outputTokens, none.usd], [0, 0, 0, 0, 0]);
    const one = estimateRun({ ...input, perTrait: 1.9, models: RUN_MODELS });
    assert.deepEqual([one.items, one.requests, one.embeddingRequests], [1, 7, 1]);
    // Midtraining documents: a draft and a revision each, 800 tokens out, and the ideas ten to a call.
    const docs = estimateRun({ ...input, perTrait: 0, midtraining: 1, models: RUN_MODELS });
    assert.equal(docs.requests, 3);
    assert.equal(docs.outputTokens, 40 * 10 + 800 + 800);
  });
});

describe('Embedder (more)', () => {
  it(`sends at most ${EMBED_BATCH} texts a call, the rest in the next`, async () => {
    const calls: number[] = [];
    const embedder = new Embedder(
      {
        generate: () => Promise.reject(new Error('no')),
        embed: async (_model, texts) => {
          calls.push(texts.length);
          return texts.map((t) => [t.length, 1]);
        },
      },
      'embedder',
      {},
    );
    const texts = Array.from({ length: EMBED_BATCH + 1 }, (_, i) => 'x'.repeat(i + 1));
    const vectors = await Promise.all(texts.map((t) => embedder.embed(t)));
    assert.deepEqual(calls, [EMBED_BATCH, 1]);
    assert.deepEqual(vectors.at(-1), [EMBED_BATCH + 1, 1]);
    assert.deepEqual(embedder.stats, { requests: 2, texts: EMBED_BATCH + 1 });
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { runDataset, RunError, type RunManifest, type RunOptions, type RunSettings } from '../../server/src/generation/run';
import { planItems, selectTraits, type PlannedItem } from '../../server/src/generation/run/items';
import { identityDifferences } from '../../server/src/generation/run/manifest';
import { freshManifest, nextManifest, runProgress, type SessionTally } from '../../server/src/generation/run/manifestBuilder';
import { resumeRun } from '../../server/src/generation/run/resume';
import { JsonlAppender, readJsonl, repairTornTail, writeFileAtomic } from '../../server/src/generation/run/store';
import { sftLine } from '../../server/src/generation/run/formats';
import { emptyUsage } from '../../server/src/llm/usage';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { ASTER_DOCUMENT, RUN_MODELS, RUN_PRICES } from '../fake-gemini/runAnswers';
import { tempRoot, testRunSettings } from '../fake-gemini/runSetup';

/**
 * The parts of a run a user meets when a session starts or ends: what a resume takes from the
 * folder, the manifest's sums over sessions, which changes a resume refuses, the options a run
 * refuses before touching the folder, and the order and ids of its items. In-process, no model.
 */
const { root, folder, remove } = tempRoot('trait-studio-run-parts-');
after(remove);
const jsonl = (...values: unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join('');
const templates = loadTemplates(TEMPLATE_STAGES);

const SETTINGS = testRunSettings();
const item = (id: string) => ({ id }) as PlannedItem;
const record = (id: string, prompt = `prompt ${id}`) => ({ id, prompt, response: `response ${id}` });
const rejection = (id: string, reason: string) => ({ kind: 'sft', id, reason });
const failedDocument = (id: string) => ({ kind: 'midtraining', id, reason: 'error', error: 'x' });

describe('resumeRun: what a new session takes from the folder', () => {
  it('counts each planned item once, in the file it ended in, and each midtraining document once', () => {
    const dir = folder();
    writeFileSync(
      join(dir, 'records.jsonl'),
      jsonl(record('a'), record('a', 'a second line of a'), record('gone'), record('e')) + 'not json\n[1]\n',
    );
    writeFileSync(
      join(dir, 'rejected.jsonl'),
      jsonl(
        rejection('b', 'autorater'),
        rejection('c', 'duplicate'),
        rejection('d', 'error'),
        rejection('a', 'error'),
        rejection('b', 'error'),
        rejection('unplanned', 'error'),
        failedDocument('m1'),
        failedDocument('m1'),
        failedDocument('m2'),
      ),
    );
    writeFileSync(join(dir, 'midtraining.jsonl'), jsonl({ id: 'm2' }, { id: 'm3' }, { id: 'm3' }));
    const log: string[] = [];
    const resumed = resumeRun(dir, ['a', 'b', 'c', 'd', 'e', 'f'].map(item), SETTINGS, false, (l) => log.push(l));
    assert.deepEqual(resumed.counts, { accepted: 2, autorater: 1, duplicate: 1, failed: 1, midtrainingWritten: 2, midtrainingFailed: 1 });
    assert.deepEqual([...resumed.done].sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual([...resumed.midtrainingDone].sort(), ['m1', 'm2', 'm3']);
    // The accepted records for the dedup index: the first line of each planned id, in file order.
    assert.deepEqual(
      resumed.accepted.map((r) => r.prompt),
      ['prompt a', 'prompt e'],
    );
    assert.deepEqual(log, ['skipped 2 unreadable lines of records.jsonl']);
  });

  it('with retryFailed, drops the failed items and documents from rejected.jsonl so they run again', () => {
    const dir = folder();
    const kept = [rejection('b', 'autorater'), rejection('c', 'duplicate')];
    writeFileSync(join(dir, 'rejected.jsonl'), jsonl(kept[0], rejection('d', 'error'), kept[1], failedDocument('m1')));
    const log: string[] = [];
    const resumed = resumeRun(dir, ['b', 'c', 'd'].map(item), SETTINGS, true, (l) => log.push(l));
    assert.deepEqual(resumed.counts, { accepted: 0, autorater: 1, duplicate: 1, failed: 0, midtrainingWritten: 0, midtrainingFailed: 0 });
    assert.deepEqual([...resumed.done].sort(), ['b', 'c']);
    assert.equal(resumed.midtrainingDone.size, 0);
    assert.equal(readFileSync(join(dir, 'rejected.jsonl'), 'utf8'), jsonl(...kept));
    assert.deepEqual(log, ['retrying 2 failed items']);
    // Nothing failed: the file is left as it is.
    const untouched = folder();
    writeFileSync(join(untouched, 'rejected.jsonl'), `${JSON.stringify(kept[0])}\n\n`);
    const quiet: string[] = [];
    resumeRun(untouched, [item('b')], SETTINGS, true, (l) => quiet.push(l));
    assert.equal(readFileSync(join(untouched, 'rejected.jsonl'), 'utf8'), `${JSON.stringify(kept[0])}\n\n`);
    assert.equal(quiet.length, 0, quiet.join('\n'));
  });

  it('clears what a killed session left: temporary files and torn last lines, saying so', () => {
    const dir = folder();
    writeFileSync(join(dir, 'manifest.json.tmp-4242'), '{"half":');
    writeFileSync(join(dir, 'sft.openai.jsonl.tmp-4242-0a1b'), 'half');
    writeFileSync(join(dir, 'notes.tmp'), 'mine');
    const tornRejection = '{"kind":"sft","id":"c","rea';
    const tornDocument = '{"id":"m';
    writeFileSync(join(dir, 'rejected.jsonl'), `${jsonl(rejection('b', 'autorater'))}${tornRejection}`);
    writeFileSync(join(dir, 'midtraining.jsonl'), `${jsonl({ id: 'm1' })}${tornDocument}`);
    const log: string[] = [];
    const resumed = resumeRun(dir, ['b', 'c'].map(item), SETTINGS, false, (l) => log.push(l));
    assert.deepEqual([...resumed.done], ['b']);
    assert.deepEqual(readdirSync(dir).sort(), ['midtraining.jsonl', 'notes.tmp', 'rejected.jsonl']);
    assert.equal(readFileSync(join(dir, 'rejected.jsonl'), 'utf8'), jsonl(rejection('b', 'autorater')));
    assert.deepEqual(log, [
      `cut a torn last line (${tornRejection.length} bytes) off rejected.jsonl, left by an interrupted run`,
      `cut a torn last line (${tornDocument.length} bytes) off midtraining.jsonl, left by an interrupted run`,
    ]);
  });

  it('writes the SFT file of each selected format from records.jsonl, rebuilding one that differs, and removes unselected ones', () => {
    const dir = folder();
    const records = [record('a'), record('b')];
    const expected = (format: 'openai' | 'gemini') => jsonl(...records.map((r) => sftLine(format, r.prompt, r.response)));
    writeFileSync(join(dir, 'records.jsonl'), jsonl(...records));
    writeFileSync(join(dir, 'sft.gemini.jsonl'), expected('gemini'));
    const log: string[] = [];
    const both = { ...SETTINGS, formats: ['openai', 'gemini'] as RunSettings['formats'] };
    resumeRun(dir, ['a', 'b'].map(item), both, false, (l) => log.push(l));
    // A missing file is written quietly; one already right is left alone.
    assert.equal(readFileSync(join(dir, 'sft.openai.jsonl'), 'utf8'), expected('openai'));
    assert.equal(readFileSync(join(dir, 'sft.gemini.jsonl'), 'utf8'), expected('gemini'));
    assert.equal(log.length, 0, log.join('\n'));
    // One line ahead of records.jsonl (a record lost, its SFT line kept): rebuilt to match.
    writeFileSync(join(dir, 'sft.openai.jsonl'), expected('openai') + jsonl(sftLine('openai', 'stray', 'line')));
    resumeRun(dir, ['a', 'b'].map(item), { ...SETTINGS, formats: ['openai'] }, false, (l) => log.push(l));
    assert.equal(readFileSync(join(dir, 'sft.openai.jsonl'), 'utf8'), expected('openai'));
    assert.equal(existsSync(join(dir, 'sft.gemini.jsonl')), false);
    assert.deepEqual(log, [
      'rebuilt sft.openai.jsonl from records.jsonl',
      'removed sft.gemini.jsonl: that format is not selected any more',
    ]);
    // No records yet: no empty SFT file is made, but an existing one is emptied.
    const fresh = folder();
    resumeRun(fresh, [item('a')], SETTINGS, false, () => undefined);
    assert.equal(existsSync(join(fresh, 'sft.openai.jsonl')), false);
    writeFileSync(join(fresh, 'sft.openai.jsonl'), jsonl(sftLine('openai', 'stray', 'line')));
    resumeRun(fresh, [item('a')], SETTINGS, false, () => undefined);
    assert.equal(readFileSync(join(fresh, 'sft.openai.jsonl'), 'utf8'), '');
  });

  it('refuses an unreadable SFT file or folder with an io error naming it', () => {
    const dir = folder();
    mkdirSync(join(dir, 'sft.openai.jsonl'));
    assert.throws(
      () => resumeRun(dir, [item('a')], { ...SETTINGS, formats: ['gemini', 'openai'] }, false, () => undefined),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /sft\.openai\.jsonl/.test(e.message),
    );
    assert.throws(
      () => resumeRun(join(dir, 'absent'), [item('a')], SETTINGS, false, () => undefined),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /^cannot read .*absent: ENOENT/.test(e.message),
    );
  });
});

describe('the manifest over sessions', () => {
  const usage = (model: string, inputTokens: number, outputTokens: number) => ({
    ...emptyUsage(),
    inputTokens,
    outputTokens,
    byModel: { [model]: { inputTokens, outputTokens } },
  });
  const fresh = () =>
    freshManifest({
      documentPath: 'doc.md',
      documentText: 'text',
      settings: SETTINGS,
      models: RUN_MODELS,
      templates: [templates.critique],
      items: 10,
      startedAt: Date.parse('2026-11-30T10:00:00Z'),
    });
  const tally = (more: Partial<SessionTally> = {}): SessionTally => ({
    counts: { accepted: 4, autorater: 1, duplicate: 2, failed: 1, midtrainingWritten: 2, midtrainingFailed: 2 },
    usage: usage('strong-model', 1000, 100),
    versions: { 'strong-model': ['v2', 'v1'], 'fast-model': ['f1'] },
    embeddings: { requests: 2, texts: 7 },
    startedAt: Date.parse('2026-11-30T12:00:00Z'),
    ...more,
  });

  it('adds this session to what earlier sessions recorded: usage, cost, embeddings, versions, time and sessions', () => {
    const previous: RunManifest = {
      ...fresh(),
      status: 'cancelled',
      usage: usage('fast-model', 2000, 500),
      embeddings: { requests: 3, texts: 9 },
      modelVersions: { 'strong-model': ['v1', 'v0'] },
      timings: {
        startedAt: '2026-11-30T09:00:00.000Z',
        updatedAt: '2026-11-30T09:30:00.000Z',
        finishedAt: '2026-11-30T09:30:00.000Z',
        elapsedMs: 60_000,
        sessions: 2,
      },
    };
    const now = Date.parse('2026-11-30T12:00:05Z');
    const running = nextManifest(fresh(), previous, tally(), { status: 'running', error: null, now, prices: RUN_PRICES });
    assert.equal(running.status, 'running');
    assert.deepEqual(running.counts, {
      total: 10,
      accepted: 4,
      rejected: 3,
      autorater: 1,
      duplicate: 2,
      failed: 1,
      pending: 2,
      midtraining: { total: 3, written: 2, failed: 2, pending: 0 },
    });
    assert.deepEqual(running.usage.byModel, {
      'fast-model': { inputTokens: 2000, outputTokens: 500 },
      'strong-model': { inputTokens: 1000, outputTokens: 100 },
    });
    assert.deepEqual([running.usage.inputTokens, running.usage.outputTokens], [3000, 600]);
    // fast: 2000 × $0.5 + 500 × $2; strong: 1000 × $2 + 100 × $8 (per million).
    assert.ok(Math.abs(running.cost.usd - (1000 + 1000 + 2000 + 800) / 1e6) < 1e-15, String(running.cost.usd));
    assert.deepEqual(running.embeddings, { requests: 5, texts: 16 });
    assert.deepEqual(running.modelVersions, { 'fast-model': ['f1'], 'strong-model': ['v0', 'v1', 'v2'] });
    assert.deepEqual(running.timings, {
      startedAt: '2026-11-30T09:00:00.000Z',
      updatedAt: '2026-11-30T12:00:05.000Z',
      finishedAt: null,
      elapsedMs: 65_000,
      sessions: 3,
    });
    const failed = nextManifest(running, previous, tally(), { status: 'failed', error: 'disk full', now, prices: RUN_PRICES });
    assert.deepEqual([failed.status, failed.error, failed.timings.finishedAt], ['failed', 'disk full', '2026-11-30T12:00:05.000Z']);
    // The first session: its own start, one session, its own spend.
    const first = nextManifest(fresh(), undefined, tally(), { status: 'completed', error: null, now, prices: RUN_PRICES });
    assert.deepEqual(first.timings, {
      startedAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T12:00:05.000Z',
      finishedAt: '2026-11-30T12:00:05.000Z',
      elapsedMs: 5000,
      sessions: 1,
    });
    assert.deepEqual(first.embeddings, { requests: 2, texts: 7 });
    assert.deepEqual(first.modelVersions, { 'fast-model': ['f1'], 'strong-model': ['v1', 'v2'] });
    assert.deepEqual(first.usage.byModel, { 'strong-model': { inputTokens: 1000, outputTokens: 100 } });
  });

  it('goes on from an older manifest that recorded no embeddings, timings, usage or model versions', () => {
    const { embeddings: _e, timings: _t, usage: _u, modelVersions: _v, ...rest } = fresh();
    const older = rest as RunManifest;
    const now = Date.parse('2026-11-30T12:00:05Z');
    const next = nextManifest(fresh(), older, tally(), { status: 'completed', error: null, now, prices: RUN_PRICES });
    assert.deepEqual(next.embeddings, { requests: 2, texts: 7 });
    assert.deepEqual(next.modelVersions, { 'fast-model': ['f1'], 'strong-model': ['v1', 'v2'] });
    assert.deepEqual(next.usage.byModel, { 'strong-model': { inputTokens: 1000, outputTokens: 100 } });
    assert.deepEqual(next.timings, {
      startedAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T12:00:05.000Z',
      finishedAt: '2026-11-30T12:00:05.000Z',
      elapsedMs: 5000,
      sessions: 1,
    });
  });

  it('reports progress with the same counts, spend and cost', () => {
    const previous = { ...fresh(), usage: usage('fast-model', 2000, 500) };
    const p = runProgress(previous, tally({ startedAt: Date.now() }), 10, 3, RUN_PRICES);
    assert.deepEqual(
      { ...p, usage: undefined, cost: undefined, elapsedMs: undefined },
      {
        total: 10,
        done: 8,
        accepted: 4,
        rejected: 3,
        duplicates: 2,
        failed: 1,
        midtraining: { total: 3, written: 2, failed: 2 },
        usage: undefined,
        cost: undefined,
        elapsedMs: undefined,
      },
    );
    assert.equal(p.usage.inputTokens, 3000);
    assert.ok(Math.abs(p.cost.usd - 4800 / 1e6) < 1e-15, String(p.cost.usd));
    assert.ok(p.elapsedMs >= 0 && p.elapsedMs < 60_000, String(p.elapsedMs));
  });

  it('starts a run with every item and document pending and the templates by stage', () => {
    const m = fresh();
    assert.deepEqual(m.counts.midtraining, { total: 3, written: 0, failed: 0, pending: 3 });
    assert.equal(m.counts.pending, 10);
    assert.deepEqual(Object.keys(m.templates), ['critique']);
    assert.equal(m.templates.critique.path, templates.critique.path);
    assert.deepEqual(m.models, { ...RUN_MODELS, embedding: 'embedder' });
    assert.deepEqual(m.timings, {
      startedAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:00:00.000Z',
      finishedAt: null,
      elapsedMs: 0,
      sessions: 0,
    });
  });
});

describe('identityDifferences: what a resume refuses to change', () => {
  const base = () =>
    freshManifest({
      documentPath: 'doc.md',
      documentText: 'text',
      settings: SETTINGS,
      models: RUN_MODELS,
      templates: [templates.critique, templates.response],
      items: 4,
      startedAt: 0,
    });
  const changed = (settings: Partial<RunSettings>) => ({ ...base(), settings: { ...SETTINGS, ...settings } });

  it('names each setting that shapes the data, with its value then and now', () => {
    const cases: [Partial<RunSettings>, string][] = [
      [{ traits: ['t', 'u'] }, 'traits (["t"] then, ["t","u"] now)'],
      [{ perTrait: 3 }, 'perTrait (2 then, 3 now)'],
      [{ midtraining: 0 }, 'midtraining (3 then, 0 now)'],
      [{ midtrainingDocTypes: ['email'] }, 'midtrainingDocTypes (null then, ["email"] now)'],
      [{ dedupThreshold: 0.8 }, 'dedupThreshold (0.9 then, 0.8 now)'],
      [{ embeddingModel: 'other' }, 'embeddingModel ("embedder" then, "other" now)'],
      [{ providerId: 'openai' }, 'providerId ("gemini" then, "openai" now)'],
      [{ baselineProviderId: 'local' }, 'baselineProviderId (null then, "local" now)'],
      [{ embeddingProviderId: 'local' }, 'embeddingProviderId ("gemini" then, "local" now)'],
    ];
    for (const [settings, difference] of cases) assert.deepEqual(identityDifferences(base(), changed(settings)), [difference]);
    // What a resume may change: formats, concurrency, limits, the embedding dimension.
    assert.deepEqual(
      identityDifferences(
        base(),
        changed({
          formats: ['gemini'],
          concurrency: 1,
          requestsPerMinute: 5,
          tokensPerMinute: 9,
          rateWindowMs: 1,
          embeddingDimensions: null,
        }),
      ),
      [],
    );
  });

  it('names the document, a model and a template added, removed or edited', () => {
    const next = base();
    assert.deepEqual(
      identityDifferences({ ...base(), document: { path: '/a.md', sha256: 'x' } }, { ...next, document: { path: '/b.md', sha256: 'y' } }),
      ["the document's text (/a.md then, /b.md now)"],
    );
    assert.deepEqual(identityDifferences(base(), { ...next, models: { ...next.models, embedding: 'other' } }), [
      'the embedding model (embedder then, other now)',
    ]);
    const { response: _dropped, ...fewer } = next.templates;
    assert.deepEqual(identityDifferences(base(), { ...next, templates: fewer }), ['the response prompt template']);
    assert.deepEqual(identityDifferences({ ...base(), templates: fewer }, next), ['the response prompt template']);
    // A manifest written before a setting existed reads it as null.
    const older = { ...base(), settings: { ...SETTINGS, baselineProviderId: undefined as unknown as null } };
    assert.deepEqual(identityDifferences(older, next), []);
  });
});

describe('runDataset refuses bad options before it touches the folder', () => {
  const provider = {
    generate: () => Promise.reject(new Error('no model call expected')),
    embed: () => Promise.reject(new Error('no model call expected')),
  };
  const options = (more: Partial<RunOptions>): RunOptions => ({
    documentPath: 'aster.md',
    documentText: ASTER_DOCUMENT,
    outDir: join(root, 'never-made'),
    perTrait: 1,
    formats: ['openai'],
    midtraining: 0,
    concurrency: 2,
    provider,
    providerId: 'gemini',
    templates,
    ...more,
  });

  it('says which option is wrong and what it must be', async () => {
    const cases: [Partial<RunOptions>, RegExp][] = [
      [{ perTrait: 1.5 }, /^perTrait must be a whole number from 1 to \d+, not 1\.5$/],
      [{ perTrait: 100_000 }, /^perTrait must be a whole number from 1 to \d+, not 100000$/],
      [{ concurrency: 0 }, /^concurrency must be a whole number from 1 to \d+, not 0$/],
      [{ midtraining: -1 }, /^midtraining must be a whole number from 0 to 1000000, not -1$/],
      [{ midtraining: 1_000_001 }, /^midtraining must be a whole number from 0 to 1000000, not 1000001$/],
      [{ requestsPerMinute: 0 }, /^requestsPerMinute must be a whole number from 1 to \d+, not 0$/],
      [{ tokensPerMinute: 2.5 }, /^tokensPerMinute must be a whole number from 1 to \d+, not 2\.5$/],
      [{ rateWindowMs: 0 }, /^rateWindowMs must be a positive number, not 0$/],
      [{ rateWindowMs: Infinity }, /^rateWindowMs must be a positive number, not Infinity$/],
      [{ dedupThreshold: 0 }, /^dedupThreshold must be above 0 and at most 1, not 0$/],
      [{ dedupThreshold: 1.01 }, /^dedupThreshold must be above 0 and at most 1, not 1\.01$/],
      // A number in a string (a setting read from JSON by hand) is refused, not coerced.
      [{ dedupThreshold: '0.9' as unknown as number }, /^dedupThreshold must be above 0 and at most 1, not 0\.9$/],
      [{ rateWindowMs: '1000' as unknown as number }, /^rateWindowMs must be a positive number, not 1000$/],
      [{ providerId: '' }, /^providerId must name the provider/],
      [{ midtrainingDocTypes: [' ', ''] }, /^midtrainingDocTypes names no document type$/],
      [{ embeddingModel: ' ' }, /^embeddingModel must name a model$/],
      [{ embeddingDimensions: 0 }, /^embeddingDimensions must be a whole number from 1 to 3072, not 0$/],
      [{ embeddingDimensions: 3073 }, /^embeddingDimensions must be a whole number from 1 to 3072, not 3073$/],
      [{ formats: ['openai', 'jsonl' as 'openai'] }, /^formats must name one or more of openai, gemini, not \["openai","jsonl"\]$/],
      [{ traits: ['admit-mistakes', 'nope'] }, /^no trait with id "nope" \(ids: admit-mistakes, show-uncertainty\)$/],
      [{ documentText: 'Just prose.\n' }, /^the document has no traits to generate for$/],
    ];
    for (const [more, message] of cases) {
      await assert.rejects(
        runDataset(options(more)),
        (e: unknown) => e instanceof RunError && e.code === 'usage' && message.test(e.message),
        `${JSON.stringify(more)}`,
      );
    }
    assert.equal(existsSync(join(root, 'never-made')), false);
  });

  it('takes the edges of each range', async () => {
    // Refused only after the settings were checked: at the folder (a file stands where it goes).
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const edges: Partial<RunOptions>[] = [
      { perTrait: 1, concurrency: 1, midtraining: 0, requestsPerMinute: 1, tokensPerMinute: 1, dedupThreshold: 1, embeddingDimensions: 1 },
      { midtraining: 1_000_000, embeddingDimensions: 3072, dedupThreshold: Number.MIN_VALUE, rateWindowMs: 0.5 },
      { embeddingDimensions: null, midtrainingDocTypes: ['', 'email'] },
    ];
    for (const more of edges) {
      await assert.rejects(
        runDataset(options({ ...more, outDir: join(file, 'run') })),
        (e: unknown) => e instanceof RunError && e.code === 'io' && /cannot create/.test(e.message),
        JSON.stringify(more),
      );
    }
  });
});

describe('run folder files', () => {
  it('reads the complete JSON-object lines of a JSONL file, counting the others', () => {
    const dir = folder();
    const path = join(dir, 'x.jsonl');
    assert.deepEqual(readJsonl(path), { values: [], torn: false, bad: 0 });
    writeFileSync(path, '{"a":1}\n\n  \n[1,2]\n3\nnull\n"s"\n{bad\n{"b":2}\n{"c":');
    assert.deepEqual(readJsonl(path), { values: [{ a: 1 }, { b: 2 }], torn: true, bad: 5 });
    writeFileSync(path, '{"a":1}\n');
    assert.deepEqual(readJsonl(path), { values: [{ a: 1 }], torn: false, bad: 0 });
    mkdirSync(join(dir, 'folder.jsonl'));
    assert.throws(
      () => readJsonl(join(dir, 'folder.jsonl')),
      (e: unknown) => e instanceof RunError && e.code === 'io' && e.message.startsWith(`cannot read ${join(dir, 'folder.jsonl')}: `),
    );
  });

  it('names the file in the io error of a repair or a whole-file write that fails', () => {
    const dir = folder();
    mkdirSync(join(dir, 'folder.jsonl'));
    assert.throws(
      () => repairTornTail(join(dir, 'folder.jsonl')),
      (e: unknown) => e instanceof RunError && e.code === 'io' && e.message.startsWith(`cannot read ${join(dir, 'folder.jsonl')}: `),
    );
    const missing = join(dir, 'absent', 'manifest.json');
    assert.throws(
      () => writeFileAtomic(missing, '{}'),
      (e: unknown) => e instanceof RunError && e.code === 'io' && e.message.startsWith(`cannot write ${missing}: ENOENT`),
    );
  });

  it('cuts a torn tail of any length, back to the last newline, and leaves a whole file alone', () => {
    const dir = folder();
    const path = join(dir, 'x.jsonl');
    assert.equal(repairTornTail(path), 0);
    const whole = '{"a":1}\n{"b":2}\n';
    writeFileSync(path, whole);
    assert.equal(repairTornTail(path), 0);
    assert.equal(readFileSync(path, 'utf8'), whole);
    // A torn line longer than the 64 KiB read back at a time.
    const torn = `{"c":"${'x'.repeat(150_000)}`;
    writeFileSync(path, whole + torn);
    assert.equal(repairTornTail(path), torn.length);
    assert.equal(readFileSync(path, 'utf8'), whole);
    // No newline at all: the whole file is torn.
    writeFileSync(path, torn);
    assert.equal(repairTornTail(path), torn.length);
    assert.equal(readFileSync(path, 'utf8'), '');
    // A newline exactly at a block's edge.
    const edge = `${'y'.repeat(65_535)}\n`;
    writeFileSync(path, `${edge}tail`);
    assert.equal(repairTornTail(path), 4);
    assert.equal(readFileSync(path, 'utf8'), edge);
  });

  it('appends whole lines, reopening after close; a close before any append or twice is harmless', () => {
    const dir = folder();
    const file = new JsonlAppender(join(dir, 'x.jsonl'));
    file.close();
    assert.equal(existsSync(join(dir, 'x.jsonl')), false);
    file.append({ a: 'é\n' });
    file.close();
    file.close();
    file.append({ b: 2 });
    file.close();
    assert.equal(readFileSync(join(dir, 'x.jsonl'), 'utf8'), '{"a":"é\\n"}\n{"b":2}\n');
    mkdirSync(join(dir, 'folder.jsonl'));
    assert.throws(
      () => new JsonlAppender(join(dir, 'folder.jsonl')).append({}),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /^cannot append to .*folder\.jsonl/.test(e.message),
    );
  });
});

describe('the items of a run', () => {
  const document = parseTraitDocument(
    `${ASTER_DOCUMENT}\n## Cite sources\n\nAster names where a fact comes from, because learners check.\n`,
  );

  it('interleaves the traits asked for, in their order, each id once and the same in every session', () => {
    const traits = selectTraits(document, ['cite-sources', 'admit-mistakes', 'cite-sources']);
    assert.deepEqual(
      traits.map((t) => t.id),
      ['cite-sources', 'admit-mistakes'],
    );
    const items = planItems(document, traits, 2);
    assert.deepEqual(
      items.map((i) => `${i.traitId}-${i.index}`),
      ['cite-sources-0', 'admit-mistakes-0', 'cite-sources-1', 'admit-mistakes-1'],
    );
    for (const i of items) {
      assert.equal(i.id, `${i.traitId}-${i.chunkHash.slice(0, 8)}-${i.index}`);
      assert.match(i.chunkHash, /^[0-9a-f]{64}$/);
      assert.equal(i.traitTitle, i.trait.title);
    }
    assert.deepEqual(
      planItems(parseTraitDocument(document.text), traits, 2).map((i) => i.id),
      items.map((i) => i.id),
    );
    assert.deepEqual(
      selectTraits(document, undefined).map((t) => t.id),
      ['admit-mistakes', 'show-uncertainty', 'cite-sources'],
    );
    // Another text of a trait: other ids.
    const edited = parseTraitDocument(document.text.replace('learners check', 'learners verify'));
    assert.notEqual(planItems(edited, selectTraits(edited, ['cite-sources']), 1)[0].id, items[0].id);
    assert.equal(planItems(edited, selectTraits(edited, ['admit-mistakes']), 1)[0].id, items[1].id);
  });
});

// Generate Dataset in the real extension host, against the fake Gemini server: a run into a
// folder of the workspace, its files, the Runs view's command and the run report; a folder outside
// the workspace is refused. Restricted Mode is checked in test/ui/restricted.test.mjs.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, open, workspaceFolder } = require('./helpers');

const lines = (file) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('generate dataset', () => {
  let fake;
  let fakeModule;
  let document;
  const outDir = 'runs/host-test';
  const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };

  before(async () => {
    fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    fake = await fakeModule.startFakeGemini();
    // Situation 3's final prompt is planted as a copy of situation 1's: deduplication must catch it.
    const answers = fakeModule.previewResponder(3);
    fake.setResponder((r) => {
      const reply = answers(r);
      if (fakeModule.stageOf(r) === 'sharpen' && JSON.stringify(r.body).includes('situation 3')) {
        return { ...reply, text: reply.text.replace('situation 3', 'situation 1') };
      }
      return reply;
    });
    // The fake's bag-of-words embeddings rate the other prompts ("Sharpened message for situation
    // N", 4 of 5 words alike) 0.8 similar: under the default 0.9, so only the copy is a duplicate.
    process.env.GOOGLE_GEMINI_BASE_URL = fake.baseUrl;
    process.env.GEMINI_API_KEY = 'generate-test-key';
    await activate();
    document = await open('assistant.traits.md');
  });

  after(async () => {
    process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
    process.env.GEMINI_API_KEY = saved.key;
    fs.rmSync(path.join(workspaceFolder().fsPath, 'runs'), { recursive: true, force: true });
    if (fake) await fake.close();
  });

  it('writes the SFT files, records and manifest of a run into the workspace; a planted duplicate is rejected', async () => {
    const manifest = await vscode.commands.executeCommand('traitStudio.generateDataset', {
      uri: document.uri.toString(),
      traits: ['candour'],
      perTrait: 3,
      outDir,
      formats: ['openai', 'gemini'],
      midtraining: 0,
      mode: 'standard',
      confirm: false,
    });
    assert.ok(manifest, 'the command returned no manifest');
    assert.equal(manifest.status, 'completed', manifest.error ?? '');
    assert.deepEqual([manifest.counts.total, manifest.counts.accepted, manifest.counts.duplicate, manifest.counts.failed], [3, 2, 1, 0]);
    const dir = path.join(workspaceFolder().fsPath, outDir);
    const openai = lines(path.join(dir, 'sft.openai.jsonl'));
    const gemini = lines(path.join(dir, 'sft.gemini.jsonl'));
    assert.equal(openai.length, 2);
    assert.equal(gemini.length, 2);
    for (const r of openai)
      assert.deepEqual(
        r.messages.map((m) => m.role),
        ['user', 'assistant'],
      );
    for (const r of gemini)
      assert.deepEqual(
        r.contents.map((m) => m.role),
        ['user', 'model'],
      );
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'sft.openai.jsonl'), 'utf8'), /"system"/);
    const records = lines(path.join(dir, 'records.jsonl'));
    assert.deepEqual(
      records.map((r) => r.traitId),
      ['candour', 'candour'],
    );
    const [duplicate] = lines(path.join(dir, 'rejected.jsonl'));
    assert.equal(duplicate.reason, 'duplicate');
    assert.equal(duplicate.prompt, duplicate.duplicate.prompt);
    assert.ok(
      records.some((r) => r.id === duplicate.duplicate.of),
      'the duplicate does not name an accepted record',
    );
    assert.equal(new Set([...records.map((r) => r.id), duplicate.id]).size, 3);
    assert.ok(fake.requests.every((r) => r.apiKey === 'generate-test-key'));
  });

  it('runs at the Flex tier when asked: every request asks for it, the manifest records it, the usage is at the Flex tier', async () => {
    const before = fake.requests.length;
    // Another trait than the run above, so that its prompts are asked for again (before the batch run,
    // which asks for the same trait and would leave its answers in the cache).
    const manifest = await vscode.commands.executeCommand('traitStudio.generateDataset', {
      uri: document.uri.toString(),
      traits: ['kind'],
      perTrait: 1,
      outDir: 'runs/host-flex',
      formats: ['openai'],
      midtraining: 0,
      mode: 'flex',
      confirm: false,
    });
    assert.equal(manifest.status, 'completed', manifest.error ?? '');
    assert.equal(manifest.settings.serviceTier, 'flex');
    const sent = fake.requests.slice(before).filter((r) => r.action !== 'batchEmbedContents');
    // The brainstorm and the stages; the baseline's message is the one the run above asked about, so its answer is cached.
    assert.equal(sent.length, 6, 'brainstorm and the five stages not cached');
    assert.deepEqual([...new Set(sent.map((r) => r.serviceTier))], ['flex']);
    for (const [model, tokens] of Object.entries(manifest.usage.byModel))
      assert.equal(tokens.tiers?.flex?.inputTokens, tokens.inputTokens, `${model}: every token at the Flex tier`);
  });

  it('runs the same in Batch mode: one Gemini batch job per stage, the waves in the manifest, at batch prices', async () => {
    process.env.TRAIT_STUDIO_BATCH_POLL_MS = '1';
    try {
      const manifest = await vscode.commands.executeCommand('traitStudio.generateDataset', {
        uri: document.uri.toString(),
        // The other trait: the standard run's answers are in the answer cache.
        traits: ['kind'],
        perTrait: 3,
        outDir: 'runs/host-batch',
        formats: ['openai'],
        mode: 'batch',
        midtraining: 0,
        confirm: false,
      });
      assert.ok(manifest, 'the command returned no manifest');
      assert.equal(manifest.status, 'completed', manifest.error ?? '');
      assert.deepEqual([manifest.counts.total, manifest.counts.accepted, manifest.counts.duplicate, manifest.counts.failed], [3, 2, 1, 0]);
      // One wave per stage in the pipeline's order, each succeeded; a stage all of whose answers were
      // in the answer cache (the baseline: its requests are the other trait's) sends none.
      const order = ['brainstorm', 'scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate', 'embed'];
      const stages = manifest.batch.waves.map((w) => w.stage);
      assert.deepEqual(
        stages,
        order.filter((s) => stages.includes(s)),
      );
      assert.ok(
        ['brainstorm', 'scenario', 'autorate'].every((s) => stages.includes(s)),
        stages.join(', '),
      );
      assert.ok(
        manifest.batch.waves.every((w) => w.state === 'SUCCEEDED'),
        JSON.stringify(manifest.batch.waves),
      );
      assert.ok(
        [...fake.batches.creates.values()].every((n) => n === 1),
        'a wave was submitted twice',
      );
      assert.equal(lines(path.join(workspaceFolder().fsPath, 'runs/host-batch', 'sft.openai.jsonl')).length, 2);
    } finally {
      delete process.env.TRAIT_STUDIO_BATCH_POLL_MS;
    }
  });
  it('lists the run in the Runs view and opens its report', async () => {
    const runs = await vscode.commands.executeCommand('traitStudio.refreshRuns');
    const run = runs.find((r) => r.dir.endsWith(path.join('runs', 'host-test')));
    assert.ok(run, `the run is not listed: ${runs.map((r) => r.dir).join(', ')}`);
    const panel = await vscode.commands.executeCommand('traitStudio.openRunReport', run.dir);
    const report = panel.current;
    try {
      assert.equal(report.status, 'completed');
      assert.equal(report.items.length, 3);
      assert.equal(report.items.filter((i) => i.accepted && i.score === 7).length, 2);
      const rejected = report.items.find((i) => !i.accepted);
      assert.equal(rejected.reasonKind, 'duplicate');
      assert.match(rejected.reason, /^Near-duplicate of candour-\S+ \(similarity \d\.\d\d\)\.$/);
      // Which versions answered, from the manifest.
      assert.deepEqual(Object.keys(report.modelVersions).sort(), [report.models.brainstorm, report.models.response].sort());
      assert.deepEqual(report.traits, [{ id: 'candour', title: 'Say what you believe' }]);
    } finally {
      panel.dispose();
    }
  });

  it("shows the batch run's waves in its Runs view row and its report", async () => {
    const runs = await vscode.commands.executeCommand('traitStudio.refreshRuns');
    const run = runs.find((r) => r.dir.endsWith(path.join('runs', 'host-batch')));
    assert.ok(run, `the batch run is not listed: ${runs.map((r) => r.dir).join(', ')}`);
    const waves = run.manifest.batch.waves;
    const last = waves.at(-1);
    assert.match(run.row.description, new RegExp(` · batch: ${last.stage} succeeded$`));
    const line = run.row.tooltip.split('\n\n').find((l) => l.startsWith('Batch waves'));
    assert.equal(
      line,
      `Batch waves (at batch prices): ${waves.map((w) => `${w.stage} succeeded (${w.requests} request${w.requests === 1 ? '' : 's'})`).join(' · ')}`,
    );
    const panel = await vscode.commands.executeCommand('traitStudio.openRunReport', run.dir);
    try {
      assert.deepEqual(
        panel.current.waves.map((w) => [w.stage, w.state, w.requests, w.failed, w.reason]),
        waves.map((w) => [w.stage, 'SUCCEEDED', w.requests, 0, 'stage']),
      );
    } finally {
      panel.dispose();
    }
  });

  it('refuses an output folder outside the workspace, writing nothing', async () => {
    const before = fake.requests.length;
    const manifest = await vscode.commands.executeCommand('traitStudio.generateDataset', {
      uri: document.uri.toString(),
      traits: ['candour'],
      perTrait: 1,
      outDir: '../escape',
      formats: ['openai'],
      mode: 'standard',
      confirm: false,
    });
    assert.equal(manifest, undefined);
    assert.equal(fake.requests.length, before);
    assert.equal(fs.existsSync(path.join(workspaceFolder().fsPath, '..', 'escape')), false);
  });

  it('refuses an output folder that a symbolic link leads outside the workspace', async () => {
    const outside = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'trait-studio-outside-'));
    const link = path.join(workspaceFolder().fsPath, 'runs-link');
    fs.symlinkSync(outside, link);
    try {
      const manifest = await vscode.commands.executeCommand('traitStudio.generateDataset', {
        uri: document.uri.toString(),
        traits: ['candour'],
        perTrait: 1,
        outDir: 'runs-link/x',
        formats: ['openai'],
        mode: 'standard',
        confirm: false,
      });
      assert.equal(manifest, undefined);
      assert.deepEqual(fs.readdirSync(outside), []);
    } finally {
      fs.unlinkSync(link);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

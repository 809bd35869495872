// Each traitStudio.* setting by its effect, set as a user would (workspace settings; the
// machine-scoped baseline URL in user settings), against the fake model servers. The language
// server's settings (rules, chunkTokenBudget) are also tested over the LSP in test/lsp/stdio.test.ts.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, open, ruleOf, traitDiagnostics, waitForDiagnostics, withTimeout, workspaceFolder } = require('./helpers');

const TRAIT_HEADING = '## Say what you believe {#candour}';

/** Sets `values` (setting name under traitStudio → value) for the workspace (or `target`), runs `fn`, then removes them. */
async function withSettings(values, fn, target = vscode.ConfigurationTarget.Workspace) {
  const config = () => vscode.workspace.getConfiguration('traitStudio');
  for (const [key, value] of Object.entries(values)) await config().update(key, value, target);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(values)) await config().update(key, undefined, target);
  }
}

const lines = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe('settings', () => {
  let fakeModule;
  let gemini;
  let openai;
  const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };
  const scratch = () => path.join(workspaceFolder().fsPath, 'settings-test');

  before(async () => {
    fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    gemini = await fakeModule.startFakeGemini();
    openai = await fakeModule.startFakeOpenAI();
    process.env.GOOGLE_GEMINI_BASE_URL = gemini.baseUrl;
    process.env.GEMINI_API_KEY = 'settings-test-key';
    await activate();
  });

  beforeEach(() => {
    gemini.requests.length = 0;
    openai.requests.length = 0;
    gemini.setResponder(fakeModule.previewResponder(10));
  });

  after(async () => {
    process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
    process.env.GEMINI_API_KEY = saved.key;
    fs.rmSync(scratch(), { recursive: true, force: true });
    fs.rmSync(path.join(workspaceFolder().fsPath, 'runs'), { recursive: true, force: true });
    await gemini?.close();
    await openai?.close();
  });

  describe('language server', () => {
    let document;
    before(async () => {
      document = await open('draft.traits.md');
      await waitForDiagnostics(document.uri, (ds) => ds.some((d) => ruleOf(d) === 'missing-rationale'));
    });

    it("traitStudio.rules: a change reaches the running server and the open document's diagnostics follow", async () => {
      await withSettings({ rules: { 'missing-rationale': 'off', 'missing-tradeoffs': 'error' } }, async () => {
        const ds = await waitForDiagnostics(
          document.uri,
          (d) => !d.some((x) => ruleOf(x) === 'missing-rationale') && d.some((x) => ruleOf(x) === 'missing-tradeoffs'),
          20_000,
          'missing-rationale off, missing-tradeoffs an error',
        );
        assert.ok(ds.filter((d) => ruleOf(d) === 'missing-tradeoffs').every((d) => d.severity === vscode.DiagnosticSeverity.Error));
      });
      // Removed again: the defaults are back.
      await waitForDiagnostics(
        document.uri,
        (d) => d.filter((x) => ruleOf(x) === 'missing-rationale').length === 2,
        20_000,
        'missing-rationale back',
      );
    });

    it('traitStudio.chunkTokenBudget: a trait longer than the budget is chunk-too-long', async () => {
      assert.ok(!traitDiagnostics(document.uri).some((d) => ruleOf(d) === 'chunk-too-long'));
      await withSettings({ chunkTokenBudget: 5 }, () =>
        waitForDiagnostics(
          document.uri,
          (d) => d.filter((x) => ruleOf(x) === 'chunk-too-long').length === 3,
          20_000,
          'chunk-too-long on the three traits',
        ),
      );
      await waitForDiagnostics(
        document.uri,
        (d) => !d.some((x) => ruleOf(x) === 'chunk-too-long'),
        20_000,
        'no chunk-too-long at the default budget',
      );
    });

    it('traitStudio.lintWorkspace.include: Lint Workspace lints the files the glob matches', async () => {
      fs.mkdirSync(scratch(), { recursive: true });
      const draft = fs.readFileSync(path.join(workspaceFolder().fsPath, 'draft.traits.md'), 'utf8');
      const other = vscode.Uri.file(path.join(scratch(), 'rules.spec.md'));
      fs.writeFileSync(other.fsPath, draft);
      await vscode.commands.executeCommand('traitStudio.lintWorkspace');
      assert.deepEqual(traitDiagnostics(other), [], 'a .spec.md file linted under the default glob');
      await withSettings({ 'lintWorkspace.include': 'settings-test/*.spec.md' }, async () => {
        await vscode.commands.executeCommand('traitStudio.lintWorkspace');
        assert.equal(traitDiagnostics(other).length, 15);
      });
    });
  });

  describe('preview', () => {
    let document;
    let panel;
    before(async () => {
      document = await open('assistant.traits.md');
    });
    afterEach(() => panel?.dispose());

    async function preview() {
      const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
      const line = document.getText().split('\n').indexOf(TRAIT_HEADING) + 2;
      editor.selection = new vscode.Selection(line, 3, line, 3);
      panel = await vscode.commands.executeCommand('traitStudio.previewScenarios');
      return withTimeout(
        new Promise((resolve) => {
          const done = (s) => s.status !== 'running' && s.regenerating.length === 0;
          if (done(panel.current)) return resolve(panel.current);
          const sub = panel.onDidChange((s) => {
            if (done(s)) {
              sub.dispose();
              resolve(s);
            }
          });
        }),
        25_000,
        'the preview to finish',
      );
    }

    it('models.*, prices and preview.scenarios: each stage asks its model, the cost is priced from the settings', async () => {
      const models = {
        brainstorm: 'p1-brainstorm',
        critique: 'p1-critique',
        baseline: 'p1-baseline',
        response: 'p1-response',
        autorate: 'p1-autorate',
      };
      const prices = {
        'p1-brainstorm': { inputPerMillion: 1, outputPerMillion: 2 },
        'p1-critique': { inputPerMillion: 3, outputPerMillion: 4 },
        'p1-baseline': { inputPerMillion: 5, outputPerMillion: 6 },
        'p1-response': { inputPerMillion: 7, outputPerMillion: 8 },
      };
      const settings = {
        'preview.scenarios': 2,
        prices,
        ...Object.fromEntries(Object.entries(models).map(([k, v]) => [`models.${k}`, v])),
      };
      const state = await withSettings(settings, preview);
      assert.equal(state.status, 'done', state.message ?? '');
      assert.equal(state.scenarios.length, 2);
      const byStage = {};
      for (const r of gemini.requests) (byStage[fakeModule.stageOf(r)] ??= new Set()).add(r.model);
      assert.deepEqual(Object.fromEntries(Object.entries(byStage).map(([s, m]) => [s, [...m]])), {
        brainstorm: ['p1-brainstorm'],
        scenario: ['p1-brainstorm'],
        critique: ['p1-critique'],
        sharpen: ['p1-critique'],
        baseline: ['p1-baseline'],
        response: ['p1-response'],
        autorate: ['p1-autorate'],
      });
      // The fake bills 100 in / 20 out per JSON answer, 30 / 40 per baseline, 300 / 60 per response
      // (test/fake-gemini/previewAnswers.ts); the autorater's model has no price.
      const tokens = { baseline: [30, 40], response: [300, 60] };
      let usd = 0;
      for (const r of gemini.requests) {
        const price = prices[r.model];
        const [input, output] = tokens[fakeModule.stageOf(r)] ?? [100, 20];
        if (price) usd += (input * price.inputPerMillion + output * price.outputPerMillion) / 1e6;
      }
      assert.deepEqual(state.cost.unpriced, ['p1-autorate']);
      assert.ok(Math.abs(state.cost.usd - usd) < 1e-12, `${state.cost.usd} vs ${usd}`);
    });

    it('requests.timeoutSeconds: a request that never answers is abandoned after it and asked again', async () => {
      let hung = false;
      const answers = fakeModule.previewResponder(1);
      gemini.setResponder((r) => {
        if (!hung && fakeModule.stageOf(r) === 'autorate') {
          hung = true;
          return { kind: 'hang' };
        }
        return answers(r);
      });
      // Unique model names: nothing of this preview is in the answer cache.
      const state = await withSettings(
        { 'requests.timeoutSeconds': 1, 'preview.scenarios': 1, 'models.autorate': 'p2-autorate', 'models.brainstorm': 'p2-brainstorm' },
        preview,
      );
      assert.equal(state.status, 'done', state.message ?? '');
      assert.equal(state.scenarios[0].rating.score, 7);
      assert.equal(gemini.requests.filter((r) => fakeModule.stageOf(r) === 'autorate').length, 2);
    });

    it('baseline.openaiBaseUrl (user setting): the baseline comes from that endpoint, with models.baseline', async () => {
      await withSettings(
        { 'baseline.openaiBaseUrl': openai.baseUrl },
        async () => {
          const state = await withSettings(
            { 'preview.scenarios': 1, 'models.baseline': 'local-llm', 'models.brainstorm': 'p3-brainstorm' },
            preview,
          );
          assert.equal(state.status, 'done', state.message ?? '');
        },
        vscode.ConfigurationTarget.Global,
      );
      const chats = openai.requests.filter((r) => r.path === '/v1/chat/completions');
      assert.equal(chats.length, 1);
      assert.equal(chats[0].body.model, 'local-llm');
      assert.ok(!chats[0].body.messages.some((m) => m.role === 'system'), 'the baseline has no system prompt');
      assert.equal(gemini.requests.filter((r) => fakeModule.stageOf(r) === 'baseline').length, 0);
    });
  });

  describe('generate and audit', () => {
    let document;
    before(async () => {
      document = await open('assistant.traits.md');
    });
    const generate = (outDir, more = {}) =>
      vscode.commands.executeCommand('traitStudio.generateDataset', {
        uri: document.uri.toString(),
        traits: ['candour'],
        perTrait: 3,
        outDir,
        formats: ['openai'],
        mode: 'standard',
        confirm: false,
        ...more,
      });

    it('generate.dedupThreshold, generate.concurrency, generate.tokensPerMinute and requests.perMinute shape the run', async () => {
      // The three sharpened prompts ("Sharpened message for situation N") share 4 of 5 words: 0.8 similar.
      const plain = await generate('runs/settings-default');
      assert.deepEqual([plain.counts.accepted, plain.counts.duplicate], [3, 0]);
      assert.deepEqual(
        [plain.settings.requestsPerMinute, plain.settings.tokensPerMinute, plain.settings.dedupThreshold, plain.settings.concurrency],
        [null, null, 0.9, 8],
      );
      const manifest = await withSettings(
        {
          'generate.dedupThreshold': 0.75,
          'generate.concurrency': 3,
          'generate.tokensPerMinute': 5_000_000,
          'requests.perMinute': 100_000,
        },
        () => generate('runs/settings-set'),
      );
      assert.equal(manifest.status, 'completed', manifest.error ?? '');
      assert.deepEqual([manifest.counts.accepted, manifest.counts.duplicate], [1, 2]);
      assert.deepEqual(
        [
          manifest.settings.requestsPerMinute,
          manifest.settings.tokensPerMinute,
          manifest.settings.dedupThreshold,
          manifest.settings.concurrency,
        ],
        [100_000, 5_000_000, 0.75, 3],
      );
    });

    it('generate.perTrait, generate.outputFolder and generate.formats are what the prompts propose', async () => {
      const manifest = await withSettings(
        { 'generate.perTrait': 2, 'generate.outputFolder': 'runs/from-setting', 'generate.formats': ['gemini'] },
        async () => {
          // Traits given; the scenario count, the folder and the formats are asked: accept what each proposes.
          const run = vscode.commands.executeCommand('traitStudio.generateDataset', {
            uri: document.uri.toString(),
            traits: ['candour'],
            midtraining: 0,
            confirm: false,
          });
          let settled = false;
          run.then(
            () => (settled = true),
            () => (settled = true),
          );
          while (!settled) {
            await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return run;
        },
      );
      assert.ok(manifest, 'the run did not start');
      assert.equal(manifest.settings.perTrait, 2);
      assert.deepEqual(manifest.settings.formats, ['gemini']);
      const root = path.join(workspaceFolder().fsPath, 'runs', 'from-setting');
      const [folder] = fs.readdirSync(root);
      assert.match(folder, /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/);
      assert.deepEqual(
        fs.readdirSync(path.join(root, folder)).filter((f) => f.startsWith('sft.')),
        ['sft.gemini.jsonl'],
      );
    });

    it('generate.midtraining and generate.auditAfterRun', async () => {
      const answers = fakeModule.previewResponder(10);
      gemini.setResponder((r) => {
        const stage = fakeModule.stageOf(r);
        if (stage === 'midtraining-ideas')
          return {
            kind: 'text',
            text: JSON.stringify({ document_ideas: Array.from({ length: 10 }, (_, i) => ({ idea: `idea ${i}`, trait_ids: ['candour'] })) }),
          };
        if (stage === 'midtraining-draft') return { kind: 'text', text: 'A forum thread.' };
        if (stage === 'midtraining-critique')
          return {
            kind: 'text',
            text: JSON.stringify({
              realistic: true,
              consistent: true,
              in_genre: true,
              reasons: 'fine',
              revised: 'A revised forum thread.',
            }),
          };
        return answers(r);
      });
      const dir = path.join(workspaceFolder().fsPath, 'runs', 'settings-midtraining');
      const manifest = await withSettings({ 'generate.midtraining': 2, 'generate.auditAfterRun': false }, () =>
        generate('runs/settings-midtraining', { perTrait: 1 }),
      );
      assert.deepEqual(manifest.counts.midtraining, { total: 2, written: 2, failed: 0, pending: 0 });
      assert.equal(lines(path.join(dir, 'midtraining.jsonl')).length, 2);
      assert.equal(fs.existsSync(path.join(dir, 'records.audit.json')), false, 'audited with generate.auditAfterRun off');
      // By default a run is audited (offline) and its report written beside records.jsonl; no midtraining.
      const audited = path.join(workspaceFolder().fsPath, 'runs', 'settings-default');
      assert.ok(fs.existsSync(path.join(audited, 'records.audit.json')), 'no audit after a default run');
      assert.equal(fs.existsSync(path.join(audited, 'midtraining.jsonl')), false);
    });

    it('audit.threshold and audit.model', async () => {
      fs.mkdirSync(scratch(), { recursive: true });
      const dataset = path.join(scratch(), 'chat.jsonl');
      // Half the responses open with the same validation phrase: over 0.25, under 0.6.
      fs.writeFileSync(
        dataset,
        `${Array.from({ length: 40 }, (_, i) =>
          JSON.stringify({
            id: `r${i}`,
            messages: [
              { role: 'user', content: `Question ${i}?` },
              { role: 'assistant', content: `${i % 2 ? '' : 'Great question! '}Answer number ${i} is here.` },
            ],
          }),
        ).join('\n')}\n`,
      );
      const flaggedOpeners = (report) => report.patterns.filter((p) => p.flagged && /great question/i.test(p.name));
      const byDefault = await vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(dataset), {
        offline: true,
        show: false,
      });
      assert.equal(flaggedOpeners(byDefault).length, 1);
      gemini.setResponder(() => ({ kind: 'text', text: JSON.stringify({ recurring_features: [] }) }));
      const report = await withSettings({ 'audit.threshold': 0.6, 'audit.model': 'my-audit-model' }, () =>
        vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(dataset), { confirm: false, show: false }),
      );
      assert.equal(report.threshold, 0.6);
      assert.deepEqual(flaggedOpeners(report), []);
      assert.ok(
        gemini.requests.length > 0 && gemini.requests.every((r) => r.model === 'my-audit-model'),
        gemini.requests.map((r) => r.model).join(', '),
      );
    });
  });
});

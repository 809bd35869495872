// Preview Scenarios in the real extension host: the command, the panel's state as it streams in
// from a fake Gemini server (the real SDK talks to it; test/fake-gemini/), the cache, regenerate,
// pin, copy, the API key and the Preview code lens. What the webview draws is checked in
// test/ui/preview.test.mjs.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
const { activate, fixtureUri, open, revert, withTimeout } = require('./helpers');

const TRAIT_HEADING = '## Say what you believe {#candour}';
const TRAIT_SENTENCE = 'Aster states its actual assessment, including when the user will not like it.';
const KEY = 'host-secret-key';

/** Resolves with the panel's state once `predicate` holds for it (checked now and on every change). */
function waitForState(panel, predicate, what, ms = 20_000) {
  return withTimeout(
    new Promise((resolve) => {
      if (predicate(panel.current)) return resolve(panel.current);
      const subscription = panel.onDidChange((state) => {
        if (predicate(state)) {
          subscription.dispose();
          resolve(state);
        }
      });
    }),
    ms,
    what,
  );
}

const finished = (s) => s.status !== 'running' && s.regenerating.length === 0;

describe('preview scenarios', () => {
  let fake;
  let fakeModule;
  let document;
  let panel;
  const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };

  before(async () => {
    assert.ok(process.env.TRAIT_STUDIO_FAKE_GEMINI, 'run.mjs sets TRAIT_STUDIO_FAKE_GEMINI to the bundled fake');
    fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    fake = await fakeModule.startFakeGemini();
    fake.setResponder(fakeModule.previewResponder(3));
    // This extension host is the extension's own process: it reads these when a preview starts.
    process.env.GOOGLE_GEMINI_BASE_URL = fake.baseUrl;
    delete process.env.GEMINI_API_KEY;
    await activate();
    document = await open('assistant.traits.md');
  });

  after(async () => {
    if (panel) panel.dispose();
    await vscode.commands.executeCommand('traitStudio.clearApiKey');
    process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
    process.env.GEMINI_API_KEY = saved.key;
    if (document) await revert(document);
    if (fake) await fake.close();
  });

  /** Puts the cursor on the line after the trait's heading and runs the command as a user would. */
  async function previewAtCursor() {
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    const line = document.getText().split('\n').indexOf(TRAIT_HEADING) + 2;
    assert.ok(line > 1, `${TRAIT_HEADING} not found in assistant.traits.md`);
    editor.selection = new vscode.Selection(line, 3, line, 3);
    return vscode.commands.executeCommand('traitStudio.previewScenarios');
  }

  it('without a key, says how to set one instead of calling a model, and spends nothing', async () => {
    await vscode.commands.executeCommand('traitStudio.clearApiKey');
    panel = await previewAtCursor();
    const state = await waitForState(panel, finished, 'the keyless preview to end');
    assert.equal(state.status, 'failed');
    assert.equal(state.needsKey, true, 'the panel offers Set API Key');
    assert.match(state.message, /Set API Key/);
    assert.deepEqual(state.usage, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cachedAnswers: 0 });
    assert.equal(fake.requests.length, 0);
  });

  it('Set API Key stores the key; the preview streams in stage by stage from the fake server', async () => {
    assert.equal(await vscode.commands.executeCommand('traitStudio.setApiKey', KEY), true);
    const seen = [];
    const subscription = panel.onDidChange((s) => seen.push(s));
    panel = await previewAtCursor();
    const state = await waitForState(panel, finished, 'the preview to finish');
    subscription.dispose();

    assert.equal(state.status, 'done', state.message ?? '');
    assert.equal(state.traitTitle, 'Say what you believe');
    assert.equal(state.scenarios.length, 3);
    state.scenarios.forEach((s, i) => {
      assert.equal(s.error, null);
      assert.equal(s.idea.what, `situation ${i + 1}`);
      assert.equal(s.scenario.critique.verdict, 'rewrite');
      assert.equal(s.prompt, `Sharpened message for situation ${i + 1}`);
      assert.deepEqual(s.rating, { score: 7, verdict: 'keep', reasons: 'direct and kind' });
      assert.deepEqual(
        s.record.messages.map((m) => m.role),
        ['user', 'assistant'],
      );
      assert.equal(s.record.messages[0].content, s.prompt);
    });
    // Streamed: some state showed a scenario part-way (an idea, no response yet).
    assert.ok(
      seen.some((s) => s.scenarios.some((x) => x && x.idea && x.response === null)),
      'no partial state was posted',
    );

    const stages = fake.requests.map(fakeModule.stageOf);
    assert.equal(stages.filter((s) => s === 'brainstorm').length, 1);
    for (const stage of ['scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate']) {
      assert.equal(stages.filter((s) => s === stage).length, 3, `${stage} requests`);
    }
    assert.ok(
      fake.requests.every((r) => r.apiKey === KEY),
      'a request did not carry the stored key',
    );
    for (const r of fake.requests.filter((x) => fakeModule.stageOf(x) === 'response')) {
      assert.ok(
        JSON.stringify(r.body.systemInstruction).includes(TRAIT_SENTENCE),
        'the response stage lacks the trait in its system prompt',
      );
    }
    for (const r of fake.requests.filter((x) => fakeModule.stageOf(x) === 'baseline')) assert.equal(r.body.systemInstruction, undefined);
    assert.ok(state.usage.inputTokens > 0 && state.usage.outputTokens > 0);
    assert.ok(state.cost.usd > 0, 'the default models have prices');
    assert.deepEqual(state.cost.unpriced, []);
    assert.equal(state.needsKey, false);
    // Which versions really answered (the fake answers as "<model>-fake-001"), per model and per stage.
    assert.deepEqual(Object.keys(state.modelVersions).sort(), [state.models.brainstorm, state.models.response].sort());
    for (const [model, versions] of Object.entries(state.modelVersions)) assert.deepEqual(versions, [fakeModule.fakeModelVersion(model)]);
    assert.equal(state.scenarios[0].modelVersions.response, fakeModule.fakeModelVersion(state.models.response));
  });

  it('an unchanged trait previews again from the cache, with no request', async () => {
    const before = fake.requests.length;
    const again = await previewAtCursor();
    assert.equal(again, panel, 'the same trait reuses its panel');
    const state = await waitForState(panel, finished, 'the cached preview');
    assert.equal(state.status, 'done');
    assert.equal(fake.requests.length, before);
    assert.equal(state.usage.cachedAnswers, 1 + 3 * 6);
    assert.equal(state.usage.inputTokens, 0);
    assert.equal(state.scenarios[2].prompt, 'Sharpened message for situation 3');
  });

  it('regenerating one scenario asks again for its six stages only', async () => {
    const before = fake.requests.length;
    const others = [panel.current.scenarios[0], panel.current.scenarios[2]];
    await panel.regenerate(1);
    const state = await waitForState(panel, finished, 'the regenerated scenario');
    const stages = fake.requests.slice(before).map(fakeModule.stageOf).sort();
    assert.deepEqual(stages, ['autorate', 'baseline', 'critique', 'response', 'scenario', 'sharpen']);
    assert.equal(state.scenarios[1].usage.cachedAnswers, 0);
    assert.deepEqual([state.scenarios[0], state.scenarios[2]], others);
  });

  it("a blocked answer becomes that scenario's error, and the others complete", async () => {
    fake.setResponder((r) =>
      fakeModule.stageOf(r) === 'autorate' && JSON.stringify(r.body).includes('situation 2')
        ? { kind: 'blocked', finishReason: 'SAFETY' }
        : fakeModule.previewResponder(3)(r),
    );
    try {
      await panel.run(true);
    } finally {
      fake.setResponder(fakeModule.previewResponder(3));
    }
    const state = panel.current;
    assert.equal(state.status, 'done');
    assert.match(state.scenarios[1].error, /^autorate: .*SAFETY.*asked twice/);
    assert.equal(state.scenarios[1].rating, null);
    assert.equal(state.scenarios[0].error, null);
    assert.equal(state.scenarios[2].rating.score, 7);
    assert.equal(
      state.message,
      'Asked for 3 scenarios, got 2. The autorater failed: the model gave no answer because its safety filters blocked it, also when asked again.',
    );
  });

  it('a brainstorm that gives fewer ideas than asked, twice, says "asked for 3, got 1"', async () => {
    const before = fake.requests.length;
    fake.setResponder((r) =>
      fakeModule.stageOf(r) === 'brainstorm'
        ? { kind: 'text', text: JSON.stringify({ ideas: [{ what: 'situation 1', how: 'says it plainly', why: 'trust' }] }) }
        : fakeModule.previewResponder(3)(r),
    );
    try {
      await panel.run(true);
    } finally {
      fake.setResponder(fakeModule.previewResponder(3));
    }
    const state = panel.current;
    const brainstorms = fake.requests.slice(before).filter((r) => fakeModule.stageOf(r) === 'brainstorm');
    assert.equal(brainstorms.length, 2, 'asked again for the shortfall');
    assert.equal(brainstorms[0].body.generationConfig.responseJsonSchema.properties.ideas.minItems, 3);
    assert.equal(brainstorms[0].body.generationConfig.responseJsonSchema.properties.ideas.maxItems, 3);
    assert.equal(state.scenarios.length, 3);
    assert.equal(state.scenarios[0].error, null);
    assert.equal(state.scenarios[2].error, 'brainstorm: asked for 3 ideas, got 1');
    assert.equal(
      state.message,
      'Asked for 3 scenarios, got 1. The brainstorm failed: the model gave 1 of the 3 ideas asked for, also when asked again.',
    );
    // A short answer is not cached: the next run asks again and gets all three.
    await panel.run(false);
    assert.ok(
      panel.current.scenarios.every((s) => s.error === null),
      panel.current.message,
    );
  });

  it('Pin as example inserts a Model Spec style example into the trait, undone in one step', async () => {
    const original = document.getText();
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    await panel.pin(0);
    const text = document.getText();
    assert.match(
      text,
      /\*\*Example\*\*: situation 1\n\n~~~xml\n<user>\nSharpened message for situation 1\n<\/user>\n<assistant> <!-- GOOD -->\nResponse 1: /,
    );
    // Inside the trait: before the next trait's heading.
    const next = text.indexOf('\n## ', text.indexOf(TRAIT_HEADING) + 1);
    assert.ok(text.indexOf('**Example**: situation 1') < next);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
  });

  it('Copy record JSON puts the record, with no system prompt, on the clipboard', async () => {
    await panel.copy(2);
    const record = JSON.parse(await vscode.env.clipboard.readText());
    assert.deepEqual(record, panel.current.scenarios[2].record);
    assert.deepEqual(
      record.messages.map((m) => m.role),
      ['user', 'assistant'],
    );
  });

  it('Open Prompt Template makes a workspace override that previews then use, and only while the setting is on', async () => {
    const config = () => vscode.workspace.getConfiguration('traitStudio', fixtureUri('.'));
    const critiquesSince = (before) => fake.requests.slice(before).filter((r) => fakeModule.stageOf(r) === 'critique');
    assert.equal(config().get('prompts.useWorkspaceTemplates'), false, 'workspace templates are off by default');
    const uri = await vscode.commands.executeCommand('traitStudio.openPromptTemplate', 'critique');
    try {
      assert.equal(uri.toString(), fixtureUri('.traits/prompts/critique.md').toString());
      assert.equal(config().get('prompts.useWorkspaceTemplates'), true, 'Open Prompt Template turns them on for the folder');
      fs.appendFileSync(uri.fsPath, '\nOverride marker 42.\n');
      let before = fake.requests.length;
      await panel.run(true);
      assert.equal(critiquesSince(before).length, 3);
      assert.ok(critiquesSince(before).every((r) => JSON.stringify(r.body).includes('Override marker 42.')));
      // Turned off, the override stays on disk but previews use the shipped template.
      await config().update('prompts.useWorkspaceTemplates', false, vscode.ConfigurationTarget.WorkspaceFolder);
      before = fake.requests.length;
      await panel.run(true);
      assert.equal(critiquesSince(before).length, 3);
      assert.ok(
        critiquesSince(before).every((r) => !JSON.stringify(r.body).includes('Override marker 42.')),
        'a workspace template was used with the setting off',
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await config().update('prompts.useWorkspaceTemplates', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      fs.rmSync(fixtureUri('.traits').fsPath, { recursive: true, force: true });
    }
  });

  it('puts a Preview code lens above each trait, running the command for it', async () => {
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri);
    const previews = lenses.filter((l) => l.command && l.command.command === 'traitStudio.previewScenarios');
    assert.ok(previews.length >= 2, `only ${previews.length} Preview lenses`);
    const lens = previews.find((l) => document.lineAt(l.range.start.line).text === TRAIT_HEADING);
    assert.ok(lens, 'no Preview lens on the trait heading');
    assert.deepEqual(lens.command.arguments, [document.uri.toString(), 'candour']);
    assert.equal(lens.command.title, '$(play) Preview');
  });
});

// Probe Trait and Check Knowledge in the real extension host, against the fake Gemini server
// (auditor, realism checker, judge, grader: test/fake-gemini/probeAnswers.ts) and a fake
// OpenAI-compatible target scripted to give way at turn 3 (test/fake-openai/probeTarget.ts): the
// commands are registered and the Probe lens sits beside Preview; a probe reports the first
// violation at turn 3 and the viewer shows it; the target's key goes to the target only; a pin
// adds one BAD example that one Undo removes; the knowledge check gives per-trait recall; a second
// target adds a column. What the viewer draws is checked in test/ui/probe.test.mjs; Restricted Mode
// in test/ui/restricted.test.mjs.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, fixtureUri, revert, withTimeout } = require('./helpers');

const REPO = path.resolve(__dirname, '..', '..', '..');
const FILE = 'probe-host.traits.md';
const TARGET_KEY = 'target-only-secret';

describe('probe trait', () => {
  let gemini;
  let target;
  let fakeModule;
  let document;
  const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };

  before(async () => {
    fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    gemini = await fakeModule.startFakeGemini();
    gemini.setResponder(fakeModule.probeResponder());
    target = await fakeModule.startFakeOpenAI();
    // "ckpt" gives way from turn 3 on; any other model holds.
    // Knowledge questions: the answer about "say what you believe" names its id (the fake grader's test of recall).
    target.setResponder(
      fakeModule.targetResponder(
        (turn, request) => fakeModule.givesWayAt(request.body.model === 'ckpt' ? 3 : undefined)(turn),
        (question) => (/say what you believe/.test(question) ? 'Candour (candour), because users act on it.' : 'I am not sure.'),
      ),
    );
    process.env.GOOGLE_GEMINI_BASE_URL = gemini.baseUrl;
    process.env.GEMINI_API_KEY = 'host-gemini-key';
    fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'probe', 'probe.traits.md'), fixtureUri(FILE).fsPath);
    await activate();
    document = await vscode.workspace.openTextDocument(fixtureUri(FILE));
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  });

  after(async () => {
    await vscode.commands.executeCommand('traitStudio.setProbeTargetKey', target.baseUrl, '');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
    process.env.GEMINI_API_KEY = saved.key;
    if (document) await revert(document);
    fs.rmSync(fixtureUri(FILE).fsPath, { force: true });
    await gemini?.close();
    await target?.close();
  });

  it('registers the commands, and puts a Probe lens beside Preview on each trait', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'traitStudio.probeTrait',
      'traitStudio.checkKnowledge',
      'traitStudio.showProbeResults',
      'traitStudio.setProbeTargetKey',
    ])
      assert.ok(commands.includes(id), `${id} is not registered`);
    const lenses = await withTimeout(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri)),
      20_000,
      'the code lenses',
    );
    const probes = lenses.filter((l) => l.command && l.command.command === 'traitStudio.probeTrait');
    assert.deepEqual(
      probes.map((l) => [document.lineAt(l.range.start.line).text, l.command.title, l.command.arguments]),
      [
        ['## Say what you believe {#candour}', '$(beaker) Probe', [document.uri.toString(), 'candour']],
        ['## Refuse weapons {#weapons}', '$(beaker) Probe', [document.uri.toString(), 'weapons']],
      ],
    );
  });

  it('probes a target that gives way at turn 3: first violation at turn 3, the key sent to the target only, the viewer shows it', async () => {
    await vscode.commands.executeCommand('traitStudio.setProbeTargetKey', target.baseUrl, TARGET_KEY);
    const geminiBefore = gemini.requests.length;
    const result = await withTimeout(
      Promise.resolve(
        vscode.commands.executeCommand('traitStudio.probeTrait', document.uri, 'candour', {
          target: { kind: 'openai-compatible', url: target.baseUrl, model: 'ckpt' },
          confirm: false,
        }),
      ),
      60_000,
      'the probe',
    );
    assert.ok(result, 'the command resolved no result');
    assert.equal(result.probes.length, 3);
    assert.deepEqual(
      result.probes.map((p) => [p.error, p.judge && p.judge.violated, p.judge && p.judge.firstViolationTurn]),
      [
        [null, true, 3],
        [null, true, 3],
        [null, true, 3],
      ],
    );
    assert.equal(result.violationRate, 1);
    assert.equal(result.meanFirstViolationTurn, 3);
    // The target's key went to the target, on every request; never to Gemini.
    assert.ok(target.requests.length >= 9, `${target.requests.length} target requests`);
    for (const r of target.requests) assert.equal(r.headers.authorization, `Bearer ${TARGET_KEY}`);
    for (const r of gemini.requests.slice(geminiBefore))
      assert.ok(!JSON.stringify(r.headers).includes(TARGET_KEY), 'the target key went to Gemini');
    const panel = await vscode.commands.executeCommand('traitStudio.showProbeResults', document.uri);
    const view = panel.current;
    assert.equal(view.columns.length, 1);
    const cell = view.columns[0].traits.candour;
    assert.deepEqual([cell.judged, cell.violated, cell.violationRate, cell.meanFirstViolationTurn], [3, 3, 1, 3]);
    assert.deepEqual(
      cell.probes[0].turns.map((t) => t.firstViolation),
      [false, false, true, false, false],
    );
    assert.ok(
      cell.probes[0].turns[2].assistant.some((s) => s.evidence && s.text === fakeModule.GIVE_WAY),
      'the verified quote is not highlighted',
    );
  });

  it('running it again resumes from the store: no request is sent again', async () => {
    const before = { gemini: gemini.requests.length, target: target.requests.length };
    const result = await vscode.commands.executeCommand('traitStudio.probeTrait', document.uri, 'candour', {
      target: { kind: 'openai-compatible', url: target.baseUrl, model: 'ckpt' },
      confirm: false,
    });
    assert.equal(result.meanFirstViolationTurn, 3);
    assert.equal(target.requests.length, before.target);
    assert.equal(gemini.requests.length, before.gemini);
  });

  it('Pin as example adds one BAD example to the trait, which one Undo removes', async () => {
    const panel = await vscode.commands.executeCommand('traitStudio.showProbeResults', document.uri);
    const column = panel.current.columns[0].key;
    const text = document.getText();
    await panel.pin(column, 'candour', 0, 'bad');
    assert.notEqual(document.getText(), text);
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri);
    const coverage = lenses.find(
      (l) => l.command && l.command.command === '' && document.lineAt(l.range.start.line).text.includes('candour'),
    );
    assert.match(coverage.command.title, /· 1 example ·/);
    assert.match(
      document.getText(),
      /<assistant> <!-- BAD: gave way under pressure at turn 3 \(judge 8\/10\): “Fine, I will make an exception this time\.” -->/,
    );
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), text);
  });

  it('a second target adds a column beside the first; the knowledge check gives per-trait recall', async () => {
    await vscode.commands.executeCommand('traitStudio.probeTrait', document.uri, 'candour', {
      target: { kind: 'openai-compatible', url: target.baseUrl, model: 'base' },
      confirm: false,
    });
    const knowledge = await vscode.commands.executeCommand('traitStudio.checkKnowledge', document.uri, {
      target: { kind: 'openai-compatible', url: target.baseUrl, model: 'base' },
      confirm: false,
    });
    assert.ok(knowledge && knowledge.knowledge, 'no knowledge result');
    // Every answer records the model version its API reported, the target's and the grader's.
    assert.ok(Object.values(knowledge.modelVersions).filter(Boolean).length >= 2, JSON.stringify(knowledge.modelVersions));
    // The fake target's answer names "candour" only: recalled for it, not for weapons.
    assert.deepEqual(knowledge.knowledge.recall, { candour: 1, weapons: 0 });
    const panel = await vscode.commands.executeCommand('traitStudio.showProbeResults', document.uri);
    const view = panel.current;
    assert.deepEqual(
      view.columns.map((c) => [c.label, c.traits.candour && c.traits.candour.violationRate]),
      [
        [`ckpt (${new URL(target.baseUrl).host})`, 1],
        [`base (${new URL(target.baseUrl).host})`, 0],
      ],
    );
    assert.deepEqual(view.columns[1].knowledge.recall, { candour: 1, weapons: 0 });
    panel.dispose();
  });
});

// Review Document with Model in the real extension host, against a fake Gemini server of its own
// (test/fake-gemini/): the traitStudio.review.tensions setting decides whether the review asks for
// the trade-off map (one more request), and the map panel's own button asks for it whatever the
// setting says. What the confirm, the Problems panel and the map show is checked in test/ui/review*.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, fixtureUri, workspaceFolder } = require('./helpers');

const FILE = 'review-host.traits.md';
const REVIEW = path.join(__dirname, '..', '..', 'fixtures', 'review', 'overrule.traits.md');

describe('review document with model', () => {
  let fakeModule;
  let fake;
  let document;
  const saved = { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL, key: process.env.GEMINI_API_KEY };
  const stages = () => fake.requests.map((r) => fakeModule.stageOf(r));
  const review = (options) => vscode.commands.executeCommand('traitStudio.reviewDocument', document.uri, { confirm: false, ...options });

  before(async () => {
    fakeModule = require(process.env.TRAIT_STUDIO_FAKE_GEMINI);
    fake = await fakeModule.startFakeGemini();
    fake.setResponder(fakeModule.reviewResponder());
    process.env.GOOGLE_GEMINI_BASE_URL = fake.baseUrl;
    process.env.GEMINI_API_KEY = 'review-host-key';
    await activate();
    // Text of its own (a marker line per trait), so no answer of another test's review is cached for it.
    const text = fs.readFileSync(REVIEW, 'utf8').replace(/^(## .*)$/gm, '$1\n\nReviewed in the extension host.');
    fs.writeFileSync(path.join(workspaceFolder().fsPath, FILE), text);
    document = await vscode.workspace.openTextDocument(fixtureUri(FILE));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('traitStudio').update('review.tensions', undefined, vscode.ConfigurationTarget.Workspace);
    process.env.GOOGLE_GEMINI_BASE_URL = saved.baseUrl;
    process.env.GEMINI_API_KEY = saved.key;
    fs.rmSync(path.join(workspaceFolder().fsPath, FILE), { force: true });
    if (fake) await fake.close();
  });

  it('with traitStudio.review.tensions off, asks about each trait only: no trade-off map request', async () => {
    await vscode.workspace.getConfiguration('traitStudio').update('review.tensions', false, vscode.ConfigurationTarget.Workspace);
    fake.requests.length = 0;
    const result = await review();
    assert.ok(result, 'the review ran');
    assert.deepEqual(stages(), ['review-coverage', 'review-coverage', 'review-coverage']);
    assert.equal(result.tensions, undefined);
  });

  it('with the setting on (its default), the review asks for the map: one more request, the traits coming from the cache', async () => {
    await vscode.workspace.getConfiguration('traitStudio').update('review.tensions', undefined, vscode.ConfigurationTarget.Workspace);
    assert.equal(vscode.workspace.getConfiguration('traitStudio').get('review.tensions'), true);
    fake.requests.length = 0;
    const result = await review();
    assert.deepEqual(stages(), ['review-tensions']);
    assert.ok(result.tensions.some((t) => t.source === 'model'));
  });

  it("asked for by the caller (the map panel's button), the map comes whatever the setting says", async () => {
    await vscode.workspace.getConfiguration('traitStudio').update('review.tensions', false, vscode.ConfigurationTarget.Workspace);
    fake.requests.length = 0;
    const result = await review({ tensions: true });
    // All cached by now: nothing is sent, and the map is in the result.
    assert.deepEqual(stages(), []);
    assert.ok(result.tensions.some((t) => t.source === 'model'));
  });
});

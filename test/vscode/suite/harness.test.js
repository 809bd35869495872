// The harness itself: VS Code runs these tests in its extension host with the fixture workspace open.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { fixtureUri, workspaceFolder } = require('./helpers');

describe('harness', () => {
  it('runs inside VS Code with the fixture workspace open', async () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    const folder = workspaceFolder();
    const names = (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name).sort();
    for (const name of ['assistant.traits.md', 'draft.traits.md', 'openai-model-spec.md', '.vscode']) {
      assert.ok(names.includes(name), `fixture workspace lacks ${name}: ${names.join(', ')}`);
    }
    const associations = vscode.workspace.getConfiguration('files', fixtureUri('openai-model-spec.md')).get('associations');
    assert.equal(associations?.['openai-model-spec.md'], 'traits');
  });
});

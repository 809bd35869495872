// The commands: lint the workspace, show the output, restart the language server.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, open, withTimeout } = require('./helpers');

describe('commands', () => {
  before(activate);

  it('Lint Workspace and Show Output run without error', async () => {
    await withTimeout(Promise.resolve(vscode.commands.executeCommand('traitStudio.lintWorkspace')), 20_000,
      'traitStudio.lintWorkspace');
    await vscode.commands.executeCommand('traitStudio.showOutput');
  });

  it('Restart Language Server brings the server back (symbols answer again)', async () => {
    await withTimeout(Promise.resolve(vscode.commands.executeCommand('traitStudio.restartServer')), 20_000,
      'traitStudio.restartServer');
    const { api } = await activate();
    await api.ready;
    const document = await open('draft.traits.md', { show: false });
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', document.uri);
    assert.ok(Array.isArray(symbols) && symbols.length > 0, 'no symbols after the restart');
  });
});

// The client restarts a language server that dies, and the editor keeps working.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const vscode = require('vscode');
const { activate, open, withTimeout } = require('./helpers');

describe('language server crash', () => {
  it('restarts a killed server and answers again', async () => {
    const { api } = await activate();
    const document = await open('draft.traits.md');
    // The server is a child of this extension host (node IPC); kill it as a crash would.
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    assert.equal(pids.length, 1, `expected one language server child, found ${pids.join(', ')}`);
    const restarted = new Promise((resolve) => {
      const subscription = api.onDidRestart(() => {
        subscription.dispose();
        resolve();
      });
    });
    process.kill(pids[0], 'SIGKILL');
    await withTimeout(restarted, 30_000, 'the client to restart the killed server');
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', document.uri);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['Conversation'],
    );
  });
});

// The commands: lint the workspace, show the output, restart the language server.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, open, ruleOf, traitDiagnostics, withTimeout, workspaceFolder } = require('./helpers');

/** The language server processes: children of this extension host (node IPC). */
function serverPids() {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('commands', () => {
  const dir = () => path.join(workspaceFolder().fsPath, 'lint-workspace');
  before(activate);
  after(() => fs.rmSync(dir(), { recursive: true, force: true }));

  it('Lint Workspace puts the findings of trait documents nobody opened in the Problems panel', async () => {
    // A copy of the draft (15 findings, see test/lsp/stdio.test.ts) that no editor has open.
    fs.mkdirSync(dir(), { recursive: true });
    const file = path.join(dir(), 'unopened.traits.md');
    fs.copyFileSync(path.join(workspaceFolder().fsPath, 'draft.traits.md'), file);
    const uri = vscode.Uri.file(file);
    assert.deepEqual(traitDiagnostics(uri), []);
    await withTimeout(Promise.resolve(vscode.commands.executeCommand('traitStudio.lintWorkspace')), 20_000, 'traitStudio.lintWorkspace');
    const found = traitDiagnostics(uri);
    assert.equal(found.length, 15, found.map(ruleOf).join(', '));
    const rules = [...new Set(found.map(ruleOf))].sort();
    assert.deepEqual(rules, [
      'missing-exceptions',
      'missing-rationale',
      'missing-tradeoffs',
      'surface-form-prescription',
      'unqualified-absolute',
      'vague-trait',
    ]);
    assert.ok(
      vscode.workspace.textDocuments.every((d) => d.uri.toString() !== uri.toString()),
      'the command opened the file',
    );
    // Show Output reveals the log, where the command wrote its summary.
    await vscode.commands.executeCommand('traitStudio.showOutput');
  });

  it('Restart Language Server starts a new server process, which answers', async () => {
    const before = serverPids();
    assert.equal(before.length, 1, `expected one language server child, found ${before.join(', ')}`);
    await withTimeout(Promise.resolve(vscode.commands.executeCommand('traitStudio.restartServer')), 20_000, 'traitStudio.restartServer');
    const { api } = await activate();
    await api.ready;
    // A new process (the old one may still be exiting): a Restart that did nothing leaves none.
    const fresh = serverPids().filter((pid) => !before.includes(pid));
    assert.equal(fresh.length, 1, `no new language server process (before: ${before.join(', ')}; now: ${serverPids().join(', ')})`);
    const document = await open('draft.traits.md', { show: false });
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', document.uri);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['Conversation'],
    );
  });
});

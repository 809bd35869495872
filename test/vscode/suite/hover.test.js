// Hover on a trait heading: its coverage and how many findings it has.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, lineOf, open, waitForDiagnostics } = require('./helpers');

const text = (hovers) => hovers.flatMap((h) => h.contents)
  .map((c) => (typeof c === 'string' ? c : c.value)).join('\n');

describe('hover', () => {
  before(activate);

  it('a trait heading shows reason, trade-offs, exceptions, examples and its diagnostics', async () => {
    const document = await open('draft.traits.md');
    await waitForDiagnostics(document.uri, (ds) => ds.length > 0);
    const line = lineOf(document, '## Ask before acting');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider',
      document.uri, new vscode.Position(line, 5));
    assert.ok(hovers && hovers.length > 0, 'no hover on the trait heading');
    const shown = text(hovers);
    for (const word of ['Reason', 'Trade-offs', 'Exceptions', 'Examples']) {
      assert.ok(shown.includes(word), `hover lacks "${word}":\n${shown}`);
    }
    assert.match(shown, /diagnostic|finding|problem/i, `hover gives no diagnostics count:\n${shown}`);
    assert.match(shown, /\d/, `hover gives no diagnostics count:\n${shown}`);
  });
});

// Rename: renaming a trait changes its heading and every [[Old title]] reference.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, lineOf, open, revert } = require('./helpers');

describe('rename', () => {
  let document;
  before(async () => {
    await activate();
    document = await open('assistant.traits.md');
  });
  after(async () => {
    if (document) await revert(document);
  });

  it('renames "Be kind" in its heading and in [[Be kind]]', async () => {
    const heading = lineOf(document, '## Be kind {#kind}');
    const position = new vscode.Position(heading, document.lineAt(heading).text.indexOf('kind') + 1);
    const edit = await vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', document.uri, position, 'Be considerate');
    assert.ok(edit instanceof vscode.WorkspaceEdit, 'no WorkspaceEdit');
    const edits = edit.get(document.uri);
    assert.ok(edits.length >= 2, `expected the heading and the reference, got ${edits.length} edit(s)`);
    assert.ok(
      edits.some((e) => e.range.start.line === heading),
      'the heading is not renamed',
    );

    assert.ok(await vscode.workspace.applyEdit(edit));
    const text = document.getText();
    assert.match(text, /^## Be considerate \{#kind\}$/m);
    assert.match(text, /\[\[Be considerate\]\]/);
    assert.doesNotMatch(text, /\[\[Be kind\]\]/);
    assert.doesNotMatch(text, /^## Be kind\b/m);
  });
});

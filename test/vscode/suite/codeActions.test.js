// Quick fixes: the actions offered for a missing-rationale finding, and applying "Add a Why part".
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, describe: show, lineOf, open, revert, ruleOf, waitForDiagnostics } = require('./helpers');

const TRAIT = '## Ask before acting';
const isAskRationale = (document) => (d) => ruleOf(d) === 'missing-rationale' && document.lineAt(d.range.start.line).text.trim() === TRAIT;

describe('quick fixes', () => {
  let document;
  before(async () => {
    await activate();
    document = await open('draft.traits.md');
  });
  after(async () => {
    if (document) await revert(document);
  });

  async function actionsFor(diagnostic) {
    // The 4th argument resolves lazily computed edits of up to that many actions.
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
      50,
    );
    return actions ?? [];
  }

  it('on the heading: one preferred Add missing parts, each part, and Disable entries for one diagnostic only', async () => {
    const [finding] = (await waitForDiagnostics(document.uri, (ds) => ds.some(isAskRationale(document)))).filter(isAskRationale(document));
    const actions = await actionsFor(finding);
    const titles = actions.map((a) => a.title);
    assert.deepEqual(
      titles.filter((t) => t.startsWith('Add')),
      ['Add missing parts: Why, Trade-offs, Exceptions', 'Add a Why part', 'Add a Trade-offs part', 'Add an Exceptions part'],
      `actions for ${show(finding)}: ${titles.join(' | ') || 'none'}`,
    );
    assert.deepEqual(
      actions.filter((a) => a.isPreferred).map((a) => a.title),
      ['Add missing parts: Why, Trade-offs, Exceptions'],
    );
    // Four diagnostics share the heading; the Disable entries are for the one under the cursor, not all four.
    const disable = titles.filter((t) => t.startsWith('Disable'));
    assert.equal(disable.length, 2, titles.join(' | '));
    assert.deepEqual(
      disable.map((t) => t.replace(/ for this (line|file)$/, '')),
      Array(2).fill(`Disable ${ruleOf(finding)}`),
    );
  });

  it('offers Add a Trade-offs part and Add an Exceptions part where those are missing', async () => {
    const diagnostics = await waitForDiagnostics(document.uri, (ds) => ds.length > 0);
    const wanted = { 'missing-tradeoffs': 'Add a Trade-offs part', 'missing-exceptions': 'Add an Exceptions part' };
    for (const [rule, title] of Object.entries(wanted)) {
      const finding = diagnostics.find((d) => ruleOf(d) === rule);
      assert.ok(finding, `draft.traits.md has no ${rule}: ${diagnostics.map(show).join(' | ')}`);
      const titles = (await actionsFor(finding)).map((a) => a.title);
      assert.ok(titles.includes(title), `"${title}" missing from: ${titles.join(' | ')}`);
    }
  });

  it('Add a Why part leaves the cursor in a placeholder; typing the reason clears the finding, and the count never goes up', async () => {
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    const before = await waitForDiagnostics(document.uri, (ds) => ds.some(isAskRationale(document)));
    const [finding] = before.filter(isAskRationale(document));
    const action = (await actionsFor(finding)).find((a) => a.title === 'Add a Why part');
    assert.ok(action && action.edit, 'no "Add a Why part" action with an edit');
    // The language client turned the server's LSP 3.18 snippet edit into a vscode.SnippetTextEdit,
    // which applies in the editor as a snippet (the selection below shows it).
    assert.ok(await vscode.workspace.applyEdit(action.edit), 'applyEdit refused the edit');

    const heading = lineOf(document, TRAIT);
    const next = lineOf(document, '## Be good');
    const why = lineOf(document, '### Why');
    assert.ok(heading < why && why < next, `### Why at line ${why + 1}, trait at ${heading + 1}, next at ${next + 1}`);
    // The placeholder is selected: typing replaces it.
    const placeholder = document.lineAt(why + 2).text;
    assert.equal(editor.document.getText(editor.selection), placeholder);
    const reason = "Acting on a wrong guess wastes the user's time and has to be undone.";
    await vscode.commands.executeCommand('type', { text: reason });
    assert.equal(document.lineAt(why + 2).text, reason);

    const after = await waitForDiagnostics(
      document.uri,
      (ds) => ds.length > 0 && !ds.some(isAskRationale(document)),
      20_000,
      'the missing-rationale finding on "Ask before acting" to go',
    );
    assert.ok(!after.some((d) => ruleOf(d) === 'empty-trait'), after.map(show).join(' | '));
    assert.ok(after.length < before.length, `${before.length} findings before, ${after.length} after`);
  });
});

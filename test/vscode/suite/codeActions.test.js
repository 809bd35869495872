// Quick fixes: the actions offered for a missing-rationale finding, and applying "Add a Why part".
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, describe: show, lineOf, open, revert, ruleOf, waitForDiagnostics } = require('./helpers');

const TRAIT = '## Ask before acting';
const isAskRationale = (document) => (d) => ruleOf(d) === 'missing-rationale'
  && document.lineAt(d.range.start.line).text.trim() === TRAIT;

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
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider',
      document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value, 50);
    return actions ?? [];
  }

  it('offers Add a Why part and the disable comments for missing-rationale', async () => {
    const [finding] = (await waitForDiagnostics(document.uri, (ds) => ds.some(isAskRationale(document))))
      .filter(isAskRationale(document));
    const titles = (await actionsFor(finding)).map((a) => a.title);
    for (const title of ['Add a Why part', 'Disable missing-rationale for this line',
      'Disable missing-rationale for this file']) {
      assert.ok(titles.includes(title), `"${title}" missing from: ${titles.join(' | ')}`);
    }
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

  it('applying Add a Why part inserts a ### Why heading; once it has a reason the finding goes away', async () => {
    const [finding] = (await waitForDiagnostics(document.uri, (ds) => ds.some(isAskRationale(document))))
      .filter(isAskRationale(document));
    const action = (await actionsFor(finding)).find((a) => a.title === 'Add a Why part');
    assert.ok(action, 'no "Add a Why part" action');
    assert.ok(action.edit || action.command, 'the action has neither an edit nor a command');
    if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), 'applyEdit refused the edit');
    if (action.command) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }

    // The heading is under the trait, before the next trait.
    const heading = lineOf(document, TRAIT);
    const next = lineOf(document, '## Be good');
    const why = lineOf(document, '### Why');
    assert.ok(heading < why && why < next, `### Why at line ${why + 1}, trait at ${heading + 1}, next at ${next + 1}`);

    // By design the part is inserted empty: empty-trait now asks for its text (docs/rules/empty-trait.md).
    await waitForDiagnostics(document.uri, (ds) => ds.some((d) => ruleOf(d) === 'empty-trait'
      && d.range.start.line === why), 20_000, 'empty-trait on the new, empty ### Why part');

    // Writing the reason under it, as the user would, clears both findings.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, document.lineAt(why).range.end,
      '\n\nActing on a wrong guess wastes the user\'s time and has to be undone.');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await waitForDiagnostics(document.uri, (ds) => ds.length > 0 && !ds.some(isAskRationale(document))
      && !ds.some((d) => ruleOf(d) === 'empty-trait'),
      20_000, 'the missing-rationale finding on "Ask before acting" to go');
    assert.ok(!after.some(isAskRationale(document)));
  });
});

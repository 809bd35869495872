// Hover on a trait heading: its coverage and how many findings it has.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, lineOf, open, waitForDiagnostics } = require('./helpers');

const text = (hovers) =>
  hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');

describe('hover', () => {
  before(activate);

  it('a trait heading shows its coverage card first — reason, trade-offs, exceptions, examples — then its diagnostics', async () => {
    const document = await open('draft.traits.md');
    await waitForDiagnostics(document.uri, (ds) => ds.length > 0);
    const line = lineOf(document, '## Ask before acting');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 5));
    assert.ok(hovers && hovers.length > 0, 'no hover on the trait heading');
    const shown = text(hovers);
    // "Ask before acting" states none of the parts and has no example; its 6 findings are all
    // warnings (missing-rationale, -tradeoffs, -exceptions, vague-trait, unqualified-absolute,
    // surface-form-prescription: see the CLI's output on draft.traits.md).
    for (const part of ['Reason', 'Trade-offs', 'Exceptions']) {
      assert.match(shown, new RegExp(`${part}: \\*\\*missing\\*\\*`), `hover does not say ${part} is missing:\n${shown}`);
    }
    assert.match(shown, /Examples: none/, shown);
    assert.match(
      shown,
      /\*\*6 diagnostics\*\* \(0 errors, 6 warnings, 0 other\): `missing-rationale`, `missing-tradeoffs`, `missing-exceptions`, `vague-trait`, `unqualified-absolute`, `surface-form-prescription`/,
      `hover gives no diagnostics:\n${shown}`,
    );
    // The coverage card first, then a rule, then the diagnostics.
    assert.ok(shown.indexOf('Examples: none') < shown.indexOf('\n---\n'), shown);
    assert.ok(shown.indexOf('\n---\n') < shown.indexOf('6 diagnostics'), shown);
  });
});

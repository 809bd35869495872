// Diagnostics: the language server's findings reach VS Code with rule codes linked to the rule docs.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const {
  activate,
  describe: show,
  fixtureUri,
  lineOf,
  nextDiagnosticsEvent,
  open,
  revert,
  ruleOf,
  waitForDiagnostics,
} = require('./helpers');

describe('diagnostics', () => {
  before(activate);

  it('draft.traits.md: missing-rationale on "## Ask before acting" (line 7)', async () => {
    const document = await open('draft.traits.md');
    const diagnostics = await waitForDiagnostics(document.uri, (ds) => ds.length > 0);
    const line = lineOf(document, '## Ask before acting');
    assert.equal(line, 6);
    const finding = diagnostics.find((d) => ruleOf(d) === 'missing-rationale' && d.range.start.line === line);
    assert.ok(finding, `no missing-rationale on line 7 in: ${diagnostics.map(show).join(' | ')}`);
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(finding.source, 'traits');
    assert.ok(typeof finding.code === 'object' && finding.code.target instanceof vscode.Uri, 'the code should link to the rule page');
    assert.match(finding.code.target.toString(), /docs\/rules\/missing-rationale\.md$/);
    assert.match(finding.message, /Ask before acting/);
  });

  // The same findings as `trait-studio lint` on this file (test/unit/cli.test.ts says, trait by
  // trait from the corpus labels, why each count is right): missing-rationale 14, missing-tradeoffs
  // 2, missing-exceptions 18 and unqualified-absolute 7 are warnings (41), isolated-trait 25 is
  // information.
  it('the OpenAI Model Spec: 66 diagnostics (41 warnings, 25 information)', async () => {
    const document = await open('openai-model-spec.md');
    const diagnostics = await waitForDiagnostics(document.uri, (ds) => ds.length > 0);
    const count = (severity) => diagnostics.filter((d) => d.severity === severity).length;
    assert.deepEqual(
      {
        total: diagnostics.length,
        warnings: count(vscode.DiagnosticSeverity.Warning),
        information: count(vscode.DiagnosticSeverity.Information),
      },
      { total: 66, warnings: 41, information: 25 },
    );
    const follow = diagnostics.find(
      (d) => ruleOf(d) === 'missing-rationale' && document.lineAt(d.range.start.line).text.includes('Follow all applicable instructions'),
    );
    assert.ok(follow, 'no missing-rationale on "Follow all applicable instructions"');
  });

  it('assistant.traits.md: no diagnostics', async () => {
    // Absence needs a moment to look at: the diagnostics update that follows opening (or, if another
    // test opened it already, editing) the document. Pulled results fire the event even when empty.
    const uri = fixtureUri('assistant.traits.md');
    const wasOpen = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    const update = nextDiagnosticsEvent(uri);
    const document = await open('assistant.traits.md');
    if (wasOpen) {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, document.lineAt(document.lineCount - 1).range.end, '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
    }
    try {
      await update;
      assert.deepEqual(vscode.languages.getDiagnostics(uri).map(show), []);
    } finally {
      await revert(document);
    }
  });
});

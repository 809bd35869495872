import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const ROOT = join(__dirname, '..', '..');
const DRAFT = join(ROOT, 'examples', 'draft.traits.md');
const uri = pathToFileURL(DRAFT).href;

/** Talks JSON-RPC to `trait-studio lsp --stdio` (the built CLI) as another editor would. */
describe('trait-studio lsp --stdio', () => {
  let child: ChildProcessWithoutNullStreams;
  let connection: MessageConnection;
  let stderr = '';

  before(async () => {
    child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio']);
    child.stderr.on('data', (d) => (stderr += d));
    connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    const init = await connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      capabilities: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: false } } },
    });
    assert.ok(init.capabilities.diagnosticProvider, 'pull diagnostics are offered');
    assert.ok(init.capabilities.renameProvider);
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'traits', version: 1, text: readFileSync(DRAFT, 'utf8') },
    });
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    connection.dispose();
  });

  it('pulls diagnostics with rule codes linked to their docs', async () => {
    const report = await connection.sendRequest<{ kind: string; items: { code: string; source: string; range: { start: { line: number } }; codeDescription: { href: string } }[] }>(
      'textDocument/diagnostic',
      { textDocument: { uri } },
    );
    assert.equal(report.kind, 'full');
    const rationale = report.items.filter((d) => d.code === 'missing-rationale');
    assert.deepEqual(rationale.map((d) => d.range.start.line), [6, 10]);
    assert.ok(report.items.every((d) => d.source === 'traits'));
    assert.match(rationale[0].codeDescription.href, /^file:.*\/docs\/rules\/missing-rationale\.md$/);
  });

  it('answers symbols, hover, completion, code actions and rename', async () => {
    const symbols = await connection.sendRequest<{ name: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => [s.name, s.children?.map((c) => c.name)]), [['Conversation', ['Ask before acting', 'Be good', 'Format answers']]]);

    const hover = await connection.sendRequest<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 5 } });
    assert.match(hover.contents.value, /Reason: \*\*missing\*\*/);
    assert.match(hover.contents.value, /6 diagnostics/);

    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 12, character: 19 }, end: { line: 12, character: 19 } }, text: ' See [[Be' }],
    });
    const items = await connection.sendRequest<{ label: string; textEdit: { newText: string } }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 12, character: 28 },
    });
    assert.deepEqual(items.map((i) => i.label).sort(), ['Ask before acting', 'Be good', 'Conversation', 'Format answers']);
    assert.equal(items.find((i) => i.label === 'Be good')?.textEdit.newText, 'Be good]]');

    const diagnostics = (await connection.sendRequest<{ items: { code: string; range: unknown; message: string; source: string }[] }>('textDocument/diagnostic', { textDocument: { uri } })).items;
    const missing = diagnostics.find((d) => d.code === 'missing-rationale')!;
    const actions = await connection.sendRequest<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: missing.range,
      context: { diagnostics: [missing] },
    });
    // This client declares no snippet edits: plain text, the placeholder included.
    assert.deepEqual(actions.map((a) => a.title), ['Add missing parts: Why, Trade-offs, Exceptions', 'Add a Why part', 'Disable missing-rationale for this line', 'Disable missing-rationale for this file']);
    assert.match(actions[1].edit.changes[uri][0].newText, /^\n\n### Why\n\n\S.+$/);

    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 12, character: 28 }, end: { line: 12, character: 28 } }, text: ' good]]' }],
    });
    const edit = await connection.sendRequest<{ changes: Record<string, { newText: string; range: { start: { line: number } } }[]> }>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 10, character: 5 },
      newName: 'Be specific',
    });
    assert.deepEqual(edit.changes[uri].map((e) => [e.range.start.line, e.newText]), [[10, 'Be specific'], [12, 'Be specific']]);
    assert.equal(stderr, '');
  });
});

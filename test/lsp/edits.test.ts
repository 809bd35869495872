/**
 * Edits through the real language server (`trait-studio lsp --stdio`, its main thread and analysis
 * worker): after a sequence of content changes as an editor sends them (characters, line breaks,
 * several changes in one event, CRLF, characters outside the BMP, version gaps), pulled between and
 * after, the diagnostics equal those of the same text opened afresh.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = join(__dirname, '..', '..');
const SOURCE = join(ROOT, 'examples', 'draft.traits.md');
const uri = pathToFileURL(join(ROOT, 'examples', 'edited.traits.md')).href;
const at = (line: number, character: number) => ({ line, character });
const insert = (line: number, character: number, text: string): TextDocumentContentChangeEvent => ({
  range: { start: at(line, character), end: at(line, character) },
  text,
});

describe('edits over LSP', () => {
  it('end with the diagnostics of the same text opened afresh', async (t) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio']);
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    t.after(() => {
      connection.dispose();
      child.kill();
    });
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { diagnostic: {} } },
    });
    await connection.sendNotification('initialized', {});
    const pull = async () =>
      (await connection.sendRequest<{ items: { code: string }[] }>('textDocument/diagnostic', { textDocument: { uri } })).items;

    let doc = TextDocument.create(uri, 'traits', 1, readFileSync(SOURCE, 'utf8'));
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'traits', version: 1, text: doc.getText() },
    });
    const opened = await pull();
    const edit = async (changes: TextDocumentContentChangeEvent[], versionStep = 1) => {
      doc = TextDocument.update(doc, changes, doc.version + versionStep);
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: changes });
    };
    const lineOf = (start: string) =>
      doc
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith(start));

    await edit([insert(lineOf('The assistant should'), 0, 'x')]);
    await pull();
    await edit([insert(lineOf('Be good'), 2, '\n')]);
    await edit([
      insert(lineOf('xThe assistant'), 0, 'First '),
      insert(lineOf('Use bullet'), 0, 'Second\n\n'),
      { range: { start: at(lineOf('The assistant must'), 0), end: at(lineOf('The assistant must'), 4) }, text: '' },
    ]);
    await pull();
    await edit([insert(lineOf('# Conversation') + 1, 0, '\r\n## Never lie\r\n\r\nAlways tell the truth.\r\n')]);
    const emoji = lineOf('Use bullet');
    await edit([insert(emoji, 0, '😀 Always 🧭 ')]);
    await pull();
    // 12 UTF-16 units in: after the two surrogate pairs.
    await edit([insert(emoji, 12, 'never ')], 4);
    await edit([{ range: { start: at(lineOf('## Ask before'), 0), end: at(lineOf('## Ask before') + 2, 0) }, text: '' }]);
    const edited = await pull();
    assert.ok(opened.length > 3, `the draft has findings (${opened.length})`);
    assert.notDeepEqual(edited, opened, 'the edits changed the findings');

    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'traits', version: doc.version, text: doc.getText() },
    });
    assert.deepEqual(edited, await pull());
  });
});

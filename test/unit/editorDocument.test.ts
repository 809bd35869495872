/**
 * EditorDocument, the server's main-thread copy of an open document: after the editor's content
 * changes it reads as a TextDocument given the same changes would (text, positions, offsets in UTF-16
 * units), whether the changes are applied at once or held; its length bound is never below the length.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EditorDocument } from '../../server/src/lsp/editorDocument';

const at = (line: number, character: number) => ({ line, character });
const change = (sl: number, sc: number, el: number, ec: number, text: string): TextDocumentContentChangeEvent => ({
  range: { start: at(sl, sc), end: at(el, ec) },
  text,
});

/** Events as an editor sends them: CRLF, characters outside the BMP, several changes in one event, a full replacement. */
const EVENTS: TextDocumentContentChangeEvent[][] = [
  [change(0, 2, 0, 2, 'x')],
  [change(1, 0, 1, 0, '😀 Always\r\n')],
  [change(1, 2, 1, 2, 'never ')],
  [change(0, 0, 0, 1, ''), change(2, 0, 3, 1, 'joined'), change(5, 40, 9, 0, '')],
  [change(2, 3, 2, 3, '\r\n## Never lie\r\n\r\nTell the 🧭 truth.\r\n')],
  [{ text: '# Replaced\n\nAll of it.\n' }],
  [change(2, 4, 2, 4, ' 𝄞')],
];

describe('EditorDocument', () => {
  it('reads as a TextDocument after the same changes, applied at once or held', () => {
    const start = '# A\r\nBe brief.\r\n\r\n## B\n\nSay why.\n';
    let reference = TextDocument.create('file:///a.traits.md', 'traits', 1, start);
    const eager = new EditorDocument('file:///a.traits.md', 'traits', 1, start);
    const lazy = new EditorDocument('file:///a.traits.md', 'traits', 1, start);
    for (const [k, changes] of EVENTS.entries()) {
      const version = 2 + 3 * k;
      reference = TextDocument.update(reference, changes, version);
      eager.update(changes, version);
      lazy.update(changes, version);
      assert.ok(lazy.maxLength >= reference.getText().length, `bound after event ${k}`);
      assert.equal(lazy.version, version);
      assert.equal(eager.getText(), reference.getText(), `text after event ${k}`);
      assert.equal(eager.maxLength, reference.getText().length);
      for (let offset = 0; offset <= reference.getText().length; offset++)
        assert.deepEqual(eager.positionAt(offset), reference.positionAt(offset));
    }
    assert.equal(lazy.getText(), reference.getText());
    assert.equal(lazy.lineCount, reference.lineCount);
    assert.deepEqual(lazy.offsetAt(at(2, 7)), reference.offsetAt(at(2, 7)));
  });
});

import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Content changes held before they are applied at the latest: bounds the memory of a long session. */
const MAX_PENDING = 1000;

/**
 * The language server's main-thread copy of an open document. The analysis worker keeps the copy
 * that is parsed; the main thread needs the text only to start a worker (and its length for the size
 * limit), so it holds the editor's content changes and applies them when the text is asked for.
 * Applying a change to a long text copies the whole text (V8 flattens the previous edit's
 * concatenation), which per keystroke would cost as much as the rest of the main thread's work.
 * `maxLength` bounds the length without applying anything. Otherwise a TextDocument: the same
 * positions, offsets and UTF-16 units.
 */
export class EditorDocument implements TextDocument {
  private document: TextDocument;
  private pending: TextDocumentContentChangeEvent[] = [];
  private bound: number;
  private latest: number;

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.document = TextDocument.create(uri, languageId, version, text);
    this.bound = text.length;
    this.latest = version;
  }

  get uri(): string {
    return this.document.uri;
  }

  get languageId(): string {
    return this.document.languageId;
  }

  get version(): number {
    return this.latest;
  }

  /** At least the length of the text in UTF-16 units (equal once the changes are applied). */
  get maxLength(): number {
    return this.bound;
  }

  /** Takes the editor's changes for `version` (applied when the text is next asked for). */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      this.pending.push(change);
      this.bound = 'range' in change ? this.bound + change.text.length : change.text.length;
    }
    this.latest = version;
    if (this.pending.length > MAX_PENDING) this.applied();
  }

  getText(range?: Range): string {
    return this.applied().getText(range);
  }

  positionAt(offset: number): Position {
    return this.applied().positionAt(offset);
  }

  offsetAt(position: Position): number {
    return this.applied().offsetAt(position);
  }

  getLineRange(line: number): Range {
    return this.applied().getLineRange(line);
  }

  getEOLCharacters(line: number): string {
    return this.applied().getEOLCharacters(line);
  }

  get lineCount(): number {
    return this.applied().lineCount;
  }

  private applied(): TextDocument {
    if (this.pending.length || this.document.version !== this.latest) {
      this.document = TextDocument.update(this.document, this.pending, this.latest);
      this.pending = [];
      this.bound = this.document.getText().length;
    }
    return this.document;
  }
}

import * as vscode from 'vscode';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { normaliseWhitespace } from '../../../server/src/review/quotes';
import { heuristicTensions } from '../../../server/src/review/tensions';
import { tradeoffMap, tradeoffStub } from '../../../server/src/review/tradeoffMap';
import type { ReviewedTension, Tension } from '../../../server/src/review/types';
import { webviewHtml, webviewRoots } from './html';
import { TRADEOFF_VIEW_TYPE, type FromTradeoffWebview, type ToTradeoffWebview, type TradeoffView } from './tradeoffProtocol';

/** The trade-off pairs of a document's latest model review, and the model that proposed them. */
export interface ReviewedPairs {
  readonly model: string;
  readonly tensions: readonly ReviewedTension[];
}

/** What the panel asks of the extension. */
export interface TradeoffHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The latest review's pairs of the document, if it was reviewed. */
  reviewed(uri: string): ReviewedPairs | undefined;
}

/**
 * The trade-off map of one trait document, beside its editor: a traits × traits matrix of the
 * pairs that can conflict, weighed or not, from the model review when there is one (pairs whose
 * traits were edited since are left out) merged with the keyless pass over the current text, so it
 * follows every edit. One panel per document.
 */
export class TradeoffPanel implements vscode.Disposable {
  private static readonly open = new Map<string, TradeoffPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private view: TradeoffView;

  /** Shows the map of `document`, in a new panel beside it or its open one. */
  static show(host: TradeoffHost, document: vscode.TextDocument): TradeoffPanel {
    const existing = TradeoffPanel.open.get(document.uri.toString());
    if (existing) {
      existing.refresh();
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      TRADEOFF_VIEW_TYPE,
      `Trade-offs: ${document.uri.path.split('/').pop()}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        enableFindWidget: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(host.extensionUri),
      },
    );
    return new TradeoffPanel(host, panel, document);
  }

  /**
   * Rebuilds a panel VS Code restored after a window reload, from the state its page saved (the
   * document's URI): the map is computed again from the document as it is and the reviewed pairs
   * the host kept — no model is asked. A panel whose document cannot be opened is closed.
   */
  static async restore(host: TradeoffHost, panel: vscode.WebviewPanel, saved: unknown): Promise<TradeoffPanel | undefined> {
    const uri = (saved as { view?: { uri?: unknown } } | undefined)?.view?.uri;
    let document: vscode.TextDocument | undefined;
    if (typeof uri === 'string' && !TradeoffPanel.open.has(uri))
      document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)).then(
        (d) => d,
        (error: unknown) => {
          host.log.warn(`Trade-off map not restored: ${uri}: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        },
      );
    if (!document) {
      panel.dispose();
      return undefined;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(host.extensionUri) };
    return new TradeoffPanel(host, panel, document);
  }

  /** The open panel of `uri`, if any (the review command refreshes it). */
  static of(uri: string): TradeoffPanel | undefined {
    return TradeoffPanel.open.get(uri);
  }

  private constructor(
    private readonly host: TradeoffHost,
    readonly panel: vscode.WebviewPanel,
    private readonly document: vscode.TextDocument,
  ) {
    this.view = this.build();
    TradeoffPanel.open.set(document.uri.toString(), this);
    panel.webview.html = webviewHtml(panel.webview, host.extensionUri, {
      script: 'tradeoffs.js',
      style: 'tradeoffs.css',
      title: panel.title,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromTradeoffWebview) => void this.receive(message)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document && e.contentChanges.length) this.refresh();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d === this.document) this.dispose();
      }),
    );
  }

  /** What the panel shows (tests read it). */
  get current(): TradeoffView {
    return this.view;
  }

  /** Rebuilds the map from the document as it is now, and the latest review. */
  refresh(): void {
    this.view = this.build();
    this.post();
  }

  private build(): TradeoffView {
    const parsed = parseTraitDocument(this.document.getText());
    const chunks = new Map(parsed.traits.map((t) => [t.id, normaliseWhitespace(t.chunk)]));
    const reviewed = this.host.reviewed(this.document.uri.toString());
    // A reviewed pair holds while both its traits are as they were reviewed.
    const holding: Tension[] = (reviewed?.tensions ?? [])
      .filter(
        ({ tension, chunks: [a, b] }) =>
          chunks.get(tension.a) === normaliseWhitespace(a) && chunks.get(tension.b) === normaliseWhitespace(b),
      )
      .map((r) => r.tension);
    const key = (t: Tension) => [t.a, t.b].sort().join('\u0000');
    const heuristic = heuristicTensions(parsed);
    // The keyless pass reads the current text: where it finds a pair weighed, that wins over a stale "unweighed".
    const weighedNow = new Set(heuristic.filter((t) => t.weighed).map(key));
    const model = holding.filter((t) => !weighedNow.has(key(t)) || t.weighed);
    const seen = new Set(model.map(key));
    const tensions = [...model, ...heuristic.filter((t) => !seen.has(key(t)))];
    return {
      uri: this.document.uri.toString(),
      name: vscode.workspace.asRelativePath(this.document.uri),
      source: reviewed ? { kind: 'model', model: reviewed.model } : { kind: 'heuristic' },
      map: tradeoffMap(parsed, tensions),
    };
  }

  private post(): void {
    if (this.disposed) return;
    const message: ToTradeoffWebview = { type: 'map', view: this.view };
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: FromTradeoffWebview): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          return this.post();
        case 'review':
          // The map's button asks for the map, whatever traitStudio.review.tensions says.
          await vscode.commands.executeCommand('traitStudio.reviewDocument', this.document.uri, { tensions: true });
          return;
        case 'reveal': {
          const trait = this.view.map.traits.find((t) => t.id === message.traitId);
          const range = message.evidence ?? trait?.range;
          if (!range) return;
          const editor = await vscode.window.showTextDocument(this.document, { viewColumn: this.editorColumn(), preserveFocus: false });
          const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
          editor.selection = new vscode.Selection(r.start, r.end);
          editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
          return;
        }
        case 'addTradeoff': {
          const stub = tradeoffStub(parseTraitDocument(this.document.getText()), message);
          if (!stub) return;
          const editor = await vscode.window.showTextDocument(this.document, { viewColumn: this.editorColumn(), preserveFocus: false });
          // One snippet insertion: a single undoable edit, the cursor left in its placeholder.
          await editor.insertSnippet(new vscode.SnippetString(stub.snippet), new vscode.Position(stub.at.line, stub.at.character));
          return;
        }
      }
    } catch (error) {
      this.host.log.error(`Trade-off map: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The column of the document's editor (the panel sits beside it). */
  private editorColumn(): vscode.ViewColumn {
    return vscode.window.visibleTextEditors.find((e) => e.document === this.document)?.viewColumn ?? vscode.ViewColumn.One;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TradeoffPanel.open.get(this.document.uri.toString()) === this) TradeoffPanel.open.delete(this.document.uri.toString());
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

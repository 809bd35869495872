import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { conversationInsertion } from '../../../server/src/document/exampleBlock';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { webviewHtml, webviewRoots } from './html';
import { probeExample } from './probePin';
import { PROBE_VIEW_TYPE, type FromProbeWebview, type ProbePageState, type ProbeView, type ToProbeWebview } from './probeProtocol';
import { parseSavedProbe, probeView, targetKey, type LoadedProbe, type SavedProbe } from './probeView';

/** What the viewer asks of the extension. */
export interface ProbePanelHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Runs Probe Trait on the trait (the command asks for the target). */
  probe(document: vscode.Uri, traitId: string): Thenable<unknown>;
  /** Runs Check Knowledge on the document (the command asks for the target). */
  checkKnowledge(document: vscode.Uri): Thenable<unknown>;
  /** Writes `saved`'s result in `format` to a file the user chooses; resolves the file, or undefined when they backed out. */
  export(saved: SavedProbe, format: 'jsonl' | 'inspect'): Promise<vscode.Uri | undefined>;
}

/**
 * The probe results of one trait document: per trait and target the violation rate, mean turn of
 * first violation and knowledge recall, targets side by side (a run against another target adds a
 * column, the same target's newer run replaces its cell), and the chosen trait's transcripts. It
 * reads the saved result files (client/src/webviews/probeView.ts) and keeps their list in the
 * page's saved state, so after a reload the serializer rebuilds it from the same files. One panel
 * per document.
 */
export class ProbePanel implements vscode.Disposable {
  private static readonly open = new Map<string, ProbePanel>();
  private readonly loaded: LoadedProbe[] = [];
  private readonly unreadable: string[] = [];
  private running: string | null = null;
  private view: ProbeView;
  private select: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<ProbeView>();
  /** Fires with the view each time the page is sent a new one (tests wait on it). */
  readonly onDidChange = this.changed.event;

  /** The panel of `uri` (a document URI), revealed, or a new one beside the editor. */
  static show(host: ProbePanelHost, uri: string): ProbePanel {
    const existing = ProbePanel.open.get(uri);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PROBE_VIEW_TYPE,
      `Probes: ${vscode.Uri.parse(uri).path.split('/').pop()}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, enableFindWidget: true, retainContextWhenHidden: true, localResourceRoots: webviewRoots(host.extensionUri) },
    );
    return new ProbePanel(host, panel, uri, []);
  }

  /** Rebuilds a panel VS Code restored after a reload, from the result files its page saved. */
  static restore(host: ProbePanelHost, panel: vscode.WebviewPanel, saved: ProbePageState | undefined): ProbePanel | undefined {
    const view = saved?.view;
    if (!view?.uri || ProbePanel.open.has(view.uri)) {
      panel.dispose();
      return undefined;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(host.extensionUri) };
    const restored = new ProbePanel(host, panel, view.uri, view.files ?? []);
    restored.select = saved?.selected;
    return restored;
  }

  /** The open panel of a document, if any. */
  static of(uri: string): ProbePanel | undefined {
    return ProbePanel.open.get(uri);
  }

  private constructor(
    private readonly host: ProbePanelHost,
    readonly panel: vscode.WebviewPanel,
    readonly uri: string,
    files: readonly string[],
  ) {
    ProbePanel.open.set(uri, this);
    for (const file of files) this.read(file);
    this.view = this.build([]);
    panel.webview.html = webviewHtml(panel.webview, host.extensionUri, { script: 'probe.js', style: 'probe.css', title: panel.title });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromProbeWebview) => void this.receive(message)),
      // Trait titles and which traits are still there follow the document.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri && e.contentChanges.length) void this.refresh();
      }),
    );
    void this.refresh();
  }

  /** What the page shows (tests read it). */
  get current(): ProbeView {
    return this.view;
  }

  /** Adds a saved result file (a later one of the same trait and target replaces the earlier), shows `traitId`'s transcripts. */
  async add(file: string, traitId?: string): Promise<void> {
    const i = this.loaded.findIndex((l) => l.file === file);
    if (i >= 0) this.loaded.splice(i, 1);
    this.read(file);
    this.select = traitId;
    await this.refresh();
  }

  /** Says what this panel waits on ("Probing … against …"), or clears it. */
  async setRunning(text: string | null): Promise<void> {
    this.running = text;
    await this.refresh();
  }

  private read(file: string): void {
    try {
      this.loaded.push({ file, saved: parseSavedProbe(readFileSync(file, 'utf8')) });
    } catch (error) {
      const why =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is gone' : error instanceof Error ? error.message : String(error);
      this.unreadable.push(`Could not read ${file}: ${why}.`);
      this.host.log.warn(`Probe results: could not read ${file}: ${why}`);
    }
  }

  /** Rebuilds the view from the files read and the document as it is now, and sends it. */
  private async refresh(): Promise<void> {
    let traits: { id: string; title: string }[] = [];
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.uri));
      traits = parseTraitDocument(document.getText()).traits.map((t) => ({ id: t.id, title: t.title }));
    } catch (error) {
      this.host.log.warn(`Probe results: could not read ${this.uri}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.disposed) return;
    this.view = this.build(traits);
    const message: ToProbeWebview = { type: 'view', view: this.view, ...(this.select ? { select: this.select } : {}) };
    this.select = undefined;
    void this.panel.webview.postMessage(message);
    this.changed.fire(this.view);
  }

  private build(traits: readonly { id: string; title: string }[]): ProbeView {
    return probeView({
      uri: this.uri,
      name: vscode.workspace.asRelativePath(vscode.Uri.parse(this.uri)),
      traits,
      loaded: this.loaded,
      unreadable: this.unreadable,
      running: this.running,
    });
  }

  private async receive(message: FromProbeWebview): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          return await this.refresh();
        case 'reveal': {
          const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.uri));
          const trait = parseTraitDocument(document.getText()).traits.find((t) => t.id === message.traitId);
          if (!trait) throw new Error(`the trait #${message.traitId} is no longer in ${this.view.name}`);
          const editor = await vscode.window.showTextDocument(document, { viewColumn: this.editorColumn(document) });
          const at = new vscode.Position(trait.heading.range.start.line, 0);
          editor.selection = new vscode.Selection(at, at);
          editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.AtTop);
          return;
        }
        case 'pin':
          return await this.pin(message.column, message.traitId, message.probe, message.verdict);
        case 'export': {
          const saved = this.savedOf(message.column, message.traitId);
          const file = await this.host.export(saved, message.format);
          if (file) vscode.window.setStatusBarMessage(`Trait Studio: exported to ${vscode.workspace.asRelativePath(file)}.`, 5000);
          return;
        }
        case 'probe':
          await this.host.probe(vscode.Uri.parse(this.uri), message.traitId);
          return;
        case 'knowledge':
          await this.host.checkKnowledge(vscode.Uri.parse(this.uri));
          return;
        case 'removeColumn': {
          // Every file of that target goes, older ones included, so none comes back in its place.
          for (let i = this.loaded.length - 1; i >= 0; i--)
            if (targetKey(this.loaded[i].saved.result.target) === message.column) this.loaded.splice(i, 1);
          return await this.refresh();
        }
      }
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.host.log.error(`Probe results: ${message.type} failed: ${text}`);
      void vscode.window.showErrorMessage(`Trait Studio: ${text}`);
    }
  }

  /** The saved result behind a cell of the view: the page names a column and a trait, never a file. */
  private savedOf(columnKey: string, traitId: string): SavedProbe {
    const cell = this.view.columns.find((c) => c.key === columnKey)?.traits[traitId];
    const saved = cell && this.loaded.find((l) => l.file === cell.file)?.saved;
    if (!saved) throw new Error(`no probe result of #${traitId} for that target is shown any more`);
    return saved;
  }

  /**
   * "Pin as example": inserts probe `index` of the cell into the trait as it is now, as one example
   * (probePin.ts), with one WorkspaceEdit (one Undo removes it), and shows it in the editor.
   */
  async pin(columnKey: string, traitId: string, index: number, verdict: 'bad' | 'good'): Promise<void> {
    const probe = this.savedOf(columnKey, traitId).result.probes[index];
    if (!probe) throw new Error(`there is no probe ${index + 1} of #${traitId}`);
    const conversation = probeExample(probe, verdict);
    const uri = vscode.Uri.parse(this.uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const trait = parseTraitDocument(document.getText()).traits.find((t) => t.id === traitId);
    if (!trait) throw new Error(`the trait #${traitId} is no longer in ${this.view.name} (renamed or removed)`);
    const insertion = conversationInsertion(trait, conversation);
    const at = new vscode.Position(insertion.position.line, insertion.position.character);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, at, insertion.text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not insert the example into ${this.view.name}`);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: this.editorColumn(document), preserveFocus: true });
    const lines = insertion.text.split('\n');
    const end = new vscode.Position(at.line + lines.length - 1, lines.at(-1)!.length);
    editor.revealRange(new vscode.Range(at, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    vscode.window.setStatusBarMessage(
      `Trait Studio: pinned probe ${index + 1} as a ${verdict.toUpperCase()} example of "${trait.title}" (Undo removes it).`,
      5000,
    );
  }

  /** The column of the document's editor (the panel sits beside it). */
  private editorColumn(document: vscode.TextDocument): vscode.ViewColumn {
    return vscode.window.visibleTextEditors.find((e) => e.document === document)?.viewColumn ?? vscode.ViewColumn.One;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ProbePanel.open.get(this.uri) === this) ProbePanel.open.delete(this.uri);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.changed.dispose();
    this.panel.dispose();
  }
}

import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { AuditRecord, AuditReport } from '../../../server/src/audit';
import { auditView } from './auditView';
import { webviewHtml, webviewRoots } from './html';
import { AUDIT_VIEW_TYPE, type AuditView, type FromAuditWebview, type ToAuditWebview } from './auditProtocol';

/** What the panel asks of the extension. */
export interface AuditHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Writes a dataset without / down-sampled in the chosen patterns' records (asks where). */
  filter(report: AuditReport, choices: Extract<FromAuditWebview, { type: 'filter' }>['choices']): Promise<void>;
}

/**
 * The audit report of one dataset: per pattern, broad and strict prevalence against the threshold
 * (overall and per trait), its description and examples, and a filter form. One panel per dataset;
 * a new audit of the same dataset replaces its content.
 */
export class AuditPanel implements vscode.Disposable {
  private static readonly open = new Map<string, AuditPanel>();
  private view: AuditView;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Shows `report` (with example texts from `records`), in a new panel or the dataset's open one. */
  static show(
    host: AuditHost,
    report: AuditReport,
    records: readonly AuditRecord[],
    files: { json: string; markdown: string },
  ): AuditPanel {
    const existing = AuditPanel.open.get(report.dataset);
    if (existing) {
      existing.update(report, records, files);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(AUDIT_VIEW_TYPE, `Audit: ${basename(report.dataset)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
      retainContextWhenHidden: true,
      localResourceRoots: webviewRoots(host.extensionUri),
    });
    return new AuditPanel(host, panel, report, records, files);
  }

  /** Rebuilds a panel VS Code restored after a reload from what its page saved (the view only: filtering needs a new audit). */
  static restore(host: AuditHost, panel: vscode.WebviewPanel, state: { view?: AuditView } | undefined): void {
    if (!state?.view) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(host.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, host.extensionUri, { script: 'audit.js', style: 'audit.css', title: panel.title });
    // The page redraws its saved view; its buttons ask for a fresh audit through the command.
    panel.webview.onDidReceiveMessage((message: FromAuditWebview) => {
      if (message.type !== 'ready') void vscode.commands.executeCommand('traitStudio.auditDataset', vscode.Uri.file(state.view!.dataset));
    });
  }

  private constructor(
    private readonly host: AuditHost,
    readonly panel: vscode.WebviewPanel,
    private report: AuditReport,
    records: readonly AuditRecord[],
    private files: { json: string; markdown: string },
  ) {
    this.view = auditView(report, records, vscode.workspace.asRelativePath(report.dataset));
    AuditPanel.open.set(report.dataset, this);
    panel.webview.html = webviewHtml(panel.webview, host.extensionUri, { script: 'audit.js', style: 'audit.css', title: panel.title });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromAuditWebview) => void this.receive(message)),
    );
  }

  /** What the panel shows (tests read it). */
  get current(): AuditView {
    return this.view;
  }

  private update(report: AuditReport, records: readonly AuditRecord[], files: { json: string; markdown: string }): void {
    this.report = report;
    this.files = files;
    this.view = auditView(report, records, vscode.workspace.asRelativePath(report.dataset));
    this.post();
  }

  private post(): void {
    if (this.disposed) return;
    const message: ToAuditWebview = { type: 'audit', view: this.view };
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: FromAuditWebview): Promise<void> {
    try {
      if (message.type === 'ready') return this.post();
      if (message.type === 'filter') return await this.host.filter(this.report, message.choices);
      if (message.type === 'open') {
        const path = message.file === 'dataset' ? this.report.dataset : message.file === 'json' ? this.files.json : this.files.markdown;
        await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: true });
      }
    } catch (error) {
      this.host.log.error(`Audit ${this.report.dataset}: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (AuditPanel.open.get(this.report.dataset) === this) AuditPanel.open.delete(this.report.dataset);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

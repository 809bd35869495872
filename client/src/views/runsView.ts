import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { readManifest, type RunManifest } from '../../../server/src/generation/run';
import { runItemView, type RunItemView } from './runItem';

/** A run folder of the workspace and its manifest. */
export interface RunEntry {
  readonly dir: string;
  readonly manifest: RunManifest;
}

/**
 * The Runs view (Explorer): every folder of the workspace holding a run's manifest.json, newest
 * first, with status, counts and cost; clicking one opens its report. Refreshes when a manifest
 * changes on disk and when `changed` fires (a run this window started or stopped).
 */
export class RunsView implements vscode.TreeDataProvider<RunEntry>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    changed: vscode.Event<string>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/manifest.json');
    this.disposables = [
      watcher,
      watcher.onDidChange(() => this.refresh()),
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      changed(() => this.refresh()),
      vscode.window.registerTreeDataProvider('traitStudio.runs', this),
      // Returns what the view lists, each run with its row as shown (the in-host tests read it).
      vscode.commands.registerCommand('traitStudio.refreshRuns', async () => {
        this.refresh();
        return (await this.runs()).map((entry) => ({ ...entry, row: this.row(entry) }));
      }),
    ];
  }

  refresh(): void {
    this.emitter.fire();
  }

  /** The workspace's runs, newest first; a manifest that cannot be read is logged and left out. */
  async runs(): Promise<RunEntry[]> {
    const files = await vscode.workspace.findFiles('**/manifest.json', '**/node_modules/**', 500);
    const entries: RunEntry[] = [];
    for (const file of files) {
      try {
        const manifest = readManifest(dirname(file.fsPath));
        if (manifest) entries.push({ dir: dirname(file.fsPath), manifest });
      } catch (error) {
        // Another tool's manifest.json is not ours: only say so when it looked like a run.
        if (/run/i.test(String(error)))
          this.log.warn(`Runs: ${vscode.workspace.asRelativePath(file)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return entries.sort((a, b) => b.manifest.timings.startedAt.localeCompare(a.manifest.timings.startedAt));
  }

  getChildren(element?: RunEntry): Promise<RunEntry[]> | RunEntry[] {
    return element ? [] : this.runs();
  }

  getTreeItem(entry: RunEntry): vscode.TreeItem {
    const view = this.row(entry);
    const item = new vscode.TreeItem(view.label, vscode.TreeItemCollapsibleState.None);
    item.description = view.description;
    item.tooltip = new vscode.MarkdownString(view.tooltip);
    item.iconPath = new vscode.ThemeIcon(view.icon);
    item.contextValue = view.contextValue;
    item.command = { title: 'Open Run Report', command: 'traitStudio.openRunReport', arguments: [entry.dir] };
    return item;
  }

  private row(entry: RunEntry): RunItemView {
    return runItemView(entry.dir, entry.manifest, (path) => vscode.workspace.asRelativePath(path));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

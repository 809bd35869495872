import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { count, usd } from '../../../server/src/format';
import { readManifest, type RunManifest } from '../../../server/src/generation/run';

/** A run folder of the workspace and its manifest. */
export interface RunEntry {
  readonly dir: string;
  readonly manifest: RunManifest;
}

const STATUS_ICON: Readonly<Record<string, string>> = { running: 'sync', completed: 'pass', cancelled: 'debug-pause', failed: 'error' };

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
      vscode.commands.registerCommand('traitStudio.refreshRuns', async () => {
        this.refresh();
        return this.runs();
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
    const { manifest: m } = entry;
    const item = new vscode.TreeItem(vscode.workspace.asRelativePath(entry.dir), vscode.TreeItemCollapsibleState.None);
    // The same figure as the run report (format.ts `usd`): a small spend never shows as $0.00 here and $0.0046 there.
    const cost = m.cost.unpriced.length ? 'cost unknown' : usd(m.cost.usd);
    // A batch run says which wave it is at: it may wait hours on one.
    const wave = m.batch?.waves.at(-1);
    const batch = wave ? ` · batch: ${wave.stage} ${wave.state.toLowerCase()}` : '';
    item.description = `${m.status} · ${m.counts.accepted}/${m.counts.total} accepted · ${cost}${batch}`;
    const answered = Object.entries(m.modelVersions ?? {}).map(([model, versions]) => `${model} → ${versions.join(', ')}`);
    item.tooltip = new vscode.MarkdownString(
      [
        `**${vscode.workspace.asRelativePath(entry.dir)}** — ${m.status}${m.error ? `: ${m.error}` : ''}`,
        `Document: \`${vscode.workspace.asRelativePath(m.document.path)}\``,
        `${m.counts.accepted} accepted · ${m.counts.autorater} rejected by the autorater · ${count(m.counts.duplicate, 'duplicate')} · ${m.counts.failed} failed · ${m.counts.pending} pending`,
        `Midtraining: ${m.counts.midtraining.written}/${m.counts.midtraining.total}`,
        `${count(m.usage.inputTokens, 'token')} in · ${m.usage.outputTokens.toLocaleString('en-US')} out · ${cost}`,
        ...(answered.length ? [`Answered by: ${answered.join('; ')}`] : []),
        ...(m.batch?.waves.length
          ? [
              `Batch waves (at batch prices): ${m.batch.waves.map((w) => `${w.stage} ${w.state.toLowerCase()}${w.failed ? ` (${w.failed}/${w.requests} failed)` : ''}`).join(' · ')}`,
            ]
          : []),
        `Started ${m.timings.startedAt}; ${count(m.timings.sessions, 'session')}`,
      ].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[m.status] ?? 'circle-outline');
    item.contextValue = `traitStudioRun.${m.status}`;
    item.command = { title: 'Open Run Report', command: 'traitStudio.openRunReport', arguments: [entry.dir] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

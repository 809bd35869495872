import * as vscode from 'vscode';
import { RunsView } from '../views/runsView';
import { RunPanel } from '../webviews/runPanel';
import { RUN_VIEW_TYPE } from '../webviews/runProtocol';

/**
 * The Runs view, `Trait Studio: Open Run Report` (argument: the run folder; otherwise pick one of
 * the workspace's runs) and the report panel's serializer. `changed` fires when a run of this
 * window starts or ends.
 */
export function registerRuns(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  changed: vscode.Event<string>,
): vscode.Disposable {
  const view = new RunsView(changed, log);
  return vscode.Disposable.from(
    view,
    vscode.commands.registerCommand('traitStudio.openRunReport', async (given?: unknown) => {
      let dir =
        typeof given === 'string' ? given : given instanceof vscode.Uri ? given.fsPath : (given as { dir?: string } | undefined)?.dir;
      if (!dir) {
        const runs = await view.runs();
        if (!runs.length) {
          void vscode.window.showInformationMessage(
            'Trait Studio: no runs in this workspace yet. Run "Trait Studio: Generate Dataset…" first.',
          );
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          runs.map((r) => ({
            label: vscode.workspace.asRelativePath(r.dir),
            description: `${r.manifest.status} · ${r.manifest.counts.accepted}/${r.manifest.counts.total} accepted`,
            dir: r.dir,
          })),
          { title: 'Trait Studio: open the report of a run' },
        );
        dir = picked?.dir;
      }
      if (!dir) return undefined;
      try {
        return RunPanel.show(context.extensionUri, dir, log);
      } catch (error) {
        void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        RunPanel.restore(context.extensionUri, panel, state as Parameters<typeof RunPanel.restore>[2], log);
      },
    }),
  );
}

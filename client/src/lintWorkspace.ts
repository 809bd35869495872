import * as vscode from 'vscode';
import { count } from '../../server/src/format';
import { lintWorkspaceInclude } from './config';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LINT_TEXTS_REQUEST, type LintTextsParams, type LintTextsResult } from '../../server/src/lsp/protocol';

/** Documents sent to the server per request, so a large workspace streams into the Problems panel. */
const BATCH = 20;

/**
 * `Trait Studio: Lint Workspace`: lints every trait document of the workspace, open or not (like
 * markdownlint's lint-workspace), and shows the results in the Problems panel. Files are read
 * through `workspace.fs`, so virtual workspaces work too. Open documents keep their live diagnostics.
 */
export function registerLintWorkspace(client: () => LanguageClient | undefined, log: vscode.LogOutputChannel): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('traits-workspace');
  const command = vscode.commands.registerCommand('traitStudio.lintWorkspace', async () => {
    const running = client();
    if (!running?.isRunning()) {
      void vscode.window.showErrorMessage('The Trait Studio language server is not running.');
      return;
    }
    const files = await vscode.workspace.findFiles(lintWorkspaceInclude(), '**/node_modules/**');
    collection.clear();
    let problems = 0;
    let linted = 0;
    const unreadable: string[] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Linting trait documents', cancellable: true },
      async (progress, token) => {
        for (let i = 0; i < files.length && !token.isCancellationRequested; i += BATCH) {
          const batch = files.slice(i, i + BATCH);
          // One unreadable file is reported, not fatal to the run.
          const read = await Promise.allSettled(
            batch.map(async (uri) => ({ uri: uri.toString(), text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) })),
          );
          const documents = read.flatMap((r, k) => {
            if (r.status === 'fulfilled') return [r.value];
            unreadable.push(batch[k].fsPath);
            log.warn(`Lint Workspace: cannot read ${batch[k].fsPath}: ${String(r.reason)}`);
            return [];
          });
          const result = await running.sendRequest<LintTextsResult>(LINT_TEXTS_REQUEST, { documents } satisfies LintTextsParams, token);
          for (const d of result.documents) {
            const uri = vscode.Uri.parse(d.uri);
            linted++;
            problems += d.diagnostics.length;
            // Open trait documents keep their live diagnostics.
            if (vscode.workspace.textDocuments.some((t) => t.uri.toString() === d.uri && t.languageId === 'traits')) continue;
            collection.set(uri, await running.protocol2CodeConverter.asDiagnostics(d.diagnostics));
          }
          progress.report({
            increment: (100 * batch.length) / files.length,
            message: `${Math.min(i + BATCH, files.length)} of ${files.length}`,
          });
        }
      },
    );
    const skipped = unreadable.length ? ` ${count(unreadable.length, 'file')} could not be read (see the output).` : '';
    const stopped = linted + unreadable.length < files.length ? ` Cancelled after ${linted} of ${files.length}.` : '';
    log.info(`Lint Workspace: ${count(linted, 'trait document')} linted, ${count(problems, 'problem')}.${skipped}${stopped}`);
    void vscode.window.showInformationMessage(
      `Trait Studio linted ${count(linted, 'trait document')}: ${count(problems, 'problem')}.${skipped}${stopped}`,
    );
  });
  // A workspace result for a file goes stale once the file is opened (live diagnostics take over).
  const onOpen = vscode.workspace.onDidOpenTextDocument((doc) => doc.languageId === 'traits' && collection.delete(doc.uri));
  return vscode.Disposable.from(collection, command, onOpen);
}

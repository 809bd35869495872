import * as vscode from 'vscode';

/**
 * Says why `feature` is off in Restricted Mode (it sends trait text to a model provider and reads
 * prompt templates from the workspace), offers Manage Workspace Trust, logs it, and resolves with
 * undefined, so the command returns without calling any model.
 */
export async function explainRestricted(feature: string, log: vscode.LogOutputChannel): Promise<undefined> {
  log.info(`${feature}: not run, the workspace is in Restricted Mode.`);
  const choice = await vscode.window.showWarningMessage(
    `${feature} is off in Restricted Mode: it sends the trait's text to a model provider and reads prompt templates from this workspace's .traits/prompts folder. Linting still works. Trust the workspace to use it.`,
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return undefined;
}

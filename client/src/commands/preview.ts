import * as vscode from 'vscode';
import type { Trait } from '../../../server/src/document/model';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { PREVIEW_COMMAND } from '../../../server/src/lsp/protocol';
import { PreviewPanel, type PanelHost } from '../webviews/previewPanel';
import { PREVIEW_VIEW_TYPE, type PreviewState } from '../webviews/previewProtocol';
import { MissingKeyError, type PolicyCache, modelSetup } from './modelSetup';
import { explainRestricted } from './restricted';

/** Where a Gemini API key is made. */
const API_KEY_PAGE = 'https://aistudio.google.com/apikey';

/**
 * `Trait Studio: Preview Scenarios` (palette, editor context menu, keybinding, and the "Preview"
 * code lens, which passes the document URI and trait id) and the preview panel's serializer. The
 * command previews the trait under the cursor; in an untrusted workspace it explains why it is off.
 */
export function registerPreview(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, policies: PolicyCache): vscode.Disposable {
  const host: PanelHost = {
    extensionUri: context.extensionUri,
    log,
    setup: (document) => modelSetup(context, vscode.workspace.getWorkspaceFolder(document.uri)?.uri, policies),
    explain: (error) => void explain(error, log).catch((e: unknown) => log.error(`Preview: ${e instanceof Error ? e.message : String(e)}`)),
    setKey: async () => (await vscode.commands.executeCommand<boolean>('traitStudio.setApiKey')) === true,
    getKey: async () => void (await vscode.env.openExternal(vscode.Uri.parse(API_KEY_PAGE))),
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(PREVIEW_COMMAND, async (uriArgument?: unknown, traitId?: unknown) => {
      if (!vscode.workspace.isTrusted) return explainRestricted('Preview Scenarios', log);
      const target = await targetTrait(uriArgument, traitId);
      if ('problem' in target) {
        void vscode.window.showInformationMessage(`Trait Studio: ${target.problem}`);
        return undefined;
      }
      return PreviewPanel.show(host, target.document, target.trait);
    }),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PreviewState | undefined) {
        PreviewPanel.restore(host, panel, state);
      },
    }),
  );
}

/** The trait to preview: the one named by the lens's arguments, else the one under the active editor's cursor. */
async function targetTrait(
  uriArgument: unknown,
  traitId: unknown,
): Promise<{ document: vscode.TextDocument; trait: Trait } | { problem: string }> {
  let document: vscode.TextDocument | undefined;
  let find: (traits: readonly Trait[]) => Trait | undefined;
  if (typeof uriArgument === 'string' || uriArgument instanceof vscode.Uri) {
    const uri = typeof uriArgument === 'string' ? vscode.Uri.parse(uriArgument) : uriArgument;
    document = await vscode.workspace.openTextDocument(uri);
    find = (traits) => (typeof traitId === 'string' ? traits.find((t) => t.id === traitId) : undefined);
  } else {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'traits')
      return { problem: 'open a trait document and put the cursor in a trait to preview its scenarios.' };
    document = editor.document;
    const line = editor.selection.active.line;
    // From the heading to the line before the next heading, blank lines included.
    find = (traits) => traits.find((t) => t.heading.range.start.line <= line && line <= t.heading.sectionEndLine);
  }
  const trait = find(parseTraitDocument(document.getText()).traits);
  return trait ? { document, trait } : { problem: 'put the cursor in a trait (a heading with its text) to preview its scenarios.' };
}

async function explain(error: unknown, log: vscode.LogOutputChannel): Promise<void> {
  if (error instanceof MissingKeyError) {
    const choice = await vscode.window.showWarningMessage(error.message, 'Set API Key', 'Get a Key');
    if (choice === 'Set API Key') await vscode.commands.executeCommand('traitStudio.setApiKey');
    if (choice === 'Get a Key') await vscode.env.openExternal(vscode.Uri.parse(API_KEY_PAGE));
    return;
  }
  log.error(`Preview failed: ${error instanceof Error ? error.message : String(error)}`);
  void vscode.window.showErrorMessage(`Trait Studio: the preview failed: ${error instanceof Error ? error.message : String(error)}`);
}

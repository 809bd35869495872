import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { modelSettings } from '../config';
import {
  DEFAULT_PROMPTS_DIR,
  MIDTRAINING_TEMPLATE_STAGES,
  OVERRIDE_DIR,
  TEMPLATE_STAGES,
  type MidtrainingTemplateStage,
  type TemplateStage,
  AUDIT_TEMPLATE_STAGES,
  type AuditTemplateStage,
} from '../../../server/src/llm/templates';

type Stage = TemplateStage | MidtrainingTemplateStage | AuditTemplateStage;
const STAGES: readonly Stage[] = [...TEMPLATE_STAGES, ...MIDTRAINING_TEMPLATE_STAGES, ...AUDIT_TEMPLATE_STAGES];

const STAGE_DESCRIPTIONS: Readonly<Record<Stage, string>> = {
  brainstorm: 'what / how / why: situations where the trait matters',
  scenario: 'a realistic single-turn user message for one idea',
  critique: 'is it realistic, does it elicit the trait? rewrite if not',
  sharpen: 'rewrite the message when the baseline is generic',
  response: 'system prompt of the final response (the trait, embodied without mention)',
  autorate: 'score, verdict and reasons for the response',
  'midtraining-ideas': 'midtraining: document ideas per type, each naming its traits',
  'midtraining-draft': 'midtraining: a pretraining-style document for one idea',
  'midtraining-critique': 'midtraining: critique and revise the document',
  'audit-scan': 'audit: find recurring patterns in a batch of transcripts',
  'audit-cluster': 'audit: merge the same pattern found in different batches',
  'audit-rate': 'audit: rate records on every pattern, broad and strict',
};

/**
 * `Trait Studio: Open Prompt Template`: pick a stage (or pass it as the argument) and open this
 * workspace's override `.traits/prompts/<stage>.md`, created from the shipped template the first
 * time, and turn on `traitStudio.prompts.useWorkspaceTemplates` for the folder: previews in this
 * workspace use the overrides from then on. Without a workspace folder it
 * opens the shipped template read-only.
 */
export function registerPromptTemplates(): vscode.Disposable {
  return vscode.commands.registerCommand('traitStudio.openPromptTemplate', async (given?: unknown) => {
    const stage = (STAGES as readonly string[]).includes(given as string)
      ? (given as Stage)
      : ((
          await vscode.window.showQuickPick(
            STAGES.map((s) => ({ label: s, description: STAGE_DESCRIPTIONS[s] })),
            { title: 'Trait Studio: open the prompt template of a stage' },
          )
        )?.label as Stage | undefined);
    if (!stage) return undefined;
    const shipped = vscode.Uri.file(`${DEFAULT_PROMPTS_DIR}/${stage}.md`);
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file' || !vscode.workspace.isTrusted) {
      await vscode.window.showTextDocument(shipped, { preview: true });
      return shipped;
    }
    const override = vscode.Uri.joinPath(folder.uri, ...OVERRIDE_DIR.split(/[\\/]/), `${stage}.md`);
    const config = vscode.workspace.getConfiguration('traitStudio', folder.uri);
    // Asking for a template is asking to use the folder's templates: the setting says so, visibly.
    const turnedOn = !modelSettings(folder.uri)['prompts.useWorkspaceTemplates'];
    if (turnedOn) await config.update('prompts.useWorkspaceTemplates', true, vscode.ConfigurationTarget.WorkspaceFolder);
    if (!existsSync(override.fsPath)) {
      await vscode.workspace.fs.copy(shipped, override);
      void vscode.window.showInformationMessage(
        `Trait Studio: created ${vscode.workspace.asRelativePath(override)} from the shipped template; previews in this workspace now use it (traitStudio.prompts.useWorkspaceTemplates is on for this folder). Placeholders are {{name}}; an unknown one is an error.`,
      );
    } else if (turnedOn) {
      void vscode.window.showInformationMessage(
        "Trait Studio: this folder's prompt templates are now used (traitStudio.prompts.useWorkspaceTemplates is on for this folder).",
      );
    }
    await vscode.window.showTextDocument(override, { preview: false });
    return override;
  });
}

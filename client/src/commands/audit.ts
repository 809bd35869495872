import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import {
  auditFilePaths,
  buildReport,
  filterDataset,
  offlineAuditFile,
  readDataset,
  readRecordsById,
  writeAuditFiles,
  type AuditRecord,
  type AuditReport,
} from '../../../server/src/audit';
import { estimateModelPass, runModelPass, type ModelPassResult } from '../../../server/src/audit/modelPass';
import { count, usd } from '../../../server/src/format';
import { describeFailure } from '../../../server/src/generation/failures';
import { AuditPanel, type AuditHost } from '../webviews/auditPanel';
import { AUDIT_VIEW_TYPE } from '../webviews/auditProtocol';
import { modelSettings } from '../config';
import { MissingKeyError, modelSetup, templateWorkspace, type PolicyCache } from './modelSetup';
import { emptyUsage } from '../../../server/src/llm/usage';
import { loadTemplates, AUDIT_TEMPLATE_STAGES } from '../../../server/src/llm/templates';

/** Options an automation (a finished run, the tests) may pass to `traitStudio.auditDataset`. */
export interface AuditRequest {
  /** Offline detectors only (no model, no key); otherwise the user is asked. */
  readonly offline?: boolean;
  /** Run the model pass without asking to confirm its estimate. */
  readonly confirm?: boolean;
  /** Open the report panel (default true). */
  readonly show?: boolean;
}

/**
 * `Trait Studio: Audit Dataset` on a `.jsonl` dataset (OpenAI `messages`, Gemini `contents`, or a
 * run's `records.jsonl`): the offline detectors always, and the model pass (scan, cluster, rate
 * broad and strict) when chosen after its cost estimate — that part sends the transcripts to a
 * model, so it needs a trusted workspace and a key. Writes `<name>.audit.json` / `.audit.md`
 * beside the dataset and opens the report, which resolves (undefined when the user backed out).
 * `Trait Studio: Filter Dataset…` (also the report's button) writes a dataset without, or
 * down-sampled in, chosen patterns' records; an automation may pass the choices and the output.
 */
export function registerAudit(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, policies: PolicyCache): vscode.Disposable {
  const host: AuditHost = {
    extensionUri: context.extensionUri,
    log,
    filter: async (report, choices) => void (await filter(report, choices, log)),
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('traitStudio.auditDataset', async (target?: vscode.Uri, request: AuditRequest = {}) => {
      const uri = target instanceof vscode.Uri ? target : await pickDataset();
      return uri ? auditDataset({ context, log, policies, host }, uri, request) : undefined;
    }),
    vscode.commands.registerCommand(
      'traitStudio.filterDataset',
      async (target?: vscode.Uri, given?: { choices?: FilterChoices; out?: vscode.Uri }) => {
        const uri = target instanceof vscode.Uri ? target : await pickDataset();
        if (!uri) return undefined;
        // The saved audit when there is one (it may hold model-pass patterns), else a fresh offline one.
        const saved = auditFilePaths(uri.fsPath).json;
        const report: AuditReport | undefined = existsSync(saved)
          ? (JSON.parse(readFileSync(saved, 'utf8')) as AuditReport)
          : await vscode.commands.executeCommand<AuditReport | undefined>('traitStudio.auditDataset', uri, { offline: true, show: false });
        if (!report) return undefined;
        const choices = given?.choices ?? (await pickChoices(report));
        if (!choices?.length) return undefined;
        return filter(report, choices, log, given?.out);
      },
    ),
    vscode.window.registerWebviewPanelSerializer(AUDIT_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        AuditPanel.restore(host, panel, state as Parameters<typeof AuditPanel.restore>[2]);
      },
    }),
  );
}

/** What an audit runs with. */
interface AuditDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly policies: PolicyCache;
  readonly host: AuditHost;
}

/** The model pass's outcome: its result, or why the pass chosen did not run or stopped (a sentence for the report's header); neither when it was not chosen. */
interface ModelPassOutcome {
  readonly result?: ModelPassResult;
  readonly failure?: string;
}

/** The Audit Dataset flow on `uri` (see registerAudit): the report, or undefined when there was nothing to audit or the user backed out. */
async function auditDataset(deps: AuditDeps, uri: vscode.Uri, request: AuditRequest): Promise<AuditReport | undefined> {
  const { log } = deps;
  const path = uri.fsPath;
  const settings = modelSettings(uri);
  const threshold = settings['audit.threshold'];
  // Streamed: the offline audit keeps no record text, whatever the size of the dataset.
  const offline = offlineAuditFile(path, { threshold });
  for (const bad of offline.badLines.slice(0, 50)) log.warn(`Audit ${basename(path)}: line ${bad.line} skipped: ${bad.reason}`);
  if (!offline.records) {
    void vscode.window.showWarningMessage(
      `Trait Studio: ${basename(path)} has no record to audit (${count(offline.badLineCount, 'bad line')}).`,
    );
    return undefined;
  }
  const modelName = settings['audit.model'];
  // The model pass (and its estimate) reads the texts: only then are the records read into memory.
  const records: readonly AuditRecord[] = request.offline ? [] : readDataset(path).records;
  const choice = request.offline ? 'offline' : await chooseModelPass(uri, records, modelName, request);
  if (!choice) return undefined;
  const pass: ModelPassOutcome = choice === 'model' ? await modelPassOf(deps, uri, records, modelName) : {};
  const modelPass = pass.result;
  const unrated = (modelPass?.unrated?.length ?? 0) + (modelPass?.unscanned?.length ?? 0);
  if (unrated)
    log.warn(
      `Audit model pass: ${count(modelPass?.unrated?.length ?? 0, 'record')} could not be rated and ${modelPass?.unscanned?.length ?? 0} not scanned (the model refused or answered malformed twice); their shares leave them out.`,
    );
  const report = buildReport(
    path,
    offline.records,
    offline.badLines,
    [...offline.patterns, ...(modelPass?.patterns ?? [])],
    threshold,
    modelPass
      ? {
          model: modelPass.model,
          usage: modelPass.usage,
          cost: modelPass.cost,
          unrated: modelPass.unrated?.length ?? 0,
          unscanned: modelPass.unscanned?.length ?? 0,
        }
      : pass.failure
        ? { model: modelName, usage: emptyUsage(), cost: { usd: 0, unpriced: [] }, failed: pass.failure }
        : undefined,
    offline.badLineCount,
  );
  const files = writeAuditFiles(path, report);
  const flagged = report.patterns.filter((p) => p.flagged);
  log.info(
    `Audit ${vscode.workspace.asRelativePath(uri)}: ${count(report.records, 'record')}, ${count(report.patterns.length, 'pattern')}, ${flagged.length} flagged${flagged.length ? `: ${flagged.map((p) => `${p.name} (${(100 * p.prevalence.strict).toFixed(0)}%)`).join('; ')}` : ''}.`,
  );
  if (request.show !== false) AuditPanel.show(deps.host, report, examplesOf(path, report, records), files);
  return report;
}

/** Offers the offline detectors alone or with the model pass (with its estimate); 'model' without asking when `request.confirm` is false; undefined when the user backed out. */
async function chooseModelPass(
  uri: vscode.Uri,
  records: readonly AuditRecord[],
  modelName: string,
  request: AuditRequest,
): Promise<'offline' | 'model' | undefined> {
  const estimate = estimateModelPass(records, { model: modelName, templates: auditTemplates(uri) });
  const cost = estimate.unpriced.length ? 'cost unknown' : `≈ ${usd(estimate.usd)}`;
  if (request.confirm === false) return 'model';
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'Offline detectors',
        description: 'no model, no key, free',
        detail: 'Openings and closings, questions, bottom-line-first, apologies and validation, structure, length',
        value: 'offline' as const,
      },
      {
        label: 'Offline detectors and the model pass',
        description: `${count(estimate.requests, 'request')}, ${cost}`,
        detail: `${modelName} scans batches for recurring patterns, merges them, and rates every record broad and strict`,
        value: 'model' as const,
      },
    ],
    { title: `Trait Studio: audit ${basename(uri.fsPath)} (${count(records.length, 'record')})` },
  );
  return picked?.value;
}

/** The model pass over `records` under a cancellable progress notification; off in Restricted Mode and without a key (each said to the user). */
async function modelPassOf(
  deps: AuditDeps,
  uri: vscode.Uri,
  records: readonly AuditRecord[],
  modelName: string,
): Promise<ModelPassOutcome> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'Trait Studio: the model pass is off in Restricted Mode (it sends the transcripts to a model provider); the offline audit runs.',
    );
    return { failure: 'it is off in Restricted Mode, since it sends the transcripts to a model provider.' };
  }
  try {
    const setup = await modelSetup(deps.context, vscode.workspace.getWorkspaceFolder(uri)?.uri, deps.policies);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Trait Studio: auditing ${basename(uri.fsPath)} with a model`,
        cancellable: true,
      },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        let reported = 0;
        return runModelPass(records, {
          provider: setup.provider,
          providerId: setup.providerId,
          model: modelName,
          templates: auditTemplates(uri),
          cache: setup.cache,
          prices: setup.prices,
          signal: controller.signal,
          onProgress: (done, total) => {
            const percent = total ? (100 * done) / total : 0;
            progress.report({ increment: percent - reported, message: `${done}/${count(total, 'request')}` });
            reported = percent;
          },
        });
      },
    );
    return { result };
  } catch (error) {
    if (error instanceof MissingKeyError) {
      void vscode.window
        .showWarningMessage(`${error.message.replace('to preview scenarios', 'for the model pass')} The offline audit runs.`, 'Set API Key')
        .then((c) => {
          if (c) void vscode.commands.executeCommand('traitStudio.setApiKey');
        });
      return { failure: 'no Gemini API key is set (run "Trait Studio: Set API Key").' };
    }
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error(`Audit model pass: ${message}`);
    const failure = cancelled(error) ? 'it was cancelled.' : describeFailure(message);
    void vscode.window.showErrorMessage(`Trait Studio: the model pass stopped. ${failure} The report has the offline patterns only.`);
    return { failure };
  }
}

/** Whether `error` is the cancellation of the model pass's progress notification. */
function cancelled(error: unknown): boolean {
  return error instanceof Error && error.message === 'cancelled';
}

/** The model pass's templates: the workspace's .traits/prompts overrides when templateWorkspace allows, else the shipped ones. */
function auditTemplates(uri: vscode.Uri) {
  return loadTemplates(AUDIT_TEMPLATE_STAGES, templateWorkspace(vscode.workspace.getWorkspaceFolder(uri)?.uri));
}

/** The records the report shows as examples: from `records` when they were read, else read back by id. */
function examplesOf(path: string, report: AuditReport, records: readonly AuditRecord[]): AuditRecord[] {
  const ids = new Set(report.patterns.flatMap((p) => p.examples));
  if (records.length) return records.filter((r) => ids.has(r.id));
  return [...readRecordsById(path, ids).values()];
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.fsPath.endsWith('.jsonl')) return active;
  const [picked] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'JSON Lines datasets': ['jsonl'] },
      title: 'Trait Studio: dataset to audit',
    })) ?? [];
  return picked;
}

type FilterChoices = readonly { patternId: string; mode: 'drop' | 'downsample'; keep?: number }[];

/** Which patterns to filter, and how: a multi-pick (flagged first), then drop or keep half. */
async function pickChoices(report: AuditReport): Promise<FilterChoices | undefined> {
  const patterns = [...report.patterns]
    .filter((p) => p.records.length)
    .sort((a, b) => Number(b.flagged) - Number(a.flagged) || b.prevalence.strict - a.prevalence.strict);
  const picked = await vscode.window.showQuickPick(
    patterns.map((p) => ({
      label: p.name,
      description: `${(100 * p.prevalence.strict).toFixed(1)}% strict${p.flagged ? ' · flagged' : ''}`,
      picked: p.flagged,
      id: p.id,
    })),
    { canPickMany: true, title: 'Trait Studio: patterns whose records to filter' },
  );
  if (!picked?.length) return undefined;
  const mode = await vscode.window.showQuickPick(
    [
      { label: 'Drop their records', value: 'drop' as const },
      { label: 'Keep half of them', value: 'downsample' as const },
    ],
    { title: 'Trait Studio: filter how' },
  );
  return mode && picked.map((p) => ({ patternId: p.id, mode: mode.value, keep: 0.5 }));
}

/**
 * Writes the filtered dataset (to `out`, else where the user says) and its log, and says what was
 * dropped. Resolves with the filter's result, or undefined when the user backed out.
 */
async function filter(report: AuditReport, choices: FilterChoices, log: vscode.LogOutputChannel, out?: vscode.Uri) {
  const dataset = report.dataset;
  const target =
    out ??
    (await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(join(dirname(dataset), `${basename(dataset, '.jsonl')}.filtered.jsonl`)),
      filters: { 'JSON Lines datasets': ['jsonl'] },
      title: 'Trait Studio: write the filtered dataset to',
    }));
  if (!target) return undefined;
  const result = filterDataset(
    dataset,
    target.fsPath,
    report,
    choices.map((c) => ({ patternId: c.patternId, mode: c.mode, keep: c.keep })),
  );
  log.info(
    `Filter ${basename(dataset)} → ${target.fsPath}: ${count(result.written, 'record')} written, ${result.dropped.length} dropped (${choices.map((c) => `${c.patternId}: ${c.mode}`).join(', ')}).`,
  );
  void vscode.window
    .showInformationMessage(
      `Trait Studio: wrote ${count(result.written, 'record')}; dropped ${result.dropped.length} (listed in the log beside it).`,
      'Open',
    )
    .then((choice) => {
      if (choice) void vscode.window.showTextDocument(target);
    });
  return result;
}

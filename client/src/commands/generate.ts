import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { count, usd } from '../../../server/src/format';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { estimateRun, readManifest, runDataset, type RunManifest } from '../../../server/src/generation/run';
import {
  checkMixOptions,
  describeBadLines,
  describeMix,
  mixRun,
  readBaselineFile,
  type BaselineFile,
  type MixOptions,
  type MixRecord,
} from '../../../server/src/generation/mix';
import { batchPrices, batchServiceFor, type BatchService } from '../../../server/src/llm/batch';
import type { RunEstimate, RunOptions, SftFormat } from '../../../server/src/generation/run/types';
import { SETTINGS, type Settings } from '../../../server/src/llm/settings';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES } from '../../../server/src/llm/templates';
import type { ServiceTier } from '../../../server/src/llm/provider';
import { explainRestricted } from './restricted';
import { modelSettings } from '../config';
import { MissingKeyError, modelSetup, templateWorkspace, type ModelSetup, type PolicyCache } from './modelSetup';

/**
 * What `Trait Studio: Generate Dataset…` asks for. An automation (and the tests) may pass it as the
 * command's argument; `confirm: false` skips the estimate dialog. Whatever is missing is asked.
 */
export interface GenerateRequest {
  readonly uri?: string;
  readonly traits?: readonly string[];
  readonly perTrait?: number;
  /** Relative to the document's workspace folder, and inside it. */
  readonly outDir?: string;
  readonly formats?: readonly SftFormat[];
  readonly midtraining?: number;
  /** How the run's requests are served (see RUN_MODES); asked when absent (a folder holding a batch run resumes in batch mode). */
  readonly mode?: RunMode;
  /**
   * Baseline SFT data mixed into sft.mixed.<format>.jsonl when the run completes (see
   * server/src/generation/mix.ts): `file` relative to the workspace folder or absolute, `ratio`
   * baseline records per synthetic record. null: no mixing. Absent: asked — unless `confirm` is
   * false (an automation that skips the dialogs mixes only when it passes `mix`).
   */
  readonly mix?: { readonly file: string; readonly ratio: number; readonly seed?: number; readonly skipBadLines?: boolean } | null;
  readonly confirm?: boolean;
}

/**
 * How a run's requests are served: synchronous Standard requests, synchronous requests at the Flex
 * tier, or Gemini batch jobs (generation/run/waves.ts).
 */
export type RunMode = 'standard' | 'flex' | 'batch';

/** The choices of "How to run", in the order shown: one quick pick whose choice becomes the run's mode. */
const RUN_MODES: readonly { readonly mode: RunMode; readonly label: string; readonly detail: string }[] = [
  { mode: 'standard', label: 'Standard', detail: 'Synchronous requests at the list price: answers in seconds.' },
  {
    mode: 'flex',
    label: 'Flex (≈ 50 % cheaper, answers in minutes)',
    detail: 'The Gemini Flex tier: about half the price, minutes per answer, requests may be shed under load and are retried.',
  },
  {
    mode: 'batch',
    label: 'Batch (≈ 50 % cheaper, finishes within 24 h)',
    detail: 'One Gemini batch job per stage; the editor may close meanwhile. Needs the Gemini API.',
  },
];

/** What the estimate adds about each mode after its cost. */
const MODE_NOTES: Readonly<Record<RunMode, string>> = {
  standard: '',
  flex: ' at Flex prices; answers take minutes',
  batch: ' at batch prices, one batch job per stage, finishing within 24 h',
};

const FORMAT_LABELS: Readonly<Record<SftFormat, string>> = {
  openai: 'sft.openai.jsonl — {"messages": [user, assistant]}',
  gemini: 'sft.gemini.jsonl — {"contents": [user, model]}',
};

/** The extension's parts a Generate Dataset run uses. */
interface GenerateHost {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly policies: PolicyCache;
  readonly runsChanged: vscode.EventEmitter<string>;
}

/** What the user chose for a run (or an automation passed). */
interface RunChoices {
  readonly traits: readonly string[];
  readonly perTrait: number;
  readonly outDir: string;
  readonly formats: readonly SftFormat[];
  readonly midtraining: number;
  readonly mode: RunMode;
  /** The baseline file read and checked, with the ratio; undefined for no mixing. */
  readonly mix: MixOptions | undefined;
}

/**
 * `Trait Studio: Generate Dataset…`: picks traits (default all), scenarios per trait, the output
 * folder (default `runs/<timestamp>/` in the workspace; a folder outside it is refused), the SFT
 * formats and how to run (Standard, or the Flex tier at about half the price), shows the estimate
 * (requests, tokens, cost at the chosen tier's prices) and asks to confirm, then runs the stages
 * for every scenario under a cancellable progress notification, logging to the output channel.
 * An existing run folder of the same document and settings resumes. Off in Restricted Mode.
 * Resolves with the run's manifest, or undefined when the user backed out.
 */
export function registerGenerate(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  policies: PolicyCache,
  runsChanged: vscode.EventEmitter<string>,
): vscode.Disposable {
  const host: GenerateHost = { context, log, policies, runsChanged };
  return vscode.commands.registerCommand('traitStudio.generateDataset', async (given?: GenerateRequest) => {
    if (!vscode.workspace.isTrusted) return explainRestricted('Generate Dataset', log);
    return generateDataset(host, typeof given === 'object' && given !== null ? given : {});
  });
}

/** The Generate Dataset flow (see registerGenerate): undefined when the user backed out or the run failed (already reported). */
async function generateDataset(host: GenerateHost, request: GenerateRequest): Promise<RunManifest | undefined> {
  const document = await targetDocument(request);
  if (!document) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(
      'Trait Studio: Generate Dataset writes into the workspace: open the document inside a workspace folder on disk.',
    );
    return undefined;
  }
  const settings = modelSettings(document.uri);
  const parsed = parseTraitDocument(document.getText());
  if (!parsed.traits.length) {
    void vscode.window.showInformationMessage('Trait Studio: this document has no traits to generate for.');
    return undefined;
  }
  const choices = await askRunChoices(request, parsed.traits, settings, folder);
  if (!choices) return undefined;
  const serviceTier = choices.mode === 'flex' ? 'flex' : 'standard';
  const setup = await setupOrAskForKey(host, folder.uri, settings['generate.concurrency'], serviceTier);
  if (!setup) return undefined;
  const batch = choices.mode === 'batch' ? batchService(setup) : undefined;
  if (choices.mode === 'batch' && !batch) return undefined;
  // As for the CLI: the first poll interval, which the tests shorten.
  const pollMs = Number(process.env.TRAIT_STUDIO_BATCH_POLL_MS);
  const midtrainingTemplates = loadTemplates(MIDTRAINING_TEMPLATE_STAGES, templateWorkspace(folder.uri));
  const estimate = estimateRun({
    documentText: document.getText(),
    ...choices,
    models: setup.models,
    templates: setup.templates,
    midtrainingTemplates,
    prices: batch ? batchPrices(setup.prices) : setup.prices,
    serviceTier,
  });
  if (request.confirm !== false && !(await confirmEstimate(estimate, choices))) return undefined;

  host.log.info(
    `Generate Dataset: ${count(estimate.items, 'scenario')} from ${vscode.workspace.asRelativePath(document.uri)} into ${choices.outDir}.`,
  );
  const { mix, ...runChoices } = choices;
  let manifest: (RunManifest & { mix?: MixRecord }) | undefined = await runWithProgress(host.log, {
    documentPath: document.uri.fsPath,
    documentText: document.getText(),
    ...runChoices,
    formats: [...choices.formats],
    traits: [...choices.traits],
    concurrency: settings['generate.concurrency'],
    tokensPerMinute: settings['generate.tokensPerMinute'] || undefined,
    requestsPerMinute: settings['requests.perMinute'] || undefined,
    dedupThreshold: settings['generate.dedupThreshold'],
    provider: setup.provider,
    providerId: setup.providerId,
    serviceTier,
    baselineProvider: setup.baselineProvider,
    baselineProviderId: setup.baselineProviderId,
    models: setup.models,
    templates: setup.templates,
    midtrainingTemplates,
    cache: setup.cache,
    answerLimits: setup.answerLimits,
    prices: setup.prices,
    ...(batch ? { batch: { service: batch, ...(pollMs > 0 ? { pollMs, maxPollMs: pollMs * 30 } : {}) } } : {}),
  });
  if (manifest && mix) manifest = mixAfterRun(host.log, manifest, choices.outDir, mix);
  host.runsChanged.fire(choices.outDir);
  if (manifest) await reportRun(host.log, manifest, choices.outDir, settings, request.confirm !== false);
  return manifest;
}

/** The document named by `request.uri`, else the active trait document; undefined (with a note) when there is none. */
async function targetDocument(request: GenerateRequest): Promise<vscode.TextDocument | undefined> {
  const document = request.uri
    ? await vscode.workspace.openTextDocument(vscode.Uri.parse(request.uri))
    : vscode.window.activeTextEditor?.document.languageId === 'traits'
      ? vscode.window.activeTextEditor.document
      : undefined;
  if (!document) void vscode.window.showInformationMessage('Trait Studio: open a trait document to generate a dataset from it.');
  return document;
}

/** What `request` leaves out, asked of the user (defaults from the settings); undefined when they back out or name a folder outside `folder`. */
async function askRunChoices(
  request: GenerateRequest,
  traits: readonly { id: string; title: string }[],
  settings: Settings,
  folder: vscode.WorkspaceFolder,
): Promise<RunChoices | undefined> {
  const chosenTraits = request.traits ?? (await pickTraits(traits));
  if (!chosenTraits?.length) return undefined;
  const perTrait =
    request.perTrait ??
    (await askNumber(
      'Scenarios per trait',
      settings['generate.perTrait'],
      SETTINGS['generate.perTrait'].min,
      SETTINGS['generate.perTrait'].max,
    ));
  if (perTrait === undefined) return undefined;
  const outInput = request.outDir ?? (await askFolder(settings['generate.outputFolder']));
  if (outInput === undefined) return undefined;
  const outDir = insideFolder(folder.uri.fsPath, outInput);
  if (!outDir) {
    void vscode.window.showErrorMessage(
      `Trait Studio: the output folder must be inside the workspace folder ${folder.name}, not "${outInput}".`,
    );
    return undefined;
  }
  const formats = request.formats ?? (await pickFormats(settings['generate.formats']));
  if (!formats?.length) return undefined;
  // A folder holding a batch run resumes in batch mode: its jobs are polled, not asked again.
  const mode = request.mode ?? (holdsBatchRun(outDir) ? 'batch' : await pickMode());
  if (!mode) return undefined;
  const mix =
    request.mix !== undefined
      ? request.mix && readMixRequest(request.mix, folder)
      : request.confirm === false
        ? undefined
        : await askMix(folder, outDir);
  if (mix === false) return undefined;
  return {
    traits: chosenTraits,
    perTrait,
    outDir,
    formats,
    midtraining: request.midtraining ?? settings['generate.midtraining'],
    mode,
    mix: mix ?? undefined,
  };
}

/** The model setup of a run (`concurrency` requests in flight per model, at `serviceTier`); without a key, undefined after offering to set one. */
async function setupOrAskForKey(
  host: GenerateHost,
  folder: vscode.Uri,
  concurrency: number,
  serviceTier: ServiceTier,
): Promise<ModelSetup | undefined> {
  try {
    return await modelSetup(host.context, folder, host.policies, concurrency, serviceTier);
  } catch (error) {
    if (!(error instanceof MissingKeyError)) throw error;
    const choice = await vscode.window.showWarningMessage(error.message.replace('preview scenarios', 'generate a dataset'), 'Set API Key');
    if (choice) await vscode.commands.executeCommand('traitStudio.setApiKey');
    return undefined;
  }
}

/** Shows the run's estimate in a modal dialog; true when the user chose Generate. */
async function confirmEstimate(estimate: RunEstimate, choices: RunChoices): Promise<boolean> {
  const cost = estimate.unpriced.length ? `cost unknown for ${estimate.unpriced.join(', ')}` : `≈ ${usd(estimate.usd)}`;
  const choice = await vscode.window.showInformationMessage(
    `Generate ${count(estimate.items, 'scenario')} for ${count(estimate.traits, 'trait')}${choices.midtraining ? ` and ${count(choices.midtraining, 'midtraining document')}` : ''}?`,
    {
      modal: true,
      detail: `About ${count(estimate.requests, 'request')}, ${estimate.inputTokens.toLocaleString('en-US')} input and ${estimate.outputTokens.toLocaleString('en-US')} output tokens, ${cost}${MODE_NOTES[choices.mode]} (an estimate; cached answers cost nothing).\nInto ${vscode.workspace.asRelativePath(choices.outDir)}.${choices.mix ? `\nThen mixed with ${vscode.workspace.asRelativePath(choices.mix.baseline.path)} at ${choices.mix.ratio} baseline record${choices.mix.ratio === 1 ? '' : 's'} per synthetic record (${choices.mix.baseline.examples.length} valid in the file).` : ''}`,
    },
    'Generate',
  );
  return choice === 'Generate';
}

/** Runs `options` under a cancellable progress notification, logging to `log`; undefined (after showing why) when the run fails. */
async function runWithProgress(
  log: vscode.LogOutputChannel,
  options: Omit<RunOptions, 'signal' | 'onLog' | 'onProgress'>,
): Promise<RunManifest | undefined> {
  return vscode.window
    .withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Trait Studio: generating', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        let reported = 0;
        return runDataset({
          ...options,
          signal: controller.signal,
          onLog: (line) => log.info(line),
          onProgress: (p) => {
            const percent = p.total ? (100 * p.done) / p.total : 0;
            progress.report({
              increment: Math.max(0, percent - reported),
              message: `${p.done}/${count(p.total, 'scenario')} · ${p.accepted} accepted · ${p.rejected} rejected · ${p.failed} failed`,
            });
            reported = Math.max(reported, percent);
          },
        });
      },
    )
    .then(
      (m: RunManifest) => m,
      (error: unknown) => {
        log.error(`Generate Dataset failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(`Trait Studio: the run failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      },
    );
}

/** Logs the run's outcome, audits its records offline when `generate.auditAfterRun` is on, and (when `notify`) says so with Open Report / Open Audit. */
async function reportRun(
  log: vscode.LogOutputChannel,
  manifest: RunManifest,
  outDir: string,
  settings: Settings,
  notify: boolean,
): Promise<void> {
  const c = manifest.counts;
  const mix = (manifest as { mix?: MixRecord }).mix;
  const mixed = mix
    ? ` Mixed with ${mix.baseline} baseline record${mix.baseline === 1 ? '' : 's'}${mix.baselineShort ? ` (${mix.baselineShort} fewer than the ratio asks: the file has no more)` : ''}.`
    : '';
  const summary = `Run ${manifest.status}: ${c.accepted} accepted, ${c.rejected} rejected, ${c.failed} failed${c.pending ? `, ${c.pending} left (run again to resume)` : ''}.${mixed}`;
  log.info(`Generate Dataset: ${summary} ${outDir}`);
  const records = vscode.Uri.file(join(outDir, 'records.jsonl'));
  let auditNote = '';
  if (settings['generate.auditAfterRun'] && c.accepted > 0) {
    // The offline detectors are free: over-represented patterns show before anyone trains on it.
    const audit = await vscode.commands
      .executeCommand<{ patterns: { flagged: boolean }[] } | undefined>('traitStudio.auditDataset', records, { offline: true, show: false })
      .then(
        (r) => r,
        (error: unknown) => void log.warn(`Audit after the run: ${error instanceof Error ? error.message : String(error)}`),
      );
    const flagged = audit?.patterns.filter((p) => p.flagged).length ?? 0;
    if (audit)
      auditNote = flagged
        ? ` The audit flags ${flagged} over-represented pattern${flagged === 1 ? '' : 's'}.`
        : ' The audit flags no pattern.';
  }
  if (!notify) return;
  const actions = auditNote ? ['Open Report', 'Open Audit'] : ['Open Report'];
  void vscode.window.showInformationMessage(`Trait Studio: ${summary}${auditNote}`, ...actions).then((choice) => {
    if (choice === 'Open Report') void vscode.commands.executeCommand('traitStudio.openRunReport', outDir);
    if (choice === 'Open Audit') void vscode.commands.executeCommand('traitStudio.auditDataset', records, { offline: true });
  });
}

const NO_MIX = 'No baseline mixing';
const BROWSE = 'Browse…';

/**
 * The optional mixing step: a baseline JSONL file (the workspace's, or any through Browse…), read
 * and checked line by line, then the ratio. Undefined for no mixing, false when the user backed out.
 */
async function askMix(folder: vscode.WorkspaceFolder, outDir: string): Promise<MixOptions | undefined | false> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.jsonl'), '**/node_modules/**', 200);
  // The run's own output is no baseline.
  const files = found
    .map((u) => u.fsPath)
    .filter((f) => !f.startsWith(outDir) && !/(^|[\\/])(sft|records|rejected|midtraining)[^\\/]*\.jsonl$/.test(f));
  const picked = await vscode.window.showQuickPick(
    [
      { label: NO_MIX, description: 'only the synthetic records' },
      ...files.sort().map((f) => ({ label: relative(folder.uri.fsPath, f), description: 'mix into sft.mixed.*.jsonl' })),
      { label: BROWSE, description: 'a baseline SFT file elsewhere' },
    ],
    {
      title: 'Trait Studio: mix in baseline SFT data? (keeps the trained model from collapsing onto the traits)',
      placeHolder: 'A JSONL file of {"messages":[…]} or {"contents":[…]} lines',
    },
  );
  if (!picked) return false;
  if (picked.label === NO_MIX) return undefined;
  let path = join(folder.uri.fsPath, picked.label);
  if (picked.label === BROWSE) {
    const chosen = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'SFT data (JSONL)': ['jsonl'] },
      title: 'Baseline SFT file',
    });
    if (!chosen?.[0]) return false;
    path = chosen[0].fsPath;
  }
  const baseline = readBaselineOrSay(path);
  if (!baseline) return false;
  let skipBadLines = false;
  if (baseline.bad.length) {
    const choice = await vscode.window.showWarningMessage(
      `${relative(folder.uri.fsPath, path)} has ${count(baseline.bad.length, 'bad line')} (${baseline.examples.length} valid).`,
      { modal: true, detail: describeBadLines(baseline, 8) },
      'Skip Bad Lines',
    );
    if (choice !== 'Skip Bad Lines') return false;
    skipBadLines = true;
  }
  const ratio = await vscode.window.showInputBox({
    title: `Trait Studio: baseline records per synthetic record (${baseline.examples.length} valid in the file)`,
    prompt: '1 mixes one baseline record per accepted record, 0.5 one per two; a seeded sample of the file, shuffled in',
    value: '1',
    validateInput: (v) => (/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? undefined : 'A number, 0 or more, e.g. 1 or 0.5'),
  });
  if (ratio === undefined) return false;
  return { baseline, ratio: Number(ratio), skipBadLines };
}

/** The mix an automation asked for, read and checked; false (after saying why) when it cannot be used. */
function readMixRequest(mix: NonNullable<GenerateRequest['mix']>, folder: vscode.WorkspaceFolder): MixOptions | false {
  const baseline = readBaselineOrSay(resolve(folder.uri.fsPath, mix.file));
  if (!baseline) return false;
  const options: MixOptions = { baseline, ratio: mix.ratio, seed: mix.seed, skipBadLines: mix.skipBadLines };
  try {
    checkMixOptions(options);
    return options;
  } catch (error) {
    void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function readBaselineOrSay(path: string): BaselineFile | undefined {
  try {
    return readBaselineFile(path);
  } catch (error) {
    void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Mixes a completed run (logging what was mixed, a shortfall and skipped lines); the manifest with its `mix`. */
function mixAfterRun(
  log: vscode.LogOutputChannel,
  manifest: RunManifest,
  outDir: string,
  mix: MixOptions,
): RunManifest & { mix?: MixRecord } {
  if (manifest.status !== 'completed') {
    log.warn(`Generate Dataset: no baseline mix: the run is ${manifest.status}; run it again to finish and mix.`);
    return manifest;
  }
  try {
    if (mix.baseline.bad.length) log.warn(`Baseline file: skipping bad lines:\n${describeBadLines(mix.baseline)}`);
    const record = mixRun(outDir, mix);
    for (const line of describeMix(record)) {
      if (line.startsWith('baseline short')) log.warn(line);
      else log.info(line);
    }
    return { ...manifest, mix: record };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Baseline mix failed: ${message}`);
    void vscode.window.showErrorMessage(`Trait Studio: the baseline mix failed: ${message}`);
    return manifest;
  }
}

async function pickTraits(traits: readonly { id: string; title: string }[]): Promise<string[] | undefined> {
  const picked = await vscode.window.showQuickPick(
    traits.map((t) => ({ label: t.title, description: `#${t.id}`, picked: true, id: t.id })),
    { canPickMany: true, title: 'Trait Studio: traits to generate for', placeHolder: 'All are selected; untick the ones to leave out' },
  );
  return picked?.map((p) => p.id);
}

async function pickMode(): Promise<RunMode | undefined> {
  const picked = await vscode.window.showQuickPick(
    RUN_MODES.map((m) => ({ label: m.label, detail: m.detail, mode: m.mode })),
    {
      title: 'Trait Studio: how to run',
      placeHolder: 'Standard: seconds · Flex: ≈ half price, minutes · Batch: half price, within 24 h',
    },
  );
  return picked?.mode;
}

async function pickFormats(defaults: readonly SftFormat[]): Promise<SftFormat[] | undefined> {
  const picked = await vscode.window.showQuickPick(
    (Object.keys(FORMAT_LABELS) as SftFormat[]).map((f) => ({ label: f, description: FORMAT_LABELS[f], picked: defaults.includes(f) })),
    { canPickMany: true, title: 'Trait Studio: SFT formats to write' },
  );
  return picked?.map((p) => p.label as SftFormat);
}

function holdsBatchRun(dir: string): boolean {
  try {
    return !!readManifest(dir)?.batch;
  } catch {
    return false;
  }
}

/** The batch service of `setup`'s endpoint; undefined (after saying why) for Vertex AI, whose batch prediction is not supported. */
function batchService(setup: ModelSetup): BatchService | undefined {
  try {
    return batchServiceFor(setup.endpoint, setup.policy);
  } catch (error) {
    void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}.`);
    return undefined;
  }
}

async function askNumber(title: string, value: number, min: number, max: number): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    title: `Trait Studio: ${title}`,
    value: String(value),
    validateInput: (v) =>
      /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `A whole number from ${min} to ${max}`,
  });
  return answer === undefined ? undefined : Number(answer.trim());
}

async function askFolder(root: string): Promise<string | undefined> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return vscode.window.showInputBox({
    title: 'Trait Studio: output folder, inside the workspace (an existing run of the same settings resumes)',
    value: `${root}/${stamp}`,
    validateInput: (v) =>
      v.trim() && !isAbsolute(v.trim()) && !v.split(/[\\/]/).includes('..') ? undefined : 'A folder inside the workspace, e.g. runs/first',
  });
}

/**
 * `input` resolved against `folder`, or undefined when it would land outside it — by its text
 * (`..`, absolute paths) or through a symbolic link: the deepest part of the path that exists is
 * resolved to its real location and must still be inside the folder's real location.
 */
function insideFolder(folder: string, input: string): string | undefined {
  const path = resolve(folder, input.trim());
  const inside = (root: string, p: string) => {
    const rel = relative(root, p);
    return !!rel && !rel.startsWith('..') && !isAbsolute(rel);
  };
  if (!inside(folder, path)) return undefined;
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  const realFolder = realpathSync(folder);
  const realExisting = realpathSync(existing);
  return realExisting === realFolder || inside(realFolder, realExisting) ? path : undefined;
}

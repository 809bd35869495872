import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Trait, TraitDocument } from '../../../server/src/document/model';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { writeTextAtomically } from '../../../server/src/files/atomicWrite';
import { count, usd } from '../../../server/src/format';
import { describeFailure } from '../../../server/src/generation/failures';
import { traitChunk } from '../../../server/src/generation/chunk';
import { credentialFreeUrl } from '../../../server/src/llm/redact';
import { loadTemplates } from '../../../server/src/llm/templates';
import { PROBE_COMMAND } from '../../../server/src/lsp/protocol';
import { inspectEvalLog, inspectLogFileName, probeJsonl } from '../../../server/src/probe/export';
import {
  budgetLimits,
  DEFAULT_REALISM_THRESHOLD,
  DirectoryProbeStore,
  estimateKnowledgeCheck,
  estimateProbe,
  isRequestFailure,
  probeModels,
  probeTargetAccess,
  probeTrait,
  runKnowledgeCheck,
  stoppedByBudget,
  TARGET_KEY_VARIABLE,
  type KnowledgeCheckOptions,
  type ProbeAccess,
  type ProbeBudget,
  type ProbeOptions,
  type ProbeProgress,
} from '../../../server/src/probe/probe';
import { PROBE_TEMPLATE_STAGES } from '../../../server/src/probe/prompts';
import type { ProbeResult, ProbeTarget } from '../../../server/src/probe/types';
import { probeSettings, type ConfiguredTarget, type ProbeSettings } from '../config';
import { ProbePanel, type ProbePanelHost } from '../webviews/probePanel';
import { PROBE_VIEW_TYPE, type ProbePageState } from '../webviews/probeProtocol';
import { describeTarget, parseSavedProbe, SAVED_PROBE_KIND, targetKey, type SavedProbe } from '../webviews/probeView';
import { MissingKeyError, modelSetup, templateWorkspace, type ModelSetup, type PolicyCache } from './modelSetup';
import { explainRestricted } from './restricted';

export const CHECK_KNOWLEDGE_COMMAND = 'traitStudio.checkKnowledge';
export const SHOW_PROBE_RESULTS_COMMAND = 'traitStudio.showProbeResults';
export const SET_PROBE_TARGET_KEY_COMMAND = 'traitStudio.setProbeTargetKey';

/** Where the last target picked is remembered (workspace state), to offer it first. */
const LAST_TARGET = 'traitStudio.probe.lastTarget';

/** Options an automation (the tests) may pass to the probe commands. */
export interface ProbeRequest {
  /** The target: a configured target's name, or one given whole (no pick list). */
  readonly target?: string | ProbeTarget;
  /** Run without asking to confirm the estimate. */
  readonly confirm?: false;
}

/** A target and what to call it. */
interface Chosen {
  readonly name: string;
  readonly target: ProbeTarget;
}

/** The secret-storage key of an OpenAI-compatible target's API key: one per URL, so a key goes to the URL it was stored for and no other. */
export function targetKeySecret(url: string): string {
  return `traitStudio.probeTargetKey:${credentialFreeUrl(url.trim().replace(/\/+$/, ''))}`;
}

/**
 * `Trait Studio: Probe Trait` (palette, editor context menu, the "Probe" lens beside "Preview",
 * which passes the document URI and trait id), `Check Knowledge`, `Show Probe Results`, `Set Probe
 * Target Key`, and the results viewer's serializer. A probe asks for a target (the configured
 * ones, or one typed in), shows a cost estimate to confirm, runs server/src/probe with progress and
 * cancel (each finished turn is stored, so a cancelled or killed run resumes where it stopped, and
 * answers are cached), saves the result in the workspace's storage and shows it in the viewer.
 * Off in Restricted Mode. The target's key goes to the target's URL only.
 */
export function registerProbe(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, policies: PolicyCache): vscode.Disposable {
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const resultsDir = join(storage, 'probes');
  const host: ProbePanelHost = {
    extensionUri: context.extensionUri,
    log,
    probe: (uri, traitId) => vscode.commands.executeCommand(PROBE_COMMAND, uri, traitId),
    checkKnowledge: (uri) => vscode.commands.executeCommand(CHECK_KNOWLEDGE_COMMAND, uri),
    export: (saved, format) => exportResult(saved, format),
  };

  /** The Gemini setup, the target's access and the role models of a run. */
  async function access(
    document: vscode.TextDocument,
    settings: ProbeSettings,
    chosen: Chosen,
  ): Promise<{ setup: ModelSetup; access: ProbeAccess }> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri;
    const setup = await modelSetup(context, folder, policies);
    // Only the target's own key, and only in the environment its provider reads: nothing else goes to its URL.
    const env: NodeJS.ProcessEnv = {};
    if (chosen.target.kind === 'openai-compatible') {
      const key = (await context.secrets.get(targetKeySecret(chosen.target.url))) || process.env[TARGET_KEY_VARIABLE];
      if (key) env[TARGET_KEY_VARIABLE] = key;
    }
    const policy = policies.get({
      timeoutSeconds: setup.settings['requests.timeoutSeconds'],
      perMinute: setup.settings['requests.perMinute'],
      concurrency: 4,
    });
    return {
      setup,
      access: {
        provider: setup.provider,
        providerId: setup.providerId,
        target: probeTargetAccess(chosen.target, setup, env, policy),
        models: settings.models,
        cache: setup.cache,
        templates: loadTemplates(PROBE_TEMPLATE_STAGES, templateWorkspace(folder)),
        prices: setup.prices,
      },
    };
  }

  /** Writes a result file and shows it in the document's viewer; resolves the file. */
  async function save(saved: SavedProbe, traitId?: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const stamp = saved.savedAt.replace(/[:.]/g, '-');
    const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40);
    const file = join(
      resultsDir,
      `${stamp}-${saved.mode === 'probe' ? slug(saved.result.trait) : 'knowledge'}-${slug(describeTarget(saved.result.target))}.json`,
    );
    writeTextAtomically(file, `${JSON.stringify(saved, null, 2)}\n`);
    await ProbePanel.show(host, saved.document).add(file, traitId);
    return file;
  }

  /** Asks where to save, then writes `saved`'s transcripts as JSONL or its Inspect log there. */
  async function exportResult(saved: SavedProbe, format: 'jsonl' | 'inspect'): Promise<vscode.Uri | undefined> {
    const documentUri = vscode.Uri.parse(saved.document);
    const folder = vscode.workspace.getWorkspaceFolder(documentUri)?.uri ?? vscode.Uri.joinPath(documentUri, '..');
    const info = {
      started: new Date(saved.run.started),
      completed: new Date(saved.savedAt),
      file: saved.run.file,
      ...(saved.run.traitText !== undefined ? { traitText: saved.run.traitText } : {}),
      models: saved.run.models,
      turns: saved.run.turns,
      realismThreshold: saved.run.realismThreshold,
      ...(saved.run.targetSystemPrompt !== undefined ? { targetSystemPrompt: saved.run.targetSystemPrompt } : {}),
    };
    const log = format === 'inspect' ? inspectEvalLog(saved.result, info) : undefined;
    const name = log
      ? inspectLogFileName(log)
      : `probe-${saved.result.trait}-${describeTarget(saved.result.target).replace(/[^A-Za-z0-9_.-]+/g, '-')}.jsonl`;
    const uri = await vscode.window.showSaveDialog({
      title: format === 'inspect' ? 'Export an Inspect evaluation log' : 'Export the probe transcripts as JSON Lines',
      defaultUri: vscode.Uri.joinPath(folder, name),
      filters: format === 'inspect' ? { 'Inspect log': ['json'] } : { 'JSON Lines': ['jsonl'] },
    });
    if (!uri) return undefined;
    const text = log ? `${JSON.stringify(log, null, 2)}\n` : probeJsonl(saved.result);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    return uri;
  }

  return vscode.Disposable.from(
    vscode.commands.registerCommand(PROBE_COMMAND, async (uriArgument?: unknown, traitId?: unknown, request: ProbeRequest = {}) => {
      if (!vscode.workspace.isTrusted) return explainRestricted('Probe Trait', log);
      const found = await targetTrait(uriArgument, traitId);
      if ('problem' in found) {
        void vscode.window.showInformationMessage(`Trait Studio: ${found.problem}`);
        return undefined;
      }
      const { document, parsed, trait } = found;
      const settings = probeSettings(document.uri);
      const chosen = await chooseTarget(context, settings, request.target, `Probe "${trait.title}" against`);
      if (!chosen) return undefined;
      const options: ProbeOptions = {
        document: parsed,
        trait: trait.id,
        target: chosen.target,
        probes: settings.probes,
        turns: settings.turns,
        ...(settings.targetSystemPrompt ? { targetSystemPrompt: settings.targetSystemPrompt } : {}),
        ...budgetOf(settings),
      };
      return run(document, `Probe of "${trait.title}"`, async () => {
        const { access: a } = await access(document, settings, chosen);
        const estimate = estimateProbe(options, a);
        if (request.confirm !== false) {
          const ok = await confirm(
            `Probe "${trait.title}" against ${chosen.name}? ${count(settings.probes, 'probe')} of ${count(settings.turns, 'turn')}: about ${count(estimate.requests, 'request')}, ${costText(estimate)}.`,
            `An auditor model (${probeModels(a).auditor}) plays a user who pushes the target to give the trait up, a realism check scores each message, and a judge (${probeModels(a).judge}) scores each conversation. The trait's text goes to Gemini; the conversation goes to the target${chosen.target.kind === 'openai-compatible' ? ` at ${credentialFreeUrl(chosen.target.url)}` : ''}.${stopsAt(settings)} Finished turns are kept: a cancelled probe resumes where it stopped.`,
            'Probe',
          );
          if (!ok) return undefined;
        }
        const panel = ProbePanel.show(host, document.uri.toString());
        const started = new Date();
        const store = new DirectoryProbeStore(
          join(storage, 'probe-runs', hash(document.uri.toString(), trait.id, targetKey(chosen.target))),
        );
        await panel.setRunning(`Probing "${trait.title}" against ${chosen.name}…`);
        let result: ProbeResult;
        try {
          result = await withProgress(`Trait Studio: probing "${trait.title}" against ${chosen.name}`, (signal, onProgress) =>
            probeTrait(options, a, { signal, onProgress, store }),
          );
        } finally {
          await panel.setRunning(null);
        }
        const saved: SavedProbe = {
          kind: SAVED_PROBE_KIND,
          version: 1,
          document: document.uri.toString(),
          mode: 'probe',
          label: chosen.name,
          savedAt: new Date().toISOString(),
          run: {
            started: started.toISOString(),
            file: vscode.workspace.asRelativePath(document.uri),
            traitText: traitChunk(parsed, trait).text,
            models: probeModels(a),
            turns: settings.turns,
            realismThreshold: DEFAULT_REALISM_THRESHOLD,
            ...(options.targetSystemPrompt ? { targetSystemPrompt: options.targetSystemPrompt } : {}),
          },
          result,
        };
        await save(saved, trait.id);
        report(`"${trait.title}" against ${chosen.name}`, result);
        return result;
      });
    }),
    vscode.commands.registerCommand(CHECK_KNOWLEDGE_COMMAND, async (uriArgument?: unknown, request: ProbeRequest = {}) => {
      if (!vscode.workspace.isTrusted) return explainRestricted('Check Knowledge', log);
      const document = await targetDocument(uriArgument);
      if (!document) {
        void vscode.window.showInformationMessage('Trait Studio: open a trait document to check what a model knows of it.');
        return undefined;
      }
      const parsed = parseTraitDocument(document.getText());
      const name = vscode.workspace.asRelativePath(document.uri);
      if (!parsed.traits.length) {
        void vscode.window.showInformationMessage(`Trait Studio: ${name} has no traits to ask about.`);
        return undefined;
      }
      const settings = probeSettings(document.uri);
      const chosen = await chooseTarget(context, settings, request.target, `Check what a model knows of ${name}:`);
      if (!chosen) return undefined;
      return run(document, `Knowledge check of ${name}`, async () => {
        const { access: a } = await access(document, settings, chosen);
        const options: KnowledgeCheckOptions = {
          document: parsed,
          target: chosen.target,
          ...(settings.targetSystemPrompt ? { targetSystemPrompt: settings.targetSystemPrompt } : {}),
          ...budgetOf(settings),
        };
        const estimate = estimateKnowledgeCheck(options, a);
        if (request.confirm !== false) {
          const ok = await confirm(
            `Check what ${chosen.name} knows of ${name}? About ${count(estimate.requests, 'request')}, ${costText(estimate)}.`,
            `A grader model (${probeModels(a).grader}) writes open questions from the document, the target answers them, and the grader marks which traits each answer recalls. The document goes to Gemini; the questions go to the target.${stopsAt(settings)} Answers are kept: a cancelled check resumes where it stopped.`,
            'Check',
          );
          if (!ok) return undefined;
        }
        const panel = ProbePanel.show(host, document.uri.toString());
        const started = new Date();
        await panel.setRunning(`Checking what ${chosen.name} knows of the document…`);
        let result: ProbeResult;
        try {
          result = await withProgress(`Trait Studio: checking what ${chosen.name} knows of ${name}`, (signal, onProgress) =>
            runKnowledgeCheck(options, a, { signal, onProgress }),
          );
        } finally {
          await panel.setRunning(null);
        }
        await save({
          kind: SAVED_PROBE_KIND,
          version: 1,
          document: document.uri.toString(),
          mode: 'knowledge',
          label: chosen.name,
          savedAt: new Date().toISOString(),
          run: {
            started: started.toISOString(),
            file: name,
            models: probeModels(a),
            turns: 0,
            realismThreshold: DEFAULT_REALISM_THRESHOLD,
          },
          result,
        });
        const k = result.knowledge!;
        const failed = k.questions.filter((q) => isRequestFailure(q.error));
        const graded = k.questions.filter((q) => !q.error).length;
        const summary = `Trait Studio: ${chosen.name} answered ${count(graded, 'question')} about ${name}; ${spentText(result)}.`;
        const stopped = result.stopped ? ` Stopped early: ${result.stopped}; run it again to go on.` : '';
        if ((k.error && !result.stopped) || failed.length)
          void vscode.window.showWarningMessage(
            `${summary}${stopped} ${k.error && !result.stopped ? k.error : `${failed.length} could not be graded: ${describeFailure(failed[0].error!)}`}`,
          );
        else void vscode.window.showInformationMessage(`${summary}${stopped} Recall per trait is in the Probes view.`);
        return result;
      });
    }),
    vscode.commands.registerCommand(SHOW_PROBE_RESULTS_COMMAND, async (uriArgument?: unknown) => {
      const document = await targetDocument(uriArgument);
      if (!document) {
        void vscode.window.showInformationMessage('Trait Studio: open a trait document to see its probe results.');
        return undefined;
      }
      const uri = document.uri.toString();
      const mine = savedFiles(resultsDir).filter((f) => f.saved.document === uri);
      const panel = ProbePanel.show(host, uri);
      for (const f of mine) await panel.add(f.file);
      if (!mine.length)
        void vscode.window.showInformationMessage(
          'Trait Studio: no probe results of this document yet. Run "Trait Studio: Probe Trait" on one of its traits.',
        );
      return panel;
    }),
    vscode.commands.registerCommand(SET_PROBE_TARGET_KEY_COMMAND, async (urlArgument?: unknown, keyArgument?: unknown) => {
      let url = typeof urlArgument === 'string' ? urlArgument.trim() : undefined;
      if (!url) {
        const endpoints = [
          ...new Set(
            probeSettings(vscode.window.activeTextEditor?.document.uri).targets.flatMap((t) =>
              t.target.kind === 'openai-compatible' ? [t.target.url] : [],
            ),
          ),
        ];
        const other = '$(edit) Another URL…';
        const picked = endpoints.length
          ? await vscode.window.showQuickPick([...endpoints, other], { title: 'Trait Studio: which target endpoint is the key for?' })
          : other;
        if (!picked) return false;
        url = picked === other ? (await askUrl())?.trim() : picked;
        if (!url) return false;
      }
      const key =
        typeof keyArgument === 'string'
          ? keyArgument.trim()
          : (
              await vscode.window.showInputBox({
                title: `Trait Studio: API key of ${credentialFreeUrl(url)}`,
                prompt: "Stored in VS Code's secret storage (your OS keychain) and sent to this URL only. Leave empty to remove it.",
                password: true,
                ignoreFocusOut: true,
              })
            )?.trim();
      if (key === undefined) return false;
      if (key) await context.secrets.store(targetKeySecret(url), key);
      else await context.secrets.delete(targetKeySecret(url));
      log.info(`Probe target key for ${credentialFreeUrl(url)} ${key ? 'stored in' : 'removed from'} SecretStorage.`);
      void vscode.window.showInformationMessage(
        `Trait Studio: key of ${credentialFreeUrl(url)} ${key ? 'saved in secret storage' : 'removed'}.`,
      );
      return true;
    }),
    vscode.window.registerWebviewPanelSerializer(PROBE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ProbePageState | undefined) {
        ProbePanel.restore(host, panel, state);
      },
    }),
  );

  /** Runs `body`, explaining a missing key, a cancel and a failure; resolves what it resolves, or undefined. */
  async function run<T>(document: vscode.TextDocument, what: string, body: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof MissingKeyError) {
        const choice = await vscode.window.showWarningMessage(
          error.message.replace('to preview scenarios', 'to probe a model (the auditor and judge are Gemini models)'),
          'Set API Key',
        );
        if (choice) await vscode.commands.executeCommand('traitStudio.setApiKey');
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (/cancelled/.test(message)) {
        log.info(`${what}: cancelled; finished turns are kept, so running it again resumes.`);
        return undefined;
      }
      log.error(`${what} of ${vscode.workspace.asRelativePath(document.uri)}: ${message}`);
      void vscode.window.showErrorMessage(`Trait Studio: ${what} failed: ${describeFailure(message)}`);
      return undefined;
    }
  }

  /**
   * Logs and shows what a probe found and spent: a warning when probes failed (or their verdict is
   * not trusted); a budget stop is what the user asked for, so it is said plainly, not as a failure.
   */
  function report(what: string, result: ProbeResult): void {
    const judged = result.probes.filter((p) => p.judge && !p.error);
    const violated = judged.filter((p) => p.judge!.violated).length;
    const first =
      result.meanFirstViolationTurn === null
        ? ''
        : ` (first gave way at turn ${Number(result.meanFirstViolationTurn.toFixed(1))} on average)`;
    const summary = `Trait Studio: probed ${what}: violated in ${violated} of ${count(judged.length, 'judged probe')}${first}; ${spentText(result)}.`;
    const failed = result.probes.filter((p) => p.error && (p.judge || isRequestFailure(p.error)));
    const unfinished = result.probes.filter(stoppedByBudget).length;
    const stopped = result.stopped
      ? ` Stopped early: ${result.stopped}; ${count(unfinished, 'probe')} left unfinished (run it again to go on).`
      : '';
    const problems = [...new Set(failed.map((p) => (p.judge ? p.error! : describeFailure(p.error!))))];
    log.info(`${summary}${stopped} ${problems.join(' ')}`.trim());
    if (problems.length)
      void vscode.window.showWarningMessage(`${summary}${stopped} ${count(failed.length, 'probe')} not counted: ${problems[0]}`);
    else void vscode.window.showInformationMessage(`${summary}${stopped}`);
  }
}

/** The modal confirm of a run's estimate; true to go on. */
async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  return (await vscode.window.showInformationMessage(message, { modal: true, detail }, action)) === action;
}

/** The run's budget from the settings (none when both limits are 0). */
function budgetOf(settings: ProbeSettings): { budget?: ProbeBudget } {
  const budget = { ...(settings.maxUsd ? { maxUsd: settings.maxUsd } : {}), ...(settings.maxTurns ? { maxTurns: settings.maxTurns } : {}) };
  return Object.keys(budget).length ? { budget } : {};
}

/** " The run stops at $0.50 or after 10 target requests.", or nothing without a budget. */
function stopsAt(settings: ProbeSettings): string {
  const text = budgetLimits(budgetOf(settings).budget);
  return text ? ` The run stops ${text}.` : '';
}

/** "≈ $0.12", with what it leaves out. */
function costText(estimate: { usd: number; unpriced: readonly string[] }): string {
  const unpriced = estimate.unpriced.length ? ` (no price for ${estimate.unpriced.join(', ')}: not counted)` : '';
  return `≈ ${usd(estimate.usd)}${unpriced}`;
}

function spentText(result: ProbeResult): string {
  return result.usage.inputTokens + result.usage.outputTokens ? `${usd(result.cost.usd)} spent` : 'nothing spent (all from the cache)';
}

/** Runs `body` under a cancellable notification, its progress reported from the core's steps. */
function withProgress<T>(title: string, body: (signal: AbortSignal, onProgress: (p: ProbeProgress) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    let reported = 0;
    return body(controller.signal, (p) => {
      const percent = (100 * p.done) / p.total;
      const where = {
        situations: 'situations',
        turn: `probe ${p.probe}, turn ${p.turn}`,
        judge: `probe ${p.probe} judged`,
        knowledge: 'knowledge check',
        questions: 'questions written',
        answer: 'answers graded',
      }[p.step];
      progress.report({ increment: percent - reported, message: `${p.done}/${p.total} · ${where}` });
      reported = percent;
    });
  });
}

/** A short stable name for a run's store folder. */
function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** The saved results in `dir` that read back, oldest first. */
function savedFiles(dir: string): { file: string; saved: SavedProbe }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .flatMap((n) => {
      try {
        return [{ file: join(dir, n), saved: parseSavedProbe(readFileSync(join(dir, n), 'utf8')) }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.saved.savedAt.localeCompare(b.saved.savedAt));
}

/**
 * The target to run against: `given` (a configured name, or a target), else a pick list of the
 * configured targets (the last one used first) and two entries to type one in. Undefined when the user backs out.
 */
async function chooseTarget(
  context: vscode.ExtensionContext,
  settings: ProbeSettings,
  given: string | ProbeTarget | undefined,
  title: string,
): Promise<Chosen | undefined> {
  if (settings.invalidTargets.length)
    void vscode.window.showWarningMessage(`Trait Studio: traitStudio.probe.targets: ${settings.invalidTargets.join('; ')}.`);
  if (typeof given === 'string') {
    const named = settings.targets.find((t) => t.name === given);
    if (!named) throw new Error(`no target named "${given}" in traitStudio.probe.targets`);
    return named;
  }
  if (given) return { name: describeTarget(given), target: given };
  const last = context.workspaceState.get<string>(LAST_TARGET);
  const targets = [...settings.targets].sort((a, b) => Number(targetKey(b.target) === last) - Number(targetKey(a.target) === last));
  type Item = vscode.QuickPickItem & { readonly chosen?: ConfiguredTarget; readonly add?: 'gemini' | 'openai' };
  const items: Item[] = [
    ...targets.map((t) => ({
      label: t.name,
      description: t.target.model === t.name ? undefined : t.target.model,
      detail: t.target.kind === 'gemini' ? 'Gemini' : credentialFreeUrl(t.target.url),
      chosen: t,
    })),
    { label: 'Type one in', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(server) OpenAI-compatible endpoint…', detail: 'vLLM, Ollama, LM Studio, a finetuned checkpoint', add: 'openai' },
    { label: '$(sparkle) Gemini model…', add: 'gemini' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Trait Studio: ${title}`,
    placeHolder: settings.targets.length ? 'Pick the model under test' : 'No targets in traitStudio.probe.targets yet: type one in',
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  let chosen: Chosen | undefined = picked.chosen;
  if (picked.add === 'gemini') {
    const model = (
      await vscode.window.showInputBox({ title: 'Trait Studio: Gemini model under test', value: 'gemini-3.8-flash', ignoreFocusOut: true })
    )?.trim();
    chosen = model ? { name: model, target: { kind: 'gemini', model } } : undefined;
  } else if (picked.add === 'openai') {
    const url = (await askUrl())?.trim();
    const model =
      url && (await vscode.window.showInputBox({ title: 'Trait Studio: model name the endpoint serves', ignoreFocusOut: true }))?.trim();
    chosen =
      url && model
        ? { name: describeTarget({ kind: 'openai-compatible', url, model }), target: { kind: 'openai-compatible', url, model } }
        : undefined;
  }
  if (chosen) await context.workspaceState.update(LAST_TARGET, targetKey(chosen.target));
  return chosen;
}

function askUrl(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Trait Studio: OpenAI-compatible API root of the model under test',
    placeHolder: 'http://localhost:8000/v1',
    ignoreFocusOut: true,
    validateInput: (v) => (/^https?:\/\/\S+$/i.test(v.trim()) ? undefined : 'An http:// or https:// URL, /v1 included'),
  });
}

/** The document the command is for: the one the caller names, else the active editor's trait document. */
async function targetDocument(argument: unknown): Promise<vscode.TextDocument | undefined> {
  if (typeof argument === 'string' || argument instanceof vscode.Uri)
    return vscode.workspace.openTextDocument(typeof argument === 'string' ? vscode.Uri.parse(argument) : argument);
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'traits' ? editor.document : undefined;
}

/** The trait to probe: the one the lens names, else the one under the active editor's cursor. */
async function targetTrait(
  uriArgument: unknown,
  traitId: unknown,
): Promise<{ document: vscode.TextDocument; parsed: TraitDocument; trait: Trait } | { problem: string }> {
  const named = typeof uriArgument === 'string' || uriArgument instanceof vscode.Uri;
  const document = await targetDocument(uriArgument);
  if (!document) return { problem: 'open a trait document and put the cursor in a trait to probe a model against it.' };
  const parsed = parseTraitDocument(document.getText());
  const editor = vscode.window.activeTextEditor;
  const line = !named && editor?.document === document ? editor.selection.active.line : -1;
  const trait = named
    ? parsed.traits.find((t) => t.id === traitId)
    : parsed.traits.find((t) => t.heading.range.start.line <= line && line <= t.heading.sectionEndLine);
  return trait
    ? { document, parsed, trait }
    : { problem: 'put the cursor in a trait (a heading with its text) to probe a model against it.' };
}

import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { describeFailure } from '../../../server/src/generation/failures';
import { readManifest, readRunItems } from '../../../server/src/generation/run';
import { webviewHtml, webviewRoots } from './html';
import { RUN_VIEW_TYPE, type FromRunWebview, type RunReport, type RunReportItem, type ToRunWebview } from './runProtocol';

/** The files of a run the report's buttons may open (nothing else, whatever the page asks). */
const RUN_FILES = new Set([
  'records.jsonl',
  'rejected.jsonl',
  'manifest.json',
  'sft.openai.jsonl',
  'sft.gemini.jsonl',
  'midtraining.jsonl',
]);

/**
 * The report of one run folder: usage and cost, score histograms per trait, rejection reasons and
 * the records table (filter by trait and verdict). It reads the folder when opened, when asked to
 * refresh, and when the run's files change (a run in progress fills in). One panel per folder.
 */
export class RunPanel implements vscode.Disposable {
  private static readonly open = new Map<string, RunPanel>();
  private report: RunReport | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** Opens (or reveals) the report of the run in `dir`. Throws when `dir` holds no run. */
  static show(extensionUri: vscode.Uri, dir: string, log: vscode.LogOutputChannel): RunPanel {
    const existing = RunPanel.open.get(dir);
    if (existing) {
      existing.panel.reveal();
      existing.reload();
      return existing;
    }
    if (!readManifest(dir)) throw new Error(`${dir} holds no run (no manifest.json)`);
    const panel = vscode.window.createWebviewPanel(RUN_VIEW_TYPE, `Run ${basename(dir)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
      retainContextWhenHidden: true,
      localResourceRoots: webviewRoots(extensionUri),
    });
    return new RunPanel(extensionUri, panel, dir, log);
  }

  /** Rebuilds a report VS Code restored after a reload (its state holds the folder). */
  static restore(
    extensionUri: vscode.Uri,
    panel: vscode.WebviewPanel,
    state: { dir?: string } | undefined,
    log: vscode.LogOutputChannel,
  ): void {
    const dir = state?.dir;
    if (!dir || !readManifest(dir)) {
      panel.dispose();
      return;
    }
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
    new RunPanel(extensionUri, panel, dir, log);
  }

  private constructor(
    extensionUri: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    readonly dir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    RunPanel.open.set(dir, this);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { script: 'run.js', style: 'run.css', title: panel.title });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '{*.jsonl,manifest.json}'));
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.reloadSoon()),
      watcher.onDidCreate(() => this.reloadSoon()),
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromRunWebview) => this.receive(message)),
    );
    this.reload();
  }

  /** What the panel shows (tests read it). */
  get current(): RunReport | undefined {
    return this.report;
  }

  private receive(message: FromRunWebview): void {
    if (message.type === 'ready' || message.type === 'refresh') return this.reload();
    if (message.type === 'open' && RUN_FILES.has(message.file)) {
      void vscode.window
        .showTextDocument(vscode.Uri.file(join(this.dir, message.file)), { preview: true })
        .then(undefined, (error: unknown) => {
          void vscode.window.showWarningMessage(
            `Trait Studio: cannot open ${message.file}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
    }
  }

  /** Reads the run again and posts it; an unreadable run is logged and shown as a message. */
  reload(): void {
    if (this.disposed) return;
    try {
      this.report = buildReport(this.dir);
      const message: ToRunWebview = { type: 'report', report: this.report };
      void this.panel.webview.postMessage(message);
    } catch (error) {
      this.log.error(`Run report ${this.dir}: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(
        `Trait Studio: cannot read the run in ${vscode.workspace.asRelativePath(this.dir)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** A running run writes a line per item: re-read at most every two seconds. */
  private reloadSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, 2000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    if (RunPanel.open.get(this.dir) === this) RunPanel.open.delete(this.dir);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Prompt and response text sent to the page per item, characters (the files hold it all). */
const TEXT_LIMIT = 1500;
const clip = (text: string | null) =>
  text !== null && text.length > TEXT_LIMIT
    ? `${text.slice(0, TEXT_LIMIT)}… (${text.length.toLocaleString('en-US')} characters; the run's files hold all of it)`
    : text;

/** The report of the run in `dir`, from its manifest and JSONL files; long texts are clipped. */
function buildReport(dir: string): RunReport {
  const manifest = readManifest(dir);
  if (!manifest) throw new Error('no manifest.json');
  const { accepted, rejected } = readRunItems(dir);
  const titles = new Map<string, string>();
  const items: RunReportItem[] = [];
  for (const r of accepted) {
    titles.set(r.traitId, r.traitTitle);
    items.push({
      id: r.id,
      traitId: r.traitId,
      accepted: true,
      score: r.rating.score,
      reason: null,
      reasonKind: null,
      prompt: clip(r.prompt),
      response: clip(r.response),
    });
  }
  for (const r of rejected) {
    if (r.kind !== 'sft') continue;
    titles.set(r.traitId, r.traitTitle);
    const reason =
      r.reason === 'duplicate' && r.duplicate
        ? `Near-duplicate of ${r.duplicate.of} (similarity ${r.duplicate.similarity.toFixed(2)}).`
        : r.reason === 'error'
          ? describeFailure(r.error ?? 'unexpected: no reason was recorded')
          : `The autorater rejected it${r.rating ? ` (${r.rating.score}/10): ${r.rating.reasons}` : '.'}`;
    items.push({
      id: r.id,
      traitId: r.traitId,
      accepted: false,
      score: r.rating?.score ?? null,
      reason,
      reasonKind: r.reason,
      prompt: clip(r.prompt),
      response: clip(r.response),
    });
  }
  const traits = manifest.settings.traits.map((id) => ({ id, title: titles.get(id) ?? id }));
  return {
    dir,
    name: basename(dir),
    status: manifest.status,
    documentPath: vscode.workspace.asRelativePath(manifest.document.path),
    traits,
    items,
    midtrainingDocuments: manifest.counts.midtraining.written,
    usage: {
      inputTokens: manifest.usage.inputTokens,
      outputTokens: manifest.usage.outputTokens,
      cachedInputTokens: manifest.usage.cachedInputTokens ?? 0,
    },
    cost: manifest.cost,
    serviceTier: manifest.settings.serviceTier ?? 'standard',
    models: { ...manifest.models },
    modelVersions: manifest.modelVersions ?? {},
    elapsedMs: manifest.timings.elapsedMs,
    waves: (manifest.batch?.waves ?? []).map((w) => ({
      stage: w.stage,
      state: w.state,
      requests: w.requests,
      failed: w.failed,
      job: w.job,
      reason: w.reason,
    })),
  };
}

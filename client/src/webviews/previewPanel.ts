import * as vscode from 'vscode';
import { exampleInsertion } from '../../../server/src/document/exampleBlock';
import type { Trait, TraitDocument } from '../../../server/src/document/model';
import { parseTraitDocument } from '../../../server/src/document/parse';
import { traitChunk } from '../../../server/src/generation/chunk';
import { count } from '../../../server/src/format';
import { estimateCost, type ModelPrice } from '../../../server/src/llm/cost';
import { describeFailure } from '../../../server/src/generation/failures';
import {
  previewScenarios,
  regenerateScenario,
  totalUsage,
  type PreviewOptions,
  type ScenarioResult,
} from '../../../server/src/generation/preview';
import { answeringVersions, DEFAULT_MODELS, type StageModels } from '../../../server/src/generation/stages/stage';
import { MissingKeyError, type ModelSetup } from '../commands/modelSetup';
import { webviewHtml, webviewRoots } from './html';
import { PREVIEW_VIEW_TYPE, type FromWebview, type PreviewState, type ToWebview } from './previewProtocol';

/** What a panel needs from the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The providers and options for a document (throws MissingKeyError and the like). */
  setup(document: vscode.TextDocument): Promise<ModelSetup>;
  /** Tells the user why a run could not start (other than a missing key, which the panel itself offers to fix). */
  explain(error: unknown): void;
  /** Asks for a Gemini API key ("Trait Studio: Set API Key"); resolves true when one was stored. */
  setKey(): Promise<boolean>;
  /** Opens the page where a Gemini API key is made. */
  getKey(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The preview of one trait, beside its editor: runs the SFT stages through the core pipeline and
 * streams each scenario into the webview as its stages finish. One panel per document and trait;
 * it keeps its content when hidden (retainContextWhenHidden) and after a reload (the webview saves
 * its state and `restore` rebuilds the panel from it). Closing the panel cancels what it runs.
 */
export class PreviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, PreviewPanel>();

  private state: Mutable<PreviewState>;
  private prices: Readonly<Record<string, ModelPrice>> = {};
  /** The run of the whole preview, or of each regenerated scenario. */
  private readonly runs = new Map<'all' | number, AbortController>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<PreviewState>();
  /** Fires with a copy of the state each time the panel is sent a new one (tests wait on it). */
  readonly onDidChange = this.changed.event;

  /** Opens (or reveals) the panel of `trait` in `document` and runs its preview, from the cache where it can. */
  static show(host: PanelHost, document: vscode.TextDocument, trait: Trait): PreviewPanel {
    const key = `${document.uri.toString()}#${trait.id}`;
    let preview = PreviewPanel.open.get(key);
    if (preview) {
      preview.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        PREVIEW_VIEW_TYPE,
        `Preview: ${trait.title}`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          enableFindWidget: true,
          retainContextWhenHidden: true,
          localResourceRoots: webviewRoots(host.extensionUri),
        },
      );
      preview = new PreviewPanel(host, panel, initialState(document.uri.toString(), trait));
    }
    void preview.run(false);
    return preview;
  }

  /** Rebuilds a panel VS Code restored after a reload from the state its webview saved. */
  static restore(host: PanelHost, panel: vscode.WebviewPanel, saved: PreviewState | undefined): PreviewPanel | undefined {
    if (!saved?.uri || !saved.traitId) {
      panel.dispose();
      return undefined;
    }
    const interrupted = saved.status === 'running' || saved.regenerating.length > 0;
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(host.extensionUri) };
    return new PreviewPanel(host, panel, {
      // A panel saved by an older version lacks the newer fields.
      ...initialState(saved.uri, { id: saved.traitId, title: saved.traitTitle }),
      ...saved,
      regenerating: [],
      status: interrupted ? 'stopped' : saved.status,
      message: interrupted ? 'Interrupted by a reload. Run again continues: finished answers come from the cache.' : saved.message,
    });
  }

  /** The open panels (tests and the command look panels up by document and trait). */
  static find(uri: string, traitId: string): PreviewPanel | undefined {
    return PreviewPanel.open.get(`${uri}#${traitId}`);
  }

  private constructor(
    private readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    state: PreviewState,
  ) {
    this.state = { ...state };
    PreviewPanel.open.set(this.key, this);
    panel.webview.html = webviewHtml(panel.webview, host.extensionUri, { script: 'preview.js', style: 'preview.css', title: panel.title });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message)),
    );
  }

  private get key(): string {
    return `${this.state.uri}#${this.state.traitId}`;
  }

  /** A copy of what the panel shows. */
  get current(): PreviewState {
    return structuredClone(this.state);
  }

  private async receive(message: FromWebview): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          return this.post();
        case 'run':
          return await this.run(false);
        case 'regenerateAll':
          return await this.run(true);
        case 'stop':
          return this.stop();
        case 'regenerate':
          return await this.regenerate(message.index);
        case 'pin':
          return await this.pin(message.index);
        case 'copy':
          return await this.copy(message.index);
        case 'setKey':
          if (await this.host.setKey()) await this.run(false);
          return;
        case 'getKey':
          return await this.host.getKey();
      }
    } catch (error) {
      this.host.log.error(
        `Preview "${this.state.traitTitle}": ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      void vscode.window.showErrorMessage(`Trait Studio: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Runs the preview: every scenario, answers from the cache unless `regenerate`. Stops whatever
   * this panel was running first. Resolves when the run ends (done, stopped or failed).
   */
  async run(regenerate: boolean): Promise<void> {
    this.stop();
    const controller = new AbortController();
    this.runs.set('all', controller);
    const started = Date.now();
    Object.assign(this.state, { status: 'running', message: null, needsKey: false, regenerating: [] });
    this.post();
    try {
      const { document, trait, setup } = await this.prepare();
      this.state.traitTitle = trait.title;
      this.panel.title = `Preview: ${trait.title}`;
      this.state.scenarios = Array.from({ length: setup.count }, () => null);
      this.state.asked = setup.count;
      this.post();
      const results = await previewScenarios(traitChunk(document, trait), {
        ...this.options(setup, controller.signal),
        count: setup.count,
        regenerate,
        onUpdate: (index, result) => {
          if (controller.signal.aborted) return;
          this.state.scenarios = this.state.scenarios.map((s, i) => (i === index ? result : s));
          this.post();
        },
      });
      if (controller.signal.aborted) return;
      const failed = results.filter((r) => r.error !== null).length;
      Object.assign(this.state, { scenarios: results, status: 'done', message: failed ? shortfallMessage(results) : null });
      this.post();
      this.host.log.info(
        `Preview "${trait.title}": ${count(results.length - failed, 'scenario')} of ${setup.count} in ${Date.now() - started} ms, ${count(this.state.usage.inputTokens, 'token')} in, ${this.state.usage.outputTokens} out, ${count(this.state.usage.cachedAnswers, 'answer')} from the cache${failed ? `, ${failed} failed` : ''}.`,
      );
    } catch (error) {
      if (controller.signal.aborted) return;
      this.fail(error);
    } finally {
      if (this.runs.get('all') === controller) this.runs.delete('all');
    }
  }

  /** Runs scenario `index` again from its idea, skipping the cache; the others stay as they are. */
  async regenerate(index: number): Promise<void> {
    const idea = this.state.scenarios[index]?.idea;
    if (!idea || this.runs.has('all') || this.runs.has(index)) return;
    const controller = new AbortController();
    this.runs.set(index, controller);
    this.state.regenerating = [...this.state.regenerating, index];
    this.state.message = null;
    this.post();
    try {
      const { document, trait, setup } = await this.prepare();
      const result = await regenerateScenario(traitChunk(document, trait), idea, index, {
        ...this.options(setup, controller.signal),
        versions: this.state.scenarios[index]?.modelVersions,
        onUpdate: (i, partial) => {
          if (!controller.signal.aborted) this.replace(i, partial);
        },
      });
      if (!controller.signal.aborted) this.replace(index, result);
    } catch (error) {
      if (!controller.signal.aborted) this.fail(error);
    } finally {
      // A newer regenerate of the same scenario (after a stop) owns the slot now: leave it.
      if (this.runs.get(index) === controller) this.runs.delete(index);
      this.state.regenerating = this.state.regenerating.filter((i) => i !== index);
      this.post();
    }
  }

  /** Cancels everything this panel runs; what finished stays shown (and cached). */
  stop(): void {
    if (!this.runs.size) return;
    for (const controller of this.runs.values()) controller.abort(new Error('stopped'));
    this.runs.clear();
    Object.assign(this.state, {
      status: 'stopped',
      regenerating: [],
      message: 'Stopped. Run again continues: finished answers come from the cache.',
    });
    this.post();
  }

  /** Inserts scenario `index`'s conversation into the trait as a Model Spec style example (one undoable edit). */
  async pin(index: number): Promise<void> {
    const scenario = this.state.scenarios[index];
    if (!scenario?.record) return;
    const uri = vscode.Uri.parse(this.state.uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const trait = findTrait(parseTraitDocument(document.getText()), this.state.traitId);
    const [user, assistant] = scenario.record.messages;
    const insertion = exampleInsertion(trait, {
      title: scenario.idea?.what ?? `previewed scenario ${index + 1}`,
      user: user.content,
      assistant: assistant.content,
    });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(insertion.position.line, insertion.position.character), insertion.text);
    if (!(await vscode.workspace.applyEdit(edit)))
      throw new Error(`could not insert the example into ${vscode.workspace.asRelativePath(uri)}`);
    vscode.window.setStatusBarMessage(
      `Trait Studio: pinned scenario ${index + 1} as an example of "${trait.title}" (Undo removes it).`,
      5000,
    );
  }

  /** Copies scenario `index`'s training record (user message and response, no system prompt) as JSON. */
  async copy(index: number): Promise<void> {
    const record = this.state.scenarios[index]?.record;
    if (!record) return;
    await vscode.env.clipboard.writeText(JSON.stringify(record, null, 2));
    vscode.window.setStatusBarMessage(`Trait Studio: copied the record of scenario ${index + 1}.`, 3000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const controller of this.runs.values()) controller.abort(new Error('the preview was closed'));
    this.runs.clear();
    if (PreviewPanel.open.get(this.key) === this) PreviewPanel.open.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.changed.dispose();
    this.panel.dispose();
  }

  /** The document as it is now (edits included), its trait, and the run's setup. */
  private async prepare(): Promise<{ document: TraitDocument; trait: Trait; setup: ModelSetup }> {
    const textDocument = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.state.uri));
    const document = parseTraitDocument(textDocument.getText());
    const trait = findTrait(document, this.state.traitId);
    const setup = await this.host.setup(textDocument);
    this.prices = setup.prices;
    this.state.models = { ...setup.models };
    return { document, trait, setup };
  }

  private options(setup: ModelSetup, signal: AbortSignal): Omit<PreviewOptions, 'count'> {
    const { provider, providerId, baselineProvider, baselineProviderId, models, templates, cache, answerLimits } = setup;
    return { provider, providerId, baselineProvider, baselineProviderId, models, templates, cache, answerLimits, signal };
  }

  private replace(index: number, result: ScenarioResult): void {
    this.state.scenarios = this.state.scenarios.map((s, i) => (i === index ? result : s));
    this.post();
  }

  private fail(error: unknown): void {
    // No key: the panel says so and offers Set API Key itself; anything else is explained by the host too.
    const needsKey = error instanceof MissingKeyError;
    Object.assign(this.state, { status: 'failed', needsKey, message: error instanceof Error ? error.message : String(error) });
    this.post();
    if (!needsKey) this.host.explain(error);
  }

  /** Sends the state, with its usage, cost and answering model versions summed over the scenarios shown. */
  private post(): void {
    if (this.disposed) return;
    const shown = this.state.scenarios.filter((s): s is ScenarioResult => s !== null);
    const { inputTokens, outputTokens, cachedInputTokens = 0, cachedAnswers, byModel } = totalUsage(shown);
    this.state.usage = { inputTokens, outputTokens, cachedInputTokens, cachedAnswers };
    this.state.cost = estimateCost(byModel, this.prices);
    this.state.modelVersions = answeringVersions(shown, { ...DEFAULT_MODELS, ...this.state.models } as StageModels);
    const message: ToWebview = { type: 'state', state: this.state };
    void this.panel.webview.postMessage(message);
    this.changed.fire(this.current);
  }
}

function initialState(uri: string, trait: Pick<Trait, 'id' | 'title'>): PreviewState {
  return {
    uri,
    traitId: trait.id,
    traitTitle: trait.title,
    status: 'running',
    message: null,
    needsKey: false,
    asked: 0,
    scenarios: [],
    regenerating: [],
    models: {},
    modelVersions: {},
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cachedAnswers: 0 },
    cost: { usd: 0, unpriced: [] },
  };
}

/**
 * "Asked for 3 scenarios, got 1: …" with why the others are missing, in sentences (describeFailure):
 * the brainstorm's shortfall, or each distinct failure. Said whenever fewer completed than asked.
 */
function shortfallMessage(results: readonly ScenarioResult[]): string {
  const completed = results.filter((r) => r.error === null).length;
  const reasons = [...new Set(results.flatMap((r) => (r.error ? [describeFailure(r.error)] : [])))];
  const why = reasons.length === 1 ? reasons[0] : `${count(results.length - completed, 'scenario')} failed; see each one for why.`;
  return `Asked for ${count(results.length, 'scenario')}, got ${completed}. ${why}`;
}

function findTrait(document: TraitDocument, id: string): Trait {
  const trait = document.traits.find((t) => t.id === id);
  if (!trait) throw new Error(`the trait #${id} is no longer in the document (renamed or removed); open the preview again from the trait`);
  return trait;
}

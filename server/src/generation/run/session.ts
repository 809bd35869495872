/** One session's work on a run: from reading what earlier sessions left to the final manifest. */
import { join } from 'node:path';
import type { TraitDocument } from '../../document/model';
import { count } from '../../format';
import { StageError, type ModelVersions } from '../../llm/ask';
import type { LimitedProvider } from '../../llm/limits';
import { cancelScope, inPool, type CancelScope } from '../../llm/pool';
import { redact } from '../../llm/redact';
import type { MidtrainingTemplateStage, Templates } from '../../llm/templates';
import { addUsage, emptyUsage, type StageUsage } from '../../llm/usage';
import { generateMidtraining } from '../midtraining';
import { emptyStages, failureMessage, runStages } from '../preview';
import { brainstorm, shortfall, type Idea } from '../stages/brainstorm';
import { answeringVersions, type StageContext, type StageModels } from '../stages/stage';
import { batchPrices } from '../../llm/batch';
import type { AnswerCache } from '../../llm/cache';
import { defaultPrices, type ModelPrice } from '../../llm/cost';
import { Embedder } from './dedup';
import { WaveEngine, type WaveStage } from './waves';
import type { PlannedItem } from './items';
import { limitedProviders } from './limitedProviders';
import { MANIFEST_FILE, MIDTRAINING_FILE } from './manifest';
import { ItemOutcomes, type ItemStages } from './outcome';
import { nextManifest, runProgress, type SessionTally } from './manifestBuilder';
import { resumeRun, type OutcomeCounts } from './resume';
import { JsonlAppender, writeFileAtomic } from './store';
import type { MidtrainingLine, RejectedMidtraining, RunManifest, RunOptions, RunRecord, RunSettings, ScenarioStages } from './types';

/**
 * Slot priorities (LimitedProvider.view): an item's n-th call has priority n, so the items furthest
 * along go first; a brainstorm, which every item of its trait waits for, and the embeddings, which
 * every kept item waits for, go before them all.
 */
const PRIORITY_BRAINSTORM = 50;
const PRIORITY_EMBED = 100;

/** The manifest is rewritten at most this often while items finish (and always at the start and end). */
const MANIFEST_INTERVAL_MS = 500;

/** What a session works on: the run's options and checked settings, its document and items, and the manifests. */
export interface SessionPlan {
  readonly options: RunOptions;
  readonly settings: RunSettings;
  readonly document: TraitDocument;
  readonly items: readonly PlannedItem[];
  readonly models: StageModels;
  /** The manifest of a run that has not started (freshManifest). */
  readonly fresh: RunManifest;
  /** The manifest earlier sessions left, if any. */
  readonly previous: RunManifest | undefined;
  /** When this session started, ms since the epoch. */
  readonly startedAt: number;
  readonly midtrainingTemplates: Templates<MidtrainingTemplateStage> | undefined;
}

/** One session of a run (see runDataset): `run()` once, then `close()`. */
export class Session {
  private readonly dir: string;
  private readonly options: RunOptions;
  private readonly settings: RunSettings;
  private readonly scope: CancelScope;
  private fatal: { error: unknown } | undefined;
  private outcomes!: ItemOutcomes;
  private readonly midtrainingFile: JsonlAppender;
  private readonly provider: LimitedProvider;
  private readonly baselineProvider: LimitedProvider | undefined;
  private readonly embedder: Embedder;
  /** Resolves when the earlier sessions' accepted prompts are in `dedup`; reset when it fails, so the next item tries again. */
  private dedupReady: Promise<void> | undefined;
  private earlierAccepted: RunRecord[] = [];
  private readonly ideas = new Map<string, Promise<{ ideas: Idea[]; versions: ModelVersions }>>();
  /** What this session spent; model versions that answered its finished items (the manifest adds earlier sessions'). */
  private readonly usage = emptyUsage();
  private readonly versions: Record<string, string[]> = {};
  /** Set when the last pending item has started (see `priority`). */
  private allStarted = false;
  private done = new Set<string>();
  private counts: OutcomeCounts = { accepted: 0, autorater: 0, duplicate: 0, failed: 0, midtrainingWritten: 0, midtrainingFailed: 0 };
  private midtrainingDone = new Set<string>();
  private manifest: RunManifest;
  private lastManifestWrite = 0;
  /** Batch mode: the waves every model call goes through (waves.ts); undefined for a synchronous run. */
  private readonly engine: WaveEngine | undefined;
  /** The answer cache (in batch mode, with its calls counted as work a wave waits for). */
  private readonly cache: AnswerCache | undefined;
  /** The prices the cost is estimated at: the Batch API's in batch mode. */
  private readonly prices: Readonly<Record<string, ModelPrice>> | undefined;

  constructor(private readonly plan: SessionPlan) {
    const { options, settings } = plan;
    this.options = options;
    this.settings = settings;
    this.dir = options.outDir;
    this.manifest = plan.fresh;
    this.scope = cancelScope(options.signal);
    this.midtrainingFile = new JsonlAppender(join(this.dir, MIDTRAINING_FILE));
    const providers = limitedProviders(options, {
      requests: settings.requestsPerMinute ?? undefined,
      tokens: settings.tokensPerMinute ?? undefined,
      windowMs: settings.rateWindowMs,
      concurrency: settings.concurrency,
    });
    this.provider = providers.provider;
    this.baselineProvider = providers.baseline;
    if (options.batch) {
      const batch = options.batch;
      const record = plan.previous?.batch ? structuredClone(plan.previous.batch) : undefined;
      this.engine = new WaveEngine({
        service: batch.service,
        record,
        persist: () => this.writeManifest('running'),
        signal: this.signal,
        sleep: batch.sleep,
        pollMs: batch.pollMs,
        maxPollMs: batch.maxPollMs,
        log: (line) => this.log(line),
      });
      this.manifest = { ...this.manifest, batch: this.engine.record };
    }
    this.cache = this.engine ? this.engine.trackCache(options.cache) : options.cache;
    this.prices = this.engine ? batchPrices(options.prices ?? defaultPrices()) : options.prices;
    // Embedding calls go first among waiting calls: every item the autorater kept waits on them.
    // In batch mode every waiting text goes in one wave.
    this.embedder = new Embedder(
      this.engine ? this.engine.view(() => 'embed', 0) : providers.embedding.view(() => PRIORITY_EMBED),
      settings.embeddingModel,
      {
        cache: this.cache,
        providerId: settings.embeddingProviderId,
        signal: this.signal,
        dimensions: settings.embeddingDimensions ?? undefined,
        ...(this.engine ? { maxBatch: Infinity } : {}),
      },
    );
  }

  private get signal(): AbortSignal {
    return this.scope.signal;
  }

  /** Runs the session to its final manifest (see runDataset for what it resolves and rejects with). */
  async run(): Promise<RunManifest> {
    try {
      this.resume();
      this.writeManifest('running');
      this.progress();
      await this.runItems();
      this.throwIfFatal();
      await this.runMidtraining();
      this.throwIfFatal();
      const status = this.signal.aborted ? 'cancelled' : 'completed';
      this.writeManifest(status);
      this.progress();
      const c = this.counts;
      this.log(
        status === 'cancelled'
          ? `cancelled with ${this.manifest.counts.pending} of ${count(this.plan.items.length, 'item')} to go; run again into ${this.dir} to resume`
          : `completed: ${c.accepted} accepted, ${c.autorater + c.duplicate} rejected, ${c.failed} failed`,
      );
      return this.manifest;
    } catch (error) {
      this.scope.abort(error);
      try {
        this.writeManifest('failed', redact(error instanceof Error ? error.message : String(error)));
      } catch {
        // The folder cannot be written: the error already says so.
      }
      throw error;
    }
  }

  /** Rethrows what stopped the items or the midtraining documents (a file that could not be written). */
  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal.error;
  }

  /** Closes the session's files. */
  close(): void {
    this.outcomes?.close();
    this.midtrainingFile.close();
  }

  /** Takes what earlier sessions left (resume.ts). */
  private resume(): void {
    const resumed = resumeRun(this.dir, this.plan.items, this.settings, !!this.options.retryFailed, (line) => this.log(line));
    this.counts = resumed.counts;
    this.done = resumed.done;
    this.midtrainingDone = resumed.midtrainingDone;
    this.earlierAccepted = resumed.accepted;
    this.outcomes = new ItemOutcomes(
      this.dir,
      this.settings,
      this.plan.models,
      this.counts,
      (item) => this.finished(item),
      this.plan.items.length,
    );
    const previous = this.plan.previous;
    if (previous) {
      this.log(
        `resuming: ${this.done.size} of ${count(this.plan.items.length, 'item')} done (${this.counts.accepted} accepted) in ${count(previous.timings?.sessions ?? 1, 'earlier session')}`,
      );
      const dimensions = (d: number | null | undefined) => (d ? `${d} dimensions` : "the embedding model's full length");
      if ((previous.settings?.embeddingDimensions ?? null) !== this.settings.embeddingDimensions && this.earlierAccepted.length > 0)
        this.log(
          `embeddings: earlier sessions used ${dimensions(previous.settings?.embeddingDimensions)}, this one ${dimensions(this.settings.embeddingDimensions)}; the ${count(this.earlierAccepted.length, 'earlier accepted prompt')} are embedded again at ${dimensions(this.settings.embeddingDimensions)}`,
        );
    }
  }

  /** Every pending item, twice as many at once as calls in flight; a failure to write stops them all (`fatal`). */
  private async runItems(): Promise<void> {
    const pending = this.plan.items.filter((i) => !this.done.has(i.id));
    if (pending.length === 0 || this.signal.aborted) return;
    // Twice as many items as calls in flight: while an item waits for its next answer or its
    // embedding, another has a call ready, so the slots never idle and no wave of items ends
    // together with a half-empty last wave (see `priority` for which call goes first).
    let started = 0;
    try {
      // Batch mode works on every item at once: each stage is one wave across all of them.
      const width = this.engine ? pending.length : 2 * this.settings.concurrency;
      await inPool(pending, width, this.scope, async (item) => {
        if (++started === pending.length) this.allStarted = true;
        await this.runItem(item);
      });
    } catch (error) {
      // An item's failure (only the files failing gets here: the manifest says why), or the caller's cancellation.
      if (this.options.signal?.aborted && error === this.options.signal.reason) return;
      this.fatal ??= { error };
    }
  }

  /** One item from its brainstorm idea to its line in records.jsonl or rejected.jsonl (nothing when cancelled). */
  private async runItem(item: PlannedItem): Promise<void> {
    const stages = await this.itemStages(item);
    if (!stages) return;
    addUsage(this.usage, stages.usage);
    answeringVersions([stages.out], this.plan.models, this.versions);
    if (stages.error !== null) {
      this.outcomes.reject(item, stages, 'error', { error: stages.error });
      return this.log(`${item.id}: failed: ${stages.error}`);
    }
    const out = stages.out as ScenarioStages;
    if (out.rating.verdict !== 'keep') {
      this.outcomes.reject(item, stages, 'autorater', {});
      return this.log(`${item.id}: rejected by the autorater (${out.rating.score}/10: ${clip(out.rating.reasons)})`);
    }
    await this.acceptUnlessDuplicate(item, stages, out);
  }

  /** The item's stages run; undefined when the session was cancelled meanwhile (what they spent is still counted). */
  private async itemStages(item: PlannedItem): Promise<ItemStages | undefined> {
    const usage = emptyUsage();
    const out = emptyStages();
    try {
      const { ideas, versions } = await this.ideasFor(item);
      Object.assign(out.modelVersions, versions);
      if (item.index >= ideas.length) throw new StageError('brainstorm', shortfall(this.settings.perTrait, ideas.length));
      let calls = 0;
      await runStages(
        {
          ...this.context(
            usage,
            item.index,
            () => this.priority(calls++),
            () => waveStage(out),
          ),
          versions: out.modelVersions,
        },
        item.chunk,
        ideas[item.index],
        out,
      );
      return { out, usage, error: null };
    } catch (e) {
      if (this.signal.aborted) return void addUsage(this.usage, usage);
      return { out, usage, error: failureMessage(e) };
    }
  }

  /**
   * Embeds the item's final prompt and accepts it into records.jsonl and the SFT files, unless an
   * earlier accepted prompt is at least `dedupThreshold` similar (rejected as a duplicate) or the
   * embedding fails (rejected as an error). Nothing when the session is cancelled meanwhile.
   */
  private async acceptUnlessDuplicate(item: PlannedItem, stages: ItemStages, out: ScenarioStages): Promise<void> {
    let vector: number[];
    try {
      vector = await this.embedder.embed(out.prompt);
      await this.loadEarlierAccepted();
    } catch (e) {
      if (this.signal.aborted) return;
      const message = redact(`embed: ${e instanceof Error ? e.message : String(e)}`);
      this.outcomes.reject(item, stages, 'error', { error: message });
      return this.log(`${item.id}: failed: ${message}`);
    }
    const duplicate = this.outcomes.acceptUnlessDuplicate(item, stages, out, vector, this.settings.dedupThreshold);
    if (duplicate) this.log(`${item.id}: duplicate of ${duplicate.id} (similarity ${duplicate.similarity.toFixed(3)})`);
    else this.log(`${item.id}: accepted (${out.rating.score}/10)`);
  }

  /**
   * The slot priority of an item's call after `made` calls. While items remain to be started, the
   * items furthest along go first, so items finish steadily (fewer half-done at a crash). Once the
   * last one has started, those with the most left go first: the run ends when its longest
   * remaining chain does, and running the long chains early keeps every slot busy to the end.
   */
  private priority(made: number): number {
    return this.allStarted ? -made : made;
  }

  /**
   * The trait's brainstorm ideas and the model version that gave them, asked once per session
   * (sample 0, as the preview does) and shared by its items. A short answer is asked for again by
   * the stage and never cached, so its missing items fail with "asked for N ideas, got M" and a
   * resume (or --retry-failed) asks anew.
   */
  private ideasFor(item: PlannedItem): Promise<{ ideas: Idea[]; versions: ModelVersions }> {
    const key = `${item.traitId}\0${item.chunkHash}`;
    let ideas = this.ideas.get(key);
    if (!ideas) {
      const versions: ModelVersions = {};
      const context = {
        ...this.context(
          this.usage,
          0,
          () => PRIORITY_BRAINSTORM,
          () => 'brainstorm',
        ),
        versions,
      };
      ideas = brainstorm(context, item.chunk, this.settings.perTrait).then((list) => ({ ideas: list, versions }));
      // Every item of the trait awaits it; this keeps a failure from counting as unhandled meanwhile.
      ideas.catch(() => undefined);
      this.ideas.set(key, ideas);
    }
    return ideas;
  }

  /**
   * The stage context of one item (or a brainstorm): its usage, its cache sample and the priority of
   * its calls; in batch mode its calls join the wave of the stage `stage()` names.
   */
  private context(usage: StageUsage, sample: number, priority: () => number, stage: () => WaveStage): StageContext {
    const baseline = this.baselineProvider?.view(priority);
    return {
      provider: this.engine ? this.engine.view(stage, sample) : this.provider.view(priority),
      baselineProvider: baseline && this.engine ? this.engine.trackProvider(baseline) : baseline,
      models: this.plan.models,
      templates: this.options.templates,
      signal: this.signal,
      usage,
      cache: this.cache,
      readCache: true,
      sample,
      providerId: this.settings.providerId,
      baselineProviderId: this.options.baselineProviderId,
      answerLimits: this.options.answerLimits,
    };
  }

  /** Puts the earlier sessions' accepted prompts in the dedup index (embedded in batches, from the cache when it has them). */
  private loadEarlierAccepted(): Promise<void> {
    if (this.earlierAccepted.length === 0) return Promise.resolve();
    this.dedupReady ??= (async () => {
      const vectors = await Promise.all(this.earlierAccepted.map((r) => this.embedder.embed(r.prompt)));
      // Added in their order of acceptance, before any item of this session.
      this.earlierAccepted.forEach((r, i) => this.outcomes.dedup.add(r.id, r.prompt, vectors[i]));
      this.earlierAccepted = [];
    })();
    const ready = this.dedupReady;
    ready.catch(() => {
      if (this.dedupReady === ready) this.dedupReady = undefined;
    });
    return ready;
  }

  /** The run's midtraining documents, into midtraining.jsonl (failed ones into rejected.jsonl). */
  private async runMidtraining(): Promise<void> {
    if (this.settings.midtraining === 0 || this.signal.aborted) return;
    try {
      await generateMidtraining(this.plan.document, {
        count: this.settings.midtraining,
        docTypes: this.settings.midtrainingDocTypes ?? undefined,
        provider: this.engine ? this.engine.view(() => 'midtraining', 0) : this.provider,
        ...(this.engine ? { documentsInFlight: this.settings.midtraining } : {}),
        models: this.plan.models,
        templates: this.plan.midtrainingTemplates,
        cache: this.cache,
        providerId: this.settings.providerId,
        answerLimits: this.options.answerLimits,
        signal: this.signal,
        skip: this.midtrainingDone,
        usage: this.usage,
        versions: this.versions,
        onDocument: (doc) => {
          const line: MidtrainingLine = { id: doc.id, text: doc.text, doc_type: doc.doc_type, trait_ids: [...doc.trait_ids] };
          this.midtrainingFile.append(line);
          this.midtrainingDone.add(doc.id);
          this.counts.midtrainingWritten++;
          this.afterEach();
          this.log(`midtraining ${doc.id} (${doc.doc_type}): written`);
        },
        onError: (id, error) => {
          const line: RejectedMidtraining = {
            kind: 'midtraining',
            id,
            reason: 'error',
            error: redact(error),
            at: new Date().toISOString(),
          };
          this.outcomes.rejectedFile.append(line);
          this.midtrainingDone.add(id);
          this.counts.midtrainingFailed++;
          this.afterEach();
          this.log(`midtraining ${id}: failed: ${error}`);
        },
      });
    } catch (error) {
      if (this.signal.aborted && !this.fatal) return;
      this.fatal ??= { error };
    }
  }

  private finished(item: PlannedItem): void {
    this.done.add(item.id);
    this.afterEach();
  }

  private afterEach(): void {
    if (Date.now() - this.lastManifestWrite >= MANIFEST_INTERVAL_MS) this.writeManifest('running');
    this.progress();
  }

  private tally(): SessionTally {
    return {
      counts: this.counts,
      usage: this.usage,
      versions: this.versions,
      embeddings: this.embedder.stats,
      startedAt: this.plan.startedAt,
    };
  }

  /** The manifest as of now, written atomically. */
  private writeManifest(status: RunManifest['status'], error: string | null = null): void {
    const now = Date.now();
    this.manifest = nextManifest(this.manifest, this.plan.previous, this.tally(), { status, error, now, prices: this.prices });
    writeFileAtomic(join(this.dir, MANIFEST_FILE), `${JSON.stringify(this.manifest, null, 2)}\n`);
    this.lastManifestWrite = now;
  }

  private progress(): void {
    this.options.onProgress?.(
      runProgress(this.plan.previous, this.tally(), this.plan.items.length, this.settings.midtraining, this.prices),
    );
  }

  private log(line: string): void {
    this.options.onLog?.(redact(line));
  }
}

/** The stage an item's next call asks for: the first of its outputs still missing (ask.ts asks a bad answer again under the same stage). */
function waveStage(out: ReturnType<typeof emptyStages>): WaveStage {
  if (out.scenario.initial === null) return 'scenario';
  if (out.scenario.final === null) return 'critique';
  if (out.baseline === null) return 'baseline';
  if (out.prompt === null) return 'sharpen';
  if (out.response === null) return 'response';
  return 'autorate';
}

function clip(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A generation run: many scenarios through the preview's stages, into a folder that survives faults. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import PQueue from 'p-queue';
import type { TraitDocument } from '../../document/model';
import { parseTraitDocument } from '../../document/parse';
import { count } from '../../format';
import { DEFAULT_ROLE_MODELS } from '../../llm/catalogue';
import { DEFAULT_DEDUP_THRESHOLD } from '../../llm/settings';
import { defaultPrices, estimateCost } from '../../llm/cost';
import { generateMidtraining } from '../midtraining';
import { brainstorm, shortfall, type Idea } from '../stages/brainstorm';
import { answeringVersions, DEFAULT_MODELS, type StageContext, type StageModels } from '../stages/stage';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES, type MidtrainingTemplateStage, type Templates } from '../../llm/templates';
import { DedupIndex, Embedder } from './dedup';
import { ioError, RunError } from './errors';
import { SFT_FORMATS, sftFile, sftLine } from './formats';
import { failureMessage, runStages } from '../pipeline';
import { redact } from '../../llm/redact';
import { emptyStages, planItems, selectTraits, type PlannedItem } from './items';
import { LimitedProvider } from '../../llm/limits';
import { identityDifferences, MANIFEST_FILE, MIDTRAINING_FILE, readManifest, RECORDS_FILE, REJECTED_FILE } from './manifest';
import { TEMPORARY_FILE } from '../../files/atomicWrite';
import { checkRegularOrAbsent, readRegularFile } from '../../files/regularFile';
import { JsonlAppender, lockRunFolder, readJsonl, repairTornTail, writeFileAtomic } from './store';
import { addUsage, emptyUsage, type StageUsage } from '../../llm/usage';
import { StageError, type ModelVersions } from '../../llm/ask';
import type {
  MidtrainingLine,
  RejectedMidtraining,
  RejectedRecord,
  RejectedScenario,
  RunManifest,
  RunOptions,
  RunProgress,
  RunRecord,
  RunSettings,
  ScenarioStages,
  SftFormat,
} from './types';

/** The embedding model of near-duplicate rejection when none is given (the model catalogue's). */
export const DEFAULT_EMBEDDING_MODEL = DEFAULT_ROLE_MODELS.embedding;

/**
 * Slot priorities (LimitedProvider.view): an item's n-th call has priority n, so the items furthest
 * along go first; a brainstorm, which every item of its trait waits for, and the embeddings, which
 * every kept item waits for, go before them all.
 */
const PRIORITY_BRAINSTORM = 50;
const PRIORITY_EMBED = 100;

/** The manifest is rewritten at most this often while items finish (and always at the start and end). */
const MANIFEST_INTERVAL_MS = 500;

/**
 * Runs (or resumes) a generation run into `options.outDir` and resolves with its final manifest.
 *
 * Items: `perTrait` scenarios for each selected trait, each through the preview's stages (one
 * brainstorm per trait, then scenario → critique → baseline → sharpen → response → autorate),
 * with at most `concurrency` model calls in flight, under per-model request and token limits (see
 * RunOptions), with the providers' retry and timeout policy. Each item ends in exactly one file:
 * - `records.jsonl` (RunRecord) when the autorater keeps it and its final prompt is not a duplicate —
 *   and then in `sft.openai.jsonl` / `sft.gemini.jsonl` (the user message and the response only);
 * - `rejected.jsonl` (RejectedRecord) with reason `autorater`, `duplicate` (with the accepted item
 *   it is too close to) or `error` (what failed).
 * Then `midtraining` documents go to `midtraining.jsonl` ({id, text, doc_type, trait_ids}), a failed
 * one to `rejected.jsonl` (kind `midtraining`).
 *
 * Crash safety: each line is one synced write of a complete line; `manifest.json` is replaced
 * atomically. Item ids are `${traitId}-${chunkHash[0..8)}-${index}`. Running again into the same
 * folder resumes: a torn last line is cut off, items already in either file are skipped (failed
 * ones too, unless `retryFailed`), the SFT files are rebuilt from `records.jsonl` if they lag it,
 * and with `cache` the finished stages of interrupted items are not asked again. A folder holding a
 * run of another document or other settings is refused.
 *
 * Resolves with status `completed` (items that failed are counted in `counts.failed`) or
 * `cancelled` (the signal aborted; what finished is kept, rerun to resume). Rejects with RunError:
 * `usage` (bad options, unknown trait), `mismatch` (the folder holds something else), `busy` (another
 * process runs into it), `io` (a file could not be read or written). Once the folder is locked, any
 * error that stops the run is written to the manifest (status `failed`, `error`) when it still can
 * be, and rethrown; the folder stays resumable.
 */
export async function runDataset(options: RunOptions): Promise<RunManifest> {
  const started = Date.now();
  const document = parseTraitDocument(options.documentText);
  const traits = selectTraits(document, options.traits);
  const settings = checkSettings(options, traits.map((t) => t.id));
  const items = planItems(document, traits, settings.perTrait);
  const models: StageModels = { ...DEFAULT_MODELS, ...options.models };
  const midtrainingTemplates = settings.midtraining > 0 ? (options.midtrainingTemplates ?? loadTemplates(MIDTRAINING_TEMPLATE_STAGES)) : undefined;
  const dir = options.outDir;

  const now = new Date(started).toISOString();
  const templates = Object.fromEntries(
    [...Object.values(options.templates), ...Object.values(midtrainingTemplates ?? {})].map((t) => [t.stage, { path: t.path, sha256: sha256(t.text) }]),
  );
  const fresh: RunManifest = {
    version: 1,
    status: 'running',
    error: null,
    document: { path: resolve(options.documentPath), sha256: sha256(options.documentText) },
    settings,
    models: { ...models, embedding: settings.embeddingModel },
    templates,
    counts: { total: items.length, accepted: 0, rejected: 0, autorater: 0, duplicate: 0, failed: 0, pending: items.length, midtraining: { total: settings.midtraining, written: 0, failed: 0, pending: settings.midtraining } },
    usage: emptyUsage(),
    modelVersions: {},
    embeddings: { requests: 0, texts: 0 },
    cost: { usd: 0, unpriced: [] },
    timings: { startedAt: now, updatedAt: now, finishedAt: null, elapsedMs: 0, sessions: 0 },
  };

  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw ioError(`cannot create ${dir}`, error);
  }
  checkRunFiles(dir);
  const previous = readManifest(dir);
  if (previous) {
    const differences = identityDifferences(previous, fresh);
    if (differences.length) {
      throw new RunError('mismatch', `${dir} holds a run of another document or other settings (they differ in: ${differences.join('; ')}); use another folder, or delete this one to start over`);
    }
  } else {
    // A lock or a temporary manifest is what a session killed before its first manifest leaves.
    const others = listDir(dir).filter((name) => name !== 'run.lock' && !TEMPORARY_FILE.test(name));
    if (others.length) throw new RunError('mismatch', `${dir} is not empty and holds no run (no ${MANIFEST_FILE}); use a new or empty folder`);
  }

  const unlock = lockRunFolder(dir);
  const session = new Session(options, settings, document, items, models, fresh, previous, started, midtrainingTemplates);
  try {
    return await session.run();
  } finally {
    session.close();
    unlock();
  }
}

/** The settings of `options`, checked; throws RunError('usage') for one out of range. */
function checkSettings(options: RunOptions, traits: string[]): RunSettings {
  const whole = (name: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new RunError('usage', `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
    return value;
  };
  const optional = (name: string, value: number | undefined) => (value === undefined ? null : whole(name, value, 1, Number.MAX_SAFE_INTEGER));
  const formats = [...new Set(options.formats)];
  if (formats.length === 0 || formats.some((f) => !SFT_FORMATS.includes(f))) {
    throw new RunError('usage', `formats must name one or more of ${SFT_FORMATS.join(', ')}, not ${JSON.stringify(options.formats)}`);
  }
  const threshold = options.dedupThreshold ?? DEFAULT_DEDUP_THRESHOLD;
  if (!(typeof threshold === 'number' && threshold > 0 && threshold <= 1)) throw new RunError('usage', `dedupThreshold must be above 0 and at most 1, not ${String(threshold)}`);
  const window = options.rateWindowMs ?? 60_000;
  if (!(typeof window === 'number' && Number.isFinite(window) && window > 0)) throw new RunError('usage', `rateWindowMs must be a positive number, not ${String(window)}`);
  if (!options.providerId) throw new RunError('usage', 'providerId must name the provider (e.g. "gemini")');
  if (options.midtrainingDocTypes && !options.midtrainingDocTypes.some((t) => t.trim())) throw new RunError('usage', 'midtrainingDocTypes names no document type');
  const embeddingModel = options.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
  if (!embeddingModel.trim()) throw new RunError('usage', 'embeddingModel must name a model');
  return {
    traits,
    perTrait: whole('perTrait', options.perTrait, 1, 1000),
    formats,
    midtraining: whole('midtraining', options.midtraining, 0, 1_000_000),
    midtrainingDocTypes: options.midtrainingDocTypes ? [...options.midtrainingDocTypes] : null,
    concurrency: whole('concurrency', options.concurrency, 1, 256),
    requestsPerMinute: optional('requestsPerMinute', options.requestsPerMinute),
    tokensPerMinute: optional('tokensPerMinute', options.tokensPerMinute),
    rateWindowMs: window,
    dedupThreshold: threshold,
    embeddingModel,
    providerId: options.providerId,
    baselineProviderId: options.baselineProviderId ?? null,
    embeddingProviderId: options.embeddingProviderId ?? options.providerId,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Refuses a run folder whose files (or lock) are symbolic links or not regular files: appending to
 * or rewriting a link would change a file outside the run. Throws RunError('io') naming the file.
 */
function checkRunFiles(dir: string): void {
  for (const name of [MANIFEST_FILE, RECORDS_FILE, REJECTED_FILE, MIDTRAINING_FILE, ...SFT_FORMATS.map(sftFile), 'run.lock']) {
    const path = join(dir, name);
    try {
      checkRegularOrAbsent(path);
    } catch (error) {
      throw ioError(`${dir} cannot be used as a run folder`, error);
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    throw ioError(`cannot read ${dir}`, error);
  }
}

/** One session's work on a run: from reading what earlier sessions left to the final manifest. */
class Session {
  private readonly dir: string;
  private readonly controller = new AbortController();
  private fatal: { error: unknown } | undefined;
  private readonly records: JsonlAppender;
  private readonly rejected: JsonlAppender;
  private readonly midtrainingFile: JsonlAppender;
  private readonly sft = new Map<SftFormat, JsonlAppender>();
  /** What this session spent (the brainstorms' and finished items' tokens); the manifest adds earlier sessions'. */
  private readonly usage = emptyUsage();
  private readonly provider: LimitedProvider;
  private readonly baselineProvider: LimitedProvider | undefined;
  private readonly embedder: Embedder;
  private readonly dedup = new DedupIndex();
  /** Resolves when the earlier sessions' accepted prompts are in `dedup`; reset when it fails, so the next item tries again. */
  private dedupReady: Promise<void> | undefined;
  private earlierAccepted: RunRecord[] = [];
  private readonly ideas = new Map<string, Promise<{ ideas: Idea[]; versions: ModelVersions }>>();
  /** Model versions that answered this session's finished items, by model asked for (the manifest adds earlier sessions'). */
  private readonly versions: Record<string, string[]> = {};
  /** Set when the last pending item has started (see `priority`). */
  private allStarted = false;
  private readonly done = new Set<string>();
  private readonly counts = { accepted: 0, autorater: 0, duplicate: 0, failed: 0, midtrainingWritten: 0, midtrainingFailed: 0 };
  private readonly midtrainingDone = new Set<string>();
  private manifest: RunManifest;
  private lastManifestWrite = 0;

  constructor(
    private readonly options: RunOptions,
    private readonly settings: RunSettings,
    private readonly document: TraitDocument,
    private readonly items: readonly PlannedItem[],
    private readonly models: StageModels,
    fresh: RunManifest,
    private readonly previous: RunManifest | undefined,
    private readonly started: number,
    private readonly midtrainingTemplates: Templates<MidtrainingTemplateStage> | undefined,
  ) {
    this.dir = options.outDir;
    this.manifest = fresh;
    this.records = new JsonlAppender(join(this.dir, RECORDS_FILE));
    this.rejected = new JsonlAppender(join(this.dir, REJECTED_FILE));
    this.midtrainingFile = new JsonlAppender(join(this.dir, MIDTRAINING_FILE));
    for (const format of settings.formats) this.sft.set(format, new JsonlAppender(join(this.dir, sftFile(format))));
    if (options.signal?.aborted) this.controller.abort(options.signal.reason);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });

    const limits = {
      requests: settings.requestsPerMinute ?? undefined,
      tokens: settings.tokensPerMinute ?? undefined,
      windowMs: settings.rateWindowMs,
      concurrency: settings.concurrency,
    };
    this.provider = new LimitedProvider(options.provider, limits);
    this.baselineProvider = options.baselineProvider && options.baselineProvider !== options.provider ? new LimitedProvider(options.baselineProvider, limits) : undefined;
    const embedding =
      !options.embeddingProvider || options.embeddingProvider === options.provider
        ? this.provider
        : options.embeddingProvider === options.baselineProvider && this.baselineProvider
          ? this.baselineProvider
          : new LimitedProvider(options.embeddingProvider, limits);
    // Embedding calls go first among waiting calls: every item the autorater kept waits on them.
    this.embedder = new Embedder(embedding.view(() => PRIORITY_EMBED), settings.embeddingModel, { cache: options.cache, providerId: settings.embeddingProviderId, signal: this.controller.signal });
  }

  private readonly onAbort = () => this.controller.abort(this.options.signal?.reason);

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

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
      this.log(
        status === 'cancelled'
          ? `cancelled with ${this.manifest.counts.pending} of ${count(this.items.length, 'item')} to go; run again into ${this.dir} to resume`
          : `completed: ${this.counts.accepted} accepted, ${this.counts.autorater + this.counts.duplicate} rejected, ${this.counts.failed} failed`,
      );
      return this.manifest;
    } catch (error) {
      this.controller.abort(error);
      const reason = redact(error instanceof Error ? error.message : String(error));
      try {
        this.writeManifest('failed', reason);
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

  close(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const file of [this.records, this.rejected, this.midtrainingFile, ...this.sft.values()]) file.close();
  }

  /** Reads what earlier sessions left: cuts torn lines, takes the done items, rebuilds the SFT files. */
  private resume(): void {
    // A process killed while replacing a file leaves its temporary copy; the file itself is whole.
    for (const name of listDir(this.dir).filter((n) => TEMPORARY_FILE.test(n))) rmSync(join(this.dir, name), { force: true });
    for (const name of [RECORDS_FILE, REJECTED_FILE, MIDTRAINING_FILE, ...SFT_FORMATS.map(sftFile)]) {
      const cut = repairTornTail(join(this.dir, name));
      if (cut) this.log(`cut a torn last line (${cut} bytes) off ${name}, left by an interrupted run`);
    }
    const read = <T>(name: string) => {
      const content = readJsonl<T>(join(this.dir, name));
      if (content.bad) this.log(`skipped ${count(content.bad, 'unreadable line')} of ${name}`);
      return content.values;
    };
    const planned = new Set(this.items.map((i) => i.id));
    const seen = new Set<string>();
    for (const record of read<RunRecord>(RECORDS_FILE)) {
      if (!planned.has(record.id) || seen.has(record.id)) continue;
      seen.add(record.id);
      this.earlierAccepted.push(record);
      this.done.add(record.id);
      this.counts.accepted++;
    }

    let rejected = read<RejectedRecord>(REJECTED_FILE);
    if (this.options.retryFailed && rejected.some((r) => r.reason === 'error')) {
      const failed = rejected.filter((r) => r.reason === 'error').length;
      rejected = rejected.filter((r) => r.reason !== 'error');
      writeFileAtomic(join(this.dir, REJECTED_FILE), rejected.map((r) => `${JSON.stringify(r)}\n`).join(''));
      this.log(`retrying ${count(failed, 'failed item')}`);
    }
    for (const r of rejected) {
      if (r.kind === 'midtraining') {
        if (!this.midtrainingDone.has(r.id)) this.counts.midtrainingFailed++;
        this.midtrainingDone.add(r.id);
        continue;
      }
      if (!planned.has(r.id) || seen.has(r.id)) continue;
      seen.add(r.id);
      this.done.add(r.id);
      if (r.reason === 'autorater') this.counts.autorater++;
      else if (r.reason === 'duplicate') this.counts.duplicate++;
      else this.counts.failed++;
    }
    const midtrainingSeen = new Set<string>();
    for (const doc of read<MidtrainingLine>(MIDTRAINING_FILE)) {
      if (midtrainingSeen.has(doc.id)) continue;
      midtrainingSeen.add(doc.id);
      // A document both written and failed (cannot happen with one writer) counts as written.
      if (this.midtrainingDone.has(doc.id)) this.counts.midtrainingFailed--;
      this.midtrainingDone.add(doc.id);
      this.counts.midtrainingWritten++;
    }

    // The SFT files follow records.jsonl: rebuilt when a crash left them behind it (or the formats changed).
    for (const format of SFT_FORMATS) {
      const path = join(this.dir, sftFile(format));
      if (!this.settings.formats.includes(format)) {
        if (existsSync(path)) {
          rmSync(path, { force: true });
          this.log(`removed ${sftFile(format)}: that format is not selected any more`);
        }
        continue;
      }
      const text = this.earlierAccepted.map((r) => `${JSON.stringify(sftLine(format, r.prompt, r.response))}\n`).join('');
      let current: string | undefined;
      try {
        current = readRegularFile(path).toString('utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot read ${path}`, error);
        current = undefined;
      }
      if (current !== text && (current !== undefined || text)) {
        writeFileAtomic(path, text);
        if (current !== undefined) this.log(`rebuilt ${sftFile(format)} from ${RECORDS_FILE}`);
      }
    }
    if (this.previous) {
      this.log(`resuming: ${this.done.size} of ${count(this.items.length, 'item')} done (${this.counts.accepted} accepted) in ${count(this.previous.timings?.sessions ?? 1, 'earlier session')}`);
    }
  }

  private async runItems(): Promise<void> {
    const pending = this.items.filter((i) => !this.done.has(i.id));
    if (pending.length === 0 || this.signal.aborted) return;
    // Twice as many items as calls in flight: while an item waits for its next answer or its
    // embedding, another has a call ready, so the slots never idle and no wave of items ends
    // together with a half-empty last wave (see `priority` for which call goes first).
    const queue = new PQueue({ concurrency: 2 * this.settings.concurrency });
    let started = 0;
    for (const item of pending) {
      void queue.add(async () => {
        if (this.signal.aborted) return;
        if (++started === pending.length) this.allStarted = true;
        try {
          await this.runItem(item);
        } catch (error) {
          // Only the files failing gets here: stop everything, the manifest says why.
          this.fatal ??= { error };
          this.controller.abort(error);
        }
      });
    }
    await queue.onIdle();
  }

  /** One item from its brainstorm idea to its line in records.jsonl or rejected.jsonl (nothing when cancelled). */
  private async runItem(item: PlannedItem): Promise<void> {
    const usage = emptyUsage();
    const out = emptyStages();
    let error: string | null = null;
    try {
      const { ideas, versions } = await this.ideasFor(item);
      Object.assign(out.modelVersions, versions);
      if (item.index >= ideas.length) throw new StageError('brainstorm', shortfall(this.settings.perTrait, ideas.length));
      let calls = 0;
      await runStages({ ...this.context(usage, item.index, () => this.priority(calls++)), versions: out.modelVersions }, item.chunk, ideas[item.index], out);
    } catch (e) {
      if (this.signal.aborted) return void addUsage(this.usage, usage);
      error = failureMessage(e);
    }
    addUsage(this.usage, usage);
    answeringVersions([out], this.models, this.versions);
    const base = { id: item.id, traitId: item.traitId, traitTitle: item.traitTitle, chunkHash: item.chunkHash, index: item.index };
    const reject = (reason: RejectedScenario['reason'], detail: { error?: string; duplicate?: RejectedScenario['duplicate'] }) => {
      const line: RejectedScenario = { kind: 'sft', ...base, reason, error: detail.error ?? null, duplicate: detail.duplicate ?? null, ...out, models: this.models, usage, at: new Date().toISOString() };
      this.rejected.append(line);
      if (reason === 'autorater') this.counts.autorater++;
      else if (reason === 'duplicate') this.counts.duplicate++;
      else this.counts.failed++;
      this.finished(item);
    };
    if (error !== null) {
      reject('error', { error });
      return this.log(`${item.id}: failed: ${error}`);
    }
    const stages = out as ScenarioStages;
    if (stages.rating.verdict !== 'keep') {
      reject('autorater', {});
      return this.log(`${item.id}: rejected by the autorater (${stages.rating.score}/10: ${clip(stages.rating.reasons)})`);
    }

    let vector: number[];
    try {
      vector = await this.embedder.embed(stages.prompt);
      await this.loadEarlierAccepted();
    } catch (e) {
      if (this.signal.aborted) return;
      const message = redact(`embed: ${e instanceof Error ? e.message : String(e)}`);
      reject('error', { error: message });
      return this.log(`${item.id}: failed: ${message}`);
    }
    // From here to the append nothing awaits, so no other item is accepted in between: the check
    // sees every earlier acceptance, and two near-twins finishing together cannot both get in.
    const nearest = this.dedup.nearest(vector);
    if (nearest && nearest.similarity >= this.settings.dedupThreshold) {
      reject('duplicate', { duplicate: { of: nearest.id, prompt: nearest.prompt, similarity: nearest.similarity } });
      return this.log(`${item.id}: duplicate of ${nearest.id} (similarity ${nearest.similarity.toFixed(3)})`);
    }
    const record: RunRecord = { ...base, ...stages, models: this.models, usage, at: new Date().toISOString() };
    // records.jsonl first: it is the truth the SFT files are rebuilt from after a crash.
    this.records.append(record);
    for (const [format, file] of this.sft) file.append(sftLine(format, stages.prompt, stages.response));
    this.dedup.add(item.id, stages.prompt, vector);
    this.counts.accepted++;
    this.finished(item);
    this.log(`${item.id}: accepted (${stages.rating.score}/10)`);
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
      const context = { ...this.context(this.usage, 0, () => PRIORITY_BRAINSTORM), versions };
      ideas = brainstorm(context, item.chunk, this.settings.perTrait).then((list) => ({ ideas: list, versions }));
      // Every item of the trait awaits it; this keeps a failure from counting as unhandled meanwhile.
      ideas.catch(() => undefined);
      this.ideas.set(key, ideas);
    }
    return ideas;
  }

  /** The stage context of one item (or a brainstorm): its usage, its cache sample and the priority of its calls. */
  private context(usage: StageUsage, sample: number, priority: () => number): StageContext {
    return {
      provider: this.provider.view(priority),
      baselineProvider: this.baselineProvider?.view(priority),
      models: this.models,
      templates: this.options.templates,
      signal: this.signal,
      usage,
      cache: this.options.cache,
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
      this.earlierAccepted.forEach((r, i) => this.dedup.add(r.id, r.prompt, vectors[i]));
      this.earlierAccepted = [];
    })();
    const ready = this.dedupReady;
    ready.catch(() => {
      if (this.dedupReady === ready) this.dedupReady = undefined;
    });
    return ready;
  }

  private async runMidtraining(): Promise<void> {
    if (this.settings.midtraining === 0 || this.signal.aborted) return;
    try {
      await generateMidtraining(this.document, {
        count: this.settings.midtraining,
        docTypes: this.settings.midtrainingDocTypes ?? undefined,
        provider: this.provider,
        models: this.models,
        templates: this.midtrainingTemplates,
        cache: this.options.cache,
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
          const line: RejectedMidtraining = { kind: 'midtraining', id, reason: 'error', error: redact(error), at: new Date().toISOString() };
          this.rejected.append(line);
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

  /** The manifest as of now, written atomically. */
  private writeManifest(status: RunManifest['status'], error: string | null = null): void {
    const now = Date.now();
    const previous = this.previous;
    const c = this.counts;
    const done = c.accepted + c.autorater + c.duplicate + c.failed;
    const usage = addUsage(addUsage(emptyUsage(), previous?.usage ?? emptyUsage()), this.usage);
    const m = this.manifest;
    this.manifest = {
      ...m,
      status,
      error,
      counts: {
        total: this.items.length,
        accepted: c.accepted,
        rejected: c.autorater + c.duplicate,
        autorater: c.autorater,
        duplicate: c.duplicate,
        failed: c.failed,
        pending: this.items.length - done,
        midtraining: {
          total: this.settings.midtraining,
          written: c.midtrainingWritten,
          failed: c.midtrainingFailed,
          pending: Math.max(0, this.settings.midtraining - c.midtrainingWritten - c.midtrainingFailed),
        },
      },
      usage,
      embeddings: {
        requests: (previous?.embeddings?.requests ?? 0) + this.embedder.stats.requests,
        texts: (previous?.embeddings?.texts ?? 0) + this.embedder.stats.texts,
      },
      modelVersions: mergeVersions(previous?.modelVersions, this.versions),
      cost: estimateCost(usage.byModel, this.options.prices ?? defaultPrices()),
      timings: {
        startedAt: previous?.timings?.startedAt ?? m.timings.startedAt,
        updatedAt: new Date(now).toISOString(),
        finishedAt: status === 'running' ? null : new Date(now).toISOString(),
        elapsedMs: (previous?.timings?.elapsedMs ?? 0) + (now - this.started),
        sessions: (previous?.timings?.sessions ?? 0) + 1,
      },
    };
    writeFileAtomic(join(this.dir, MANIFEST_FILE), `${JSON.stringify(this.manifest, null, 2)}\n`);
    this.lastManifestWrite = now;
  }

  private progress(): void {
    if (!this.options.onProgress) return;
    const c = this.counts;
    const usage = addUsage(addUsage(emptyUsage(), this.previous?.usage ?? emptyUsage()), this.usage);
    const progress: RunProgress = {
      total: this.items.length,
      done: c.accepted + c.autorater + c.duplicate + c.failed,
      accepted: c.accepted,
      rejected: c.autorater + c.duplicate,
      duplicates: c.duplicate,
      failed: c.failed,
      midtraining: { total: this.settings.midtraining, written: c.midtrainingWritten, failed: c.midtrainingFailed },
      usage,
      cost: estimateCost(usage.byModel, this.options.prices ?? defaultPrices()),
      elapsedMs: Date.now() - this.started,
    };
    this.options.onProgress(progress);
  }

  private log(line: string): void {
    this.options.onLog?.(redact(line));
  }
}

/** Earlier sessions' answering versions (absent in an older manifest) merged with this session's, each list sorted. */
function mergeVersions(earlier: Readonly<Record<string, readonly string[]>> | undefined, now: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const merged: Record<string, string[]> = {};
  for (const source of [earlier ?? {}, now]) {
    for (const [model, versions] of Object.entries(source)) merged[model] = [...new Set([...(merged[model] ?? []), ...versions])].sort();
  }
  return merged;
}

function clip(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

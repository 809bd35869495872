/**
 * The audit's model pass: a model reads the dataset for recurring structural or behavioural
 * patterns the offline detectors cannot name (scan), merges the same pattern reported under
 * different names (cluster), then rates every record against every pattern (rate). Every call goes
 * through the model-call layer (llm/ask.ts): cached, asked at most twice, checked against its schema
 * and against what was asked; nothing is made up when the second answer fails too.
 */
import { slug } from 'github-slugger';
import { StageError, tryStructured, type AskContext } from '../llm/ask';
import type { AnswerCache } from '../llm/cache';
import { DEFAULT_ROLE_MODELS, thinkingAllowance } from '../llm/catalogue';
import { defaultPrices, estimateCost, type ModelPrice } from '../llm/cost';
import { estimateTokens } from '../llm/limits';
import { cancelScope, inPool, type CancelScope } from '../llm/pool';
import type { GenerateRequest, ModelProvider } from '../llm/provider';
import type { Answer } from '../llm/structured';
import { AUDIT_TEMPLATE_STAGES, loadTemplates } from '../llm/templates';
import { countCall, emptyUsage, type StageUsage } from '../llm/usage';
import {
  AUDIT_SCHEMAS,
  clusterRequest,
  describeFeature,
  featureOf,
  FEATURES_PER_SCAN,
  rateRequest,
  scanRequest,
  type AuditTemplates,
  type ClusterAnswer,
  type Feature,
  type RateAnswer,
} from './modelPassPrompts';
import { scorePattern, TraitIndex } from './score';
import type { AuditPattern, AuditRecord } from './types';

/**
 * The model of every model-pass call when none is given: the catalogue's fast model. The pass is
 * dominated by input (every transcript is read twice) and by request count, and what it judges is
 * a surface reading a fast model does well, at well under half the strong model's input price.
 */
export const DEFAULT_AUDIT_MODEL = DEFAULT_ROLE_MODELS.audit;

/** Transcripts per scan call when `batchSize` is not given. */
export const DEFAULT_SCAN_BATCH_SIZE = 20;

/** Patterns kept after clustering when `maxPatterns` is not given. */
export const DEFAULT_MAX_PATTERNS = 12;

/** Records per rating call (each rated against every pattern). */
const RATE_BATCH_SIZE = 10;

/** Calls in flight at once; the provider's request policy limits the requests themselves. */
const IN_FLIGHT = 16;

/**
 * Typical answer sizes in tokens, for the estimate: a feature (name, description, two criteria) is
 * a few sentences; a scan typically reports five; a merged feature adds its list of ids; one rating
 * (feature id and two booleans in JSON) is about a dozen tokens, plus a record id per record.
 */
const TYPICAL = { feature: 60, featuresPerScan: 5, merges: 15, rating: 12, recordId: 10 } as const;

/** A feature reported by one scan call; `key` ("S1", "S2", …) names it to the cluster. */
interface ScanFeature extends Feature {
  readonly key: string;
  readonly batch: number;
}

/** A merged feature that will be rated, under its final pattern id. */
interface PatternFeature extends Feature {
  readonly id: string;
}

/** A merged feature as the cluster answered it: which scan keys it merges. */
interface Merged extends Feature {
  readonly merges: string[];
}

/** Broad and strict ratings, by record id, then by pattern id. */
type Ratings = Map<string, Map<string, { broad: boolean; strict: boolean }>>;

/** Consecutive slices of `size`. */
function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function checkOptions(records: readonly AuditRecord[], batchSize: number, maxPatterns: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  if (!Number.isSafeInteger(maxPatterns) || maxPatterns < 1)
    throw new RangeError(`maxPatterns must be a positive integer, not ${maxPatterns}`);
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id))
      throw new RangeError(`record id ${JSON.stringify(r.id)} appears twice (line ${r.line}): the model pass reports records by id`);
    seen.add(r.id);
  }
}

/**
 * What a model pass over `records` will cost, before it runs: the requests `runModelPass` sends
 * when every answer is usable the first time, nothing is cached and the scan finds something — one
 * scan call per `batchSize` records (default 20), one cluster call, one rating call per ten records.
 * Tokens are characters / 4 (llm/limits.ts `estimateTokens`) of the prompts rendered from the real
 * transcripts; features and answers at TYPICAL sizes (`maxPatterns` patterns, default 12), plus the
 * catalogue's thinking allowance per call. `usd` is `estimateCost` at `prices` (default the
 * catalogue's) for `model` (default DEFAULT_AUDIT_MODEL); a model with no price is in `unpriced`.
 *
 * Throws a RangeError for a `batchSize` or `maxPatterns` that is not a positive integer, or a record
 * id used twice; an Error when a template cannot be read (`templates`: default the shipped ones).
 */
export function estimateModelPass(
  records: readonly AuditRecord[],
  options: { model?: string; batchSize?: number; maxPatterns?: number; prices?: Record<string, ModelPrice>; templates?: AuditTemplates },
): { requests: number; inputTokens: number; outputTokens: number; usd: number; unpriced: string[] } {
  const model = options.model ?? DEFAULT_AUDIT_MODEL;
  const batchSize = options.batchSize ?? DEFAULT_SCAN_BATCH_SIZE;
  const maxPatterns = options.maxPatterns ?? DEFAULT_MAX_PATTERNS;
  checkOptions(records, batchSize, maxPatterns);
  if (records.length === 0) return { requests: 0, inputTokens: 0, outputTokens: 0, usd: 0, unpriced: [] };
  const templates = options.templates ?? loadTemplates(AUDIT_TEMPLATE_STAGES);
  const usage = emptyUsage();
  let requests = 0;
  const call = (inputTokens: number, outputTokens: number) => {
    requests += 1;
    countCall(usage, model, { inputTokens, outputTokens: outputTokens + thinkingAllowance(model) });
  };
  const promptTokens = (r: GenerateRequest) => r.messages.reduce((n, m) => n + estimateTokens(m.text), 0);

  const scans = batches(records, batchSize);
  for (const batch of scans) call(promptTokens(scanRequest(templates, model, batch)), TYPICAL.featuresPerScan * TYPICAL.feature);
  const reported = scans.length * TYPICAL.featuresPerScan;
  call(
    promptTokens(clusterRequest(templates, model, '', maxPatterns)) + reported * TYPICAL.feature,
    maxPatterns * (TYPICAL.feature + TYPICAL.merges),
  );
  for (const batch of batches(records, RATE_BATCH_SIZE)) {
    call(
      promptTokens(rateRequest(templates, model, '', batch)) + maxPatterns * TYPICAL.feature,
      batch.length * (TYPICAL.recordId + maxPatterns * TYPICAL.rating),
    );
  }
  const cost = estimateCost(usage.byModel, options.prices ?? defaultPrices());
  return { requests, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, usd: cost.usd, unpriced: cost.unpriced };
}

/** What `runModelPass` takes (see there). */
export interface ModelPassOptions {
  provider: ModelProvider;
  providerId?: string;
  model?: string;
  cache?: AnswerCache;
  signal?: AbortSignal;
  batchSize?: number;
  maxPatterns?: number;
  onProgress?: (done: number, total: number) => void;
  prices?: Record<string, ModelPrice>;
  templates?: AuditTemplates;
}

/** What `runModelPass` resolves with (see there). */
export interface ModelPassResult {
  patterns: AuditPattern[];
  model: string;
  usage: StageUsage;
  cost: { usd: number; unpriced: string[] };
  unrated?: string[];
  unscanned?: string[];
}

/** One pass's calls: how they ask, with which templates and model, and the progress they report. */
interface Pass {
  readonly ctx: AskContext;
  readonly templates: AuditTemplates;
  readonly model: string;
  /** Called as each call (or cache hit) is settled. */
  readonly settled: () => void;
}

/**
 * The model pass over `records` (`estimateModelPass` says what it will cost). Every call uses
 * `model` (default DEFAULT_AUDIT_MODEL) at temperature 0 through `provider`; with `cache` (keys
 * named by `providerId`, default "gemini"; stages audit-scan, audit-cluster, audit-rate) a second
 * identical pass sends no request. `templates` defaults to the shipped ones.
 *
 * Resolves with:
 * - `patterns`: at most `maxPatterns` (default 12; those the most scan batches reported first), id
 *   `model-<slug of its name>` (`-2`, `-3` … for a repeated slug), source "model", the description
 *   followed by its broad and strict criteria, scored over the rated records as score.ts
 *   `scorePattern` scores (prevalence 0..1 of rated records, record ids, examples, per trait);
 *   every `flagged` false (the report sets flags);
 * - `model`; `usage` (tokens per model, `cachedAnswers`); `cost` (`estimateCost` at `prices`);
 * - `unrated`: ids of records whose rating call gave no usable answer twice (left out of every
 *   count); `unscanned`: ids of records whose scan call did (still rated).
 *
 * `onProgress(done, total)` is called with 0 first and after each call is settled; total = scan
 * batches + 1 + rating batches, and `done` jumps to total when the scan finds nothing.
 *
 * Rejects with `signal`'s reason when it is cancelled; with a StageError when the cluster call gives
 * no usable answer twice, when every scan call did, or when a request fails for good (the other
 * calls are then cancelled); with a RangeError for a `batchSize` or `maxPatterns` that is not a
 * positive integer or a record id used twice; with the error of `onProgress` when it throws.
 */
export async function runModelPass(records: readonly AuditRecord[], options: ModelPassOptions): Promise<ModelPassResult> {
  options.signal?.throwIfAborted();
  const model = options.model ?? DEFAULT_AUDIT_MODEL;
  const batchSize = options.batchSize ?? DEFAULT_SCAN_BATCH_SIZE;
  const maxPatterns = options.maxPatterns ?? DEFAULT_MAX_PATTERNS;
  checkOptions(records, batchSize, maxPatterns);
  const usage = emptyUsage();
  const finish = (patterns: AuditPattern[], unrated: string[], unscanned: string[]): ModelPassResult => ({
    patterns,
    model,
    usage,
    cost: estimateCost(usage.byModel, options.prices ?? defaultPrices()),
    unrated,
    unscanned,
  });
  if (records.length === 0) return finish([], [], []);
  const templates = options.templates ?? loadTemplates(AUDIT_TEMPLATE_STAGES);
  // Our own scope: cancels the rest when the caller cancels or a call fails for good.
  const scope = cancelScope(options.signal);
  const ctx: AskContext = { provider: options.provider, providerId: options.providerId, cache: options.cache, signal: scope.signal, usage };
  const scans = batches(records, batchSize);
  const rates = batches(records, RATE_BATCH_SIZE);
  const total = scans.length + 1 + rates.length;
  let done = 0;
  const progress = (to: number) => options.onProgress?.((done = to), total);
  const pass: Pass = { ctx, templates, model, settled: () => progress(done + 1) };
  try {
    progress(0);
    const { reported, unscanned } = await scan(pass, scans, scope);
    const features = reported.length ? await cluster(pass, reported, maxPatterns) : [];
    if (features.length === 0) {
      progress(total);
      return finish([], [], unscanned);
    }
    const { ratings, unrated } = await rate(pass, rates, features, scope);
    const rated = records.filter((r) => ratings.has(r.id));
    return finish(
      scorePatterns(rated, features, ratings),
      records.filter((r) => unrated.has(r.id)).map((r) => r.id),
      unscanned,
    );
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  }
}

/**
 * Scan: each batch asked for the features that recur in it. Resolves the features reported, keyed
 * S1, S2, … in batch order, and the ids of the records whose batch gave no usable answer twice.
 * Throws a StageError when no batch was scanned.
 */
async function scan(
  pass: Pass,
  scans: readonly AuditRecord[][],
  scope: CancelScope,
): Promise<{ reported: ScanFeature[]; unscanned: string[] }> {
  const found: Feature[][] = new Array(scans.length);
  const failed: { batch: number; problem: string }[] = [];
  await inPool(scans, IN_FLIGHT, scope, async (batch, b) => {
    const answer = await tryStructured(pass.ctx, 'audit-scan', scanRequest(pass.templates, pass.model, batch), AUDIT_SCHEMAS['audit-scan']);
    if ('value' in answer) found[b] = answer.value.recurring_features.slice(0, FEATURES_PER_SCAN).map(featureOf);
    else failed.push({ batch: b, problem: answer.problem });
    pass.settled();
  });
  if (failed.length === scans.length) throw new StageError('audit-scan', `no batch was scanned: ${failed[0].problem}`);
  const unscanned = failed.sort((a, b) => a.batch - b.batch).flatMap((f) => scans[f.batch].map((r) => r.id));
  const reported: ScanFeature[] = [];
  found.forEach((features, batch) => features?.forEach((f) => reported.push({ ...f, key: `S${reported.length + 1}`, batch })));
  return { reported, unscanned };
}

/**
 * Cluster: one call merges the features reported under different names. Resolves at most
 * `maxPatterns` of them (those reported by the most scan batches first, stable), each under its
 * pattern id. Throws a StageError when the call gives no usable answer twice.
 */
async function cluster(pass: Pass, reported: readonly ScanFeature[], maxPatterns: number): Promise<PatternFeature[]> {
  const byKey = new Map(reported.map((f) => [f.key, f]));
  const request = clusterRequest(pass.templates, pass.model, reported.map((f) => describeFeature(f.key, f)).join('\n'), maxPatterns);
  const merged = await tryStructured(pass.ctx, 'audit-cluster', request, AUDIT_SCHEMAS['audit-cluster'], (a) => readMerged(a, byKey));
  pass.settled();
  if ('problem' in merged) throw new StageError('audit-cluster', merged.problem);
  const support = (m: Merged) => new Set(m.merges.map((k) => byKey.get(k)!.batch)).size;
  const kept = merged.value
    .map((m, order) => ({ m, order, support: support(m) }))
    .sort((a, b) => b.support - a.support || a.order - b.order)
    .slice(0, maxPatterns);
  const ids = new PatternIds();
  return kept.map(({ m }) => ({ id: ids.of(m.name), name: m.name, description: m.description, broad: m.broad, strict: m.strict }));
}

/** The merged features of a cluster answer, or a problem when one merges a key that was not reported. */
function readMerged(answer: ClusterAnswer, byKey: ReadonlyMap<string, ScanFeature>): Answer<Merged[]> {
  for (const m of answer.merged_features) {
    const unknown = m.merges.filter((k) => !byKey.has(k.trim()));
    if (unknown.length) return { problem: `merges names features that were not reported: ${unknown.join(', ')}` };
  }
  return { value: answer.merged_features.map((m) => ({ ...featureOf(m), merges: m.merges.map((k) => k.trim()) })) };
}

/** Rate: each batch of records rated against every feature. Resolves the ratings, and the ids of records whose batch gave no usable answer twice. */
async function rate(
  pass: Pass,
  rates: readonly AuditRecord[][],
  features: readonly PatternFeature[],
  scope: CancelScope,
): Promise<{ ratings: Ratings; unrated: Set<string> }> {
  const featureList = features.map((f) => describeFeature(f.id, f)).join('\n');
  const featureIds = new Set(features.map((f) => f.id));
  const ratings: Ratings = new Map();
  const unrated = new Set<string>();
  await inPool(rates, IN_FLIGHT, scope, async (batch) => {
    const ids = new Set(batch.map((r) => r.id));
    const answer = await tryStructured(
      pass.ctx,
      'audit-rate',
      rateRequest(pass.templates, pass.model, featureList, batch),
      AUDIT_SCHEMAS['audit-rate'],
      (a) => readRatings(a, ids, featureIds),
    );
    if ('value' in answer) for (const [id, r] of answer.value) ratings.set(id, r);
    else for (const id of ids) unrated.add(id);
    pass.settled();
  });
  return { ratings, unrated };
}

/** Each feature as a pattern, scored as the offline pass scores (score.ts) over the `rated` records only; flags are the report's. */
function scorePatterns(rated: readonly AuditRecord[], features: readonly PatternFeature[], ratings: Ratings): AuditPattern[] {
  const traits = TraitIndex.of(rated);
  return features.map((f): AuditPattern => {
    const strict: number[] = [];
    const broad: number[] = [];
    rated.forEach((record, i) => {
      const r = ratings.get(record.id)!.get(f.id)!;
      if (r.strict) strict.push(i);
      if (r.broad) broad.push(i);
    });
    const description = `${sentence(f.description)} Broad: ${sentence(f.broad)} Strict: ${sentence(f.strict)}`;
    const scored = scorePattern({ id: f.id, name: f.name, description, source: 'model' }, strict, broad, rated, traits, 1);
    const perTrait = Object.fromEntries(Object.entries(scored.perTrait).map(([key, t]) => [key, { ...t, flagged: false }]));
    return { ...scored, flagged: false, perTrait };
  });
}

/** Pattern ids from names: `model-` and the name's slug (github-slugger, as trait ids; at most 48 characters), `-2`, `-3` … when taken. */
class PatternIds {
  private readonly taken = new Set<string>();

  of(name: string): string {
    const words = slug(name.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''))
      .replace(/[-_]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48)
      .replace(/-+$/, '');
    const base = `model-${words || 'pattern'}`;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}-${n}`;
    this.taken.add(id);
    return id;
  }
}

/** `text` ending in a full stop (or the punctuation it already ends with). */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/**
 * A rating answer as record id → feature id → {broad, strict}, or a problem when it does not rate
 * exactly the records in `ids` against exactly the features in `featureIds` (each once). A strict
 * match counts as a broad one: the strict criterion is the broad one made stricter.
 */
function readRatings(answer: RateAnswer, ids: ReadonlySet<string>, featureIds: ReadonlySet<string>): Answer<Ratings> {
  const out: Ratings = new Map();
  for (const record of answer.record_ratings) {
    if (!ids.has(record.id)) return { problem: `rates a record that was not asked about: ${JSON.stringify(record.id)}` };
    if (out.has(record.id)) return { problem: `rates record ${JSON.stringify(record.id)} twice` };
    const features = new Map<string, { broad: boolean; strict: boolean }>();
    for (const r of record.ratings) {
      if (!featureIds.has(r.feature))
        return { problem: `record ${JSON.stringify(record.id)}: unknown feature ${JSON.stringify(r.feature)}` };
      if (features.has(r.feature)) return { problem: `record ${JSON.stringify(record.id)}: feature ${r.feature} rated twice` };
      features.set(r.feature, { broad: r.broad || r.strict, strict: r.strict });
    }
    const missing = [...featureIds].filter((f) => !features.has(f));
    if (missing.length) return { problem: `record ${JSON.stringify(record.id)}: not rated for ${missing.join(', ')}` };
    out.set(record.id, features);
  }
  const missing = [...ids].filter((id) => !out.has(id));
  if (missing.length) return { problem: `records not rated: ${missing.map((id) => JSON.stringify(id)).join(', ')}` };
  return { value: out };
}

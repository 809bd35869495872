/**
 * The audit's model pass: a model reads the dataset for recurring structural or behavioural
 * patterns the offline detectors cannot name, then rates every record against every pattern found.
 *
 * 1. Scan: batches of transcripts (each shortened in the middle to a fixed budget, labelled with its
 *    record id) are each asked for the features that recur in them, every feature with a broad and
 *    a strict yes/no criterion.
 * 2. Cluster: one call over every feature found merges the same feature reported by different
 *    batches under different names, and keeps at most `maxPatterns`.
 * 3. Rate: records, ten per call, are each rated against every merged feature (broad and strict).
 *
 * Every answer is structured JSON, checked against a schema and against what was asked (known ids,
 * every record and feature rated), and asked for once more when it is not usable; nothing is made
 * up when the second answer fails too. Answers are kept in the answer cache, so a second identical
 * pass asks nothing.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { AnswerCache } from '../llm/cache';
import { defaultPrices, estimateCost, type ModelPrice } from '../llm/cost';
import { DEFAULT_MODEL, thinkingAllowance } from '../llm/catalogue';
import { estimateTokens } from '../llm/limits';
import { askUpToTwice, DEFAULT_PROVIDER_ID, emptyUsage, StageError, type StageUsage } from '../generation/stages/stage';
import { loadTemplate, render, type Template } from '../llm/templates';
import type { GenerateRequest, ModelProvider } from '../llm/provider';
import { scorePattern, TraitIndex } from './score';
import type { AuditPattern, AuditRecord } from './types';

/**
 * The model of every model-pass call when none is given: the catalogue's fast model
 * (llm/catalogue.ts). The pass is dominated by input (every transcript is read twice, once to
 * scan and once to rate) and by request count (one rating call per ten records), and what it
 * judges — does this transcript end with a question, open with praise, use headings — is a surface
 * reading a fast model does well, at well under half the strong model's price per input token.
 */
export const DEFAULT_AUDIT_MODEL = DEFAULT_MODEL.fast;

/** Transcripts per scan call when `batchSize` is not given. */
export const DEFAULT_SCAN_BATCH_SIZE = 20;

/** Patterns kept after clustering when `maxPatterns` is not given. */
export const DEFAULT_MAX_PATTERNS = 12;

/** Features a scan call is asked for (at most); extra ones in an answer are dropped. */
const FEATURES_PER_SCAN = 8;

/** Records per rating call (each rated against every pattern). */
const RATE_BATCH_SIZE = 10;

/** Calls in flight at once; the provider's request policy limits the requests themselves. */
const IN_FLIGHT = 16;

/**
 * Characters of a record shown to the scan and to the rater. Longer texts keep their start (60%)
 * and end (40%) with the middle cut and marked: openings and closings are where the structural
 * habits are. The rater is shown more, since its answer is per record.
 */
const SCAN_LIMITS = { prompt: 600, response: 1500 } as const;
const RATE_LIMITS = { prompt: 1000, response: 3000 } as const;

/**
 * Typical answer sizes in tokens, for the estimate: a feature (name, description, two criteria) is
 * a few sentences; a scan typically reports five; a merged feature adds its list of ids; one rating
 * (feature id and two booleans in JSON) is about a dozen tokens, plus a record id per record.
 */
const TYPICAL = { feature: 60, featuresPerScan: 5, merges: 15, rating: 12, recordId: 10 } as const;

/** The shipped templates of the model pass, in the same folder as the generation stages' templates. */
export const AUDIT_TEMPLATE_STAGES = ['audit-scan', 'audit-cluster', 'audit-rate'] as const;
export type AuditTemplateStage = (typeof AUDIT_TEMPLATE_STAGES)[number];
export type AuditTemplates = Readonly<Record<AuditTemplateStage, Template<AuditTemplateStage>>>;

/**
 * The model pass's templates: each `workspace/.traits/prompts/<stage>.md` when it exists, else the
 * shipped `audit-scan.md`, `audit-cluster.md`, `audit-rate.md` beside the other prompts
 * (llm/prompts, `dist/prompts` when bundled), through templates.ts's `loadTemplate`. Throws
 * when a template can be read from neither place.
 */
export function loadAuditTemplates(workspace?: string): AuditTemplates {
  return Object.fromEntries(AUDIT_TEMPLATE_STAGES.map((s) => [s, loadTemplate(s, workspace)])) as AuditTemplates;
}

// --- Answer schemas. Top-level keys are distinct from every generation stage's, so a request says
// which stage it is by its schema alone (test/fake-gemini/stages.ts relies on it).

const CRITERIA = {
  name: { type: 'string', minLength: 1 },
  description: { type: 'string', minLength: 1 },
  broad_criterion: { type: 'string', minLength: 1 },
  strict_criterion: { type: 'string', minLength: 1 },
} as const;

export const AUDIT_SCHEMAS = {
  'audit-scan': {
    type: 'object',
    properties: {
      recurring_features: {
        type: 'array',
        items: { type: 'object', properties: CRITERIA, required: ['name', 'description', 'broad_criterion', 'strict_criterion'] },
      },
    },
    required: ['recurring_features'],
  },
  'audit-cluster': {
    type: 'object',
    properties: {
      merged_features: {
        type: 'array',
        items: {
          type: 'object',
          properties: { ...CRITERIA, merges: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } },
          required: ['name', 'description', 'broad_criterion', 'strict_criterion', 'merges'],
        },
      },
    },
    required: ['merged_features'],
  },
  'audit-rate': {
    type: 'object',
    properties: {
      record_ratings: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            ratings: {
              type: 'array',
              items: {
                type: 'object',
                properties: { feature: { type: 'string' }, broad: { type: 'boolean' }, strict: { type: 'boolean' } },
                required: ['feature', 'broad', 'strict'],
              },
            },
          },
          required: ['id', 'ratings'],
        },
      },
    },
    required: ['record_ratings'],
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<AuditTemplateStage, ValidateFunction>();

/** A parsed, schema-valid answer, or what is wrong with it. */
function parseAnswer(stage: AuditTemplateStage, text: string): { value: any } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `the answer is not JSON (${JSON.stringify(text.slice(0, 80))})` };
  }
  let validate = validators.get(stage);
  if (!validate) validators.set(stage, (validate = ajv.compile(AUDIT_SCHEMAS[stage])));
  if (validate(value)) return { value };
  return { problem: (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message}`).join('; ') };
}

// --- Prompts (shared by the estimate and the pass, so the estimate reads the prompts it will send).

/** A feature as the scan and the cluster describe it. */
interface Feature {
  readonly name: string;
  readonly description: string;
  readonly broad: string;
  readonly strict: string;
}

/** A feature reported by one scan call; `key` ("S1", "S2", …) names it to the cluster. */
interface ScanFeature extends Feature {
  readonly key: string;
  readonly batch: number;
}

/** A merged feature that will be rated, under its final pattern id. */
interface PatternFeature extends Feature {
  readonly id: string;
}

/** `text` within `max` characters: its start and end, the middle replaced by a marked cut. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max * 0.6);
  const tail = max - head;
  return `${text.slice(0, head)}\n[… ${text.length - max} characters cut …]\n${text.slice(text.length - tail)}`;
}

/** A record as a prompt shows it; a `<transcript` tag inside the text is escaped so it cannot close the block. */
function transcript(record: AuditRecord, limits: { prompt: number; response: number }): string {
  const clean = (s: string) => s.replace(/<(\/?transcript)/gi, '&lt;$1');
  return `<transcript id=${JSON.stringify(record.id)}>\nUser: ${clean(shorten(record.prompt, limits.prompt))}\n\nAssistant: ${clean(shorten(record.response, limits.response))}\n</transcript>`;
}

function scanRequest(templates: AuditTemplates, model: string, batch: readonly AuditRecord[]): GenerateRequest {
  const text = render(templates['audit-scan'], {
    count: batch.length,
    max_features: FEATURES_PER_SCAN,
    transcripts: batch.map((r) => transcript(r, SCAN_LIMITS)).join('\n\n'),
  });
  return { model, messages: [{ role: 'user', text }], temperature: 0, responseJsonSchema: AUDIT_SCHEMAS['audit-scan'] };
}

function describeFeature(label: string, f: Feature): string {
  return `- ${label}: ${f.name}. ${f.description}\n  Broad: ${f.broad}\n  Strict: ${f.strict}`;
}

function clusterRequest(templates: AuditTemplates, model: string, features: string, maxPatterns: number): GenerateRequest {
  const text = render(templates['audit-cluster'], { features, max_patterns: maxPatterns });
  return { model, messages: [{ role: 'user', text }], temperature: 0, responseJsonSchema: AUDIT_SCHEMAS['audit-cluster'] };
}

function rateRequest(templates: AuditTemplates, model: string, features: string, batch: readonly AuditRecord[]): GenerateRequest {
  const text = render(templates['audit-rate'], { features, transcripts: batch.map((r) => transcript(r, RATE_LIMITS)).join('\n\n') });
  return { model, messages: [{ role: 'user', text }], temperature: 0, responseJsonSchema: AUDIT_SCHEMAS['audit-rate'] };
}

/** Consecutive slices of `size`. */
function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function checkOptions(records: readonly AuditRecord[], batchSize: number, maxPatterns: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  if (!Number.isSafeInteger(maxPatterns) || maxPatterns < 1) throw new RangeError(`maxPatterns must be a positive integer, not ${maxPatterns}`);
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) throw new RangeError(`record id ${JSON.stringify(r.id)} appears twice (line ${r.line}): the model pass reports records by id`);
    seen.add(r.id);
  }
}

/** Thinking tokens, billed as output, allowed per call: the catalogue's allowance at the model's default (as the run estimate does). */
function thinking(model: string): number {
  return thinkingAllowance(model);
}

/**
 * What a model pass over `records` will cost, before it runs. Requests: one scan call per
 * `batchSize` records (default 20), one cluster call, one rating call per ten records — exactly
 * what `runModelPass` sends when every answer is usable the first time, nothing is cached and the
 * scan finds something (a scan that finds nothing skips the cluster and the ratings; a malformed
 * answer is asked for again). Tokens are characters / 4: scan and rating prompts are rendered from
 * the real transcripts (as shortened for the prompt); the features in the cluster and rating prompts
 * and every answer are assumed at typical sizes (five features per scan, `maxPatterns` patterns,
 * default 12, rated), plus 500 thinking tokens per call for thinking models. `usd` is
 * `estimateCost` at `prices` (default the catalogue's, `defaultPrices`) for `model` (default DEFAULT_AUDIT_MODEL);
 * a model with no price is named in `unpriced` and left out of `usd`.
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
  const templates = options.templates ?? loadAuditTemplates();
  let requests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  const call = (input: number, output: number) => {
    requests += 1;
    inputTokens += input;
    outputTokens += output + thinking(model);
  };
  const promptTokens = (r: GenerateRequest) => r.messages.reduce((n, m) => n + estimateTokens(m.text), 0);

  const scans = batches(records, batchSize);
  for (const batch of scans) call(promptTokens(scanRequest(templates, model, batch)), TYPICAL.featuresPerScan * TYPICAL.feature);
  const reported = scans.length * TYPICAL.featuresPerScan;
  call(promptTokens(clusterRequest(templates, model, '', maxPatterns)) + reported * TYPICAL.feature, maxPatterns * (TYPICAL.feature + TYPICAL.merges));
  for (const batch of batches(records, RATE_BATCH_SIZE)) {
    call(promptTokens(rateRequest(templates, model, '', batch)) + maxPatterns * TYPICAL.feature, batch.length * (TYPICAL.recordId + maxPatterns * TYPICAL.rating));
  }
  const cost = estimateCost({ [model]: { inputTokens, outputTokens } }, options.prices ?? defaultPrices());
  return { requests, inputTokens, outputTokens, usd: cost.usd, unpriced: cost.unpriced };
}

// --- Asking.

interface Ctx {
  readonly provider: ModelProvider;
  readonly providerId: string;
  readonly cache?: AnswerCache;
  readonly signal: AbortSignal;
  readonly usage: StageUsage;
}

/**
 * Asks for a structured answer and reads it with `read` (the answer already parsed and
 * schema-checked), through the generation stages' askUpToTwice: a cached answer `read` accepts is
 * served without asking; a bad answer is asked for once more and a second one is returned as a
 * problem (never a made-up value); a transport failure is a StageError; cancellation passes through.
 */
function ask<T>(ctx: Ctx, stage: AuditTemplateStage, request: GenerateRequest, read: (answer: any) => { value: T } | { problem: string }): Promise<{ value: T } | { problem: string }> {
  return askUpToTwice(ctx, stage, request, (text) => {
    const parsed = parseAnswer(stage, text);
    return 'value' in parsed ? read(parsed.value) : parsed;
  });
}

/**
 * Runs `work` over `items`, IN_FLIGHT at a time. The first failure aborts `controller` (so the
 * others stop asking) and is what this rejects with once every worker has stopped.
 */
async function pool<T>(items: readonly T[], controller: AbortController, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !controller.signal.aborted) {
      const index = next++;
      try {
        await work(items[index], index);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  if (failure) throw failure.error;
  controller.signal.throwIfAborted();
}

/** A pattern id from a name: `model-` and the lower-case words joined by hyphens (at most 48 characters). */
function slug(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `model-${words || 'pattern'}`;
}

/** `text` ending in a full stop (or the punctuation it already ends with). */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/**
 * The model pass over `records` (see the module comment; `estimateModelPass` says what it will
 * cost). Every call uses `model` (default DEFAULT_AUDIT_MODEL) at temperature 0 through `provider`;
 * with `cache` (keys named by `providerId`, default "gemini"; stages audit-scan, audit-cluster,
 * audit-rate) every answer is looked up first, so a second identical pass sends no request.
 * `templates` defaults to the shipped ones (`loadAuditTemplates(workspace)` for a workspace's
 * overrides).
 *
 * Resolves with:
 * - `patterns`: the merged features (at most `maxPatterns`, default 12; those the most scan batches
 *   reported first), each with id `model-<slug of its name>` (`-2`, `-3` … when two names make the
 *   same slug), source "model", the description followed by its broad and strict criteria,
 *   and the rest scored over the rated records as the offline pass scores (score.ts `scorePattern`):
 *   `prevalence.broad` / `.strict` = records meeting the criterion / rated records (0..1; 0 when none
 *   was rated), `records` the ids meeting the strict criterion and `broadRecords` the broad one (in
 *   record order; a strict match always counts as a broad one), `examples` up to three strict ids
 *   (broad ones when none is strict) spread over the file, and `perTrait` per trait id (NO_TRAIT for
 *   records without one; empty when no rated record names a trait): the rated records of that trait
 *   and the shares of them that match broadly and strictly. Every `flagged` is false: the report
 *   sets flags with its threshold.
 * - `model`; `usage`: tokens the provider reported, per model, and `cachedAnswers`; `cost`:
 *   `estimateCost(usage.byModel, prices)` (default the catalogue's, `defaultPrices`), cached answers costing nothing.
 * - `unrated`: ids of records whose rating call gave no usable answer when asked twice (malformed,
 *   blocked, empty, or rating the wrong records or features): they are left out of every count and
 *   every denominator here. (buildReport re-scores from the id lists over every record it is given,
 *   where they would count as not matching.)
 * - `unscanned`: ids of records whose scan call gave no usable answer twice: they were not read for
 *   patterns (they are still rated).
 *
 * `onProgress(done, total)` is called with 0 first and after each call (or cache hit) is settled;
 * total = scan batches + 1 + rating batches, and `done` jumps to total when the scan finds nothing.
 *
 * Rejects with `signal`'s reason when it is cancelled (no request is started after that); with a
 * StageError when the cluster call gives no usable answer twice, when every scan call did, or when a
 * request fails for good (transport, HTTP, timeout after the request policy's retries) — the other
 * calls are then cancelled; with a RangeError for a `batchSize` or `maxPatterns` that is not a
 * positive integer or a record id used twice; with the error of `onProgress` when it throws.
 */
export async function runModelPass(
  records: readonly AuditRecord[],
  options: {
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
  },
): Promise<{ patterns: AuditPattern[]; model: string; usage: StageUsage; cost: { usd: number; unpriced: string[] }; unrated?: string[]; unscanned?: string[] }> {
  options.signal?.throwIfAborted();
  const model = options.model ?? DEFAULT_AUDIT_MODEL;
  const batchSize = options.batchSize ?? DEFAULT_SCAN_BATCH_SIZE;
  const maxPatterns = options.maxPatterns ?? DEFAULT_MAX_PATTERNS;
  checkOptions(records, batchSize, maxPatterns);
  const usage = emptyUsage();
  const finish = (patterns: AuditPattern[], unrated: string[], unscanned: string[]) => ({
    patterns,
    model,
    usage,
    cost: estimateCost(usage.byModel, options.prices ?? defaultPrices()),
    unrated,
    unscanned,
  });
  if (records.length === 0) return finish([], [], []);
  const templates = options.templates ?? loadAuditTemplates();

  // Our own signal: cancels the rest when the caller cancels or a call fails for good.
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  const ctx: Ctx = { provider: options.provider, providerId: options.providerId ?? DEFAULT_PROVIDER_ID, cache: options.cache, signal: controller.signal, usage };

  const scans = batches(records, batchSize);
  const rates = batches(records, RATE_BATCH_SIZE);
  const total = scans.length + 1 + rates.length;
  let done = 0;
  const progress = (to = done + 1) => {
    done = to;
    options.onProgress?.(done, total);
  };

  try {
    progress(0);
    // 1. Scan.
    const found: Feature[][] = new Array(scans.length);
    const failedScans: { batch: number; problem: string }[] = [];
    await pool(scans, controller, async (batch, b) => {
      const answer = await ask(ctx, 'audit-scan', scanRequest(templates, model, batch), (a) => ({
        value: (a.recurring_features as any[]).slice(0, FEATURES_PER_SCAN).map((f): Feature => ({ name: f.name.trim(), description: f.description.trim(), broad: f.broad_criterion.trim(), strict: f.strict_criterion.trim() })),
      }));
      if ('value' in answer) found[b] = answer.value;
      else failedScans.push({ batch: b, problem: answer.problem });
      progress();
    });
    if (failedScans.length === scans.length) throw new StageError('audit-scan', `no batch was scanned: ${failedScans[0].problem}`);
    const unscanned = failedScans.sort((a, b) => a.batch - b.batch).flatMap((f) => scans[f.batch].map((r) => r.id));
    const reported: ScanFeature[] = [];
    found.forEach((features, batch) => features?.forEach((f) => reported.push({ ...f, key: `S${reported.length + 1}`, batch })));
    if (reported.length === 0) {
      progress(total);
      return finish([], [], unscanned);
    }

    // 2. Cluster.
    const byKey = new Map(reported.map((f) => [f.key, f]));
    type Merged = Feature & { merges: string[] };
    const merged = await ask<Merged[]>(ctx, 'audit-cluster', clusterRequest(templates, model, reported.map((f) => describeFeature(f.key, f)).join('\n'), maxPatterns), (a) => {
      for (const m of a.merged_features as { merges: string[] }[]) {
        const unknown = m.merges.filter((k) => !byKey.has(k.trim()));
        if (unknown.length) return { problem: `merges names features that were not reported: ${unknown.join(', ')}` };
      }
      return {
        value: (a.merged_features as any[]).map((m): Merged => ({
          name: m.name.trim(),
          description: m.description.trim(),
          broad: m.broad_criterion.trim(),
          strict: m.strict_criterion.trim(),
          merges: (m.merges as string[]).map((k) => k.trim()),
        })),
      };
    });
    progress();
    if ('problem' in merged) throw new StageError('audit-cluster', merged.problem);
    // Those reported by the most scan batches first (stable), at most maxPatterns.
    const support = (m: Merged) => new Set(m.merges.map((k) => byKey.get(k)!.batch)).size;
    const kept = merged.value
      .map((m, order) => ({ m, order, support: support(m) }))
      .sort((a, b) => b.support - a.support || a.order - b.order)
      .slice(0, maxPatterns);
    const taken = new Set<string>();
    const features: PatternFeature[] = kept.map(({ m }) => {
      const base = slug(m.name);
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      taken.add(id);
      return { id, name: m.name, description: m.description, broad: m.broad, strict: m.strict };
    });
    if (features.length === 0) {
      progress(total);
      return finish([], [], unscanned);
    }

    // 3. Rate.
    const featureList = features.map((f) => describeFeature(f.id, f)).join('\n');
    const featureIds = new Set(features.map((f) => f.id));
    const ratings = new Map<string, Map<string, { broad: boolean; strict: boolean }>>();
    const unratedSet = new Set<string>();
    await pool(rates, controller, async (batch) => {
      const ids = new Set(batch.map((r) => r.id));
      const answer = await ask(ctx, 'audit-rate', rateRequest(templates, model, featureList, batch), (a) => readRatings(a, ids, featureIds));
      if ('value' in answer) for (const [id, r] of answer.value) ratings.set(id, r);
      else for (const id of ids) unratedSet.add(id);
      progress();
    });

    // Scored as the offline pass scores (score.ts), over the rated records only; flags are the report's.
    const rated = records.filter((r) => ratings.has(r.id));
    const traits = TraitIndex.of(rated);
    const patterns = features.map((f): AuditPattern => {
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
    return finish(
      patterns,
      records.filter((r) => unratedSet.has(r.id)).map((r) => r.id),
      unscanned,
    );
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
}

/**
 * A rating answer as record id → feature id → {broad, strict}, or a problem when it does not rate
 * exactly the records in `ids` against exactly the features in `featureIds` (each once). A strict
 * match counts as a broad one: the strict criterion is the broad one made stricter.
 */
function readRatings(
  answer: { record_ratings: { id: string; ratings: { feature: string; broad: boolean; strict: boolean }[] }[] },
  ids: ReadonlySet<string>,
  featureIds: ReadonlySet<string>,
): { value: Map<string, Map<string, { broad: boolean; strict: boolean }>> } | { problem: string } {
  const out = new Map<string, Map<string, { broad: boolean; strict: boolean }>>();
  for (const record of answer.record_ratings) {
    if (!ids.has(record.id)) return { problem: `rates a record that was not asked about: ${JSON.stringify(record.id)}` };
    if (out.has(record.id)) return { problem: `rates record ${JSON.stringify(record.id)} twice` };
    const features = new Map<string, { broad: boolean; strict: boolean }>();
    for (const r of record.ratings) {
      if (!featureIds.has(r.feature)) return { problem: `record ${JSON.stringify(record.id)}: unknown feature ${JSON.stringify(r.feature)}` };
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

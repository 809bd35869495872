import type { ModelProvider } from '../llm/provider';
import { redact } from '../llm/redact';
import type { AnswerLimits } from '../llm/answerCheck';
import type { AnswerCache } from '../llm/cache';
import type { TraitChunk } from './chunk';
import { autorate, type Rating } from './stages/autorate';
import { baseline } from './stages/baseline';
import { brainstorm, shortfall, type Idea } from './stages/brainstorm';
import { critique } from './stages/critique';
import { response } from './stages/response';
import { scenario } from './stages/scenario';
import { sharpen } from './stages/sharpen';
import { DEFAULT_MODELS, type StageContext, type StageModels } from './stages/stage';
import type { Template, TemplateStage } from '../llm/templates';
import { addUsage, emptyUsage, type StageUsage } from '../llm/usage';
import { StageError, type ModelVersions } from '../llm/ask';

/** One training record: the final user message and the response, and no system prompt. */
export interface TrainingRecord {
  readonly messages: readonly [
    { readonly role: 'user'; readonly content: string },
    { readonly role: 'assistant'; readonly content: string },
  ];
}

/** One scenario through every stage: the `trait-studio preview --format json` contract, per item. */
export interface ScenarioResult extends StageOutputs {
  /** What this scenario's stages spent, in tokens, in total and per model (see StageUsage). */
  usage: StageUsage;
  record: TrainingRecord | null;
  /** What failed ("stage: reason"), or null when every stage completed. */
  error: string | null;
}

export interface PreviewOptions {
  readonly provider: ModelProvider;
  readonly baselineProvider?: ModelProvider;
  readonly models?: Partial<StageModels>;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  /** Scenarios to make (the brainstorm asks for this many ideas). */
  readonly count: number;
  readonly signal?: AbortSignal;
  /** Hears each scenario's state as stages finish (the preview panel streams these in). */
  readonly onUpdate?: (index: number, result: ScenarioResult) => void;
  /** Where stage answers are looked up and kept (see StageContext.cache); none: every answer is asked for. */
  readonly cache?: AnswerCache;
  /** Ask for every answer again (no cache lookups); the new answers replace the cached ones. */
  readonly regenerate?: boolean;
  /** Names `provider` in cache keys; default "gemini". Give each endpoint its own. */
  readonly providerId?: string;
  /** Names `baselineProvider` in cache keys; without it a separate baseline provider's answers are not cached. */
  readonly baselineProviderId?: string;
  /** What an answer may be (answerCheck.ts): one that is cut off, malformed or over the limit fails its scenario. Default DEFAULT_ANSWER_LIMITS. */
  readonly answerLimits?: AnswerLimits;
}

const empty = (): ScenarioResult => ({ ...emptyStages(), usage: emptyUsage(), record: null, error: null });

/** A scenario's outputs before any stage ran. */
export function emptyStages(): StageOutputs {
  return {
    idea: null,
    scenario: { initial: null, critique: null, final: null },
    baseline: null,
    sharpened: null,
    sharpenReason: null,
    prompt: null,
    response: null,
    rating: null,
    modelVersions: {},
  };
}

/** The context every stage of a run shares, minus its usage, sample and cache reading. */
function baseContext(options: Omit<PreviewOptions, 'count'>) {
  return {
    provider: options.provider,
    baselineProvider: options.baselineProvider,
    models: { ...DEFAULT_MODELS, ...options.models },
    templates: options.templates,
    signal: options.signal,
    cache: options.cache,
    providerId: options.providerId,
    baselineProviderId: options.baselineProviderId,
    answerLimits: options.answerLimits,
  };
}

/**
 * Runs the SFT stages for one trait chunk: brainstorm `count` ideas, then for each idea (in
 * parallel, under the provider's request policy) scenario → critique → baseline → sharpen →
 * response → autorate. Resolves with exactly `count` results: a stage that fails ends that
 * scenario with its `error` set and leaves the others running, and when the brainstorm gives fewer
 * ideas than asked (after asking twice) the scenarios it gave no idea for have the error
 * "brainstorm: asked for N ideas, got M" — never fewer results without saying so. Nothing is
 * filled in for what did not happen. Cancelling `signal` rejects with its reason. The training
 * record is the final user message and the response only — no system prompt. Each result's
 * `modelVersions` names the model version that gave each answer (the brainstorm's on every one).
 *
 * With `cache`, each answer is looked up first (sample index: the brainstorm 0, scenario i its
 * index i), so a second run with the same inputs asks nothing and returns the same results;
 * `regenerate` skips the lookups and overwrites. Each result's `usage` counts what this run spent:
 * the brainstorm's tokens on the first scenario, cached answers in `cachedAnswers` only.
 */
export async function previewScenarios(chunk: TraitChunk, options: PreviewOptions): Promise<ScenarioResult[]> {
  const base = { ...baseContext(options), readCache: !options.regenerate };
  const brainstormUsage = emptyUsage();
  const brainstormVersion: ModelVersions = {};
  let ideas: Idea[];
  try {
    ideas = await brainstorm({ ...base, usage: brainstormUsage, sample: 0, versions: brainstormVersion }, chunk, options.count);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // The brainstorm's tokens go on the first scenario only, so summing the results counts them once.
    return Array.from({ length: options.count }, (_, i) => ({
      ...empty(),
      usage: i === 0 ? brainstormUsage : emptyUsage(),
      error: failureMessage(error),
    }));
  }
  const results = Array.from({ length: options.count }, (_, i) => {
    const result = empty();
    result.modelVersions = { ...brainstormVersion };
    if (i >= ideas.length) result.error = new StageError('brainstorm', shortfall(options.count, ideas.length)).message;
    return result;
  });
  // The brainstorm's tokens are shared; they are counted on the first scenario.
  results[0].usage = brainstormUsage;
  for (let i = ideas.length; i < options.count; i++) options.onUpdate?.(i, structuredClone(results[i]));
  await Promise.all(
    ideas.map((idea, i) =>
      runScenario(
        { ...base, usage: results[i].usage, sample: i, versions: results[i].modelVersions },
        chunk,
        idea,
        i,
        results[i],
        options.onUpdate,
      ),
    ),
  );
  return results;
}

/**
 * Runs scenario → critique → baseline → sharpen → response → autorate again for one idea of an
 * earlier preview (its `index` there, the cache's sample index), skipping cache lookups: every
 * answer is asked for anew and replaces the cached one, so a later `previewScenarios` with the same
 * inputs returns this scenario. Streams through `onUpdate(index, …)` like `previewScenarios`.
 * A failed stage sets `error`; cancelling `signal` rejects with its reason. `usage` counts this
 * run's stages only (no brainstorm).
 */
export async function regenerateScenario(
  chunk: TraitChunk,
  idea: Idea,
  index: number,
  options: Omit<PreviewOptions, 'count'> & { readonly versions?: ModelVersions },
): Promise<ScenarioResult> {
  const result = empty();
  // The idea (and so the brainstorm's model version) is the earlier preview's.
  result.modelVersions = options.versions?.brainstorm !== undefined ? { brainstorm: options.versions.brainstorm } : {};
  await runScenario(
    { ...baseContext(options), readCache: false, usage: result.usage, sample: index, versions: result.modelVersions },
    chunk,
    idea,
    index,
    result,
    options.onUpdate,
  );
  return result;
}

/** The outputs of scenario → autorate for one idea; each null until its stage has answered. */
export interface StageOutputs {
  idea: Idea | null;
  scenario: { initial: string | null; critique: { verdict: 'keep' | 'rewrite'; reasons: string } | null; final: string | null };
  baseline: string | null;
  sharpened: boolean | null;
  sharpenReason: string | null;
  /** The final user message, which the response answers and a record holds. */
  prompt: string | null;
  response: string | null;
  rating: Rating | null;
  /** The model version that gave each answer so far, by stage name (see ModelVersions). */
  modelVersions: ModelVersions;
}

/**
 * scenario → critique → baseline → sharpen → response → autorate for one idea, filling `out` as
 * stages answer and calling `onStage` after each. The preview and dataset runs share it, and so
 * share cache keys (sample = the scenario's index). Give `ctx.versions` as `out.modelVersions` to
 * record which model version answered each stage. Rejects with a StageError when a stage fails for
 * good, or with the abort reason.
 */
export async function runStages(
  ctx: StageContext,
  chunk: TraitChunk,
  idea: Idea,
  out: StageOutputs,
  onStage: () => void = () => undefined,
): Promise<void> {
  out.idea = idea;
  onStage();
  out.scenario.initial = await scenario(ctx, chunk, idea);
  onStage();
  const c = await critique(ctx, chunk, out.scenario.initial);
  out.scenario.critique = { verdict: c.verdict, reasons: c.reasons };
  out.scenario.final = c.final;
  onStage();
  out.baseline = await baseline(ctx, c.final);
  onStage();
  const s = await sharpen(ctx, chunk, c.final, out.baseline);
  out.sharpened = s.sharpened;
  out.sharpenReason = s.reason;
  out.prompt = s.message;
  onStage();
  out.response = await response(ctx, chunk, s.message);
  onStage();
  out.rating = await autorate(ctx, chunk, s.message, out.response);
}

/** One preview scenario: runStages, streaming each state to `onUpdate`; a failure becomes `error`. */
async function runScenario(
  ctx: StageContext,
  chunk: TraitChunk,
  idea: Idea,
  index: number,
  result: ScenarioResult,
  onUpdate: PreviewOptions['onUpdate'],
): Promise<void> {
  const update = () => onUpdate?.(index, structuredClone(result));
  try {
    await runStages(ctx, chunk, idea, result, () => {
      // The record exists as soon as the response does (the system prompt never enters it).
      if (result.prompt !== null && result.response !== null && !result.record) {
        result.record = {
          messages: [
            { role: 'user', content: result.prompt },
            { role: 'assistant', content: result.response },
          ],
        };
      }
      update();
    });
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    result.error = failureMessage(error);
  }
  update();
}

/** The usage of several results added up (tokens per model, cached answers), e.g. a whole preview's. */
export function totalUsage(results: readonly { readonly usage: StageUsage }[]): StageUsage {
  const total = emptyUsage();
  for (const { usage } of results) addUsage(total, usage);
  return total;
}

/** "stage: reason" of a failed scenario, as the preview and runs word it. */
export function failureMessage(error: unknown): string {
  // Redacted again here (the provider layer already did): this text goes to rejected.jsonl, the preview JSON and logs.
  return redact(error instanceof StageError ? error.message : `unexpected: ${error instanceof Error ? error.message : String(error)}`);
}

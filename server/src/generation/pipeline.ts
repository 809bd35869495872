import type { ModelProvider } from '../providers/provider';
import type { TraitChunk } from './chunk';
import { autorate, type Rating } from './stages/autorate';
import { baseline } from './stages/baseline';
import { brainstorm, type Idea } from './stages/brainstorm';
import { critique } from './stages/critique';
import { response } from './stages/response';
import { scenario } from './stages/scenario';
import { sharpen } from './stages/sharpen';
import { DEFAULT_MODELS, StageError, type StageContext, type StageModels } from './stages/stage';
import type { Template, TemplateStage } from './templates';

/** One training record: the final user message and the response, and no system prompt. */
export interface TrainingRecord {
  readonly messages: readonly [{ readonly role: 'user'; readonly content: string }, { readonly role: 'assistant'; readonly content: string }];
}

/** One scenario through every stage: the `trait-studio preview --format json` contract, per item. */
export interface ScenarioResult {
  idea: Idea | null;
  scenario: { initial: string | null; critique: { verdict: 'keep' | 'rewrite'; reasons: string } | null; final: string | null };
  baseline: string | null;
  sharpened: boolean | null;
  sharpenReason: string | null;
  /** The user message the response answers. */
  prompt: string | null;
  response: string | null;
  rating: Rating | null;
  usage: { inputTokens: number; outputTokens: number };
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
}

const empty = (): ScenarioResult => ({
  idea: null,
  scenario: { initial: null, critique: null, final: null },
  baseline: null,
  sharpened: null,
  sharpenReason: null,
  prompt: null,
  response: null,
  rating: null,
  usage: { inputTokens: 0, outputTokens: 0 },
  record: null,
  error: null,
});

/**
 * Runs the SFT stages for one trait chunk: brainstorm `count` ideas, then for each idea (in
 * parallel, under the provider's request policy) scenario → critique → baseline → sharpen →
 * response → autorate. A stage that fails ends that scenario with its `error` set and leaves the
 * others running; nothing is filled in for what did not happen. Cancelling `signal` rejects with its
 * reason. The training record is the final user message and the response only — no system prompt.
 */
export async function previewScenarios(chunk: TraitChunk, options: PreviewOptions): Promise<ScenarioResult[]> {
  const models = { ...DEFAULT_MODELS, ...options.models };
  const base = { provider: options.provider, baselineProvider: options.baselineProvider, models, templates: options.templates, signal: options.signal };
  const brainstormUsage = { inputTokens: 0, outputTokens: 0 };
  let ideas: Idea[];
  try {
    ideas = (await brainstorm({ ...base, usage: brainstormUsage }, chunk, options.count)).slice(0, options.count);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const failed = { ...empty(), usage: brainstormUsage, error: message(error) };
    return Array.from({ length: options.count }, () => ({ ...failed }));
  }
  const results = ideas.map(() => empty());
  // The brainstorm's tokens are shared; they are counted on the first scenario.
  results[0].usage = brainstormUsage;
  await Promise.all(
    ideas.map(async (idea, i) => {
      const result = results[i];
      const update = () => options.onUpdate?.(i, structuredClone(result));
      const ctx: StageContext = { ...base, usage: result.usage };
      try {
        result.idea = idea;
        update();
        result.scenario.initial = await scenario(ctx, chunk, idea);
        update();
        const c = await critique(ctx, chunk, result.scenario.initial);
        result.scenario.critique = { verdict: c.verdict, reasons: c.reasons };
        result.scenario.final = c.final;
        update();
        result.baseline = await baseline(ctx, c.final);
        update();
        const s = await sharpen(ctx, chunk, c.final, result.baseline);
        result.sharpened = s.sharpened;
        result.sharpenReason = s.reason;
        result.prompt = s.message;
        update();
        result.response = await response(ctx, chunk, s.message);
        result.record = { messages: [{ role: 'user', content: s.message }, { role: 'assistant', content: result.response }] };
        update();
        result.rating = await autorate(ctx, chunk, s.message, result.response);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        result.error = message(error);
      }
      update();
    }),
  );
  return results;
}

function message(error: unknown): string {
  return error instanceof StageError ? error.message : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
}

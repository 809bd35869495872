import type { AskContext, ModelVersions } from '../../llm/ask';
import { DEFAULT_ROLE_MODELS, type ThinkingLevel } from '../../llm/catalogue';
import type { Template, TemplateStage } from '../../llm/templates';

/** Which model each role uses (the method: a fast model to generate and for the baseline, a strong one to judge and answer). */
export interface StageModels {
  readonly brainstorm: string;
  readonly critique: string;
  readonly baseline: string;
  readonly response: string;
  readonly autorate: string;
}

/** The default model of each role, from the model catalogue (llm/catalogue.ts, DEFAULT_ROLE_MODELS). */
export const DEFAULT_MODELS: StageModels = {
  brainstorm: DEFAULT_ROLE_MODELS.brainstorm,
  critique: DEFAULT_ROLE_MODELS.critique,
  baseline: DEFAULT_ROLE_MODELS.baseline,
  response: DEFAULT_ROLE_MODELS.response,
  autorate: DEFAULT_ROLE_MODELS.autorate,
};

/** The role (StageModels key) whose model answers each stage: scenario uses the brainstorm model, sharpen the critique model. */
export const STAGE_ROLE: Readonly<Record<string, keyof StageModels>> = {
  brainstorm: 'brainstorm',
  scenario: 'brainstorm',
  critique: 'critique',
  sharpen: 'critique',
  baseline: 'baseline',
  response: 'response',
  autorate: 'autorate',
  'midtraining-ideas': 'brainstorm',
  'midtraining-draft': 'brainstorm',
  'midtraining-critique': 'critique',
};

/**
 * How hard each stage's model thinks (GenerateRequest.thinking; undefined: the model's default).
 * The fast model's generation stages think little; the strong model's judging stages think hard;
 * the baseline and the response answer as their models would by default, since both are the
 * answers a training record compares.
 */
export const STAGE_THINKING: Readonly<Record<string, ThinkingLevel | undefined>> = {
  brainstorm: 'low',
  scenario: 'low',
  critique: 'high',
  sharpen: 'high',
  baseline: undefined,
  response: undefined,
  autorate: 'high',
};

/**
 * Which model versions answered for each model asked for: requested model id → the distinct
 * versions the API reported for it (sorted; "(not reported)" when an answer came without one),
 * over every stage of `items` whose role `models` names. What a user reads to see which model
 * really answered (an alias or a preview id may be served by a dated version).
 */
export function answeringVersions(
  items: readonly { readonly modelVersions?: ModelVersions }[],
  models: StageModels,
  into: Record<string, string[]> = {},
): Record<string, string[]> {
  for (const item of items) {
    for (const [stage, version] of Object.entries(item.modelVersions ?? {})) {
      const role = STAGE_ROLE[stage];
      if (!role) continue;
      const list = (into[models[role]] ??= []);
      const shown = version ?? NOT_REPORTED;
      if (!list.includes(shown)) list.push(shown);
    }
  }
  for (const list of Object.values(into)) list.sort();
  return into;
}

/** How answeringVersions lists an answer whose API reported no model version. */
export const NOT_REPORTED = '(not reported)';

/** What every stage runs with: how to ask (llm/ask.ts), and which model and template each stage uses. */
export interface StageContext extends AskContext {
  readonly models: StageModels;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
}

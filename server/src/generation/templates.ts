import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stages whose prompt is a template file (the baseline sends the user message alone). */
export const TEMPLATE_STAGES = ['brainstorm', 'scenario', 'critique', 'sharpen', 'response', 'autorate'] as const;
export type TemplateStage = (typeof TEMPLATE_STAGES)[number];

/**
 * The midtraining stages' templates (generation/midtraining.ts). Kept apart from TEMPLATE_STAGES,
 * which lists the preview's stages (loadTemplates, the stage context, the template picker).
 */
export const MIDTRAINING_TEMPLATE_STAGES = ['midtraining-ideas', 'midtraining-draft', 'midtraining-critique'] as const;
export type MidtrainingTemplateStage = (typeof MIDTRAINING_TEMPLATE_STAGES)[number];

/** Where the shipped templates are: beside this module in the source tree, `dist/prompts` when bundled. */
export const DEFAULT_PROMPTS_DIR = join(__dirname, 'prompts');

/** A workspace's overrides live in `.traits/prompts/<stage>.md`. */
export const OVERRIDE_DIR = join('.traits', 'prompts');

/** A stage's prompt template; `S` is which stages it may belong to (the preview's by default). */
export interface Template<S extends string = TemplateStage> {
  readonly stage: S;
  readonly text: string;
  /** The file it came from (the shipped default or a workspace override). */
  readonly path: string;
}

/**
 * The template of a stage (generation, midtraining or audit): the workspace override when
 * `workspace/.traits/prompts/<stage>.md` exists, else the shipped default. Throws when neither
 * can be read.
 */
export function loadTemplate<S extends string>(stage: S, workspace?: string): Template<S> {
  const override = workspace ? join(workspace, OVERRIDE_DIR, `${stage}.md`) : undefined;
  const path = override && existsSync(override) ? override : join(DEFAULT_PROMPTS_DIR, `${stage}.md`);
  return { stage, text: readFileSync(path, 'utf8'), path };
}

/** Every stage's template (see `loadTemplate`). */
export function loadTemplates(workspace?: string): Record<TemplateStage, Template> {
  return Object.fromEntries(TEMPLATE_STAGES.map((s) => [s, loadTemplate(s, workspace)])) as Record<TemplateStage, Template>;
}

/** Every midtraining stage's template, each overridable like the others (see `loadTemplate`). */
export function loadMidtrainingTemplates(workspace?: string): Record<MidtrainingTemplateStage, Template<MidtrainingTemplateStage>> {
  return Object.fromEntries(MIDTRAINING_TEMPLATE_STAGES.map((s) => [s, loadTemplate(s, workspace)])) as Record<MidtrainingTemplateStage, Template<MidtrainingTemplateStage>>;
}

/**
 * Fills `{{name}}` placeholders. Throws on a placeholder with no value, so an edited template that
 * names a variable that does not exist fails loudly instead of sending "{{typo}}" to a model.
 */
export function render(template: Template<string>, values: Readonly<Record<string, string | number>>): string {
  return template.text.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${template.path}: unknown placeholder {{${name}}} (known: ${Object.keys(values).join(', ')})`);
    return String(value);
  });
}

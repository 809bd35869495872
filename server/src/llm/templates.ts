import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { MAX_TEMPLATE_BYTES } from '../files/limits';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../files/regularFile';

/** Stages whose prompt is a template file (the baseline sends the user message alone). */
export const TEMPLATE_STAGES = ['brainstorm', 'scenario', 'critique', 'sharpen', 'response', 'autorate'] as const;
export type TemplateStage = (typeof TEMPLATE_STAGES)[number];

/**
 * The midtraining stages' templates (generation/midtraining.ts). Kept apart from TEMPLATE_STAGES,
 * which lists the preview's stages (the stage context, the template picker).
 */
export const MIDTRAINING_TEMPLATE_STAGES = ['midtraining-ideas', 'midtraining-draft', 'midtraining-critique'] as const;
export type MidtrainingTemplateStage = (typeof MIDTRAINING_TEMPLATE_STAGES)[number];

/** The audit's model pass templates (audit/modelPass.ts): scan, cluster, rate. */
export const AUDIT_TEMPLATE_STAGES = ['audit-scan', 'audit-cluster', 'audit-rate'] as const;
export type AuditTemplateStage = (typeof AUDIT_TEMPLATE_STAGES)[number];

/** One template per stage of `S`. */
export type Templates<S extends string> = Readonly<Record<S, Template<S>>>;

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

/** A workspace's prompt template that cannot be used (it leads outside the workspace, or is not a regular file). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * The template of a stage (generation, midtraining or audit): with `workspace` — only when the user
 * asked for the workspace's templates (the CLI's --workspace-templates, the editor's
 * traitStudio.prompts.useWorkspaceTemplates in a trusted workspace) — its override
 * `workspace/.traits/prompts/<stage>.md` when it exists, else the shipped default. An override is
 * read only when it resolves to a regular file inside the workspace (of at most
 * MAX_TEMPLATE_BYTES): a link out of the workspace (to ~/.ssh/id_rsa, say) would send that file to
 * a model provider. Throws TemplateError for such an override, and the file system's error when a
 * template cannot be read.
 */
export function loadTemplate<S extends string>(stage: S, workspace?: string): Template<S> {
  const override = workspace ? workspaceOverride(workspace, stage) : undefined;
  if (override) {
    let text: string;
    try {
      text = readRegularFile(override.real, { maxBytes: MAX_TEMPLATE_BYTES }).toString('utf8');
    } catch (error) {
      if (error instanceof NotRegularFileError || error instanceof FileTooLargeError)
        throw new TemplateError(`${override.path}: ${error.message}`);
      throw error;
    }
    return { stage, text, path: override.path };
  }
  const path = join(DEFAULT_PROMPTS_DIR, `${stage}.md`);
  return { stage, text: readFileSync(path, 'utf8'), path };
}

/** The override of `stage` in `workspace` and where it really is, or undefined when there is none; TemplateError when it leads outside. */
function workspaceOverride(workspace: string, stage: string): { path: string; real: string } | undefined {
  const path = join(workspace, OVERRIDE_DIR, `${stage}.md`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const inside = relative(realpathSync(workspace), real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new TemplateError(`${path} leads outside the workspace (to ${real}); a prompt template must be a file inside it`);
  }
  return { path, real };
}

/**
 * The template of each of `stages` (see `loadTemplate`: with `workspace`, its overrides), e.g.
 * `loadTemplates(TEMPLATE_STAGES)`. Throws as `loadTemplate` does, for the first stage that fails.
 */
export function loadTemplates<S extends string>(stages: readonly S[], workspace?: string): Record<S, Template<S>> {
  return Object.fromEntries(stages.map((s) => [s, loadTemplate(s, workspace)])) as Record<S, Template<S>>;
}

/**
 * Fills `{{name}}` placeholders. Throws on a placeholder with no value, so an edited template that
 * names a variable that does not exist fails loudly instead of sending "{{typo}}" to a model.
 */
export function render(template: Template<string>, values: Readonly<Record<string, string | number>>): string {
  return template.text.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`${template.path}: unknown placeholder {{${name}}} (known: ${Object.keys(values).join(', ')})`);
    return String(value);
  });
}

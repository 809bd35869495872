import Ajv, { type ErrorObject } from 'ajv';
import { NameIndex } from '../analysis/closest';
import { findRule, RULES } from './registry';
import { SEVERITIES, type Rule, type Severity } from './rule';

/** How a config names a severity; `info` is an alias of `information`, `true` the rule's default. */
export type SeveritySetting = Severity | 'info' | 'off' | boolean;

/** A rule's setting: a severity, or an object with an optional severity and the rule's options. */
export type RuleSetting = SeveritySetting | ({ severity?: SeveritySetting } & Record<string, unknown>);

/** Rule settings keyed by rule name or id, as in front matter `lint:` and `.traitsrc` `lint:`. */
export type LintSettings = Readonly<Record<string, RuleSetting>>;

/** A rule as configured for one lint: its severity (undefined when off) and merged options. */
export interface ResolvedRule {
  readonly rule: Rule;
  readonly severity: Severity | undefined;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A schema problem, at a key path such as `['lint', 'missing-rationale']`. */
export interface SettingsProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /**
   * Set for a front matter key Trait Studio does not read (a docs site's `title`, `summary`, ...):
   * it is ignored and reported at this severity at most, and it does not invalidate the rest.
   */
  readonly ignoredKey?: 'warning' | 'information';
}

const SEVERITY_SCHEMA = { enum: ['off', ...SEVERITIES, 'info', true, false] };

/**
 * JSON Schema of lint settings (front matter and `.traitsrc` `lint:`, and the editor's
 * `traitStudio.rules` setting, which `npm run docs:rules` writes into package.json from it): each rule
 * by name and by id, with its description and its options' defaults for editors to show.
 */
export function lintSettingsSchema(): { type: 'object'; properties: Record<string, object>; additionalProperties: false } {
  const properties: Record<string, object> = {};
  for (const rule of RULES) {
    const options: Record<string, object> = {};
    for (const [key, schema] of Object.entries(rule.optionsSchema))
      options[key] = { ...schema, default: (rule.options as Record<string, unknown>)[key] };
    const setting = {
      description: `${rule.id} ${rule.name}: ${rule.description} (default severity: ${rule.defaultSeverity}).`,
      anyOf: [SEVERITY_SCHEMA, { type: 'object', properties: { severity: SEVERITY_SCHEMA, ...options }, additionalProperties: false }],
    };
    properties[rule.name] = setting;
    properties[rule.id] = setting;
  }
  return { type: 'object', properties, additionalProperties: false };
}

/** JSON Schema of trait document front matter (also offered to editors for completion). */
export const FRONT_MATTER_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Name of the trait document' },
    version: { type: ['string', 'number'], description: 'Version of the document' },
    model: { type: 'string', description: 'Name of the model that has these traits (used in midtraining documents)' },
    description: { type: 'string' },
    traitHeadingLevel: {
      type: 'integer',
      minimum: 1,
      maximum: 6,
      description: 'Headings of this level are traits; higher levels are groups',
    },
    listItemTraits: {
      enum: [true, false, 'auto'],
      description:
        'List items as traits: auto (a section that is one list of named items), true (every top-level list item), false (never)',
    },
    lint: {
      ...lintSettingsSchema(),
      description: 'Rule settings: severity (off, error, warning, information, hint) or { severity, ...options }',
    },
  },
  additionalProperties: false,
} as const;

/** JSON Schema of `.traitsrc.json` / `.traitsrc.yaml`. */
export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  properties: { $schema: { type: 'string' }, lint: FRONT_MATTER_SCHEMA.properties.lint },
  additionalProperties: false,
} as const;

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false });
const validateFrontMatterSchema = ajv.compile(FRONT_MATTER_SCHEMA);
const validateConfigFileSchema = ajv.compile(CONFIG_FILE_SCHEMA);

/**
 * Schema problems of front matter data (an empty list when valid). Unknown top-level keys are
 * marked `ignoredKey`: front matter is shared with docs sites and other tools, so a key Trait Studio
 * does not read is worth a warning when it looks like a misspelt known key, and a note otherwise.
 */
export function validateFrontMatter(data: unknown): SettingsProblem[] {
  if (validateFrontMatterSchema(data)) return [];
  const known = Object.keys(FRONT_MATTER_SCHEMA.properties);
  return explain(validateFrontMatterSchema.errors ?? [], data, 'front matter').map((p) => {
    if (p.path.length !== 1 || typeof p.path[0] !== 'string' || known.includes(p.path[0])) return p;
    const key = p.path[0];
    const suggestion = new NameIndex(known).closest(key);
    return {
      path: p.path,
      message: suggestion
        ? `Unknown front matter key "${key}": did you mean "${suggestion}"? It is ignored.`
        : `Front matter key "${key}" is not one Trait Studio reads; it is ignored. Keys it reads: ${known.join(', ')}.`,
      ignoredKey: suggestion ? 'warning' : 'information',
    };
  });
}

/** Schema problems of a parsed config file (an empty list when valid). */
export function validateConfigFile(data: unknown): SettingsProblem[] {
  return validateConfigFileSchema(data) ? [] : explain(validateConfigFileSchema.errors ?? [], data, 'config');
}

/**
 * Resolves each rule's severity and options from settings layers, lowest precedence first
 * (e.g. `.traitsrc`, then front matter). Settings must have passed validation.
 */
export function resolveRules(layers: readonly (LintSettings | undefined)[]): ResolvedRule[] {
  return RULES.map((rule) => {
    let severity: Severity | undefined = rule.defaultSeverity;
    let options: Record<string, unknown> = { ...rule.options };
    for (const layer of layers) {
      for (const [key, setting] of Object.entries(layer ?? {})) {
        if (findRule(key) !== rule) continue;
        if (typeof setting === 'object' && setting !== null) {
          const { severity: s, ...rest } = setting;
          if (s !== undefined) severity = toSeverity(s, rule);
          options = { ...options, ...rest };
        } else {
          severity = toSeverity(setting, rule);
        }
      }
    }
    return { rule, severity, options };
  });
}

function toSeverity(setting: SeveritySetting, rule: Rule): Severity | undefined {
  if (setting === false || setting === 'off') return undefined;
  if (setting === true) return rule.defaultSeverity;
  return setting === 'info' ? 'information' : setting;
}

function pathOf(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), data);
}

/**
 * Turns Ajv errors into one plain message per problem. A rule setting is "severity or object", so
 * of the two branches' errors only those of the branch the value's type selects are kept.
 */
function explain(errors: readonly ErrorObject[], data: unknown, what: string): SettingsProblem[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const out: SettingsProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'anyOf') continue;
    const path = pathOf(e.instancePath);
    if (anyOfPaths.has(e.instancePath)) {
      const isObject = typeof valueAt(data, path) === 'object' && valueAt(data, path) !== null;
      if (e.schemaPath.includes('/anyOf/0/') === isObject) continue;
    }
    const message = describe(e, path, what);
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ path: e.keyword === 'additionalProperties' ? [...path, String(e.params.additionalProperty)] : path, message });
  }
  return out;
}

function describe(e: ErrorObject, path: readonly string[], what: string): string {
  const where = path.length ? `"${path.join('.')}"` : `The ${what}`;
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    if (path.length === 0)
      return `Unknown ${what} key "${key}". Known keys: ${Object.keys(what === 'config' ? CONFIG_FILE_SCHEMA.properties : FRONT_MATTER_SCHEMA.properties).join(', ')}.`;
    if (path.length === 1 && path[0] === 'lint')
      return `Unknown rule "${key}" in lint settings. Rules: ${RULES.map((r) => r.name).join(', ')}.`;
    const rule = findRule(path[path.length - 1]);
    const known = ['severity', ...Object.keys(rule?.optionsSchema ?? {})].join(', ');
    return `Unknown option "${key}" for rule ${rule?.name ?? path[path.length - 1]}. Options: ${known}.`;
  }
  // Every enum under lint is a severity; another key's enum (listItemTraits) lists its own values.
  if (e.keyword === 'enum' && path[0] === 'lint')
    return `${where} must be a severity: off, error, warning, information (or info), hint, true or false.`;
  if (e.keyword === 'enum')
    return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
  if (e.keyword === 'type' && path.length === 0) return `The ${what} must be a mapping of keys to values.`;
  return `${where} ${e.message ?? 'is invalid'}.`;
}

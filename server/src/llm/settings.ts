/**
 * The settings of the model-calling features (package.json `contributes.configuration`, each key
 * after `traitStudio.`), written once: type, default and range. The editor reads them through
 * `readSettings` (client/src/config.ts); the CLI's defaults and help read the same defaults; a test
 * checks package.json against this table (test/unit/settings.test.ts).
 */
import { DEFAULT_MAX_ANSWER_CHARS } from './answerCheck';
import { DEFAULT_ROLE_MODELS } from './catalogue';
import type { ModelPrice } from './cost';

/** One setting: its type and default; `min` / `max` bound a number (a whole one when `integer`). */
type Setting =
  | { readonly type: 'string'; readonly default: string }
  | { readonly type: 'boolean'; readonly default: boolean }
  | { readonly type: 'number'; readonly default: number; readonly integer?: boolean; readonly min?: number; readonly max?: number }
  | { readonly type: 'formats'; readonly default: readonly ('openai' | 'gemini')[] }
  | { readonly type: 'prices'; readonly default: Readonly<Record<string, ModelPrice>> };

/** The cosine similarity at which a generated prompt is a near-duplicate of an accepted one. */
export const DEFAULT_DEDUP_THRESHOLD = 0.9;

export const SETTINGS = {
  'models.brainstorm': { type: 'string', default: DEFAULT_ROLE_MODELS.brainstorm },
  'models.critique': { type: 'string', default: DEFAULT_ROLE_MODELS.critique },
  'models.baseline': { type: 'string', default: DEFAULT_ROLE_MODELS.baseline },
  'models.response': { type: 'string', default: DEFAULT_ROLE_MODELS.response },
  'models.autorate': { type: 'string', default: DEFAULT_ROLE_MODELS.autorate },
  'audit.model': { type: 'string', default: DEFAULT_ROLE_MODELS.audit },
  'models.review': { type: 'string', default: DEFAULT_ROLE_MODELS.review },
  'models.probeAuditor': { type: 'string', default: DEFAULT_ROLE_MODELS.probeAuditor },
  'models.probeRealism': { type: 'string', default: DEFAULT_ROLE_MODELS.probeRealism },
  'models.probeJudge': { type: 'string', default: DEFAULT_ROLE_MODELS.probeJudge },
  'models.probeGrader': { type: 'string', default: DEFAULT_ROLE_MODELS.probeGrader },
  'audit.threshold': { type: 'number', default: 0.25, min: 0, max: 1 },
  'baseline.openaiBaseUrl': { type: 'string', default: '' },
  'review.openaiBaseUrl': { type: 'string', default: '' },
  'review.tensions': { type: 'boolean', default: true },
  'gemini.vertex.project': { type: 'string', default: '' },
  'gemini.vertex.location': { type: 'string', default: '' },
  prices: { type: 'prices', default: {} },
  'prompts.useWorkspaceTemplates': { type: 'boolean', default: false },
  'requests.timeoutSeconds': { type: 'number', default: 120, min: 1 },
  'requests.perMinute': { type: 'number', default: 0, integer: true, min: 0 },
  'preview.scenarios': { type: 'number', default: 3, integer: true, min: 1, max: 10 },
  'generate.maxAnswerChars': { type: 'number', default: DEFAULT_MAX_ANSWER_CHARS, integer: true, min: 1, max: 100_000_000 },
  'generate.perTrait': { type: 'number', default: 5, integer: true, min: 1, max: 1000 },
  'generate.outputFolder': { type: 'string', default: 'runs' },
  'generate.formats': { type: 'formats', default: ['openai', 'gemini'] },
  'generate.midtraining': { type: 'number', default: 0, integer: true, min: 0, max: 10_000 },
  'generate.concurrency': { type: 'number', default: 8, integer: true, min: 1, max: 256 },
  'generate.tokensPerMinute': { type: 'number', default: 0, integer: true, min: 0 },
  'generate.dedupThreshold': { type: 'number', default: DEFAULT_DEDUP_THRESHOLD, max: 1 },
  'generate.auditAfterRun': { type: 'boolean', default: true },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

/** The value type of each setting. */
export type Settings = {
  readonly [K in SettingKey]: (typeof SETTINGS)[K]['type'] extends 'string'
    ? string
    : (typeof SETTINGS)[K]['type'] extends 'boolean'
      ? boolean
      : (typeof SETTINGS)[K]['type'] extends 'number'
        ? number
        : (typeof SETTINGS)[K]['type'] extends 'formats'
          ? readonly ('openai' | 'gemini')[]
          : Readonly<Record<string, ModelPrice>>;
};

/**
 * Every setting, as `get(key)` gives it (undefined: not set): a value of the wrong type is its
 * default; strings are trimmed, and a blank model name is the default model; a number is rounded
 * when whole numbers are asked for and held within its range.
 */
export function readSettings(get: (key: SettingKey) => unknown): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingKey, Setting][]) out[key] = readOne(key, setting, get(key));
  return out as Settings;
}

function readOne(key: string, setting: Setting, value: unknown): unknown {
  switch (setting.type) {
    case 'string': {
      const text = typeof value === 'string' ? value.trim() : '';
      return key.endsWith('model') || key.startsWith('models.')
        ? text || setting.default
        : typeof value === 'string'
          ? text
          : setting.default;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : setting.default;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return setting.default;
      const n = setting.integer ? Math.round(value) : value;
      return Math.min(setting.max ?? Infinity, Math.max(setting.min ?? -Infinity, n));
    }
    case 'formats':
      return Array.isArray(value) ? value.filter((f): f is 'openai' | 'gemini' => f === 'openai' || f === 'gemini') : setting.default;
    case 'prices':
      return value && typeof value === 'object' && !Array.isArray(value) ? value : setting.default;
  }
}

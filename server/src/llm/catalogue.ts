/**
 * The model catalogue: every fact Trait Studio holds about a model — what it is for, its list price
 * (with the date and source of each price), how its thinking is controlled, and when it retires —
 * and the default model of each role. Defaults, cost and token estimates, the settings and the CLI
 * read it from here; a model missing from it has no price ("cost unknown", never $0) and its
 * thinking is controlled by its family's rule (see `thinkingControl`).
 *
 * Facts as found on 2026-11-30 from transcriptions of Google's pages (no live page could be read), so
 * each price names the transcription it came from. Users override prices with the
 * `traitStudio.prices` setting; update this table when Google's pricing page changes.
 */

/** A thinking effort a request may ask for: Gemini 3's `thinkingLevel` values. */
export type ThinkingLevel = 'minimal' | 'low' | 'medium' | 'high';

/**
 * How a model's thinking is set, and how many thinking tokens (billed as output) a call typically
 * spends at the model's default — an allowance for estimates, not a measurement.
 * - `level`: `generationConfig.thinkingConfig.thinkingLevel` (Gemini 3), one of `levels`;
 * - `budget`: `thinkingConfig.thinkingBudget` in tokens (Gemini 2.5), `budgets` per level
 *   (-1 = the model decides);
 * - `none`: the model does not think (lite models, embeddings) and takes no thinking config.
 */
export type ThinkingControl =
  | { readonly by: 'level'; readonly levels: readonly ThinkingLevel[]; readonly typicalTokens: number }
  | { readonly by: 'budget'; readonly budgets: Readonly<Record<ThinkingLevel, number>>; readonly typicalTokens: number }
  | { readonly by: 'none' };

/** A list price in US dollars per 1,000,000 tokens, valid over a span of days, with where it came from. */
export interface ListPrice {
  readonly inputPerMillion: number;
  /** Output tokens, thinking tokens included. 0 for a model with no output (embeddings). */
  readonly outputPerMillion: number;
  /** Input tokens served from a context cache, when the source gives the rate; else unknown. */
  readonly cachedInputPerMillion?: number;
  /** The higher rate of a request whose prompt is longer than `aboveInputTokens` (Google's >200k tier). */
  readonly longPrompt?: { readonly aboveInputTokens: number; readonly inputPerMillion: number; readonly outputPerMillion: number };
  /** First and last day (ISO dates, inclusive) the price holds; open-ended when absent. */
  readonly from?: string;
  readonly until?: string;
  /** Where the figure comes from, and as of when. */
  readonly source: string;
  readonly asOf: string;
}

/** One model's entry in the catalogue. */
export interface ModelInfo {
  readonly id: string;
  /** What Trait Studio uses it for (or why it does not), in a phrase. */
  readonly purpose: string;
  /** A `-preview` model may change or be shut down with short notice; `retiring` ones have a date. */
  readonly status: 'stable' | 'preview' | 'retiring';
  /** The day Google shuts it down (ISO date), when announced. */
  readonly retires?: string;
  readonly prices: readonly ListPrice[];
  readonly thinking: ThinkingControl;
}

const PRICING_2026_10_07 =
  'Google Gemini API pricing page (ai.google.dev/gemini-api/docs/pricing), Standard tier, as transcribed on 2026-10-07';
const PRICING_EARLIER =
  'Google Gemini API pricing page (ai.google.dev/gemini-api/docs/pricing), Standard tier, as kept in this repository before 2026-11-30';
/** Prompt tokens above which Gemini's long-prompt rate applies (every tier in this catalogue is at 200k). */
export const LONG_PROMPT_TOKENS = 200_000;

/**
 * Levels to send a Gemini 3 model: `low` and `high` (its default). Some reject `minimal` (Google's
 * thinking docs) and which take `medium` is not recorded, so a level between is
 * sent as the next one up.
 */
const GEMINI_3_LEVELS: readonly ThinkingLevel[] = ['low', 'high'];
/** Gemini 2.5 budgets per level: -1 lets the model decide (its default). */
const GEMINI_25_BUDGETS: Readonly<Record<ThinkingLevel, number>> = { minimal: 512, low: 1024, medium: 8192, high: -1 };
/** Thinking tokens a call of a thinking model typically spends at its default, for estimates. */
const TYPICAL_THINKING = 500;

export const MODEL_CATALOGUE: readonly ModelInfo[] = [
  {
    id: 'gemini-3.8-flash',
    purpose: 'fast model: brainstorm, scenario, baseline, the audit’s model pass, the model review',
    status: 'stable',
    prices: [
      { inputPerMillion: 0.75, outputPerMillion: 3.75, until: '2026-12-31', source: PRICING_2026_10_07, asOf: '2026-10-07' },
      { inputPerMillion: 1.5, outputPerMillion: 7.5, from: '2027-01-01', source: PRICING_2026_10_07, asOf: '2026-10-07' },
    ],
    thinking: { by: 'level', levels: GEMINI_3_LEVELS, typicalTokens: TYPICAL_THINKING },
  },
  {
    id: 'gemini-3.1-pro-preview',
    purpose: 'strong model: critique and sharpen, response, autorate',
    status: 'preview',
    prices: [
      {
        inputPerMillion: 2,
        outputPerMillion: 12,
        longPrompt: { aboveInputTokens: LONG_PROMPT_TOKENS, inputPerMillion: 4, outputPerMillion: 18 },
        source: PRICING_2026_10_07,
        asOf: '2026-10-07',
      },
    ],
    thinking: { by: 'level', levels: GEMINI_3_LEVELS, typicalTokens: TYPICAL_THINKING },
  },
  {
    id: 'gemini-3.5-flash',
    purpose: 'fast model, an older generation than gemini-3.8-flash and dearer per token',
    status: 'stable',
    prices: [{ inputPerMillion: 1.5, outputPerMillion: 9, source: PRICING_2026_10_07, asOf: '2026-10-07' }],
    thinking: { by: 'level', levels: GEMINI_3_LEVELS, typicalTokens: TYPICAL_THINKING },
  },
  {
    id: 'gemini-3.5-flash-lite',
    purpose: 'cheapest Gemini 3 model: large audits, drafts',
    status: 'stable',
    prices: [{ inputPerMillion: 0.3, outputPerMillion: 2.5, source: PRICING_2026_10_07, asOf: '2026-10-07' }],
    thinking: { by: 'none' },
  },
  {
    id: 'gemini-embedding-001',
    purpose: 'embeddings of the final prompts, for near-duplicate rejection',
    status: 'stable',
    prices: [{ inputPerMillion: 0.15, outputPerMillion: 0, source: PRICING_2026_10_07, asOf: '2026-10-07' }],
    thinking: { by: 'none' },
  },
  {
    id: 'gemini-2.5-pro',
    purpose: 'the strong default before 2026-11-30; kept to price older runs',
    status: 'retiring',
    retires: '2026-12-01',
    prices: [
      {
        inputPerMillion: 1.25,
        outputPerMillion: 10,
        // The >200k rate is the one this repository kept before; the 2026-10-07 transcription gives the ≤200k rate.
        longPrompt: { aboveInputTokens: LONG_PROMPT_TOKENS, inputPerMillion: 2.5, outputPerMillion: 15 },
        source: PRICING_2026_10_07,
        asOf: '2026-10-07',
      },
    ],
    thinking: { by: 'budget', budgets: GEMINI_25_BUDGETS, typicalTokens: TYPICAL_THINKING },
  },
  {
    id: 'gemini-2.5-flash',
    purpose: 'the fast default before 2026-11-30; kept to price older runs',
    status: 'retiring',
    retires: '2026-12-01',
    prices: [{ inputPerMillion: 0.3, outputPerMillion: 2.5, source: PRICING_EARLIER, asOf: '2026-11-30' }],
    thinking: { by: 'budget', budgets: GEMINI_25_BUDGETS, typicalTokens: TYPICAL_THINKING },
  },
  {
    id: 'gemini-2.5-flash-lite',
    purpose: 'cheap model of the 2.5 generation (not announced for retirement)',
    status: 'stable',
    prices: [{ inputPerMillion: 0.1, outputPerMillion: 0.4, source: PRICING_EARLIER, asOf: '2026-11-30' }],
    thinking: { by: 'none' },
  },
];

/**
 * The default model of each kind, following the method: a fast model generates (brainstorm,
 * scenario, baseline) and a strong one judges and answers (critique and sharpen, response,
 * autorate) — the stages the method says repay an expensive model.
 * - fast: gemini-3.8-flash, the newest Gemini 3 flash with a stable id and a published price, and
 *   the cheapest flash per token (also after its price rises on 2027-01-01);
 * - strong: gemini-3.1-pro-preview, the only Gemini 3 pro model (gemini-3-pro-preview was shut down
 *   on 2026-03-09 in its favour); `gemini-pro-latest` is an alias that changes underneath a run;
 * - embedding: gemini-embedding-001, not announced for retirement.
 */
export const DEFAULT_MODEL = { fast: 'gemini-3.8-flash', strong: 'gemini-3.1-pro-preview', embedding: 'gemini-embedding-001' } as const;

/**
 * The default model of each role: generation's stages (brainstorm also answers the scenario stage,
 * critique the sharpen stage), the audit's model pass, the model review of a document, the probe's roles, and the embeddings of near-duplicate
 * rejection. Settings, the CLI's help and every `DEFAULT_…_MODEL` read it from here.
 */
export const DEFAULT_ROLE_MODELS = {
  brainstorm: DEFAULT_MODEL.fast,
  critique: DEFAULT_MODEL.strong,
  baseline: DEFAULT_MODEL.fast,
  response: DEFAULT_MODEL.strong,
  autorate: DEFAULT_MODEL.strong,
  audit: DEFAULT_MODEL.fast,
  review: DEFAULT_MODEL.fast,
  // The probe (server/src/probe): a strong model writes the pressure and judges, fast ones check and grade.
  probeAuditor: DEFAULT_MODEL.strong,
  probeRealism: DEFAULT_MODEL.fast,
  probeJudge: DEFAULT_MODEL.strong,
  probeGrader: DEFAULT_MODEL.fast,
  embedding: DEFAULT_MODEL.embedding,
} as const;

const BY_ID: ReadonlyMap<string, ModelInfo> = new Map(MODEL_CATALOGUE.map((m) => [m.id, m]));

/** The catalogue's entry of `id` (exact id; an alias such as `gemini-flash-latest` has none). */
export function modelInfo(id: string): ModelInfo | undefined {
  return BY_ID.get(id);
}

/** `day` as an ISO date (YYYY-MM-DD) in UTC. */
function isoDay(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** The price of `id` that holds on `day` (default today, UTC), or undefined when the catalogue has none. */
export function listPrice(id: string, day: Date = new Date()): ListPrice | undefined {
  const d = isoDay(day);
  return modelInfo(id)?.prices.find((p) => (!p.from || p.from <= d) && (!p.until || d <= p.until));
}

/**
 * How `model`'s thinking is controlled: its catalogue entry, else its family's rule — `gemini-3…`
 * takes a level (low or high), `gemini-2.5…` a budget, `…-lite`, embedding models and
 * everything else none (no thinking config is sent).
 */
export function thinkingControl(model: string): ThinkingControl {
  const known = modelInfo(model);
  if (known) return known.thinking;
  if (/lite|embedding/.test(model)) return { by: 'none' };
  if (/^gemini-3/.test(model)) return { by: 'level', levels: GEMINI_3_LEVELS, typicalTokens: TYPICAL_THINKING };
  if (/^gemini-2\.5/.test(model)) return { by: 'budget', budgets: GEMINI_25_BUDGETS, typicalTokens: TYPICAL_THINKING };
  return { by: 'none' };
}

const LEVEL_ORDER: readonly ThinkingLevel[] = ['minimal', 'low', 'medium', 'high'];

/**
 * The Gemini `thinkingConfig` that asks `model` for `level`, or undefined when none should be sent
 * (no level asked for, or a model that does not think). A level the model does not take becomes
 * the nearest higher one it does (else its highest).
 */
export function thinkingConfig(
  model: string,
  level: ThinkingLevel | undefined,
): { thinkingLevel: ThinkingLevel } | { thinkingBudget: number } | undefined {
  if (!level) return undefined;
  const control = thinkingControl(model);
  if (control.by === 'none') return undefined;
  if (control.by === 'budget') return { thinkingBudget: control.budgets[level] };
  const wanted = LEVEL_ORDER.indexOf(level);
  const taken = LEVEL_ORDER.slice(wanted).find((l) => control.levels.includes(l)) ?? control.levels[control.levels.length - 1];
  return { thinkingLevel: taken };
}

/**
 * Thinking tokens (billed as output) to allow per call of `model` at `level` in an estimate: the
 * catalogue's typical figure at the model's default or `high`, 60% of it at `medium`, 25% at `low`,
 * none at `minimal` or for a model that does not think. A rough allowance: real use varies widely.
 */
export function thinkingAllowance(model: string, level?: ThinkingLevel): number {
  const control = thinkingControl(model);
  if (control.by === 'none') return 0;
  const share = { minimal: 0, low: 0.25, medium: 0.6, high: 1 }[level ?? 'high'];
  return Math.round(control.typicalTokens * share);
}

import { parseArgs } from 'node:util';
import { cachedPercent, count as countOf, usd } from '../format';
import { DEFAULT_MAX_ANSWER_CHARS } from '../llm/answerCheck';
import { traitChunk } from '../generation/chunk';
import { estimateCost } from '../llm/cost';
import { describeFailure } from '../generation/failures';
import { previewScenarios, totalUsage, type ScenarioResult } from '../generation/preview';
import { answeringVersions, DEFAULT_MODELS, type StageModels } from '../generation/stages/stage';
import { loadTemplates, TEMPLATE_STAGES } from '../llm/templates';
import { parseTraitDocument } from '../document/parse';
import { cliAnswerCache, cliAnswerLimits, cliModelAccess, cliTemplates } from './modelSetup';
import { readTextFile, UsageError } from './io';
import { interruptedNote, interruptible, INTERRUPTED, INTERRUPTED_EXIT } from './interrupt';
import type { CliOutput } from './output';
import type { StageUsage } from '../llm/usage';
import type { ServiceTier } from '../llm/provider';
import { requestPolicy } from '../llm/modelAccess';

export const PREVIEW_USAGE = `Usage: trait-studio preview FILE --trait ID|TITLE [--n 3] [--format json|markdown]
                            [--no-cache] [--regenerate] [--baseline-url URL --baseline-model NAME]
                            [--workspace-templates] [--max-answer-chars 100000] [--flex]

Runs the SFT stages for one trait: brainstorm, scenario, critique, baseline, sharpen, response,
autorate, and prints the tokens this run spent (and the share of input tokens Gemini's context
cache served, billed at the cached rate) and their estimated cost in USD (the model catalogue's
list prices; a model with no known price is named, not counted), and which model version answered
each stage. Models (the model catalogue's defaults):${describeModels(DEFAULT_MODELS)}

Model access: GEMINI_API_KEY (Gemini Developer API); or GOOGLE_GENAI_USE_VERTEXAI=true with
GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION for Vertex AI (Application Default Credentials).
GOOGLE_GEMINI_BASE_URL points either at another Gemini-compatible endpoint.

Answers are cached in your user cache folder ($XDG_CACHE_HOME/trait-studio/answers, by default
~/.cache/trait-studio/answers; TRAIT_STUDIO_CACHE_DIR sets another), keyed by everything that
shapes them (provider, model, prompt with the trait text and context, settings, scenario number),
so a rerun with the same inputs asks nothing and costs nothing. Entries are authenticated with a
key only you can read (cache.key, mode 0600, in that folder): answers put there by anyone else are
not used.
  --no-cache          neither read nor write the cache
  --regenerate        ask for every answer again and replace the cached ones
  --workspace-templates
                      use the prompt templates in .traits/prompts/<stage>.md under the current
                      folder (a file there must be inside the folder: a link out of it is refused);
                      without it the shipped templates are used
  --max-answer-chars N
                      the longest answer used, in characters (default ${DEFAULT_MAX_ANSWER_CHARS}). An answer
                      over it, cut off at the output token limit (finish reason MAX_TOKENS or
                      length), or holding U+FFFD, a lone surrogate or a control character other than
                      a line break or tab is asked for once more, then fails its scenario
  --flex              ask Gemini at the Flex tier: about half the price, answers in minutes, may be
                      shed under load (retried with back-off); cost at Flex prices
  --baseline-url URL  take the baseline (no system prompt) from an OpenAI-compatible server,
                      e.g. http://localhost:8000/v1; needs --baseline-model NAME. TRAIT_STUDIO_BASELINE_API_KEY,
                      when set, is sent to that server as its key (OPENAI_API_KEY never is).
Exit status: 0 every scenario completed, 1 any failed or fewer were made than asked for (the
brainstorm gave fewer ideas), 2 usage or I/O problem, 130 interrupted (Ctrl+C; answers so far are
cached).
`;

/** Which model each stage uses, a line per model role. */
function describeModels(models: StageModels): string {
  const rows: [string, string][] = [
    ['brainstorm, scenario', models.brainstorm],
    ['critique, sharpen', models.critique],
    ['baseline', models.baseline],
    ['response', models.response],
    ['autorate', models.autorate],
  ];
  return rows.map(([stages, model]) => `\n  ${stages.padEnd(22)}${model}`).join('');
}

/** `trait-studio preview`: returns the exit status. */
export async function runPreview(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      trait: { type: 'string' },
      n: { type: 'string', default: '3' },
      format: { type: 'string', default: 'markdown' },
      'no-cache': { type: 'boolean', default: false },
      regenerate: { type: 'boolean', default: false },
      'baseline-url': { type: 'string' },
      'baseline-model': { type: 'string' },
      'workspace-templates': { type: 'boolean', default: false },
      'max-answer-chars': { type: 'string' },
      flex: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(PREVIEW_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.trait) throw new UsageError(`preview takes one file and --trait\n\n${PREVIEW_USAGE}`);
  if (values.format !== 'json' && values.format !== 'markdown')
    throw new UsageError(`--format must be json or markdown, not "${values.format}"`);
  const count = Number(values.n);
  if (!Number.isInteger(count) || count < 1 || count > 20)
    throw new UsageError(`--n must be a whole number from 1 to 20, not "${values.n}"`);
  const baselineUrl = values['baseline-url'];
  const baselineModel = values['baseline-model'];
  // A model name alone would be sent to Gemini, a URL alone would ask a local server for a Gemini model.
  if (!!baselineUrl !== !!baselineModel) throw new UsageError('--baseline-url and --baseline-model go together');
  const limits = cliAnswerLimits(values['max-answer-chars']);
  const document = parseTraitDocument(readTextFile(positionals[0]));
  const wanted = values.trait.toLowerCase();
  const trait = document.traits.find((t) => t.id === values.trait) ?? document.traits.find((t) => t.title.toLowerCase() === wanted);
  if (!trait) {
    const ids = document.traits.map((t) => t.id);
    throw new UsageError(
      `${positionals[0]}: no trait with id or title "${values.trait}"; ${ids.length ? `its trait ids: ${ids.join(', ')}` : 'it has no traits'}`,
    );
  }
  // After the trait: a wrong trait id is worth knowing before a key is.
  const serviceTier = values.flex ? 'flex' : 'standard';
  const access = cliModelAccess(env, 'preview scenarios', {
    baselineUrl,
    serviceTier,
    ...(values.flex ? { policy: () => requestPolicy({ timeoutSeconds: 0, perMinute: 0, concurrency: 4, serviceTier }) } : {}),
  });

  const templates = cliTemplates(values['workspace-templates'], out, (workspace) => loadTemplates(TEMPLATE_STAGES, workspace));
  const cache = cliAnswerCache(values['no-cache'], out, env);
  const models: StageModels = { ...DEFAULT_MODELS, ...(baselineModel ? { baseline: baselineModel } : {}) };
  const scenarios = await interruptible((signal) =>
    previewScenarios(traitChunk(document, trait), {
      ...access,
      models,
      templates,
      count,
      signal,
      cache,
      answerLimits: limits,
      regenerate: values.regenerate,
    }),
  );
  if (scenarios === INTERRUPTED) {
    out.stderr(`trait-studio: ${interruptedNote(cache)}\n`);
    return INTERRUPTED_EXIT;
  }
  const usage = totalUsage(scenarios);
  const cost = estimateCost(usage.byModel);
  const modelVersions = answeringVersions(scenarios, models);
  out.stdout(
    values.format === 'json'
      ? JSON.stringify({ trait: trait.id, scenarios, usage, cost, models, modelVersions, serviceTier }, null, 2) + '\n'
      : markdown(trait.title, scenarios, usage, cost, modelVersions, serviceTier),
  );
  const completed = scenarios.filter((s) => s.error === null).length;
  if (completed < count)
    out.stderr(`trait-studio: asked for ${countOf(count, 'scenario')}, got ${completed}${failureSummary(scenarios)}\n`);
  return completed === count ? 0 : 1;
}

/** ": 2 failed (the brainstorm gave 1 of the 3 ideas asked for, …)" — why scenarios are missing, or nothing. */
function failureSummary(scenarios: readonly ScenarioResult[]): string {
  const reasons = [...new Set(scenarios.flatMap((s) => (s.error ? [describeFailure(s.error).replace(/\.$/, '')] : [])))];
  return reasons.length ? ` — ${reasons.join('; ')}` : '';
}

function markdown(
  title: string,
  scenarios: readonly ScenarioResult[],
  usage: StageUsage,
  cost: { usd: number; unpriced: string[] },
  versions: Record<string, string[]>,
  serviceTier: ServiceTier,
): string {
  const quote = (t: string | null) =>
    (t ?? '—')
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
  const parts = [`# Preview: ${title}\n`];
  const completed = scenarios.filter((s) => s.error === null).length;
  if (completed < scenarios.length) parts.push(`**Asked for ${countOf(scenarios.length, 'scenario')}, got ${completed}.**\n`);
  scenarios.forEach((s, i) => {
    parts.push(`## Scenario ${i + 1}${s.error ? ' (failed)' : ''}\n`);
    if (s.error) parts.push(`${describeFailure(s.error)}\n`);
    if (s.idea) parts.push(`**Idea**: ${s.idea.what} — ${s.idea.how} (${s.idea.why})\n`);
    if (s.scenario.critique) parts.push(`**Critique**: ${s.scenario.critique.verdict} — ${s.scenario.critique.reasons}\n`);
    if (s.sharpened !== null) parts.push(`**Sharpened**: ${s.sharpened ? 'yes' : 'no'} — ${s.sharpenReason}\n`);
    // A scenario the brainstorm gave no idea for has nothing more to show.
    if (s.idea)
      parts.push(
        `**User**\n\n${quote(s.prompt ?? s.scenario.final)}\n`,
        `**Baseline (no system prompt)**\n\n${quote(s.baseline)}\n`,
        `**Response**\n\n${quote(s.response)}\n`,
      );
    if (s.rating) parts.push(`**Rating**: ${s.rating.score}/10, ${s.rating.verdict} — ${s.rating.reasons}\n`);
    const cached = s.usage.cachedAnswers ? `, ${countOf(s.usage.cachedAnswers, 'answer')} from the cache` : '';
    const provider = s.usage.cachedInputTokens ? ` (${cachedPercent(s.usage.inputTokens, s.usage.cachedInputTokens)} cached)` : '';
    parts.push(`_Tokens: ${s.usage.inputTokens} in${provider}, ${s.usage.outputTokens} out${cached}._\n`);
  });
  const answered = Object.entries(versions).map(([model, v]) => `${model} → ${v.join(', ')}`);
  if (answered.length) parts.push(`**Answered by**: ${answered.join('; ')}.\n`);
  parts.push(`${usageLine(usage, cost, serviceTier)}\n`);
  return parts.join('\n');
}

/**
 * The closing line: tokens this run spent (with the share of input Gemini's context cache served),
 * answers the answer cache saved, and the estimated cost (at the Flex tier's prices when it ran there).
 */
function usageLine(usage: StageUsage, cost: { usd: number; unpriced: string[] }, serviceTier: ServiceTier): string {
  const unpriced = cost.unpriced.length ? ` (not counted, no price known: ${cost.unpriced.join(', ')})` : '';
  if (usage.inputTokens === 0 && usage.outputTokens === 0)
    return `**Usage**: nothing spent, ${countOf(usage.cachedAnswers, 'answer')} from the cache.`;
  const tier = serviceTier === 'flex' ? ' at the Flex tier' : '';
  return `**Usage**: ${countOf(usage.inputTokens, 'input token')} (${cachedPercent(usage.inputTokens, usage.cachedInputTokens)} cached by the provider) + ${countOf(usage.outputTokens, 'output token')}, ${countOf(usage.cachedAnswers, 'answer')} from the cache; estimated cost ${usd(cost.usd)}${tier}${unpriced}.`;
}

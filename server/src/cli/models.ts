import { parseArgs } from 'node:util';
import { DEFAULT_ROLE_MODELS, listPrice, MODEL_CATALOGUE, type ModelInfo, type ThinkingControl } from '../llm/catalogue';
import { UsageError } from './io';
import type { CliOutput } from './output';

export const MODELS_USAGE = `Usage: trait-studio models [--format text|json]

Lists the model catalogue: each model's status, what it is for, the roles it is the default of, its
list price today in USD per 1M input / output tokens (with the long-prompt tier and the date and
source of the price), and how its thinking is controlled. A model not listed has no price: its cost
shows as unknown. Prices are overridden with the traitStudio.prices setting in the editor.
`;

/** `trait-studio models`: the model catalogue, as text or JSON; returns the exit status. */
export function runModels(argv: string[], out: CliOutput, today: Date = new Date()): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.stdout(MODELS_USAGE);
    return 0;
  }
  if (positionals.length) throw new UsageError(`models takes no arguments\n\n${MODELS_USAGE}`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const rows = MODEL_CATALOGUE.map((m) => ({ ...m, roles: rolesOf(m.id), priceToday: listPrice(m.id, today) ?? null }));
  if (values.format === 'json') {
    out.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const m of rows) out.stdout(describe(m, m.roles, m.priceToday));
  return 0;
}

/** The roles (DEFAULT_ROLE_MODELS keys) `id` is the default of. */
function rolesOf(id: string): string[] {
  return Object.entries(DEFAULT_ROLE_MODELS)
    .filter(([, model]) => model === id)
    .map(([role]) => role);
}

function describe(m: ModelInfo, roles: readonly string[], price: ReturnType<typeof listPrice> | null): string {
  const status = m.status === 'retiring' ? `retiring ${m.retires ?? ''}`.trim() : m.status;
  const cost = price
    ? `$${price.inputPerMillion} / $${price.outputPerMillion} per 1M tokens${price.longPrompt ? ` ($${price.longPrompt.inputPerMillion} / $${price.longPrompt.outputPerMillion} above ${price.longPrompt.aboveInputTokens.toLocaleString('en-US')} prompt tokens)` : ''}${price.until ? ` until ${price.until}` : ''}; ${price.source}`
    : 'no price today: cost unknown';
  const cached = price?.cachedInputPerMillion !== undefined ? [`  cached input: $${price.cachedInputPerMillion} per 1M tokens`] : [];
  const flex = price?.flex
    ? [`  Flex tier: $${price.flex.inputPerMillion} / $${price.flex.outputPerMillion} per 1M tokens; ${price.flex.source}`]
    : [];
  return [
    `${m.id}  (${status})${roles.length ? `  default for: ${roles.join(', ')}` : ''}`,
    `  ${m.purpose}`,
    `  price: ${cost}`,
    ...cached,
    ...flex,
    `  thinking: ${thinking(m.thinking)}`,
    '',
  ].join('\n');
}

function thinking(control: ThinkingControl): string {
  if (control.by === 'none') return 'none (no thinking config is sent)';
  if (control.by === 'level') return `thinkingLevel (${control.levels.join(', ')})`;
  return `thinkingBudget in tokens (${Object.entries(control.budgets)
    .map(([level, budget]) => `${level} ${budget}`)
    .join(', ')})`;
}

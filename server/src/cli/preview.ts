import { parseArgs } from 'node:util';
import { traitChunk } from '../generation/chunk';
import { previewScenarios, type ScenarioResult } from '../generation/pipeline';
import { loadTemplates } from '../generation/templates';
import { parseTraitDocument } from '../document/parse';
import { GeminiProvider } from '../providers/gemini';
import { readTextFile, UsageError } from './io';
import type { CliOutput } from './output';

export const PREVIEW_USAGE = `Usage: trait-studio preview FILE --trait ID|TITLE [--n 3] [--format json|markdown]

Runs the SFT stages for one trait: brainstorm, scenario, critique, baseline, sharpen, response,
autorate. Needs GEMINI_API_KEY; GOOGLE_GEMINI_BASE_URL points it at another Gemini-compatible
endpoint. Exit status: 0 every scenario completed, 1 any failed, 2 usage or I/O problem.
`;

/** `trait-studio preview`: returns the exit status. */
export async function runPreview(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      trait: { type: 'string' },
      n: { type: 'string', default: '3' },
      format: { type: 'string', default: 'markdown' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(PREVIEW_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.trait) throw new UsageError(`preview takes one file and --trait\n\n${PREVIEW_USAGE}`);
  if (values.format !== 'json' && values.format !== 'markdown') throw new UsageError(`--format must be json or markdown, not "${values.format}"`);
  const count = Number(values.n);
  if (!Number.isInteger(count) || count < 1 || count > 20) throw new UsageError(`--n must be a whole number from 1 to 20, not "${values.n}"`);
  const apiKey = env.GEMINI_API_KEY;
  if (!apiKey) throw new UsageError('set GEMINI_API_KEY to a Gemini API key (https://aistudio.google.com/apikey) to preview scenarios');

  const document = parseTraitDocument(readTextFile(positionals[0]));
  const wanted = values.trait.toLowerCase();
  const trait = document.traits.find((t) => t.id === values.trait) ?? document.traits.find((t) => t.title.toLowerCase() === wanted);
  if (!trait) throw new UsageError(`${positionals[0]}: no trait with id or title "${values.trait}"`);

  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    const provider = new GeminiProvider({ apiKey, baseUrl: env.GOOGLE_GEMINI_BASE_URL || undefined });
    const scenarios = await previewScenarios(traitChunk(document, trait), {
      provider,
      templates: loadTemplates(process.cwd()),
      count,
      signal: controller.signal,
    });
    out.stdout(values.format === 'json' ? JSON.stringify({ trait: trait.id, scenarios }, null, 2) + '\n' : markdown(trait.title, scenarios));
    return scenarios.every((s) => s.error === null) ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function markdown(title: string, scenarios: readonly ScenarioResult[]): string {
  const quote = (t: string | null) => (t ?? '—').split('\n').map((l) => `> ${l}`).join('\n');
  const parts = [`# Preview: ${title}\n`];
  scenarios.forEach((s, i) => {
    parts.push(`## Scenario ${i + 1}${s.error ? ` (failed: ${s.error})` : ''}\n`);
    if (s.idea) parts.push(`**Idea**: ${s.idea.what} — ${s.idea.how} (${s.idea.why})\n`);
    if (s.scenario.critique) parts.push(`**Critique**: ${s.scenario.critique.verdict} — ${s.scenario.critique.reasons}\n`);
    if (s.sharpened !== null) parts.push(`**Sharpened**: ${s.sharpened ? 'yes' : 'no'} — ${s.sharpenReason}\n`);
    parts.push(`**User**\n\n${quote(s.prompt ?? s.scenario.final)}\n`, `**Baseline (no system prompt)**\n\n${quote(s.baseline)}\n`, `**Response**\n\n${quote(s.response)}\n`);
    if (s.rating) parts.push(`**Rating**: ${s.rating.score}/10, ${s.rating.verdict} — ${s.rating.reasons}\n`);
    parts.push(`_Tokens: ${s.usage.inputTokens} in, ${s.usage.outputTokens} out._\n`);
  });
  return parts.join('\n');
}

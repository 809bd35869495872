import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTraitDocument } from '../document/parse';
import { writeTextAtomically } from '../files/atomicWrite';
import { count, usd } from '../format';
import { loadTemplates } from '../llm/templates';
import { traitChunk } from '../generation/chunk';
import { inspectEvalLog, inspectLogFileName, INSPECT_TASK, probeJsonl } from '../probe/export';
import {
  budgetLimits,
  DEFAULT_PROBE_MODELS,
  DEFAULT_PROBES,
  DEFAULT_REALISM_THRESHOLD,
  DEFAULT_TURNS,
  DirectoryProbeStore,
  estimateKnowledgeCheck,
  estimateProbe,
  isRequestFailure,
  MAX_PROBES,
  MAX_TURNS,
  probeModels,
  probeTargetAccess,
  probeTrait,
  resolveTrait,
  runKnowledgeCheck,
  TARGET_KEY_VARIABLE,
  targetLabel,
  type KnowledgeCheckOptions,
  type ProbeBudget,
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
} from '../probe/probe';
import { PROBE_TEMPLATE_STAGES } from '../probe/prompts';
import { interruptedNote, interruptible, INTERRUPTED, INTERRUPTED_EXIT } from './interrupt';
import { readTextFile, UsageError } from './io';
import { cliAnswerCache, cliModelAccess, cliTemplates } from './modelSetup';
import type { CliOutput } from './output';

export const PROBE_USAGE = `Usage: trait-studio probe FILE --trait ID|TITLE (--target-url URL --target-model NAME | --target-gemini MODEL)
                          [--n ${DEFAULT_PROBES}] [--turns ${DEFAULT_TURNS}] [--knowledge] [--format json|markdown] [--out DIR]
                          [--max-usd X] [--max-turns N] [--system-prompt TEXT] [--realism-threshold ${DEFAULT_REALISM_THRESHOLD}]
                          [--auditor-model M] [--realism-model M] [--judge-model M] [--grader-model M]
                          [--no-cache] [--workspace-templates]
       trait-studio probe FILE --knowledge (--target-url URL --target-model NAME | --target-gemini MODEL)
                          [--format json|markdown] [--out DIR] [--max-usd X] [--max-turns N] [--system-prompt TEXT]
                          [--grader-model M] [--no-cache] [--workspace-templates]
       trait-studio probe compare A.json B.json [--format json|markdown]

Probes a model against one trait with multi-turn adversarial conversations. Per probe: a situation
where the trait is under pressure; an auditor writes each user turn after a short strategy note
(escalate, de-escalate or pivot, and why); a realism check scores every auditor message and, below
the threshold, has it rewritten once with the checker's feedback; the target answers with no system
prompt (or --system-prompt); after the last turn a separate judge scores the violation 1-10 with
quotes, the turn of the first violation, and whether the target said it was being tested. A quote
not found in that turn's answer (whitespace apart) is asked for once more, then reported unverified
and never used; a violation no verified quote backs is not trusted and not counted.
Before it runs, the requests and their estimated cost go to stderr; after, what was spent.

  --trait ID|TITLE    the trait to probe (its id, or its title)
  --target-url URL    an OpenAI-compatible server (vLLM, Ollama, LM Studio: its API root with /v1)
  --target-model NAME   the model's name there. ${TARGET_KEY_VARIABLE}, when set, is sent to that
                      URL as its key, and only there (GEMINI_API_KEY never goes to it)
  --target-gemini MODEL a Gemini model as the target instead
  --n K               probes (default ${DEFAULT_PROBES}, at most ${MAX_PROBES}); --turns T user turns each (default ${DEFAULT_TURNS}, at most ${MAX_TURNS})
  --knowledge         also the knowledge check: open questions written from the document, answered
                      by the target, graded for which traits (and their reasons and exceptions)
                      each answer recalls; per-trait recall. Without --trait: the knowledge check
                      alone (the JSON has trait "" and no probes; --out DIR keeps result.json)
  --format json|markdown
                      json: {trait, target, probes: [{situation, turns: [{strategy, user, realism,
                      rewritten, assistant}], judge: {score, violated, firstViolationTurn, evidence:
                      [{turn, quote, verified}], evalAware}, error}], violationRate,
                      meanFirstViolationTurn, knowledge: {questions: [{question, answer,
                      recalled}], recall: {traitId: number}} | null, usage, cost, stopped?}.
                      Default markdown.
  --out DIR           keep the run in DIR: probes/probe-N.json (each probe's transcript, rewritten
                      after every turn), result.json, transcripts.jsonl, and an Inspect log
                      (<time>_${INSPECT_TASK}_<id>.json, for "inspect view --log-dir DIR"). Running
                      again with the same DIR resumes each probe from its last completed turn.
  --max-usd X         stop cleanly once the estimated spend reaches X US dollars
  --max-turns N       stop cleanly after N target requests in all: probe turns and knowledge answers
                      (the result says where it stopped)
  --system-prompt TEXT  the target's system prompt (default none)
  --realism-threshold R realism (0-1) below which an auditor message is rewritten (default ${DEFAULT_REALISM_THRESHOLD})
  --auditor-model, --realism-model, --judge-model, --grader-model M
                      the Gemini model of each role (defaults ${DEFAULT_PROBE_MODELS.auditor}, ${DEFAULT_PROBE_MODELS.realism},
                      ${DEFAULT_PROBE_MODELS.judge}, ${DEFAULT_PROBE_MODELS.grader})
  --no-cache          neither read nor write the answer cache
  --workspace-templates
                      use .traits/prompts/probe-*.md and knowledge-*.md under the current folder

"probe compare A.json B.json" sets two results side by side (two --out DIR/result.json files, or
saved --format json output; e.g. before and after training): violation rate, mean turn of first
violation, counted probes, knowledge recall per trait.

Model access for the auditor, checker, judge and grader (and a Gemini target): GEMINI_API_KEY, or
Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true, GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION);
GOOGLE_GEMINI_BASE_URL points either at another Gemini-compatible endpoint. Answers are cached in
your user cache folder as for preview (TRAIT_STUDIO_CACHE_DIR sets another): a rerun, or a run
killed mid-conversation, sends nothing again for what was answered.

Exit status: 0 done (also when a budget stopped it: the result says so), 1 a request failed for
good (the other probes are still reported), 2 usage or I/O problem, 130 interrupted (Ctrl+C; run
again with the same --out to resume).
`;

const OPTIONS = {
  trait: { type: 'string' },
  'target-url': { type: 'string' },
  'target-model': { type: 'string' },
  'target-gemini': { type: 'string' },
  n: { type: 'string' },
  turns: { type: 'string' },
  knowledge: { type: 'boolean', default: false },
  format: { type: 'string', default: 'markdown' },
  out: { type: 'string' },
  'max-usd': { type: 'string' },
  'max-turns': { type: 'string' },
  'system-prompt': { type: 'string' },
  'realism-threshold': { type: 'string' },
  'auditor-model': { type: 'string' },
  'realism-model': { type: 'string' },
  'judge-model': { type: 'string' },
  'grader-model': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  'workspace-templates': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `text` as a whole number from `min` to `max`, or UsageError naming `flag`; `fallback` when absent. */
function wholeNumber(text: string | undefined, flag: string, min: number, max: number, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** `text` as a number from `min` (up to `max`), or UsageError naming `flag`. */
function decimal(text: string | undefined, flag: string, min: number, max = Infinity): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!text.trim() || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a number from ${min}${max < Infinity ? ` to ${max}` : ' up'}, not "${text}"`);
  return n;
}

/** The target the flags name; UsageError unless exactly one target is named completely. */
/** "; stops at $0.50 or after 10 target requests" for the estimate line, or '' without a budget. */
function stops(budget: ProbeBudget | undefined): string {
  const limits = budgetLimits(budget);
  return limits ? `; stops ${limits}` : '';
}

function targetOf(values: { 'target-url'?: string; 'target-model'?: string; 'target-gemini'?: string }): ProbeTarget {
  const url = values['target-url']?.trim();
  const model = values['target-model']?.trim();
  const gemini = values['target-gemini']?.trim();
  if (gemini && (url || model)) throw new UsageError('give either --target-gemini MODEL or --target-url URL --target-model NAME, not both');
  if (gemini) return { kind: 'gemini', model: gemini };
  if (!url && !model) throw new UsageError('name the model to probe: --target-url URL --target-model NAME, or --target-gemini MODEL');
  if (!url || !model)
    throw new UsageError(url ? '--target-url needs --target-model NAME, the model to ask there' : '--target-model needs --target-url URL');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`--target-url must be an http(s) URL, not "${url}"`);
  }
  return { kind: 'openai-compatible', url, model };
}

/** `trait-studio probe`: returns the exit status. */
export async function runProbe(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'compare') return runCompare(argv.slice(1), out);
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) {
    out.stdout(PROBE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`probe takes one file\n\n${PROBE_USAGE}`);
  if (values.format !== 'json' && values.format !== 'markdown')
    throw new UsageError(`--format must be json or markdown, not "${values.format}"`);
  if (!values.trait?.trim() && !values.knowledge)
    throw new UsageError('--trait ID|TITLE is needed: the trait to probe (or --knowledge alone: the knowledge check only)');
  const target = targetOf(values);
  if (!values.trait?.trim()) return runKnowledgeOnly(positionals[0], target, values, out, env);
  const probes = wholeNumber(values.n, '--n', 1, MAX_PROBES, DEFAULT_PROBES)!;
  const turns = wholeNumber(values.turns, '--turns', 1, MAX_TURNS, DEFAULT_TURNS)!;
  const maxUsd = decimal(values['max-usd'], '--max-usd', 0);
  const maxTurns = wholeNumber(values['max-turns'], '--max-turns', 1, 1_000_000);
  const realismThreshold = decimal(values['realism-threshold'], '--realism-threshold', 0, 1) ?? DEFAULT_REALISM_THRESHOLD;
  const file = positionals[0];
  const document = parseTraitDocument(readTextFile(file));
  let trait;
  try {
    trait = resolveTrait(document, values.trait);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const models = probeModels({
    models: {
      auditor: values['auditor-model']?.trim(),
      realism: values['realism-model']?.trim(),
      judge: values['judge-model']?.trim(),
      grader: values['grader-model']?.trim(),
    },
  });
  const options: ProbeOptions = {
    document,
    trait: trait.id,
    target,
    probes,
    turns,
    knowledge: values.knowledge,
    ...(values['system-prompt'] !== undefined ? { targetSystemPrompt: values['system-prompt'] } : {}),
    ...(maxUsd !== undefined || maxTurns !== undefined ? { budget: { maxUsd, maxTurns } } : {}),
    realismThreshold,
  };
  // After the file, the trait and the target: a wrong id is worth knowing before a key is.
  const gemini = cliModelAccess(env, 'probe a model');
  const templates = cliTemplates(values['workspace-templates'], out, (workspace) => loadTemplates(PROBE_TEMPLATE_STAGES, workspace));
  const cache = cliAnswerCache(values['no-cache'], out, env);
  const access = { ...gemini, target: probeTargetAccess(target, gemini, env), models, cache, templates };

  const estimate = estimateProbe(options, access);
  const unpriced = estimate.unpriced.length ? ` (not counted, no price known: ${estimate.unpriced.join(', ')})` : '';
  out.stderr(
    `trait-studio: probing ${trait.id} of ${basename(file)} with ${targetLabel(target)}: ${count(probes, 'probe')} × ${count(turns, 'turn')}${values.knowledge ? ' and the knowledge check' : ''}, about ${count(estimate.requests, 'request')}, ≈ ${usd(estimate.usd)}${unpriced}${stops(options.budget)}\n`,
  );

  const outDir = values.out;
  const store = outDir ? new DirectoryProbeStore(makeRunFolder(outDir, 'probes')) : undefined;
  const started = new Date();
  const result = await interruptible((signal) =>
    probeTrait(options, access, {
      signal,
      store,
      onProgress: (p) => {
        if (p.step === 'judge' && p.probe) out.stderr(`trait-studio: probe ${p.probe}/${probes} judged (${p.done}/${p.total} steps)\n`);
      },
    }),
  );
  if (result === INTERRUPTED) {
    out.stderr(`trait-studio: interrupted${outDir ? `; run again with --out ${outDir} to resume` : ''}\n`);
    return INTERRUPTED_EXIT;
  }
  if (outDir)
    writeRun(outDir, result, {
      started,
      file,
      traitText: traitChunk(document, trait).text,
      models,
      turns,
      realismThreshold,
      systemPrompt: options.targetSystemPrompt,
    });
  out.stdout(values.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : markdown(result, file));
  return report(result, out);
}

type ProbeValues = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];

/**
 * `probe FILE --knowledge` without `--trait`: the knowledge check alone (runKnowledgeCheck, the
 * same function the editor's Check Knowledge runs), estimated first, budgeted, interruptible;
 * `--out DIR` keeps result.json. Returns the exit status.
 */
async function runKnowledgeOnly(
  file: string,
  target: ProbeTarget,
  values: ProbeValues,
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const only = ['n', 'turns', 'realism-threshold', 'auditor-model', 'realism-model', 'judge-model'] as const;
  const stray = only.filter((flag) => values[flag] !== undefined);
  if (stray.length) throw new UsageError(`--${stray.join(', --')}: for probes; the knowledge check alone (no --trait) takes none`);
  const maxUsd = decimal(values['max-usd'], '--max-usd', 0);
  const maxTurns = wholeNumber(values['max-turns'], '--max-turns', 1, 1_000_000);
  const document = parseTraitDocument(readTextFile(file));
  if (!document.traits.length) throw new UsageError(`${file}: no traits to ask about`);
  const options: KnowledgeCheckOptions = {
    document,
    target,
    ...(values['system-prompt'] !== undefined ? { targetSystemPrompt: values['system-prompt'] } : {}),
    ...(maxUsd !== undefined || maxTurns !== undefined ? { budget: { maxUsd, maxTurns } } : {}),
  };
  const gemini = cliModelAccess(env, 'check what a model knows');
  const templates = cliTemplates(values['workspace-templates'], out, (workspace) => loadTemplates(PROBE_TEMPLATE_STAGES, workspace));
  const cache = cliAnswerCache(values['no-cache'], out, env);
  const models = probeModels({ models: { grader: values['grader-model']?.trim() } });
  const access = { ...gemini, target: probeTargetAccess(target, gemini, env), models, cache, templates };
  const estimate = estimateKnowledgeCheck(options, access);
  const unpriced = estimate.unpriced.length ? ` (not counted, no price known: ${estimate.unpriced.join(', ')})` : '';
  out.stderr(
    `trait-studio: checking what ${targetLabel(target)} knows of ${basename(file)}: about ${count(estimate.requests, 'request')}, ≈ ${usd(estimate.usd)}${unpriced}${stops(options.budget)}\n`,
  );
  const outDir = values.out;
  if (outDir) makeRunFolder(outDir);
  const result = await interruptible((signal) => runKnowledgeCheck(options, access, { signal }));
  if (result === INTERRUPTED) {
    out.stderr(`trait-studio: ${interruptedNote(cache)}\n`);
    return INTERRUPTED_EXIT;
  }
  if (outDir) {
    try {
      writeTextAtomically(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      throw new UsageError(`${outDir}: cannot write the run (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  out.stdout(values.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : markdown(result, file));
  return report(result, out);
}

/** Creates `outDir/sub` (--out, or a folder in it) with its parents and returns its path; a UsageError naming `outDir` when it cannot. */
function makeRunFolder(outDir: string, sub = ''): string {
  const dir = join(outDir, sub);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`${outDir}: cannot keep the run there (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return dir;
}

/** Prints what failed for good, a budget stop and what was spent to stderr; returns the exit status (1 when a request failed for good). */
function report(result: ProbeResult, out: CliOutput): number {
  const failed = [
    ...result.probes.map((p, i) => ({ what: `probe ${i + 1}`, error: p.error })),
    ...(result.knowledge?.error ? [{ what: 'knowledge check', error: result.knowledge.error }] : []),
    ...(result.knowledge?.questions ?? []).map((q, i) => ({ what: `knowledge question ${i + 1}`, error: q.error })),
  ].filter((f) => isRequestFailure(f.error));
  for (const f of failed) out.stderr(`trait-studio: ${f.what}: ${f.error}\n`);
  if (result.stopped) out.stderr(`trait-studio: stopped early: ${result.stopped}\n`);
  out.stderr(
    `trait-studio: spent ${count(result.usage.inputTokens, 'input token')} + ${count(result.usage.outputTokens, 'output token')}, ≈ ${usd(result.cost.usd)}\n`,
  );
  return failed.length ? 1 : 0;
}

/** Writes result.json, transcripts.jsonl and the Inspect log into `dir` (an earlier Inspect log of this folder is replaced). UsageError when it cannot. */
function writeRun(
  dir: string,
  result: ProbeResult,
  info: {
    started: Date;
    file: string;
    traitText: string;
    models: ReturnType<typeof probeModels>;
    turns: number;
    realismThreshold: number;
    systemPrompt?: string;
  },
): void {
  const log = inspectEvalLog(result, {
    started: info.started,
    completed: new Date(),
    file: info.file,
    traitText: info.traitText,
    models: info.models,
    turns: info.turns,
    realismThreshold: info.realismThreshold,
    ...(info.systemPrompt !== undefined ? { targetSystemPrompt: info.systemPrompt } : {}),
  });
  const name = inspectLogFileName(log);
  try {
    for (const old of readdirSync(dir)) if (old !== name && INSPECT_LOG_NAME.test(old)) rmSync(join(dir, old));
    writeTextAtomically(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeTextAtomically(join(dir, 'transcripts.jsonl'), probeJsonl(result));
    writeTextAtomically(join(dir, name), `${JSON.stringify(log)}\n`);
  } catch (error) {
    throw new UsageError(`${dir}: cannot write the run (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** An Inspect log this command wrote (inspectLogFileName's form). */
const INSPECT_LOG_NAME = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d-]+_${INSPECT_TASK}_[A-Za-z0-9]{22}\\.json$`);

const rate = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const turnText = (t: number | null) => (t === null ? '—' : t.toFixed(1));

function markdown(result: ProbeResult, file: string): string {
  const lines = result.trait
    ? [
        `# Probe: ${result.trait} (${file}) — ${targetLabel(result.target)}\n`,
        `**Violation rate**: ${rate(result.violationRate)} · **mean first violation turn**: ${turnText(result.meanFirstViolationTurn)}\n`,
      ]
    : [`# Knowledge check (${file}) — ${targetLabel(result.target)}\n`];
  if (result.stopped) lines.push(`**Stopped early**: ${result.stopped}\n`);
  result.probes.forEach((p, i) => {
    lines.push(`## Probe ${i + 1}\n`, `${p.situation}\n`);
    p.turns.forEach((t, j) => {
      lines.push(
        `### Turn ${j + 1}\n`,
        `*Strategy*: ${t.strategy} · *realism* ${t.realism.toFixed(2)}${t.rewritten ? ' (rewritten)' : ''}\n`,
      );
      lines.push(`**User**: ${t.user}\n`, `**Assistant**: ${t.assistant}\n`);
    });
    if (p.judge) {
      const j = p.judge;
      lines.push(
        `**Verdict**: ${j.score}/10, ${j.violated ? `violated${j.firstViolationTurn ? ` (first at turn ${j.firstViolationTurn})` : ''}` : 'held'}${j.evalAware ? '; the target said it was being tested' : ''}\n`,
      );
      for (const e of j.evidence)
        lines.push(`- turn ${e.turn}: "${e.quote}"${e.verified ? '' : ' **(unverified: not in that turn; not used)**'}`);
      lines.push('');
    }
    if (p.error) lines.push(`**Not counted**: ${p.error}\n`);
  });
  if (result.knowledge) {
    lines.push('## Knowledge\n');
    if (result.knowledge.error) lines.push(`Not checked: ${result.knowledge.error}\n`);
    for (const [id, r] of Object.entries(result.knowledge.recall)) lines.push(`- \`${id}\`: recall ${rate(r)}`);
    lines.push('');
  }
  const unpriced = result.cost.unpriced.length ? ` (not counted, no price known: ${result.cost.unpriced.join(', ')})` : '';
  lines.push(
    `**Usage**: ${count(result.usage.inputTokens, 'input token')} + ${count(result.usage.outputTokens, 'output token')}, ${count(result.usage.cachedAnswers, 'answer')} from the cache; estimated cost ${usd(result.cost.usd)}${unpriced}.\n`,
  );
  return lines.join('\n');
}

/** One side of a comparison. */
interface Side {
  readonly file: string;
  readonly target: ProbeTarget;
  readonly violationRate: number | null;
  readonly meanFirstViolationTurn: number | null;
  readonly counted: number;
  readonly probes: number;
  readonly recall: Readonly<Record<string, number>> | null;
}

/** Reads a ProbeResult saved as JSON; UsageError when it is not one. */
function readResult(file: string): ProbeResult {
  let value: Partial<ProbeResult>;
  try {
    value = JSON.parse(readTextFile(file)) as Partial<ProbeResult>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: not JSON`);
  }
  if (!value || typeof value.trait !== 'string' || !Array.isArray(value.probes) || !value.target)
    throw new UsageError(`${file}: not a probe result (trait-studio probe --format json, or --out DIR/result.json)`);
  return value as ProbeResult;
}

/** `trait-studio probe compare A.json B.json`. */
function runCompare(argv: string[], out: CliOutput): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'markdown' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.stdout(PROBE_USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('probe compare takes two result files: A.json B.json');
  if (values.format !== 'json' && values.format !== 'markdown')
    throw new UsageError(`--format must be json or markdown, not "${values.format}"`);
  const [a, b] = positionals.map((file): Side & { trait: string } => {
    const r = readResult(file);
    return {
      file,
      trait: r.trait,
      target: r.target,
      violationRate: r.violationRate,
      meanFirstViolationTurn: r.meanFirstViolationTurn,
      counted: r.probes.filter((p) => p.judge && !p.error).length,
      probes: r.probes.length,
      recall: r.knowledge?.recall ?? null,
    };
  });
  if (a.trait !== b.trait) out.stderr(`trait-studio: note: the results probe different traits (${a.trait}, ${b.trait})\n`);
  const strip = ({ trait: _t, ...side }: Side & { trait: string }): Side => side;
  if (values.format === 'json') {
    out.stdout(`${JSON.stringify({ trait: a.trait === b.trait ? a.trait : [a.trait, b.trait], a: strip(a), b: strip(b) }, null, 2)}\n`);
    return 0;
  }
  const traits = [...new Set([...Object.keys(a.recall ?? {}), ...Object.keys(b.recall ?? {})])];
  const row = (name: string, x: string, y: string) => `| ${name} | ${x} | ${y} |`;
  const lines = [
    `# Probe comparison: ${a.trait === b.trait ? a.trait : `${a.trait} / ${b.trait}`}\n`,
    row('', `A: ${targetLabel(a.target)}`, `B: ${targetLabel(b.target)}`),
    '|---|---|---|',
    row('Violation rate', rate(a.violationRate), rate(b.violationRate)),
    row('Mean first violation turn', turnText(a.meanFirstViolationTurn), turnText(b.meanFirstViolationTurn)),
    row('Probes counted', `${a.counted} of ${a.probes}`, `${b.counted} of ${b.probes}`),
    ...traits.map((id) => row(`Recall: ${id}`, rate(a.recall?.[id] ?? null), rate(b.recall?.[id] ?? null))),
    '',
  ];
  out.stdout(lines.join('\n'));
  return 0;
}

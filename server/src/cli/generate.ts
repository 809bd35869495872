import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MultiBar, type SingleBar } from 'cli-progress';
import { cachedPercent, count, usd } from '../format';
import {
  DEFAULT_EMBEDDING_MODEL,
  readManifest,
  runDataset,
  RunError,
  type BatchRunOptions,
  type RunManifest,
  type RunOptions,
  type RunProgress,
  type SftFormat,
} from '../generation/run';
import { DEFAULT_MODELS } from '../generation/stages/stage';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES, TEMPLATE_STAGES } from '../llm/templates';
import { batchServiceFor, type BatchService } from '../llm/batch';
import { geminiFromEnvironment, ModelAccessError, requestPolicy } from '../llm/modelAccess';
import type { RequestPolicy } from '../llm/requestPolicy';
import { DEFAULT_DEDUP_THRESHOLD, SETTINGS } from '../llm/settings';

const PER_TRAIT = SETTINGS['generate.perTrait'];
const CONCURRENCY = SETTINGS['generate.concurrency'];
import type { MixRecord } from '../generation/mix';
import { batchWavesText } from '../generation/batchWaveText';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../generation/run/dedup';
import { MIX_FLAGS_HELP, mixAndReport, mixOptionsOf } from './mix';
import { cliAnswerCache, cliAnswerLimits, cliModelAccess, cliTemplates } from './modelSetup';
import { readTextFile, UsageError } from './io';
import { INTERRUPTED_EXIT } from './interrupt';
import type { CliOutput } from './output';

export const GENERATE_USAGE = `Usage: trait-studio generate FILE --out DIR [--traits ID,...] [--per-trait 10] [--concurrency 8]
                             [--rpm R] [--tpm T] [--formats openai,gemini] [--midtraining N]
                             [--format text|json] [--timeout 120] [--retry-failed] [--no-cache]
                             [--baseline-url URL --baseline-model NAME] [--workspace-templates]
                             [--max-answer-chars 100000] [--flex | --batch] [--embedding-dimensions 512]
                             [--mix FILE [--mix-ratio 1] [--seed N] [--skip-bad-lines]]

Generates an SFT dataset (and midtraining documents) from a trait document into DIR: per trait,
--per-trait scenarios through the preview's stages, --concurrency at a time, then
  sft.openai.jsonl, sft.gemini.jsonl  accepted records: the user message and the response
  records.jsonl                       accepted records with every stage's output, rating, usage
  rejected.jsonl                      the rest, with the reason: autorater, duplicate, error
  midtraining.jsonl                   {"id","text","doc_type","trait_ids"} with --midtraining N
  manifest.json                       document, settings, models and the versions that answered,
                                      counts, usage, cost, timings, status
  sft.mixed.openai.jsonl, …           with --mix: the accepted records and baseline ones, shuffled
Models: a fast one generates (brainstorm, scenario: ${DEFAULT_MODELS.brainstorm}; baseline:
${DEFAULT_MODELS.baseline}), a strong one judges and answers (critique, sharpen, response, autorate:
${DEFAULT_MODELS.response}).
A prompt whose embedding (${DEFAULT_EMBEDDING_MODEL}) is ${DEFAULT_DEDUP_THRESHOLD} or more similar to an earlier accepted one
(its first --embedding-dimensions, renormalised; "full" for the model's own length) is rejected as a
duplicate. Running again with the same DIR resumes: finished items are kept and
skipped; a DIR holding a run of another document or other settings is refused.

  --traits ID,...       only these traits (default all)
  --rpm R, --tpm T      at most R requests and T input tokens per minute per model
  --timeout S           seconds one request may take before it is retried (default 120)
  --retry-failed        run again the items an earlier session failed
  --dedup-threshold T   cosine similarity at which a prompt is a duplicate (default ${DEFAULT_DEDUP_THRESHOLD})
  --embedding-dimensions D
                        the embedding's dimensions, 1 to 3072 or "full" (default ${DEFAULT_EMBEDDING_DIMENSIONS}); a
                        resumed run embeds its earlier accepted prompts again at this dimension
${MIX_FLAGS_HELP}
                        (the baseline file is checked before the run starts; the mix is made
                        when the run completes; "trait-studio mix" mixes a finished run again)
  --format json         print the final manifest on stdout (progress goes to stderr)
  --flex                the Gemini Flex tier: about half the price, answers in minutes, requests
                        may be shed under load (each attempt waits at least 15 minutes; a shed
                        request is retried with back-off, up to 8 attempts); cost at Flex prices
  --batch               through the Gemini Batch API: about 50 % cheaper, finishes within 24 h; one
                        job per stage across all items, polled (Ctrl+C cancels the jobs). The jobs
                        are in manifest.json: if this process dies, run the same command again (on
                        any machine with DIR and the key) to poll them; nothing is submitted twice.
                        Needs the Gemini API, not Vertex AI. A DIR holding a batch run resumes in it.
Model access, --no-cache, --baseline-url, --workspace-templates and --max-answer-chars are as for
preview (answers cached in your user cache folder, not in DIR or the current folder): an answer cut
off at the output token limit, malformed or over the limit is never training data, its item goes to
rejected.jsonl with the reason.
Exit status: 0 completed, 1 completed with failed items, 2 usage or I/O problem, 130 interrupted
(Ctrl+C; run again to resume).
`;

const GENERATE_OPTIONS = {
  out: { type: 'string' },
  traits: { type: 'string' },
  'per-trait': { type: 'string', default: '10' },
  concurrency: { type: 'string', default: '8' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  formats: { type: 'string', default: 'openai,gemini' },
  midtraining: { type: 'string', default: '0' },
  batch: { type: 'boolean', default: false },
  flex: { type: 'boolean', default: false },
  format: { type: 'string', default: 'text' },
  timeout: { type: 'string', default: '120' },
  'retry-failed': { type: 'boolean', default: false },
  'dedup-threshold': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  'baseline-url': { type: 'string' },
  'baseline-model': { type: 'string' },
  'workspace-templates': { type: 'boolean', default: false },
  'max-answer-chars': { type: 'string' },
  'embedding-dimensions': { type: 'string' },
  mix: { type: 'string' },
  'mix-ratio': { type: 'string' },
  seed: { type: 'string' },
  'skip-bad-lines': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type GenerateValues = ReturnType<typeof parseArgs<{ options: typeof GENERATE_OPTIONS; allowPositionals: true }>>['values'];

/** The run settings of the command line, checked. */
interface GenerateFlags {
  readonly perTrait: number;
  readonly concurrency: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly midtraining: number;
  /** Seconds per request attempt. */
  readonly timeout: number;
  readonly threshold?: number;
  /** undefined: the default; null: the model's full length. */
  readonly embeddingDimensions?: number | null;
  readonly formats: SftFormat[];
  readonly traits?: string[];
}

/** `trait-studio generate`: returns the exit status. */
export async function runGenerate(
  argv: string[],
  out: CliOutput,
  env: NodeJS.ProcessEnv = process.env,
  progressTTY = !!process.stderr.isTTY,
): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: GENERATE_OPTIONS });
  if (values.help) {
    out.stdout(GENERATE_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.out) throw new UsageError(`generate takes one file and --out DIR\n\n${GENERATE_USAGE}`);
  if (values.format !== 'json' && values.format !== 'text') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const flags = checkFlags(values);
  if (values.flex && values.batch)
    throw new UsageError('--flex and --batch do not go together: Flex is a tier of synchronous requests, Batch runs jobs');
  // The baseline file is checked before hours of generation, not after.
  const mix = mixOptionsOf(values);
  const baselineUrl = values['baseline-url'];
  const baselineModel = values['baseline-model'];
  if (!!baselineUrl !== !!baselineModel) throw new UsageError('--baseline-url and --baseline-model go together');
  const answerLimits = cliAnswerLimits(values['max-answer-chars']);
  // The policy caps every attempt (retries included) at --rpm per model; runDataset caps calls and
  // tokens. Its concurrency per model matches ours, or it would be the limit (default 4).
  const serviceTier = values.flex ? 'flex' : 'standard';
  const policy = () =>
    requestPolicy({ timeoutSeconds: flags.timeout, perMinute: flags.rpm ?? 0, concurrency: flags.concurrency, serviceTier });
  const access = cliModelAccess(env, 'generate a dataset', { baselineUrl, policy, serviceTier });
  const file = positionals[0];
  const documentText = readTextFile(file);
  const templates = cliTemplates(values['workspace-templates'], out, (workspace) => ({
    stages: loadTemplates(TEMPLATE_STAGES, workspace),
    midtraining: flags.midtraining > 0 ? loadTemplates(MIDTRAINING_TEMPLATE_STAGES, workspace) : undefined,
  }));
  // A folder that holds a batch run resumes in batch mode: its jobs are polled, not asked again.
  const batch = values.batch || !!existingBatch(values.out) ? batchOptions(env, policy) : undefined;
  const manifest = await runInterruptibly(out, progressTTY, {
    documentPath: resolve(file),
    documentText,
    outDir: values.out,
    traits: flags.traits,
    perTrait: flags.perTrait,
    formats: flags.formats,
    midtraining: flags.midtraining,
    concurrency: flags.concurrency,
    requestsPerMinute: flags.rpm,
    tokensPerMinute: flags.tpm,
    dedupThreshold: flags.threshold,
    ...(flags.embeddingDimensions !== undefined ? { embeddingDimensions: flags.embeddingDimensions } : {}),
    ...access,
    serviceTier,
    ...(baselineModel ? { models: { baseline: baselineModel } } : {}),
    templates: templates.stages,
    ...(templates.midtraining ? { midtrainingTemplates: templates.midtraining } : {}),
    cache: cliAnswerCache(values['no-cache'], out, env),
    answerLimits,
    retryFailed: values['retry-failed'],
    ...(batch ? { batch } : {}),
  });
  let final: RunManifest & { mix?: MixRecord } = manifest;
  if (mix && manifest.status === 'completed') final = { ...manifest, mix: mixAndReport(values.out, mix, out) };
  else if (mix) out.stderr(`no mix: the run is ${manifest.status}; run the same command again to finish it and mix\n`);
  out.stdout(values.format === 'json' ? `${JSON.stringify(final, null, 2)}\n` : summary(final, values.out));
  if (manifest.status === 'cancelled') return INTERRUPTED_EXIT;
  return manifest.counts.failed > 0 || manifest.counts.midtraining.failed > 0 ? 1 : 0;
}

/** Whether `dir` holds a run made in batch mode (an unreadable manifest is runDataset's to report). */
function existingBatch(dir: string): boolean {
  try {
    return !!readManifest(dir)?.batch;
  } catch {
    return false;
  }
}

/**
 * Batch mode's service, from the environment's Gemini endpoint (UsageError for Vertex AI).
 * TRAIT_STUDIO_BATCH_POLL_MS sets the first poll interval (tests and benchmarks shorten it).
 */
function batchOptions(env: NodeJS.ProcessEnv, policy: () => RequestPolicy): BatchRunOptions {
  let service: BatchService;
  try {
    service = batchServiceFor(geminiFromEnvironment(env, 'generate a dataset in batch mode'), policy());
  } catch (error) {
    if (error instanceof ModelAccessError) throw new UsageError(error.message);
    throw error;
  }
  const pollMs = Number(env.TRAIT_STUDIO_BATCH_POLL_MS);
  return { service, ...(pollMs > 0 ? { pollMs, maxPollMs: Math.max(pollMs, 1) * 30 } : {}) };
}

/** The run flags of `values`, each checked; UsageError naming the first one out of range. */
function checkFlags(values: GenerateValues): GenerateFlags {
  const whole = (flag: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max)
      throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
    return n;
  };
  const perTrait = whole('--per-trait', values['per-trait'], PER_TRAIT.min, PER_TRAIT.max)!;
  const concurrency = whole('--concurrency', values.concurrency, CONCURRENCY.min, CONCURRENCY.max)!;
  const rpm = whole('--rpm', values.rpm, 1, 1_000_000_000);
  const tpm = whole('--tpm', values.tpm, 1, Number.MAX_SAFE_INTEGER);
  const midtraining = whole('--midtraining', values.midtraining, 0, 1_000_000)!;
  const timeout = Number(values.timeout);
  if (!(timeout > 0 && timeout <= 3600))
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most 3600, not "${values.timeout}"`);
  const threshold = values['dedup-threshold'] === undefined ? undefined : Number(values['dedup-threshold']);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1))
    throw new UsageError(`--dedup-threshold must be above 0 and at most 1, not "${values['dedup-threshold']}"`);
  const formats = values.formats
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = formats.filter((f) => f !== 'openai' && f !== 'gemini');
  if (formats.length === 0 || unknown.length)
    throw new UsageError(`--formats takes openai and/or gemini, comma-separated, not "${values.formats}"`);
  const traits = values.traits
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (traits && traits.length === 0) throw new UsageError('--traits names no trait');
  const dimensionsText = values['embedding-dimensions'];
  const embeddingDimensions =
    dimensionsText === undefined || dimensionsText.trim() === 'full'
      ? dimensionsText === undefined
        ? undefined
        : null
      : whole('--embedding-dimensions', dimensionsText, 1, 3072);
  return { perTrait, concurrency, rpm, tpm, midtraining, timeout, threshold, embeddingDimensions, formats: formats as SftFormat[], traits };
}

/**
 * Runs `options` with progress on stderr. The first Ctrl+C (or SIGTERM) cancels (what is written
 * is kept; the run resumes next time), a second exits at once with status 130. A RunError becomes a
 * UsageError.
 */
async function runInterruptibly(
  out: CliOutput,
  progressTTY: boolean,
  options: Omit<RunOptions, 'signal' | 'onProgress' | 'onLog'>,
): Promise<RunManifest> {
  const controller = new AbortController();
  const progress = new ProgressView(out, progressTTY);
  let interrupted = false;
  const interrupt = () => {
    // A second Ctrl+C does not wait: every line written is whole, the rest is resumed next time.
    if (interrupted) process.exit(INTERRUPTED_EXIT);
    interrupted = true;
    progress.note('interrupted: finishing what is written; Ctrl+C again to stop at once');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await runDataset({
      ...options,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      onLog: (line) => progress.line(line),
    });
  } catch (error) {
    if (error instanceof RunError) throw new UsageError(error.message);
    throw error;
  } finally {
    progress.end();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/** Progress on stderr: a bar redrawn in place on a terminal (cli-progress, log lines above it), plain lines otherwise. */
class ProgressView {
  private last: RunProgress | undefined;
  private readonly bars: MultiBar | undefined;
  private bar: SingleBar | undefined;

  constructor(
    private readonly out: CliOutput,
    tty: boolean,
  ) {
    this.bars = tty
      ? new MultiBar({
          stream: terminalOf(out),
          format: '[{bar}] {value}/{total} · {accepted} accepted · {rejected} rejected · {failed} failed{midtraining} · {cost}',
          barsize: 24,
          barCompleteChar: '#',
          barIncompleteChar: '-',
          hideCursor: false,
        })
      : undefined;
  }

  update(p: RunProgress): void {
    this.last = p;
    if (!this.bars) return;
    const cost = p.cost.unpriced.length ? `${usd(p.cost.usd)}+?` : usd(p.cost.usd);
    const midtraining = p.midtraining.total ? ` · midtraining ${p.midtraining.written + p.midtraining.failed}/${p.midtraining.total}` : '';
    const payload = { accepted: p.accepted, rejected: p.rejected, failed: p.failed, midtraining, cost };
    if (!this.bar) this.bar = this.bars.create(p.total, p.done, payload);
    else {
      this.bar.setTotal(p.total);
      this.bar.update(p.done, payload);
    }
  }

  /** A line of the run's log: above the bar on a terminal, prefixed with the count otherwise. */
  line(text: string): void {
    if (this.bars) this.bars.log(`${text}\n`);
    else this.out.stderr(`${this.last ? `[${this.last.done}/${this.last.total}] ` : ''}${text}\n`);
  }

  note(text: string): void {
    this.line(text);
  }

  end(): void {
    // A final redraw flushes log lines still waiting for the bar.
    this.bars?.update();
    this.bars?.stop();
  }
}

/** `out`'s stderr as the terminal stream cli-progress draws on (it writes only escape sequences and text). */
function terminalOf(out: CliOutput): NodeJS.WritableStream {
  const stream = { isTTY: true, columns: process.stderr.columns || 80, write: (text: string) => (out.stderr(text), true) };
  return stream as unknown as NodeJS.WritableStream;
}

/** "Answered by: gemini-3.8-flash → gemini-3.8-flash-001; …", the versions the API reported, when the manifest has them. */
function answeredBy(m: RunManifest): string[] {
  const entries = Object.entries(m.modelVersions ?? {});
  return entries.length ? [`Answered by: ${entries.map(([model, versions]) => `${model} → ${versions.join(', ')}`).join('; ')}.`] : [];
}

function summary(m: RunManifest & { mix?: MixRecord }, dir: string): string {
  const c = m.counts;
  const unpriced = m.cost.unpriced.length ? ` (no price known for ${m.cost.unpriced.join(', ')})` : '';
  const lines = [
    `Run ${m.status}: ${c.accepted} accepted, ${c.rejected} rejected (${c.autorater} by the autorater, ${count(c.duplicate, 'duplicate')}), ${c.failed} failed${c.pending ? `, ${c.pending} to go` : ''} of ${count(c.total, 'scenario')}.`,
    ...(c.midtraining.total
      ? [`Midtraining: ${c.midtraining.written} written, ${c.midtraining.failed} failed of ${count(c.midtraining.total, 'document')}.`]
      : []),
    `Usage: ${count(m.usage.inputTokens, 'input token')} (${cachedPercent(m.usage.inputTokens, m.usage.cachedInputTokens)} cached by the provider) + ${count(m.usage.outputTokens, 'output token')}, ${count(m.usage.cachedAnswers, 'answer')} from the cache; estimated cost ${usd(m.cost.usd)}${m.batch ? ' at batch prices' : ''}${unpriced}${m.settings.serviceTier === 'flex' ? ', at the Flex tier' : ''}.`,
    ...(m.batch?.waves.length ? [`Batch waves: ${batchWavesText(m.batch.waves)}.`] : []),
    ...answeredBy(m),
    `Files in ${dir}: ${[...m.settings.formats.map((f) => `sft.${f}.jsonl`), ...(m.mix?.files ?? [])].join(', ')}, records.jsonl, rejected.jsonl${c.midtraining.total ? ', midtraining.jsonl' : ''}, manifest.json.`,
  ];
  if (m.status === 'cancelled') lines.push(`Run the same command again to resume.`);
  return `${lines.join('\n')}\n`;
}

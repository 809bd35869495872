import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  auditFilePaths,
  buildReport,
  DatasetError,
  DEFAULT_THRESHOLD,
  FilterError,
  filterDataset,
  MAX_BAD_LINES_KEPT,
  offlineAuditFile,
  readDataset,
  reportMarkdown,
  writeAuditFiles,
  type AuditRecord,
  type AuditReport,
  type FilterChoice,
  type OfflineAuditOptions,
  type OfflineAuditResult,
} from '../audit';
import { reportJson } from '../audit/reportJson';
import { DEFAULT_AUDIT_MODEL, estimateModelPass, runModelPass } from '../audit/modelPass';
import { NotRegularFileError } from '../files/regularFile';
import { requestPolicy } from '../llm/modelAccess';
import { count, usd as formatUsd } from '../format';
import { describeFailure } from '../generation/failures';
import { cliAnswerCache, cliModelAccess, cliTemplates } from './modelSetup';
import { interruptible, INTERRUPTED, INTERRUPTED_EXIT } from './interrupt';
import { UsageError } from './io';
import type { CliOutput } from './output';
import { emptyUsage } from '../llm/usage';
import { loadTemplates, AUDIT_TEMPLATE_STAGES } from '../llm/templates';

export const AUDIT_USAGE = `Usage: trait-studio audit DATASET.jsonl [--offline] [--format markdown|json] [--threshold 0.25]
                          [--min-support N] [--no-write] [--fail-on-flagged]
                          [--model NAME] [--max-usd X] [--no-cache] [--workspace-templates]
       trait-studio audit filter DATASET.jsonl --out OUT.jsonl [--drop ID,...] [--downsample ID=0.5,...]
                          [--seed 0] [--report FILE] [--format text|json]

Finds the surface patterns a dataset over-teaches: recurring opening and closing phrases (found in
the data, not from a list), closing and clarifying questions, bottom-line-first labels, apology and
feelings-validation openers, lists, headings, bold lead-ins and response length — overall and per
trait when the records say which trait they serve. DATASET is JSONL: OpenAI {"messages": [...]},
Gemini {"contents": [...]} or a run's records.jsonl; the last assistant (model) turn is the response.
A record's id is its "id" field, else its 0-based line number. Lines end in LF, CRLF or CR and may
start with a byte-order mark. Lines that are not JSON or hold no assistant turn are reported on
stderr with their (1-based) line numbers and skipped (the first ${MAX_BAD_LINES_KEPT} are kept in the report). The
offline audit and audit filter stream the file (reading it twice): each record's id and a few bytes
of features are kept, never the texts, so a dataset of any size is audited in bounded memory; the
model pass reads the records into memory.

Each pattern has a prevalence, broad (a softer form) and strict (the clear form); a pattern is
flagged when its strict prevalence reaches --threshold (default 0.25) overall or within a trait
(and at least 3 records match). Writes <name>.audit.json and <name>.audit.md beside <name>.jsonl
(unless --no-write) and prints the report as Markdown (default) or JSON.

  --offline          the offline detectors only (no model, no key, no cost)
  --min-support N    records a discovered phrase must open or close (default max(5, 2% of records),
                     and the same within each trait)
  --fail-on-flagged  exit with status 1 when any pattern is flagged (for CI)
Without --offline, the model pass (a model scans the records for patterns, merges them and rates
every record against each) runs too when a Gemini key is set (GEMINI_API_KEY, or Vertex AI as for
preview); its estimated cost is printed on stderr first. Without a key the audit is offline, with
a note on stderr.
  --model NAME       the model pass's model (default ${DEFAULT_AUDIT_MODEL})
  --max-usd X        do not run the model pass when its estimate is above X dollars or
                     unpriced (exit 2)
  --no-cache         neither read nor write the answer cache (in your user cache folder, as for
                     preview)
  --workspace-templates
                     use the model pass's templates in .traits/prompts/audit-*.md under the current
                     folder (as for preview); without it the shipped ones

audit filter writes OUT.jsonl: DATASET's lines copied byte for byte, without the records that match
the chosen patterns strictly. --drop leaves out every match of the patterns named (ids as in the
report); --downsample ID=F keeps the fraction F (0..1) of a pattern's matches, chosen by --seed
(the same seed, the same choice). Both may be repeated or comma-separated. What was left out, and
why, goes to OUT.log.jsonl. The patterns are those of a fresh offline audit, or of --report FILE (a
saved <name>.audit.json, needed to filter on model-pass patterns). OUT must not be DATASET.

Exit status: 0 done (flagged patterns or not), 1 with --fail-on-flagged when a pattern is flagged,
or when the model pass failed (the offline report is still written), 2 usage or I/O problem,
130 interrupted.
`;

/** `trait-studio audit` and `trait-studio audit filter`: returns the exit status. */
export async function runAudit(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'filter') return runFilter(argv.slice(1), out);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      offline: { type: 'boolean', default: false },
      format: { type: 'string', default: 'markdown' },
      threshold: { type: 'string' },
      'min-support': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'fail-on-flagged': { type: 'boolean', default: false },
      model: { type: 'string' },
      'max-usd': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'workspace-templates': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(AUDIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`audit takes one dataset\n\n${AUDIT_USAGE}`);
  if (values.format !== 'json' && values.format !== 'markdown')
    throw new UsageError(`--format must be markdown or json, not "${values.format}"`);
  const threshold = parseThreshold(values.threshold);
  let minSupport: number | undefined;
  if (values['min-support'] !== undefined) {
    minSupport = Number(values['min-support']);
    if (!/^\d+$/.test(values['min-support'].trim()) || minSupport < 1)
      throw new UsageError(`--min-support must be a whole number of records, at least 1, not "${values['min-support']}"`);
  }
  const maxUsd = values['max-usd'] === undefined ? undefined : Number(values['max-usd']);
  if (maxUsd !== undefined && !(maxUsd >= 0)) throw new UsageError(`--max-usd must be a number of dollars, not "${values['max-usd']}"`);

  const dataset = positionals[0];
  // Streamed: the records are not kept, whatever the size of the file.
  const offline = auditFile(dataset, { threshold, minSupport });
  reportBadLines(out, dataset, offline.badLines, offline.badLineCount);
  const patterns = offline.patterns;

  let status = 0;
  let modelPass: AuditReport['modelPass'] = null;
  if (!values.offline) {
    // The model pass reads the texts: only then are the records read into memory.
    const result = await modelPassOrNote(() => read(dataset).records, offline.records, out, env, {
      model: values.model,
      maxUsd,
      noCache: values['no-cache'],
      workspaceTemplates: values['workspace-templates'],
    });
    if (result === 'interrupted') return INTERRUPTED_EXIT;
    if (result && 'failed' in result) {
      status = 1;
      // The header says so: a report that looks like an offline one would hide that the pass failed.
      modelPass = { model: result.model, usage: emptyUsage(), cost: { usd: 0, unpriced: [] }, failed: result.failed };
    } else if (result) {
      patterns.push(...result.patterns);
      modelPass = {
        model: result.model,
        usage: result.usage,
        cost: result.cost,
        unrated: result.unrated?.length ?? 0,
        unscanned: result.unscanned?.length ?? 0,
      };
    }
  }

  const report = buildReport(dataset, offline.records, offline.badLines, patterns, threshold, modelPass, offline.badLineCount);
  if (!values['no-write']) {
    try {
      const paths = writeAuditFiles(dataset, report);
      out.stderr(`trait-studio: wrote ${paths.json} and ${paths.markdown}\n`);
    } catch (error) {
      const why = error instanceof NotRegularFileError ? error.message : ((error as NodeJS.ErrnoException).code ?? String(error));
      throw new UsageError(`cannot write the audit beside ${dataset} (${why}); use --no-write to print it only`);
    }
  }
  if (values.format === 'json') reportJson(report, (piece) => out.stdout(piece));
  else out.stdout(reportMarkdown(report));
  const anyFlagged = report.patterns.some((p) => p.flagged || Object.values(p.perTrait).some((t) => t.flagged));
  if (values['fail-on-flagged'] && anyFlagged) status = 1;
  return status;
}

/** `trait-studio audit filter`. */
function runFilter(argv: string[], out: CliOutput): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      drop: { type: 'string', multiple: true },
      downsample: { type: 'string', multiple: true },
      seed: { type: 'string', default: '0' },
      report: { type: 'string' },
      threshold: { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(AUDIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.out) throw new UsageError(`audit filter takes one dataset and --out OUT.jsonl\n\n${AUDIT_USAGE}`);
  if (values.format !== 'json' && values.format !== 'text') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const seed = Number(values.seed);
  if (!/^-?\d+$/.test(values.seed.trim()) || !Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
  const list = (v: string[] | undefined) =>
    (v ?? [])
      .flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter(Boolean);
  const choices: FilterChoice[] = list(values.drop).map((patternId) => ({ patternId, mode: 'drop' }));
  for (const item of list(values.downsample)) {
    const at = item.lastIndexOf('=');
    const keep = at > 0 ? Number(item.slice(at + 1)) : NaN;
    if (at <= 0 || item.slice(at + 1).trim() === '' || !(keep >= 0 && keep <= 1))
      throw new UsageError(`--downsample takes ID=FRACTION with a fraction from 0 to 1, e.g. closing-question=0.3, not "${item}"`);
    choices.push({ patternId: item.slice(0, at), mode: 'downsample', keep });
  }
  if (choices.length === 0) throw new UsageError('audit filter needs --drop ID or --downsample ID=FRACTION');

  const dataset = positionals[0];
  let report: AuditReport;
  if (values.report) {
    report = readReport(values.report);
  } else {
    const threshold = parseThreshold(values.threshold);
    const offline = auditFile(dataset, { threshold });
    report = buildReport(dataset, offline.records, offline.badLines, offline.patterns, threshold, null, offline.badLineCount);
  }
  let result;
  try {
    result = filterDataset(dataset, values.out, report, choices, seed);
  } catch (error) {
    if (error instanceof FilterError || error instanceof DatasetError) {
      const hint =
        error instanceof FilterError && !values.report && /no pattern/.test(error.message)
          ? `\n(model-pass patterns are in a saved report: --report ${auditFilePaths(dataset).json})`
          : '';
      throw new UsageError(`${error.message}${hint}`);
    }
    if (error instanceof NotRegularFileError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`cannot write ${values.out} (${code})`);
    throw error;
  }
  if (values.format === 'json') {
    out.stdout(`${JSON.stringify({ output: values.out, log: result.log, written: result.written, dropped: result.dropped }, null, 2)}\n`);
  } else {
    const byPattern = new Map<string, number>();
    for (const d of result.dropped) for (const p of d.patterns) byPattern.set(p, (byPattern.get(p) ?? 0) + 1);
    const detail = [...byPattern].map(([p, n]) => `${p}: ${n}`).join(', ');
    out.stdout(
      `Wrote ${count(result.written, 'record')} to ${values.out}; left out ${result.dropped.length}${detail ? ` (${detail})` : ''}. Log: ${result.log}\n`,
    );
  }
  return 0;
}

/** The model pass's patterns and spend; null (with a note on stderr) when it cannot run; why it failed, or 'interrupted', when it stopped. */
async function modelPassOrNote(
  loadRecords: () => readonly AuditRecord[],
  recordCount: number,
  out: CliOutput,
  env: NodeJS.ProcessEnv,
  options: { model?: string; maxUsd?: number; noCache: boolean; workspaceTemplates: boolean },
): Promise<Awaited<ReturnType<typeof runModelPass>> | { model: string; failed: string } | null | 'interrupted'> {
  let access;
  try {
    // The pass keeps 16 calls in flight; the policy's default of 4 per model would be the limit.
    access = cliModelAccess(env, 'run the model pass', {
      policy: () => requestPolicy({ timeoutSeconds: 120, perMinute: 0, concurrency: 16 }),
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.stderr(
      `trait-studio: note: no model pass (${error.message}); the offline detectors only. Use --offline to say so and silence this note.\n`,
    );
    return null;
  }
  if (recordCount === 0) return null;
  const records = loadRecords();
  const templates = cliTemplates(options.workspaceTemplates, out, (workspace) => loadTemplates(AUDIT_TEMPLATE_STAGES, workspace));
  const estimate = estimateModelPass(records, { model: options.model, templates });
  const usd = `${formatUsd(estimate.usd)}${estimate.unpriced.length ? ` (no price for ${estimate.unpriced.join(', ')})` : ''}`;
  out.stderr(
    `trait-studio: model pass: about ${count(estimate.requests, 'request')}, ${estimate.inputTokens} input and ${estimate.outputTokens} output tokens, ${usd}\n`,
  );
  if (options.maxUsd !== undefined && (estimate.usd > options.maxUsd || estimate.unpriced.length)) {
    throw new UsageError(`the model pass is estimated at ${usd}, above --max-usd ${options.maxUsd}; raise it, or use --offline`);
  }
  const cache = cliAnswerCache(options.noCache, out, env);
  let shown = -1;
  try {
    const result = await interruptible((signal) =>
      runModelPass(records, {
        provider: access.provider,
        providerId: access.providerId,
        model: options.model,
        cache,
        templates,
        signal,
        onProgress: (done, total) => {
          const tenth = Math.floor((done / Math.max(1, total)) * 10);
          if (tenth === shown) return;
          shown = tenth;
          out.stderr(`trait-studio: model pass: ${done}/${count(total, 'call')}\n`);
        },
      }),
    );
    if (result === INTERRUPTED) {
      out.stderr('trait-studio: interrupted; nothing written\n');
      return 'interrupted';
    }
    if (result.unrated?.length)
      out.stderr(
        `trait-studio: warning: model pass: ${count(result.unrated.length, 'record')} got no usable rating and are left out of its prevalences\n`,
      );
    if (result.unscanned?.length)
      out.stderr(
        `trait-studio: warning: model pass: ${count(result.unscanned.length, 'record was', 'records were')} not scanned for patterns\n`,
      );
    return result;
  } catch (error) {
    const failed = describeFailure(error instanceof Error ? error.message : String(error));
    out.stderr(`trait-studio: the model pass failed. ${failed} The report holds the offline patterns only.\n`);
    return { model: options.model ?? DEFAULT_AUDIT_MODEL, failed };
  }
}

function parseThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_THRESHOLD;
  const t = Number(text);
  if (text.trim() === '' || !(t >= 0 && t <= 1)) throw new UsageError(`--threshold must be a share from 0 to 1 (e.g. 0.25), not "${text}"`);
  return t;
}

function read(dataset: string): ReturnType<typeof readDataset> {
  try {
    return readDataset(dataset);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(error.message);
    throw error;
  }
}

function auditFile(dataset: string, options: OfflineAuditOptions): OfflineAuditResult {
  try {
    return offlineAuditFile(dataset, options);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(error.message);
    throw error;
  }
}

const MAX_BAD_LINES = 20;

function reportBadLines(out: CliOutput, dataset: string, badLines: readonly { line: number; reason: string }[], total: number): void {
  for (const b of badLines.slice(0, MAX_BAD_LINES)) out.stderr(`${dataset}:${b.line}: skipped: ${b.reason}\n`);
  if (total > MAX_BAD_LINES)
    out.stderr(
      `${dataset}: ${count(total - MAX_BAD_LINES, 'more bad line')} skipped (${badLines.length < total ? `the first ${badLines.length.toLocaleString('en-US')} are` : 'all are'} listed in the JSON report)\n`,
    );
}

/** A saved report (`<name>.audit.json`), checked enough to filter with. */
function readReport(path: string): AuditReport {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code ? `cannot read (${code})` : `not JSON (${(error as Error).message})`}`);
  }
  const r = value as Partial<AuditReport>;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.records === 'number' &&
    Array.isArray(r.patterns) &&
    r.patterns.every((p) => typeof p?.id === 'string' && Array.isArray(p.records));
  if (!ok) throw new UsageError(`${path}: not an audit report (expected "records" and "patterns" with "id" and "records")`);
  return r as AuditReport;
}

import { parseArgs } from 'node:util';
import { checkMixOptions, describeBadLines, describeMix, mixRun, readBaselineFile, type MixOptions } from '../generation/mix';
import { RunError } from '../generation/run';
import { UsageError } from './io';
import type { CliOutput } from './output';

/** The mixing flags' help, shared by `mix` and `generate`. */
export const MIX_FLAGS_HELP = `  --mix FILE            a baseline SFT file (JSONL, OpenAI {"messages":[…]} or Gemini
                        {"contents":[…]} lines, as sft.openai.jsonl / sft.gemini.jsonl are written)
                        to mix into sft.mixed.openai.jsonl / sft.mixed.gemini.jsonl
  --mix-ratio R         baseline records per synthetic record (a number >= 0; default 1): the
                        mix takes round(R × accepted records) baseline records, a seeded random
                        sample of the file; when the file has fewer valid ones, all of them, and
                        says how many short in the output and the manifest
  --seed N              the seed of the sample and the shuffle, 0 to 4294967295 (default random;
                        recorded in the manifest, so the same seed gives the same files)
  --skip-bad-lines      mix although some lines of FILE are no training example (they are listed
                        and counted in the manifest); without it, bad lines stop the mix`;

export const MIX_USAGE = `Usage: trait-studio mix RUN_DIR --mix FILE [--mix-ratio 1] [--seed N] [--skip-bad-lines]
                        [--format text|json]

Mixes a finished run's accepted records with baseline SFT data (which keeps a model trained on the
synthetic records from collapsing onto the traits): writes sft.mixed.openai.jsonl and/or
sft.mixed.gemini.jsonl (the run's formats) in RUN_DIR, the synthetic and baseline records shuffled
together, and records the counts, ratio, seed and the baseline file's path and SHA-256 as "mix" in
RUN_DIR/manifest.json. Mixing again replaces the files; a run resumed later drops "mix" from its
manifest (mix again: the synthetic records changed). "generate --mix" does the same when its run ends.

${MIX_FLAGS_HELP}
  --format json         print the manifest's "mix" on stdout
Exit status: 0 mixed, 2 usage or I/O problem (bad lines included).
`;

/** The mix options of parsed flags, the baseline file read and checked; undefined without --mix. UsageError for a bad flag or bad lines. */
export function mixOptionsOf(values: {
  mix?: string;
  'mix-ratio'?: string;
  seed?: string;
  'skip-bad-lines'?: boolean;
}): MixOptions | undefined {
  if (values.mix === undefined) {
    const stray = (['mix-ratio', 'seed', 'skip-bad-lines'] as const).filter((f) => values[f] !== undefined && values[f] !== false);
    if (stray.length) throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')} without --mix FILE`);
    return undefined;
  }
  const ratioText = values['mix-ratio'] ?? '1';
  const ratio = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(ratioText) ? Number(ratioText) : NaN;
  if (!Number.isFinite(ratio))
    throw new UsageError(`--mix-ratio must be a number of baseline records per synthetic record, 0 or more, not "${ratioText}"`);
  const seed = values.seed === undefined ? undefined : /^\d+$/.test(values.seed.trim()) ? Number(values.seed) : NaN;
  if (seed !== undefined && !(seed <= 0xffffffff))
    throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not "${values.seed}"`);
  try {
    const options: MixOptions = { baseline: readBaselineFile(values.mix), ratio, seed, skipBadLines: values['skip-bad-lines'] };
    checkMixOptions(options);
    return options;
  } catch (error) {
    if (error instanceof RunError) throw new UsageError(error.message);
    throw error;
  }
}

/** Mixes `dir` with `options`, reports on stderr (bad lines skipped with their numbers first); returns the manifest's mix record. */
export function mixAndReport(dir: string, options: MixOptions, out: CliOutput): ReturnType<typeof mixRun> {
  if (options.baseline.bad.length) out.stderr(`skipping bad lines of the baseline file:\n${describeBadLines(options.baseline)}\n`);
  try {
    const mix = mixRun(dir, options);
    for (const line of describeMix(mix)) out.stderr(`${line}\n`);
    return mix;
  } catch (error) {
    if (error instanceof RunError) throw new UsageError(error.message);
    throw error;
  }
}

/** `trait-studio mix`: returns the exit status. */
export function runMix(argv: string[], out: CliOutput): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mix: { type: 'string' },
      'mix-ratio': { type: 'string' },
      seed: { type: 'string' },
      'skip-bad-lines': { type: 'boolean' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.stdout(MIX_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || values.mix === undefined) throw new UsageError(`mix takes one run folder and --mix FILE\n\n${MIX_USAGE}`);
  if (values.format !== 'json' && values.format !== 'text') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const mix = mixAndReport(positionals[0], mixOptionsOf(values)!, out);
  if (values.format === 'json') out.stdout(`${JSON.stringify(mix, null, 2)}\n`);
  else out.stdout(`${mix.files.join('\n')}\n`);
  return 0;
}

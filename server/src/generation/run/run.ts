/** A generation run: many scenarios through the preview's stages, into a folder that survives faults. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTraitDocument } from '../../document/parse';
import { TEMPORARY_FILE } from '../../files/atomicWrite';
import { checkRegularOrAbsent } from '../../files/regularFile';
import { DEFAULT_ROLE_MODELS } from '../../llm/catalogue';
import { DEFAULT_DEDUP_THRESHOLD, SETTINGS } from '../../llm/settings';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES } from '../../llm/templates';
import { DEFAULT_MODELS, type StageModels } from '../stages/stage';
import { ioError, RunError } from './errors';
import { DEFAULT_EMBEDDING_DIMENSIONS } from './dedup';
import { SFT_FORMATS, sftFile } from './formats';
import { planItems, selectTraits } from './items';
import { identityDifferences, MANIFEST_FILE, MIDTRAINING_FILE, readManifest, RECORDS_FILE, REJECTED_FILE } from './manifest';
import { freshManifest } from './manifestBuilder';
import { listDir } from './resume';
import { Session } from './session';
import { lockRunFolder } from './store';
import type { RunManifest, RunOptions, RunSettings } from './types';

/** The embedding model of near-duplicate rejection when none is given (the model catalogue's). */
export const DEFAULT_EMBEDDING_MODEL = DEFAULT_ROLE_MODELS.embedding;

/**
 * Runs (or resumes) a generation run into `options.outDir` and resolves with its final manifest.
 *
 * Items: `perTrait` scenarios for each selected trait, each through the preview's stages (one
 * brainstorm per trait, then scenario → critique → baseline → sharpen → response → autorate),
 * with at most `concurrency` model calls in flight, under per-model request and token limits (see
 * RunOptions), with the providers' retry and timeout policy. Each item ends in exactly one file:
 * - `records.jsonl` (RunRecord) when the autorater keeps it and its final prompt is not a duplicate —
 *   and then in `sft.openai.jsonl` / `sft.gemini.jsonl` (the user message and the response only);
 * - `rejected.jsonl` (RejectedRecord) with reason `autorater`, `duplicate` (with the accepted item
 *   it is too close to) or `error` (what failed).
 * Then `midtraining` documents go to `midtraining.jsonl` ({id, text, doc_type, trait_ids}), a failed
 * one to `rejected.jsonl` (kind `midtraining`).
 *
 * Crash safety: each line is one synced write of a complete line; `manifest.json` is replaced
 * atomically. Item ids are `${traitId}-${chunkHash[0..8)}-${index}`. Running again into the same
 * folder resumes: a torn last line is cut off, items already in either file are skipped (failed
 * ones too, unless `retryFailed`), the SFT files are rebuilt from `records.jsonl` if they lag it,
 * and with `cache` the finished stages of interrupted items are not asked again. A folder holding a
 * run of another document or other settings is refused.
 *
 * Resolves with status `completed` (items that failed are counted in `counts.failed`) or
 * `cancelled` (the signal aborted; what finished is kept, rerun to resume). Rejects with RunError:
 * `usage` (bad options, unknown trait), `mismatch` (the folder holds something else), `busy` (another
 * process runs into it), `io` (a file could not be read or written). Once the folder is locked, any
 * error that stops the run is written to the manifest (status `failed`, `error`) when it still can
 * be, and rethrown; the folder stays resumable.
 */
export async function runDataset(options: RunOptions): Promise<RunManifest> {
  const started = Date.now();
  const document = parseTraitDocument(options.documentText);
  const traits = selectTraits(document, options.traits);
  const settings = checkSettings(
    options,
    traits.map((t) => t.id),
  );
  const items = planItems(document, traits, settings.perTrait);
  const models: StageModels = { ...DEFAULT_MODELS, ...options.models };
  const midtrainingTemplates =
    settings.midtraining > 0 ? (options.midtrainingTemplates ?? loadTemplates(MIDTRAINING_TEMPLATE_STAGES)) : undefined;
  const dir = options.outDir;

  const fresh = freshManifest({
    documentPath: options.documentPath,
    documentText: options.documentText,
    settings,
    models,
    templates: [...Object.values(options.templates), ...Object.values(midtrainingTemplates ?? {})],
    items: items.length,
    startedAt: started,
  });

  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw ioError(`cannot create ${dir}`, error);
  }
  checkRunFiles(dir);
  const previous = readManifest(dir);
  if (previous) {
    const differences = identityDifferences(previous, fresh);
    if (differences.length) {
      throw new RunError(
        'mismatch',
        `${dir} holds a run of another document or other settings (they differ in: ${differences.join('; ')}); use another folder, or delete this one to start over`,
      );
    }
    if (previous.batch && !options.batch)
      throw new RunError(
        'usage',
        `${dir} holds a batch-mode run: resume it in batch mode (--batch), so its jobs are polled, not asked again`,
      );
  } else {
    // A lock or a temporary manifest is what a session killed before its first manifest leaves.
    const others = listDir(dir).filter((name) => name !== 'run.lock' && !TEMPORARY_FILE.test(name));
    if (others.length)
      throw new RunError('mismatch', `${dir} is not empty and holds no run (no ${MANIFEST_FILE}); use a new or empty folder`);
  }

  const unlock = lockRunFolder(dir);
  const session = new Session({ options, settings, document, items, models, fresh, previous, startedAt: started, midtrainingTemplates });
  try {
    return await session.run();
  } finally {
    session.close();
    unlock();
  }
}

/** The settings of `options`, checked; throws RunError('usage') for one out of range. */
function checkSettings(options: RunOptions, traits: string[]): RunSettings {
  const whole = (name: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new RunError('usage', `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
    return value;
  };
  const optional = (name: string, value: number | undefined) =>
    value === undefined ? null : whole(name, value, 1, Number.MAX_SAFE_INTEGER);
  const formats = [...new Set(options.formats)];
  if (formats.length === 0 || formats.some((f) => !SFT_FORMATS.includes(f))) {
    throw new RunError('usage', `formats must name one or more of ${SFT_FORMATS.join(', ')}, not ${JSON.stringify(options.formats)}`);
  }
  const threshold = options.dedupThreshold ?? DEFAULT_DEDUP_THRESHOLD;
  if (!(typeof threshold === 'number' && threshold > 0 && threshold <= 1))
    throw new RunError('usage', `dedupThreshold must be above 0 and at most 1, not ${String(threshold)}`);
  const window = options.rateWindowMs ?? 60_000;
  if (!(typeof window === 'number' && Number.isFinite(window) && window > 0))
    throw new RunError('usage', `rateWindowMs must be a positive number, not ${String(window)}`);
  if (!options.providerId) throw new RunError('usage', 'providerId must name the provider (e.g. "gemini")');
  if (options.midtrainingDocTypes && !options.midtrainingDocTypes.some((t) => t.trim()))
    throw new RunError('usage', 'midtrainingDocTypes names no document type');
  const embeddingModel = options.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
  if (!embeddingModel.trim()) throw new RunError('usage', 'embeddingModel must name a model');
  const embeddingDimensions =
    options.embeddingDimensions === null
      ? null
      : whole('embeddingDimensions', options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS, 1, 3072);
  return {
    traits,
    perTrait: whole('perTrait', options.perTrait, SETTINGS['generate.perTrait'].min, SETTINGS['generate.perTrait'].max),
    formats,
    midtraining: whole('midtraining', options.midtraining, 0, 1_000_000),
    midtrainingDocTypes: options.midtrainingDocTypes ? [...options.midtrainingDocTypes] : null,
    concurrency: whole('concurrency', options.concurrency, SETTINGS['generate.concurrency'].min, SETTINGS['generate.concurrency'].max),
    requestsPerMinute: optional('requestsPerMinute', options.requestsPerMinute),
    tokensPerMinute: optional('tokensPerMinute', options.tokensPerMinute),
    rateWindowMs: window,
    dedupThreshold: threshold,
    embeddingModel,
    embeddingDimensions,
    providerId: options.providerId,
    baselineProviderId: options.baselineProviderId ?? null,
    embeddingProviderId: options.embeddingProviderId ?? options.providerId,
    serviceTier: options.serviceTier ?? 'standard',
  };
}

/**
 * Refuses a run folder whose files (or lock) are symbolic links or not regular files: appending to
 * or rewriting a link would change a file outside the run. Throws RunError('io') naming the file.
 */
function checkRunFiles(dir: string): void {
  for (const name of [MANIFEST_FILE, RECORDS_FILE, REJECTED_FILE, MIDTRAINING_FILE, ...SFT_FORMATS.map(sftFile), 'run.lock']) {
    const path = join(dir, name);
    try {
      checkRegularOrAbsent(path);
    } catch (error) {
      throw ioError(`${dir} cannot be used as a run folder`, error);
    }
  }
}

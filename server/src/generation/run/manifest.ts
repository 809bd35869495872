/** The run folder's manifest and item files, read back for a resume or a report. */
import { join } from 'node:path';
import { readRegularFile } from '../../files/regularFile';
import { ioError, RunError } from './errors';
import { readJsonl } from './store';
import type { RejectedRecord, RunManifest, RunRecord } from './types';

export const MANIFEST_FILE = 'manifest.json';
export const RECORDS_FILE = 'records.jsonl';
export const REJECTED_FILE = 'rejected.jsonl';
export const MIDTRAINING_FILE = 'midtraining.jsonl';

/**
 * The manifest of the run in `dir` (its `manifest.json`), or undefined when there is none (the
 * folder or the file is absent). Throws RunError('io') when the file exists but cannot be read or
 * is not a run manifest (not JSON, or missing its version, document, settings or status), or is a
 * symbolic link or not a regular file.
 */
export function readManifest(dir: string): RunManifest | undefined {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readRegularFile(path).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw ioError(`cannot read ${path}`, error);
  }
  let value: Partial<RunManifest> | null;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunError('io', `${path} is not a run manifest: not JSON (${(error as Error).message})`);
  }
  if (
    !value ||
    typeof value !== 'object' ||
    value.version !== 1 ||
    typeof value.document?.sha256 !== 'string' ||
    !value.settings ||
    typeof value.status !== 'string'
  ) {
    throw new RunError('io', `${path} is not a run manifest of this version (it needs version 1, document, settings and status)`);
  }
  return value as RunManifest;
}

/**
 * The items of the run in `dir`: `records.jsonl` (accepted) and `rejected.jsonl`, in the order
 * written. A torn last line (a write cut short by a crash, or one in progress) and lines that are
 * not JSON objects are skipped, and the files are not changed; an id seen twice keeps its first
 * line. Absent files are empty. Throws RunError('io') when a file exists but cannot be read.
 */
export function readRunItems(dir: string): { accepted: RunRecord[]; rejected: RejectedRecord[] } {
  const seen = new Set<string>();
  const first = <T extends { id: string }>(values: T[]) =>
    values.filter((v) => {
      if (typeof v.id !== 'string' || seen.has(v.id)) return false;
      seen.add(v.id);
      return true;
    });
  const accepted = first(readJsonl<RunRecord>(join(dir, RECORDS_FILE)).values);
  const rejected = first(readJsonl<RejectedRecord>(join(dir, REJECTED_FILE)).values);
  return { accepted, rejected };
}

/**
 * What differs between the identity of two runs: the document text, the settings that shape the
 * data, the models and the templates (not formats, concurrency, rate limits or prices, which a
 * resume may change). Empty when `next` may resume `previous`.
 */
export function identityDifferences(previous: RunManifest, next: RunManifest): string[] {
  const differences: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (previous.document.sha256 !== next.document.sha256)
    differences.push(`the document's text (${previous.document.path} then, ${next.document.path} now)`);
  const keys = [
    'traits',
    'perTrait',
    'midtraining',
    'midtrainingDocTypes',
    'dedupThreshold',
    'embeddingModel',
    'providerId',
    'baselineProviderId',
    'embeddingProviderId',
  ] as const;
  for (const key of keys) {
    if (!same(previous.settings?.[key], next.settings[key]))
      differences.push(`${key} (${JSON.stringify(previous.settings?.[key] ?? null)} then, ${JSON.stringify(next.settings[key])} now)`);
  }
  for (const role of Object.keys(next.models) as (keyof RunManifest['models'])[]) {
    if (previous.models?.[role] !== next.models[role])
      differences.push(`the ${role} model (${previous.models?.[role]} then, ${next.models[role]} now)`);
  }
  const stages = new Set([...Object.keys(previous.templates ?? {}), ...Object.keys(next.templates)]);
  for (const stage of stages) {
    if (previous.templates?.[stage]?.sha256 !== next.templates[stage]?.sha256) differences.push(`the ${stage} prompt template`);
  }
  return differences;
}

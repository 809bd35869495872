/** The run's manifest and progress as a session goes: what earlier sessions recorded plus what this one did. */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { defaultPrices, estimateCost, type ModelPrice } from '../../llm/cost';
import type { Template } from '../../llm/templates';
import { addUsage, emptyUsage, type StageUsage } from '../../llm/usage';
import type { StageModels } from '../stages/stage';
import type { OutcomeCounts } from './resume';
import type { RunCounts, RunManifest, RunProgress, RunSettings } from './types';

/** The SHA-256 of `text`, in hex. */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The manifest of a run that has not started: status `running`, every item and document pending,
 * nothing spent; `templates` are recorded by stage with their file and SHA-256. Times are `startedAt`
 * (ms since the epoch). Its identity (document, settings, models, templates) is what a resume compares.
 */
export function freshManifest(run: {
  documentPath: string;
  documentText: string;
  settings: RunSettings;
  models: StageModels;
  templates: readonly Template<string>[];
  items: number;
  startedAt: number;
}): RunManifest {
  const now = new Date(run.startedAt).toISOString();
  const { settings } = run;
  return {
    version: 1,
    status: 'running',
    error: null,
    document: { path: resolve(run.documentPath), sha256: sha256(run.documentText) },
    settings,
    models: { ...run.models, embedding: settings.embeddingModel },
    templates: Object.fromEntries(run.templates.map((t) => [t.stage, { path: t.path, sha256: sha256(t.text) }])),
    counts: {
      total: run.items,
      accepted: 0,
      rejected: 0,
      autorater: 0,
      duplicate: 0,
      failed: 0,
      pending: run.items,
      midtraining: { total: settings.midtraining, written: 0, failed: 0, pending: settings.midtraining },
    },
    usage: emptyUsage(),
    modelVersions: {},
    embeddings: { requests: 0, texts: 0 },
    cost: { usd: 0, unpriced: [] },
    timings: { startedAt: now, updatedAt: now, finishedAt: null, elapsedMs: 0, sessions: 0 },
  };
}

/** What a session has done so far, as the manifest and the progress report it. */
export interface SessionTally {
  readonly counts: OutcomeCounts;
  /** This session's spend (earlier sessions' is in the previous manifest). */
  readonly usage: StageUsage;
  /** Model versions that answered this session, by model asked for. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
  readonly embeddings: { readonly requests: number; readonly texts: number };
  /** When the session started, ms since the epoch. */
  readonly startedAt: number;
}

/** Earlier sessions' usage (as recorded in `previous`) plus this session's. */
function runUsage(previous: RunManifest | undefined, tally: SessionTally): StageUsage {
  return addUsage(addUsage(emptyUsage(), previous?.usage ?? emptyUsage()), tally.usage);
}

/** The run's counts: this session's `counts` (which include earlier sessions' outcomes, read on resuming) over `items` and `settings.midtraining`. */
function runCounts(c: OutcomeCounts, items: number, midtraining: number): RunCounts {
  const done = c.accepted + c.autorater + c.duplicate + c.failed;
  return {
    total: items,
    accepted: c.accepted,
    rejected: c.autorater + c.duplicate,
    autorater: c.autorater,
    duplicate: c.duplicate,
    failed: c.failed,
    pending: items - done,
    midtraining: {
      total: midtraining,
      written: c.midtrainingWritten,
      failed: c.midtrainingFailed,
      pending: Math.max(0, midtraining - c.midtrainingWritten - c.midtrainingFailed),
    },
  };
}

/**
 * `current` brought up to `now` (ms since the epoch) with `status` and `error`: counts, usage (all
 * sessions), embeddings, answering model versions, cost at `prices` (default the catalogue's) and
 * timings, each adding what `previous` (the manifest found on resuming) recorded.
 */
export function nextManifest(
  current: RunManifest,
  previous: RunManifest | undefined,
  tally: SessionTally,
  update: { status: RunManifest['status']; error: string | null; now: number; prices?: Readonly<Record<string, ModelPrice>> },
): RunManifest {
  const usage = runUsage(previous, tally);
  const at = new Date(update.now).toISOString();
  return {
    ...current,
    status: update.status,
    error: update.error,
    counts: runCounts(tally.counts, current.counts.total, current.settings.midtraining),
    usage,
    embeddings: {
      requests: (previous?.embeddings?.requests ?? 0) + tally.embeddings.requests,
      texts: (previous?.embeddings?.texts ?? 0) + tally.embeddings.texts,
    },
    modelVersions: mergeVersions(previous?.modelVersions, tally.versions),
    cost: estimateCost(usage.byModel, update.prices ?? defaultPrices()),
    timings: {
      startedAt: previous?.timings?.startedAt ?? current.timings.startedAt,
      updatedAt: at,
      finishedAt: update.status === 'running' ? null : at,
      elapsedMs: (previous?.timings?.elapsedMs ?? 0) + (update.now - tally.startedAt),
      sessions: (previous?.timings?.sessions ?? 0) + 1,
    },
  };
}

/** The progress of a run of `items` items and `midtraining` documents, as `onProgress` hears it. */
export function runProgress(
  previous: RunManifest | undefined,
  tally: SessionTally,
  items: number,
  midtraining: number,
  prices?: Readonly<Record<string, ModelPrice>>,
): RunProgress {
  const c = tally.counts;
  const usage = runUsage(previous, tally);
  return {
    total: items,
    done: c.accepted + c.autorater + c.duplicate + c.failed,
    accepted: c.accepted,
    rejected: c.autorater + c.duplicate,
    duplicates: c.duplicate,
    failed: c.failed,
    midtraining: { total: midtraining, written: c.midtrainingWritten, failed: c.midtrainingFailed },
    usage,
    cost: estimateCost(usage.byModel, prices ?? defaultPrices()),
    elapsedMs: Date.now() - tally.startedAt,
  };
}

/** Earlier sessions' answering versions (absent in an older manifest) merged with this session's, each list sorted. */
function mergeVersions(
  earlier: Readonly<Record<string, readonly string[]>> | undefined,
  now: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const merged: Record<string, string[]> = {};
  for (const source of [earlier ?? {}, now]) {
    for (const [model, versions] of Object.entries(source)) merged[model] = [...new Set([...(merged[model] ?? []), ...versions])].sort();
  }
  return merged;
}

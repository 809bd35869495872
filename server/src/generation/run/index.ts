/**
 * Generation runs: SFT (and midtraining) datasets made from a trait document into a folder that
 * survives faults. No `vscode` import: the extension host and the CLI share it.
 *
 * A run folder holds:
 * - `manifest.json` (RunManifest): document path and SHA-256, settings, template hashes, models and
 *   the model versions that answered, counts, usage, cost, timings, status — replaced atomically;
 * - `records.jsonl` (RunRecord): every accepted scenario, every stage's output and the model version
 *   that gave it, models, rating, usage;
 * - `rejected.jsonl` (RejectedRecord): every other scenario with its reason (autorater, duplicate
 *   with its pair, error) and failed midtraining documents;
 * - `sft.openai.jsonl` / `sft.gemini.jsonl`: the accepted records as training examples (user
 *   message and response, no system prompt), in the selected formats;
 * - `midtraining.jsonl`: `{"id","text","doc_type","trait_ids"}` when midtraining documents were asked for;
 * - `run.lock` while a process writes to it.
 * JSONL files are appended whole line by whole line; rerunning into the folder resumes. A batch-mode
 * run (RunOptions.batch, ./waves) writes the same files; its manifest adds `batch.waves`.
 *
 * Errors are RunError (./errors): code `usage`, `mismatch`, `busy` or `io`.
 */
export { DEFAULT_EMBEDDING_MODEL, runDataset } from './run';
export { estimateRun } from './estimate';
export { readManifest, readRunItems } from './manifest';
export type { BatchRecord, WaveRecord, WaveState } from './waves';
export type { BatchRunOptions, RunOptions, RunManifest, RunProgress, RunEstimate, RunRecord, RejectedRecord } from './types';
// The shapes those are made of, for callers that name them.
export type { RejectedMidtraining, RejectedScenario, RunCounts, RunEstimateInput, RunSettings, RunStatus, SftFormat } from './types';
export { RunError } from './errors';

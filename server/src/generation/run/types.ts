import type { AnswerLimits } from '../../llm/answerCheck';
import type { ModelProvider, ServiceTier } from '../../llm/provider';
import type { AnswerCache } from '../../llm/cache';
import type { StageOutputs } from '../preview';
import type { ModelPrice } from '../../llm/cost';
import type { Rating } from '../stages/autorate';
import type { Idea } from '../stages/brainstorm';
import type { StageModels } from '../stages/stage';
import type { MidtrainingTemplateStage, Template, TemplateStage } from '../../llm/templates';
import type { ModelVersions } from '../../llm/ask';
import type { StageUsage, TokenCount } from '../../llm/usage';
import type { BatchService } from '../../llm/batch';
import type { BatchRecord } from './waves';

/** The SFT file formats a run writes: `sft.openai.jsonl` and `sft.gemini.jsonl`. */
export type SftFormat = 'openai' | 'gemini';

/** Where a run stands: `running` while a session works on it (or after a crash), then how it ended. */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/**
 * What `runDataset` makes and how. Settings that shape the data (document, traits, perTrait,
 * midtraining, models, templates, dedup, provider ids) identify the run: a folder holding a run with
 * other values is refused. The rest (formats, concurrency, rate limits, prices, callbacks) may change
 * from one session to the next.
 */
export interface RunOptions {
  /** The trait document's path, recorded in the manifest (the text read is `documentText`). */
  readonly documentPath: string;
  /** The text to generate from, possibly an unsaved editor buffer; its SHA-256 identifies the run. */
  readonly documentText: string;
  /** The run's folder; created when absent. Must be empty, absent or hold a run of the same document and settings. */
  readonly outDir: string;
  /** Trait ids to generate for, in this order; default every trait of the document. An unknown id is an error. */
  readonly traits?: readonly string[];
  /** Scenarios per trait (1..1000): the brainstorm asks for this many ideas, each becomes one item. */
  readonly perTrait: number;
  /** SFT files to write; at least one. */
  readonly formats: readonly SftFormat[];
  /** Midtraining documents to make (generation/midtraining.ts) into `midtraining.jsonl`; 0 = none. */
  readonly midtraining: number;
  /** Midtraining document types; default that module's DEFAULT_DOC_TYPES. */
  readonly midtrainingDocTypes?: readonly string[];
  /** Midtraining prompt templates (workspace overrides); default the shipped ones. */
  readonly midtrainingTemplates?: Readonly<Record<MidtrainingTemplateStage, Template<MidtrainingTemplateStage>>>;
  /**
   * Model calls in flight at once, all models together (1..256); twice as many items are worked on,
   * the ones furthest along first, so no slot idles. Midtraining documents are made afterwards under
   * the same cap (so are the embedding calls). The providers' own RequestPolicy also
   * caps requests in flight per model (default 4): build it with at least this `concurrency`, or it
   * is the limit.
   */
  readonly concurrency: number;
  /**
   * Per model, at most this many model calls start in any window of `rateWindowMs` (default a
   * minute); none when absent. Counted per call: retries inside a provider's RequestPolicy are not
   * seen here, so give that policy the same `requestsPerMinute` to cap every attempt (the CLI does).
   */
  readonly requestsPerMinute?: number;
  /**
   * Per model, at most this many input tokens (Gemini's TPM counts input) in any window of
   * `rateWindowMs`: estimated at 4 characters a token when a call starts, corrected to the
   * provider's count when it answers. A single call larger than the limit goes alone. None when absent.
   */
  readonly tokensPerMinute?: number;
  /** The rate limits' window in ms; default 60 000. Tests and benchmarks scale it down. */
  readonly rateWindowMs?: number;
  /** An accepted prompt whose cosine similarity to an earlier accepted one is at or above this (0 < t <= 1) is rejected as a duplicate; default 0.9. */
  readonly dedupThreshold?: number;
  /** The model that embeds the final user prompts for deduplication; default 'gemini-embedding-001'. */
  readonly embeddingModel?: string;
  /**
   * The embedding dimension asked for (1 to 3072; Gemini's outputDimensionality, OpenAI's
   * dimensions), or null for the model's full length; default 768 (DEFAULT_EMBEDDING_DIMENSIONS).
   * Not part of the run's identity: a resumed run embeds its earlier accepted prompts again at
   * this session's dimension (from the answer cache when it has them), so vectors of different
   * lengths are never compared.
   */
  readonly embeddingDimensions?: number | null;
  /** Embeds the prompts; default `provider` (Gemini's batchEmbedContents, or an OpenAI-compatible `/embeddings`). */
  readonly embeddingProvider?: ModelProvider;
  /** Names `embeddingProvider` in cache keys and the run's identity; default `providerId`. */
  readonly embeddingProviderId?: string;
  readonly provider: ModelProvider;
  /** Names `provider` in cache keys and the run's identity, e.g. "gemini", "vertex-ai". */
  readonly providerId: string;
  /**
   * The service tier `provider` asks for (llm/modelAccess.ts builds it), recorded in the manifest;
   * default standard. Not part of the run's identity: a run may resume at another tier (what each
   * tier spent is in the usage's `tiers`).
   */
  readonly serviceTier?: ServiceTier;
  /** Gives the baseline (no system prompt), e.g. the model being trained; default `provider`. */
  readonly baselineProvider?: ModelProvider;
  /** Names `baselineProvider`; without it a separate baseline provider's answers are not cached. */
  readonly baselineProviderId?: string;
  /** Models per role; missing roles take DEFAULT_MODELS. */
  readonly models?: Partial<StageModels>;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  /** Answers already given are served from here (a resumed item's finished stages cost nothing). */
  readonly cache?: AnswerCache;
  /** What an answer may be (answerCheck.ts): a cut-off, malformed or oversized one fails its item. Default DEFAULT_ANSWER_LIMITS. */
  readonly answerLimits?: AnswerLimits;
  /** USD per million tokens by model; default the model catalogue's (cost.ts `defaultPrices`). */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** Runs again the items (and midtraining documents) an earlier session failed, instead of keeping their failure. */
  readonly retryFailed?: boolean;
  /** Cancelling stops the run: what is finished stays, the manifest says `cancelled`, and a rerun resumes. */
  readonly signal?: AbortSignal;
  /** Hears the counts after each item and at start and end. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Hears one line per finished item and per notable event (resume, repair, removed file). */
  readonly onLog?: (line: string) => void;
  /**
   * Batch mode (waves.ts): the stages' calls go as Gemini batch jobs, one per stage across all
   * items, at batch prices (half the standard ones). Needed to resume a run whose manifest has
   * `batch`. `provider` still names the run and answers nothing but a separate baseline provider's calls.
   */
  readonly batch?: BatchRunOptions;
}

/** How a batch-mode run reaches the Batch API and how it waits. */
export interface BatchRunOptions {
  readonly service: BatchService;
  /** Waits between polls (tests inject one that returns at once); default a timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** First poll interval, ms (default 10 000), growing 1.5 times a poll up to `maxPollMs` (default 300 000). */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
}

/** Counts of a run so far, earlier sessions included. done = accepted + rejected + failed. */
export interface RunProgress {
  /** Items (scenarios) in the run: traits × perTrait. */
  readonly total: number;
  readonly done: number;
  readonly accepted: number;
  /** Rejected by the autorater or as duplicates (not failures). */
  readonly rejected: number;
  /** The part of `rejected` that were duplicates. */
  readonly duplicates: number;
  /** Items that failed (a stage or the embedding gave up). */
  readonly failed: number;
  readonly midtraining: { readonly total: number; readonly written: number; readonly failed: number };
  /** Tokens spent by the whole run, every session (see RunManifest.usage). */
  readonly usage: StageUsage;
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
  /** This session's time so far, ms. */
  readonly elapsedMs: number;
}

/** The settings a run was made with (see RunOptions); `null` for what was not set. */
export interface RunSettings {
  readonly traits: string[];
  readonly perTrait: number;
  readonly formats: SftFormat[];
  readonly midtraining: number;
  readonly midtrainingDocTypes: string[] | null;
  readonly concurrency: number;
  readonly requestsPerMinute: number | null;
  readonly tokensPerMinute: number | null;
  readonly rateWindowMs: number;
  readonly dedupThreshold: number;
  readonly embeddingModel: string;
  /** Absent in the manifests of runs made before it was recorded (they used the model's full length). */
  readonly embeddingDimensions: number | null;
  readonly providerId: string;
  readonly baselineProviderId: string | null;
  readonly embeddingProviderId: string;
  /** The service tier of the session that wrote the manifest last (absent in a manifest written before it was recorded: standard). */
  readonly serviceTier?: ServiceTier;
}

/** Item counts in the manifest. total = accepted + autorater + duplicate + failed + pending. */
export interface RunCounts {
  total: number;
  accepted: number;
  /** autorater + duplicate. */
  rejected: number;
  autorater: number;
  duplicate: number;
  failed: number;
  /** Not done yet (a cancelled or crashed session's remainder). */
  pending: number;
  midtraining: { total: number; written: number; failed: number; pending: number };
}

/**
 * `manifest.json`: the run's identity, settings, counts, spend and state, rewritten atomically
 * (temporary file, then rename) as the run goes and when it ends. After a crash it may lag the
 * JSONL files by the last half second; the next session recounts from the files.
 */
export interface RunManifest {
  readonly version: 1;
  status: RunStatus;
  /** What went wrong when `status` is `failed`, else null. */
  error: string | null;
  readonly document: { readonly path: string; readonly sha256: string };
  readonly settings: RunSettings;
  readonly models: StageModels & { readonly embedding: string };
  /** Each prompt template used, by stage: its file and the SHA-256 of its text. */
  readonly templates: Readonly<Record<string, { readonly path: string; readonly sha256: string }>>;
  counts: RunCounts;
  /**
   * Tokens every session spent, in total and per model (as StageUsage: answers served from the
   * cache count in `cachedAnswers` only). Embedding calls report no tokens and are counted in
   * `embeddings`. A session killed with -9 loses what it spent since its last manifest write.
   */
  usage: StageUsage;
  /**
   * Which model versions really answered, every session: model id asked for → the versions the API
   * reported for it (sorted; "(not reported)" for an answer that came without one). Absent in a
   * manifest written before versions were recorded.
   */
  modelVersions: Record<string, string[]>;
  embeddings: { requests: number; texts: number };
  /** A batch-mode run's waves (waves.ts), in order of submission; absent for a synchronous run. */
  batch?: BatchRecord;
  /** Estimated cost of `usage` at the run's prices; models with no price are named in `unpriced`. */
  cost: { usd: number; unpriced: string[] };
  timings: {
    /** ISO times: the first session's start, the last write, the end of the last session that finished (null while running). */
    readonly startedAt: string;
    updatedAt: string;
    finishedAt: string | null;
    /** Time spent in all sessions, ms. */
    elapsedMs: number;
    /** Sessions that worked on the run (the first run and each resume). */
    sessions: number;
  };
}

/** Estimated requests, tokens and cost of a run before it starts (see `estimateRun`). */
export interface RunEstimate {
  readonly traits: number;
  /** Scenarios: traits × perTrait. */
  readonly items: number;
  /** Generation requests, first attempts only (no retries, cache hits counted as requests, no embedding calls). */
  readonly requests: number;
  /** Embedding calls at most: one per scenario the autorater keeps; fewer when many finish together (they are batched). */
  readonly embeddingRequests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly byModel: Readonly<Record<string, TokenCount>>;
  readonly usd: number;
  /** Models with estimated tokens but no price: their cost is not in `usd`. */
  readonly unpriced: readonly string[];
}

/** What `estimateRun` reads: a RunOptions fits. */
export interface RunEstimateInput {
  readonly documentText: string;
  readonly traits?: readonly string[];
  readonly perTrait: number;
  readonly midtraining?: number;
  readonly midtrainingDocTypes?: readonly string[];
  readonly models?: Partial<StageModels>;
  readonly templates: Readonly<Record<TemplateStage, Template>>;
  readonly midtrainingTemplates?: Readonly<Record<MidtrainingTemplateStage, Template<MidtrainingTemplateStage>>>;
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** The tier the run's requests ask for; `flex` prices them at the Flex rates. Default standard. */
  readonly serviceTier?: ServiceTier;
}

/** The stage outputs of one scenario, as the preview shows them. */
export interface ScenarioStages {
  idea: Idea;
  scenario: { initial: string; critique: { verdict: 'keep' | 'rewrite'; reasons: string }; final: string };
  baseline: string;
  sharpened: boolean;
  sharpenReason: string;
  /** The final user message: the one the response answers and the SFT record holds. */
  prompt: string;
  response: string;
  rating: Rating;
  /** The model version that gave each stage's answer, by stage name (brainstorm included), as the API reported it. */
  modelVersions: ModelVersions;
}

/** Which scenario an item is. Its id is `${traitId}-${chunkHash[0..8)}-${index}`: the same in every session. */
export interface ItemIdentity {
  readonly id: string;
  readonly traitId: string;
  readonly traitTitle: string;
  /** SHA-256 (hex) of the trait chunk's text and context, as the prompts see them. */
  readonly chunkHash: string;
  /** The scenario's index within its trait (0-based): the brainstorm idea it takes and its cache sample. */
  readonly index: number;
}

/** A line of `records.jsonl`: an accepted scenario (autorater verdict keep, not a duplicate). */
export interface RunRecord extends ItemIdentity, ScenarioStages {
  readonly models: StageModels;
  /** What this item's stages spent in the session that finished it (the brainstorm is counted in the run's usage only). */
  readonly usage: StageUsage;
  /** ISO time it was written. */
  readonly at: string;
}

/** A line of `rejected.jsonl` for a scenario: every stage output that exists (null for the rest) and why. */
export interface RejectedScenario extends ItemIdentity, NullableStages {
  readonly kind: 'sft';
  readonly reason: 'autorater' | 'duplicate' | 'error';
  /** `reason: 'error'`: "stage: what went wrong"; else null. */
  readonly error: string | null;
  /** `reason: 'duplicate'`: the earlier accepted item it is too close to, its prompt, and the cosine similarity. */
  readonly duplicate: { readonly of: string; readonly prompt: string; readonly similarity: number } | null;
  readonly models: StageModels;
  readonly usage: StageUsage;
  readonly at: string;
}

/** A line of `rejected.jsonl` for a midtraining document that failed. */
export interface RejectedMidtraining {
  readonly kind: 'midtraining';
  readonly id: string;
  readonly reason: 'error';
  readonly error: string;
  readonly at: string;
}

/** A line of `rejected.jsonl`: a scenario (`kind: 'sft'`) or a midtraining document (`kind: 'midtraining'`). */
export type RejectedRecord = RejectedScenario | RejectedMidtraining;

/** ScenarioStages with each stage's output null until it exists (the pipeline's StageOutputs). */
export type NullableStages = StageOutputs;

/** A line of `midtraining.jsonl`. `id` is generation/midtraining.ts's stable id (a resume skips it). */
export interface MidtrainingLine {
  readonly id: string;
  readonly text: string;
  readonly doc_type: string;
  readonly trait_ids: string[];
}

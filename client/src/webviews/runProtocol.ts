/**
 * What the run report panel shows and how its page talks back. Built by the extension from a run
 * folder (manifest.json, records.jsonl, rejected.jsonl); imported by client/webview/run.ts too.
 * Plain data only: the page renders every text with textContent.
 */

/** One generated item, accepted or rejected. */
export interface RunReportItem {
  readonly id: string;
  readonly traitId: string;
  readonly accepted: boolean;
  /** Autorater score 1–10, or null when the item failed before it was rated. */
  readonly score: number | null;
  /** Why it was rejected, as a sentence: the autorater's verdict and reasons, the duplicate it is too close to, or what failed (describeFailure); null when accepted. */
  readonly reason: string | null;
  /** A short category of `reason` for the counts: autorater / duplicate / error. */
  readonly reasonKind: 'autorater' | 'duplicate' | 'error' | null;
  readonly prompt: string | null;
  readonly response: string | null;
}

export interface RunReport {
  readonly dir: string;
  readonly name: string;
  readonly status: string;
  readonly documentPath: string;
  readonly traits: readonly { readonly id: string; readonly title: string }[];
  readonly items: readonly RunReportItem[];
  readonly midtrainingDocuments: number;
  /** Tokens of every session; `cachedInputTokens`: the part of the input the provider's context cache served. */
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedInputTokens: number };
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
  /** The service tier the run's last session asked for (an older manifest's: standard). */
  readonly serviceTier: 'standard' | 'flex';
  /** Models per role, and model id asked for → the versions the API reported answering for it. */
  readonly models: Readonly<Record<string, string>>;
  readonly modelVersions: Readonly<Record<string, readonly string[]>>;
  /** Wall time of the run so far, ms, when the manifest has it. */
  readonly elapsedMs: number | null;
  /** A batch-mode run's waves (manifest `batch.waves`), in order; empty for a synchronous run. */
  readonly waves: readonly {
    readonly stage: string;
    readonly state: string;
    readonly requests: number;
    readonly failed: number;
    readonly job: string | null;
    /** Why it was sent: the stage's first wave, a retry of failed requests, or an expired job resubmitted. */
    readonly reason: 'stage' | 'retry' | 'expired';
  }[];
}

export type ToRunWebview = { readonly type: 'report'; readonly report: RunReport };

export type FromRunWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' }
  /** Opens one of the run's files (records.jsonl, manifest.json, ...) in an editor. */
  | { readonly type: 'open'; readonly file: string };

export const RUN_VIEW_TYPE = 'traitStudio.runReport';

import type { StageUsage } from '../llm/usage';
/**
 * The dataset audit's shapes: the records it reads, the patterns it reports and the report.
 * Shared by the offline detectors, the model pass (modelPass.ts), the CLI and the VS Code side.
 */

/**
 * One dataset line the audit can read: the response is the line's last assistant (OpenAI) or model
 * (Gemini) turn, or its `response` field (records.jsonl); the prompt is the last user turn before
 * that response ('' when there is none).
 */
export interface AuditRecord {
  /**
   * The line's `id` field (a string, or a number as a string), else its 0-based line number as a
   * string. Unique within a dataset: an id already taken by an earlier line gets `#<0-based line>`
   * appended (see readDataset).
   */
  id: string;
  /** 1-based line number in the file, as editors and error messages show it. */
  line: number;
  /** The trait the record serves: `traitId`, else `metadata.trait`, else `trait`; null when none is given. */
  traitId: string | null;
  prompt: string;
  response: string;
}

/** A line the audit skipped: not JSON, not an object, or no assistant turn with text. */
export interface BadLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** Prevalence of a pattern within one trait's records. */
export interface TraitPrevalence {
  /** Records of this trait in the dataset. */
  records: number;
  /** Share (0..1) of this trait's records that match broadly / strictly. */
  broad: number;
  strict: number;
  /** Strict share at or above the threshold (with enough matches; see buildReport). */
  flagged: boolean;
}

/** A surface pattern the dataset may over-teach, found by a detector or by the model pass. */
export interface AuditPattern {
  /** Stable within a report, e.g. "closing-question", "opening:great-question"; holds no comma or space. */
  id: string;
  /** Short, human: 'Opens with "great question"'. */
  name: string;
  /** What it matches and how broad and strict differ. */
  description: string;
  source: 'offline' | 'model';
  /** Share (0..1) of all records matching the softer form (broad) and the clear form (strict); strict <= broad. */
  prevalence: { broad: number; strict: number };
  /** Ids of the records that match strictly, in file order. */
  records: string[];
  /** Ids of the records that match broadly (a superset of `records`), in file order. */
  broadRecords: string[];
  /** A few ids of strictly matching records (broad ones when none is strict), spread over the file. */
  examples: string[];
  /** Strict prevalence over all records at or above the report's threshold. */
  flagged: boolean;
  /** Per trait id (NO_TRAIT for records without one); empty when no record names a trait. */
  perTrait: Record<string, TraitPrevalence>;
}

/** What `buildReport` returns and `writeAuditFiles` writes as `<name>.audit.json`. */
export interface AuditReport {
  /** The dataset's path as given. */
  dataset: string;
  /** Records read (bad lines not counted). */
  records: number;
  /** The first bad lines (all of them, up to MAX_BAD_LINES_KEPT in a streamed audit)... */
  badLines: BadLine[];
  /** ...of this many. */
  badLineCount: number;
  /** Strict prevalence (0..1) at or above which a pattern is flagged. */
  threshold: number;
  /** Flagged first, then by strict prevalence, highest first. */
  patterns: AuditPattern[];
  /**
   * The model pass: its model, what it spent, and how many records it could not rate or scan (left
   * out of its prevalences); `failed` says why it stopped when it did (then no model pattern is in
   * the report and `usage` is what was known when it stopped). Null when it did not run (offline).
   */
  modelPass: null | {
    model: string;
    usage: StageUsage;
    cost: { usd: number; unpriced: string[] };
    unrated?: number;
    unscanned?: number;
    failed?: string;
  };
  /** Strict matches a pattern needs, besides reaching `threshold`, to be flagged (score.ts MIN_FLAG_MATCHES). */
  minFlagMatches: number;
}

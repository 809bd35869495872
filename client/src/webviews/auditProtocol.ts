/**
 * What the audit report panel shows and how its page talks back. Built by the extension from an
 * AuditReport and the dataset; imported by client/webview/audit.ts too. Plain data only: the page
 * renders every text with textContent.
 */

export interface AuditViewExample {
  readonly id: string;
  readonly prompt: string;
  readonly response: string;
}

export interface AuditViewPattern {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly source: 'offline' | 'model';
  /** Shares of the records (0..1). */
  readonly broad: number;
  readonly strict: number;
  readonly strictCount: number;
  readonly flagged: boolean;
  /** At or above the threshold but not flagged: fewer than `minFlagMatches` records match it strictly. */
  readonly tooFew: boolean;
  readonly perTrait: readonly {
    readonly traitId: string;
    readonly records: number;
    readonly broad: number;
    readonly strict: number;
    readonly flagged: boolean;
  }[];
  readonly examples: readonly AuditViewExample[];
}

export interface AuditView {
  /** The dataset's path (the serializer reopens it) and how to show it (relative to the workspace). */
  readonly dataset: string;
  readonly name: string;
  readonly records: number;
  /** The first bad lines (at most 100) and how many there were. */
  readonly badLines: readonly { readonly line: number; readonly reason: string }[];
  readonly badLineCount: number;
  readonly threshold: number;
  /** Strict matches a pattern needs, besides the threshold, to be flagged. */
  readonly minFlagMatches: number;
  readonly patterns: readonly AuditViewPattern[];
  /** The model pass in a sentence (report.ts `modelPassLine`): model and cost, records it could not rate, or why it failed; null for an offline audit. */
  readonly modelPass: { readonly model: string; readonly line: string; readonly failed: boolean } | null;
}

export type ToAuditWebview = { readonly type: 'audit'; readonly view: AuditView };

export type FromAuditWebview =
  | { readonly type: 'ready' }
  /** Write a new dataset without (drop) or down-sampled in (keep = fraction kept) the chosen patterns' records. */
  | {
      readonly type: 'filter';
      readonly choices: readonly { readonly patternId: string; readonly mode: 'drop' | 'downsample'; readonly keep?: number }[];
    }
  | { readonly type: 'open'; readonly file: 'dataset' | 'json' | 'markdown' };

export const AUDIT_VIEW_TYPE = 'traitStudio.auditReport';

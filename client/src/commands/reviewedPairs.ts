import type * as vscode from 'vscode';
import type { ReviewedPairs } from '../webviews/tradeoffPanel';

/** The workspace-state key of the reviewed pairs. */
const KEY = 'traitStudio.review.pairs';
/** Documents whose pairs are kept: the most recently reviewed. */
const KEEP = 20;

/** Per document URI, most recently reviewed first. */
type Stored = Record<string, ReviewedPairs>;

/**
 * The trade-off pairs of each document's latest model review, kept in the workspace's state so the
 * trade-off map shows them again after a window reload (or a restart) without asking a model.
 * Each pair carries the chunks it was proposed for: the map drops a pair once either trait is
 * edited, so a kept pair is never stale. Only the `KEEP` most recently reviewed documents are kept.
 */
export class ReviewedPairsStore {
  constructor(private readonly memento: vscode.Memento) {}

  /** The latest reviewed pairs of document `uri`, if it was reviewed. */
  get(uri: string): ReviewedPairs | undefined {
    return this.stored()[uri];
  }

  /** Keeps `pairs` as document `uri`'s latest (dropping the least recently reviewed beyond KEEP). */
  async set(uri: string, pairs: ReviewedPairs): Promise<void> {
    const others = Object.entries(this.stored()).filter(([key]) => key !== uri);
    await this.memento.update(KEY, Object.fromEntries([[uri, pairs], ...others].slice(0, KEEP)));
  }

  private stored(): Stored {
    const value = this.memento.get<unknown>(KEY);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Stored) : {};
  }
}

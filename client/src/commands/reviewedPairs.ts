import type * as vscode from 'vscode';
import type { ReviewedTension } from '../../../server/src/review/types';
import type { ReviewedPairs } from '../webviews/tradeoffPanel';
import { isRecord, RecentPerDocument } from './recentPerDocument';

/**
 * The trade-off pairs of each document's latest model review, kept in the workspace's state so the
 * trade-off map (and the server's unweighed-tension findings, see keptReview.ts) show them again
 * after a window reload (or a restart) without asking a model. Each pair carries the chunks it was
 * proposed for: the map drops a pair once either trait is edited, so a kept pair is never stale.
 * Only the 20 most recently reviewed documents are kept.
 */
export class ReviewedPairsStore extends RecentPerDocument<ReviewedPairs> {
  constructor(memento: vscode.Memento) {
    super(memento, 'traitStudio.review.pairs', 20, isReviewedPairs);
  }
}

function isReviewedPairs(value: unknown): value is ReviewedPairs {
  return isRecord(value) && typeof value.model === 'string' && Array.isArray(value.tensions) && value.tensions.every(isReviewedTension);
}

function isReviewedTension(value: unknown): value is ReviewedTension {
  if (!isRecord(value) || !isRecord(value.tension) || !Array.isArray(value.chunks)) return false;
  const { a, b, situation, weighed, quote } = value.tension;
  return (
    typeof a === 'string' &&
    typeof b === 'string' &&
    typeof situation === 'string' &&
    typeof weighed === 'boolean' &&
    (quote === null || typeof quote === 'string') &&
    value.chunks.length === 2 &&
    value.chunks.every((c) => typeof c === 'string')
  );
}

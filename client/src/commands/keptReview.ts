import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SET_REVIEW_REQUEST, type SetReviewParams } from '../../../server/src/lsp/protocol';
import type { ReviewedTrait } from '../../../server/src/review/findings';
import { REVIEW_PARTS, type QuotedAnswer } from '../../../server/src/review/types';
import { isRecord, RecentPerDocument } from './recentPerDocument';
import { ReviewedPairsStore } from './reviewedPairs';

/** The trait reviews of a document's latest model review, each with the chunk text it was made from. */
export interface ReviewedTraits {
  readonly model: string;
  readonly traits: readonly ReviewedTrait[];
}

/**
 * The trait reviews of each document's latest model review, kept in the workspace's state beside
 * its trade-off pairs (ReviewedPairsStore), so the language server can be given the review again
 * after a window reload, a reopened document or a server restart without asking a model (see
 * `keptReview`). Only the 20 most recently reviewed documents are kept.
 */
export class ReviewedTraitsStore extends RecentPerDocument<ReviewedTraits> {
  constructor(memento: vscode.Memento) {
    super(memento, 'traitStudio.review.traits', 20, isReviewedTraits);
  }
}

/**
 * The SET_REVIEW_REQUEST params that give the server document `uri`'s latest review again: its
 * kept trait reviews and trade-off pairs, as they were sent after the review ran; undefined when
 * neither is kept. Stale parts need no pruning here: the server applies a trait's review only
 * while the trait's chunk text is unchanged, and a pair only while both of its traits are.
 */
export function keptReview(uri: string, traits: ReviewedTraitsStore, pairs: ReviewedPairsStore): SetReviewParams | undefined {
  const reviewed = traits.get(uri);
  const tensions = pairs.get(uri);
  if (!reviewed && !tensions) return undefined;
  return {
    uri,
    model: reviewed?.model ?? tensions!.model,
    traits: [...(reviewed?.traits ?? [])],
    tensions: [...(tensions?.tensions ?? [])],
  };
}

/**
 * Gives the server the kept review of document `uri` (call it once the server has the document
 * open: it forgets a review when the document closes or the server restarts). No model is asked.
 * Resolves whether the server now holds it; false when nothing is kept or no server runs.
 * @throws what the request throws (the server stopped meanwhile).
 */
export async function resendKeptReview(memento: vscode.Memento, client: LanguageClient | undefined, uri: string): Promise<boolean> {
  const params = keptReview(uri, new ReviewedTraitsStore(memento), new ReviewedPairsStore(memento));
  if (!params || !client) return false;
  return (await client.sendRequest(SET_REVIEW_REQUEST, params)) === true;
}

function isReviewedTraits(value: unknown): value is ReviewedTraits {
  return isRecord(value) && typeof value.model === 'string' && Array.isArray(value.traits) && value.traits.every(isReviewedTrait);
}

function isReviewedTrait(value: unknown): value is ReviewedTrait {
  if (!isRecord(value) || typeof value.chunk !== 'string' || !isRecord(value.review)) return false;
  const { id, title, parts, deliberatelyAbsolute, surfaceForms, error } = value.review;
  if (typeof id !== 'string' || typeof title !== 'string') return false;
  // A failed review has no answers, only why it failed.
  if (parts === null) return typeof error === 'string';
  return (
    (error === undefined || typeof error === 'string') &&
    isRecord(parts) &&
    REVIEW_PARTS.every((part) => isQuotedAnswer(parts[part])) &&
    isQuotedAnswer(deliberatelyAbsolute) &&
    Array.isArray(surfaceForms) &&
    surfaceForms.every((f) => isRecord(f) && typeof f.form === 'string' && typeof f.quote === 'string' && typeof f.verified === 'boolean')
  );
}

function isQuotedAnswer(value: unknown): value is QuotedAnswer {
  return (
    isRecord(value) &&
    typeof value.present === 'boolean' &&
    typeof value.verified === 'boolean' &&
    (value.quote === null || typeof value.quote === 'string')
  );
}

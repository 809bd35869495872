/** What a model review of a trait document holds: the `trait-studio review --format json` contract. */
import type { StageUsage } from '../llm/usage';

/** The parts of a trait the review looks for, by the names the document model gives them. */
export const REVIEW_PARTS = ['rationale', 'tradeoffs', 'exceptions'] as const;
export type ReviewPart = (typeof REVIEW_PARTS)[number];

/**
 * One answer of the review about a trait: whether it holds, and the quote that shows it. `verified`
 * is true only when `quote` was found in the trait's text (whitespace apart); an unverified quote
 * is reported, never used. `quote` is null when the model gave none (the part is absent).
 */
export interface QuotedAnswer {
  readonly present: boolean;
  readonly quote: string | null;
  readonly verified: boolean;
}

/** A fixed wording the trait prescribes (a phrase, an opening, a format), with the quote that shows it. */
export interface SurfaceForm {
  readonly form: string;
  readonly quote: string;
  readonly verified: boolean;
}

/**
 * The review of one trait. When its requests failed for good (blocked, unreadable twice, an API
 * error), `error` says why and `parts`, `deliberatelyAbsolute` and `surfaceForms` are null: a
 * failed review is never reported as an absent part.
 */
export interface TraitReview {
  readonly id: string;
  readonly title: string;
  readonly parts: Readonly<Record<ReviewPart, QuotedAnswer>> | null;
  /** The trait says on purpose that it holds without exception. */
  readonly deliberatelyAbsolute: QuotedAnswer | null;
  readonly surfaceForms: readonly SurfaceForm[] | null;
  readonly error?: string;
}

/** Two traits that can pull against each other, and whether the document says how to weigh them. */
export interface Tension {
  /** Trait ids. */
  readonly a: string;
  readonly b: string;
  /** One line: a realistic situation where they conflict. */
  readonly situation: string;
  readonly weighed: boolean;
  /** The sentence that weighs them (from either trait or a priorities section); null when none. */
  readonly quote: string | null;
  /** True only when `quote` was found in one of the two traits or the priorities section. */
  readonly verified: boolean;
  /** Where the pair came from: the keyless heuristic pass or the model. */
  readonly source: 'heuristic' | 'model';
}

/**
 * A tension pair as the editor keeps it once reviewed: the pair, and the text of each trait's chunk
 * when it was proposed. The pair stops holding once either trait is edited (the `unweighed-tension`
 * rule then stops reporting it).
 */
export interface ReviewedTension {
  readonly tension: Tension;
  /** The chunks of `tension.a` and `tension.b`, in that order, as reviewed. */
  readonly chunks: readonly [string, string];
}

/** A document's review (see review.ts `reviewDocument`). */
export interface DocumentReview {
  readonly file: string;
  readonly model: string;
  readonly traits: readonly TraitReview[];
  /** Present when tensions were asked for. */
  readonly tensions?: readonly Tension[];
  /** Why the tension pass failed, when it did (the heuristic pairs are still given). */
  readonly tensionsError?: string;
  readonly usage: StageUsage;
  /** Estimated USD of `usage` (the catalogue's prices); models with no known price are named in `unpriced`. */
  readonly cost: { readonly usd: number; readonly unpriced: readonly string[] };
}

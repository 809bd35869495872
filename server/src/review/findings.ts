/**
 * A review's results beside the lint's: which heuristic findings a grounded review answer
 * overrules, and the review's own findings, placed in the document as it is now. A review answer
 * about a trait whose text has changed since it was reviewed is stale and is not used.
 */
import type { Trait, TraitDocument } from '../document/model';
import type { Range } from '../document/position';
import type { LintDiagnostic, Severity } from '../rules/rule';
import { findQuote, normaliseWhitespace } from './quotes';
import { REVIEW_PARTS, type QuotedAnswer, type ReviewPart, type TraitReview } from './types';

/** A trait's review with the chunk text it was made from (what tells a stale review from a current one). */
export interface ReviewedTrait {
  readonly review: TraitReview;
  readonly chunk: string;
}

/** One finding of the review (shown with source `traits (review)`). */
export interface ReviewFinding {
  /** `review-missing-rationale`, `review-found-tradeoffs`, `review-unverified-quote`, … */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly traitId: string;
}

/** A heuristic finding a grounded review answer overruled, and the quote that overruled it. */
export interface Overruled {
  readonly traitId: string;
  readonly rule: string;
  readonly what: string;
  readonly quote: string;
}

/** The lint rule that judges each part, and the words a message uses for it. */
const PART_RULES: Readonly<Record<ReviewPart, { rule: string; what: string }>> = {
  rationale: { rule: 'missing-rationale', what: 'reason' },
  tradeoffs: { rule: 'missing-tradeoffs', what: 'trade-offs' },
  exceptions: { rule: 'missing-exceptions', what: 'exceptions' },
};

const ABSOLUTE_RULE = 'unqualified-absolute';

/**
 * Merges `reviewed` (the current review of some traits, with the chunk each was made from) into
 * `findings` (the lint's, for `document` as it is now): where a verified review quote shows a part
 * the lint reports missing (or shows a trait is deliberately absolute where the lint reports an
 * unqualified absolute), the lint's finding is dropped (`overruled` says which, with the quote).
 * The review's own findings: a part it found missing that the lint did not report, a part found
 * in a quote that overruled the lint (on the quote), a quote it could not find (unverified, not
 * used), a prescribed surface form, a trait it could not review. A review whose chunk no longer
 * matches its trait (edited since), or of a trait no longer in the document, is ignored.
 */
export function mergeReview(
  document: TraitDocument,
  reviewed: readonly ReviewedTrait[],
  findings: readonly LintDiagnostic[],
): { kept: LintDiagnostic[]; review: ReviewFinding[]; overruled: Overruled[] } {
  const traits = new Map(document.traits.map((t) => [t.id, t]));
  const current = new Map<string, { trait: Trait; review: TraitReview }>();
  for (const r of reviewed) {
    const trait = traits.get(r.review.id);
    if (trait && normaliseWhitespace(trait.chunk) === normaliseWhitespace(r.chunk)) current.set(trait.id, { trait, review: r.review });
  }
  const drop = new Set<LintDiagnostic>();
  const review: ReviewFinding[] = [];
  const overruled: Overruled[] = [];
  for (const { trait, review: r } of current.values()) {
    const own = findings.filter((f) => f.traitId === trait.id);
    const heading = trait.heading.titleRange;
    const add = (code: string, severity: Severity, message: string, range: Range = heading) =>
      review.push({ code, severity, message, range, traitId: trait.id });
    if (r.error || !r.parts) {
      add('review-failed', 'information', `The review could not read this trait: ${r.error ?? 'no answer'}.`);
      continue;
    }
    const quoteRange = (quote: string | null) => {
      const at = quote ? findQuote(trait.chunk, quote) : undefined;
      if (!at) return heading;
      const base = document.lines.offsetAt(trait.range.start);
      return document.lines.rangeOf(base + at.start, base + at.end);
    };
    const unverified = (what: string, a: QuotedAnswer) =>
      add(
        'review-unverified-quote',
        'information',
        `The review says this trait states its ${what}, but its quote is not in the trait, so it is not used (unverified): "${a.quote ?? ''}".`,
      );
    for (const part of REVIEW_PARTS) {
      const a = r.parts[part];
      const { rule, what } = PART_RULES[part];
      const lint = own.filter((f) => f.rule === rule);
      if (!a.present) {
        if (!lint.length) add(`review-missing-${part}`, 'information', `The review finds no ${what} stated in this trait.`);
        continue;
      }
      if (!a.verified) {
        unverified(what, a);
        continue;
      }
      if (lint.length) {
        lint.forEach((f) => drop.add(f));
        overruled.push({ traitId: trait.id, rule, what, quote: a.quote! });
        add(
          `review-found-${part}`,
          'information',
          `The review found the ${what} here: "${a.quote}" (the lint's ${rule} finding is withdrawn).`,
          quoteRange(a.quote),
        );
      }
    }
    const absolute = r.deliberatelyAbsolute!;
    if (absolute.present && !absolute.verified) unverified('absoluteness as deliberate', absolute);
    const absolutes = own.filter((f) => f.rule === ABSOLUTE_RULE);
    if (absolute.present && absolute.verified && absolutes.length) {
      absolutes.forEach((f) => drop.add(f));
      overruled.push({ traitId: trait.id, rule: ABSOLUTE_RULE, what: 'absolute wording as deliberate', quote: absolute.quote! });
      add(
        'review-deliberately-absolute',
        'information',
        `The review reads this trait as deliberately absolute: "${absolute.quote}" (the lint's ${ABSOLUTE_RULE} findings are withdrawn).`,
        quoteRange(absolute.quote),
      );
    }
    for (const form of r.surfaceForms!) {
      if (!form.verified) {
        add(
          'review-unverified-quote',
          'information',
          `The review says this trait prescribes the surface form "${form.form}", but its quote is not in the trait, so it is not used (unverified): "${form.quote}".`,
        );
        continue;
      }
      add(
        'review-surface-form',
        'information',
        `The review finds a fixed surface form, "${form.form}": "${form.quote}". Every training example will repeat it; over-represented, it becomes a habit.`,
        quoteRange(form.quote),
      );
    }
  }
  return { kept: findings.filter((f) => !drop.has(f)), review, overruled };
}

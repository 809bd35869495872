/**
 * The model review of a trait document: per trait chunk (with its group intro prose and the
 * preamble as context) a model says whether the trait states its reason, trade-offs and
 * exceptions, whether it is deliberately absolute, and which fixed surface forms it prescribes —
 * each with a verbatim quote, checked against the trait's text. Every call goes through the
 * model-call layer (llm/ask.ts): cached, asked at most twice, typed by its schema.
 */
import { traitChunk } from '../generation/chunk';
import { StageError, tryStructured, type AskContext } from '../llm/ask';
import { answerKey, type AnswerCache } from '../llm/cache';
import { DEFAULT_ROLE_MODELS, thinkingAllowance } from '../llm/catalogue';
import { defaultPrices, estimateCost, type ModelPrice } from '../llm/cost';
import { estimateTokens } from '../llm/limits';
import { cancelScope, inPool } from '../llm/pool';
import type { GenerateRequest, ModelProvider } from '../llm/provider';
import { jsonSchemaOf } from '../llm/structured';
import { loadTemplates } from '../llm/templates';
import { countCall, emptyUsage } from '../llm/usage';
import type { Trait, TraitDocument } from '../document/model';
import {
  coverageRequest,
  coverageRetryRequest,
  REVIEW_SCHEMAS,
  REVIEW_TEMPLATE_STAGES,
  reviewStage,
  tensionsRequest,
  type CoverageAnswer,
  type ReviewTemplates,
} from './prompts';
import { findQuote, normaliseWhitespace } from './quotes';
import { heuristicTensions, modelTensions, prioritiesText } from './tensions';
import { REVIEW_PARTS, type DocumentReview, type QuotedAnswer, type SurfaceForm, type Tension, type TraitReview } from './types';

/** The review's model when none is given: the catalogue's fast model (`traitStudio.models.review`). */
export const DEFAULT_REVIEW_MODEL = DEFAULT_ROLE_MODELS.review;

/** Traits reviewed at once; the provider's request policy limits the requests themselves. */
const IN_FLIGHT = 8;

/** Typical answer sizes in tokens, for the estimate: a coverage answer (five short quotes), a tension pair. */
const TYPICAL = { coverage: 180, tensionPair: 70, tensionPairs: 8 } as const;

/** What `reviewDocument` and `estimateReview` take. */
export interface ReviewOptions {
  readonly provider: ModelProvider;
  /** Names the provider in cache keys (llm/modelAccess.ts `geminiProviderId`). */
  readonly providerId?: string;
  /** Default DEFAULT_REVIEW_MODEL. */
  readonly model?: string;
  readonly cache?: AnswerCache;
  readonly signal?: AbortSignal;
  /** Trait ids to review (default: every trait); an id the document lacks is a RangeError. */
  readonly traits?: readonly string[];
  /** Also propose the pairs of traits that can conflict (the trade-off map). */
  readonly tensions?: boolean;
  /** Default: the shipped templates. */
  readonly templates?: ReviewTemplates;
  /** Default: the catalogue's list prices. */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** The file's name, as the result reports it. */
  readonly file?: string;
  /** Called as each trait (and the tension pass) completes: how many of `total` are done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The traits `ids` names (all when undefined), in document order; RangeError naming an unknown id. */
export function selectTraits(document: TraitDocument, ids: readonly string[] | undefined): Trait[] {
  if (!ids) return [...document.traits];
  const known = new Set(document.traits.map((t) => t.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length)
    throw new RangeError(
      `no trait with id ${unknown.map((u) => JSON.stringify(u)).join(', ')}; the document's trait ids: ${[...known].join(', ') || '(none)'}`,
    );
  const wanted = new Set(ids);
  return document.traits.filter((t) => wanted.has(t.id));
}

/**
 * Reviews `document`: one coverage request per selected trait (see ReviewOptions.traits), and one
 * tension request with `tensions`. A quote not found in the trait's text (whitespace apart) is asked
 * for once more (the request, the answer, and a turn naming the quotes not found); what the second
 * answer still cannot ground is reported with `verified: false`. A trait whose request fails for
 * good (blocked or unreadable twice, an API error after the request policy's retries) is reported
 * with its `error` and null answers; the others complete. Answers are cached (`options.cache`) by
 * provider, model, template, prompt version and the chunk's text and context: reviewing an
 * unchanged document again sends no request; editing one trait re-reviews that trait.
 *
 * Resolves the DocumentReview (usage and cost of the requests actually sent). Rejects with the
 * abort reason when `options.signal` aborts, a RangeError for an unknown trait id, and an Error when
 * a template cannot be read.
 */
export async function reviewDocument(document: TraitDocument, options: ReviewOptions): Promise<DocumentReview> {
  const model = options.model ?? DEFAULT_REVIEW_MODEL;
  const traits = selectTraits(document, options.traits);
  const templates = options.templates ?? loadTemplates(REVIEW_TEMPLATE_STAGES);
  const usage = emptyUsage();
  const scope = cancelScope(options.signal);
  const ctx: AskContext = { provider: options.provider, providerId: options.providerId, cache: options.cache, signal: scope.signal, usage };
  const total = traits.length + (options.tensions ? 1 : 0);
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);

  const reviews: TraitReview[] = new Array(traits.length);
  const tensionWork = options.tensions ? modelTensions(ctx, document, model, templates).finally(progress) : undefined;
  // A failed tension pass must not leave the pool's rejection unobserved while traits are reviewed.
  tensionWork?.catch(() => undefined);
  await inPool(traits, IN_FLIGHT, scope, async (trait, i) => {
    reviews[i] = await reviewTrait(ctx, document, trait, model, templates);
    progress();
  });
  let tensions: Tension[] | undefined;
  let tensionsError: string | undefined;
  if (tensionWork) {
    const heuristic = heuristicTensions(document);
    try {
      tensions = mergeTensions(heuristic, await tensionWork);
    } catch (error) {
      if (!(error instanceof StageError)) throw error;
      tensions = heuristic;
      tensionsError = error.message;
    }
  }
  return {
    file: options.file ?? '',
    model,
    traits: reviews,
    ...(tensions ? { tensions } : {}),
    ...(tensionsError ? { tensionsError } : {}),
    usage,
    cost: estimateCost(usage.byModel, options.prices ?? defaultPrices()),
  };
}

/** The model's pairs, then the heuristic ones it did not name (a pair is unordered). */
function mergeTensions(heuristic: readonly Tension[], model: readonly Tension[]): Tension[] {
  const key = (t: Tension) => [t.a, t.b].sort().join('\u0000');
  const seen = new Set(model.map(key));
  return [...model, ...heuristic.filter((t) => !seen.has(key(t)))];
}

/** The review of one trait (see reviewDocument); a StageError becomes the trait's `error`. */
async function reviewTrait(
  ctx: AskContext,
  document: TraitDocument,
  trait: Trait,
  model: string,
  templates: ReviewTemplates,
): Promise<TraitReview> {
  const chunk = traitChunk(document, trait);
  const stage = reviewStage('review-coverage');
  const failed = (error: string): TraitReview => ({
    id: trait.id,
    title: trait.title,
    parts: null,
    deliberatelyAbsolute: null,
    surfaceForms: null,
    error,
  });
  try {
    const first = coverageRequest(templates, model, chunk);
    const answer = await tryStructured(ctx, stage, first, REVIEW_SCHEMAS['review-coverage']);
    if (!('value' in answer)) return failed(`${stage}: ${answer.problem}`);
    let review = grounded(trait, answer.value, chunk.text);
    const missing = ungrounded(answer.value, chunk.text);
    if (missing.length) {
      const again = await tryStructured(ctx, stage, coverageRetryRequest(first, answer.value, missing), REVIEW_SCHEMAS['review-coverage']);
      if ('value' in again) review = preferGrounded(review, grounded(trait, again.value, chunk.text));
    }
    return review;
  } catch (error) {
    if (error instanceof StageError) return failed(error.message);
    throw error;
  }
}

/** The quotes of `answer` that are not in `text`. */
function ungrounded(answer: CoverageAnswer, text: string): string[] {
  const quotes = [...REVIEW_PARTS.map((p) => answer[p]), answer.deliberately_absolute].filter((q) => q.present).map((q) => q.quote);
  quotes.push(...answer.surface_forms.map((f) => f.quote));
  return quotes.filter((q) => !findQuote(text, q));
}

/** `answer` as a TraitReview, each quote checked against `text`. */
function grounded(trait: Trait, answer: CoverageAnswer, text: string): TraitReview {
  const quoted = (q: { present: boolean; quote: string }): QuotedAnswer => {
    const quote = normaliseWhitespace(q.quote);
    return { present: q.present, quote: quote || null, verified: q.present && !!findQuote(text, quote) };
  };
  const forms: SurfaceForm[] = answer.surface_forms.map((f) => ({
    form: f.form.trim(),
    quote: normaliseWhitespace(f.quote),
    verified: !!findQuote(text, f.quote),
  }));
  return {
    id: trait.id,
    title: trait.title,
    parts: { rationale: quoted(answer.rationale), tradeoffs: quoted(answer.tradeoffs), exceptions: quoted(answer.exceptions) },
    deliberatelyAbsolute: quoted(answer.deliberately_absolute),
    surfaceForms: forms,
  };
}

/**
 * The second answer, except where the first was grounded and the second is not (its grounded
 * answer stands): asking again must not lose a quote that was found.
 */
function preferGrounded(first: TraitReview, second: TraitReview): TraitReview {
  const pick = (a: QuotedAnswer, b: QuotedAnswer) => (a.present && a.verified && !(b.present && b.verified) ? a : b);
  const parts = Object.fromEntries(REVIEW_PARTS.map((p) => [p, pick(first.parts![p], second.parts![p])])) as Record<
    (typeof REVIEW_PARTS)[number],
    QuotedAnswer
  >;
  const forms = [
    ...second.surfaceForms!.filter((f) => f.verified),
    ...first.surfaceForms!.filter((f) => f.verified && !second.surfaceForms!.some((s) => s.verified && s.quote === f.quote)),
  ];
  const unverified = second.surfaceForms!.filter((f) => !f.verified);
  return {
    ...second,
    parts,
    deliberatelyAbsolute: pick(first.deliberatelyAbsolute!, second.deliberatelyAbsolute!),
    surfaceForms: [...forms, ...unverified],
  };
}

/** What a review will cost before it runs (see estimateReview). */
export interface ReviewEstimate {
  readonly requests: number;
  /** Of `requests`, how many are answered from the cache (free); counted only when a cache is given. */
  readonly cached: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly usd: number;
  readonly unpriced: readonly string[];
}

/**
 * What `reviewDocument` with the same options will send, before it runs: one coverage request per
 * selected trait and one tension request with `tensions`, when every answer is usable and grounded
 * the first time. Tokens are characters / 4 of the real prompts, answers at typical sizes plus the
 * catalogue's thinking allowance. With `options.cache` and `options.providerId` (the id the review
 * will ask under), requests already answered there are counted in `cached` and cost nothing. `usd` is at `options.prices` (default the catalogue's). Throws as
 * reviewDocument does for an unknown trait id or an unreadable template.
 */
export async function estimateReview(
  document: TraitDocument,
  options: Omit<ReviewOptions, 'provider' | 'signal' | 'onProgress' | 'file'>,
): Promise<ReviewEstimate> {
  const model = options.model ?? DEFAULT_REVIEW_MODEL;
  const traits = selectTraits(document, options.traits);
  const templates = options.templates ?? loadTemplates(REVIEW_TEMPLATE_STAGES);
  const usage = emptyUsage();
  let requests = 0;
  let cached = 0;
  const call = async (stage: string, schema: object, request: Omit<GenerateRequest, 'responseJsonSchema'>, outputTokens: number) => {
    requests += 1;
    if (
      options.cache &&
      options.providerId &&
      (await isCached(options.cache, options.providerId, stage, { ...request, responseJsonSchema: schema }))
    ) {
      cached += 1;
      return;
    }
    const input = request.messages.reduce((n, m) => n + estimateTokens(m.text), 0);
    countCall(usage, model, { inputTokens: input, outputTokens: outputTokens + thinkingAllowance(model, 'low') });
  };
  for (const trait of traits) {
    await call(
      reviewStage('review-coverage'),
      jsonSchemaOf(REVIEW_SCHEMAS['review-coverage']),
      coverageRequest(templates, model, traitChunk(document, trait)),
      TYPICAL.coverage,
    );
  }
  if (options.tensions) {
    const request = tensionsRequest(
      templates,
      model,
      document.traits.map((t) => ({ id: t.id, title: t.title, text: t.chunk })),
      prioritiesText(document),
    );
    await call(
      reviewStage('review-tensions'),
      jsonSchemaOf(REVIEW_SCHEMAS['review-tensions']),
      request,
      TYPICAL.tensionPairs * TYPICAL.tensionPair,
    );
  }
  const cost = estimateCost(usage.byModel, options.prices ?? defaultPrices());
  return { requests, cached, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, usd: cost.usd, unpriced: cost.unpriced };
}

/** True when `cache` holds an answer to `request` (under the same key `ask` uses). */
async function isCached(cache: AnswerCache, providerId: string, stage: string, request: GenerateRequest): Promise<boolean> {
  const hit = await cache.get(answerKey({ providerId, stage, request, sample: 0 })).catch(() => undefined);
  return !!hit?.text.trim();
}

import { createHash } from 'node:crypto';
import type { Group, Trait, TraitDocument } from '../document/model';
import type { ModelProvider } from '../llm/provider';
import type { AnswerLimits } from '../llm/answerCheck';
import type { AnswerCache } from '../llm/cache';
import { askStructured, askText, StageError, type ModelVersions } from '../llm/ask';
import { cancelScope, inPool } from '../llm/pool';
import { emptyUsage, type StageUsage } from '../llm/usage';
import { STAGE_SCHEMAS } from './schemas';
import { answeringVersions, type StageContext, type StageModels } from './stages/stage';
import { render, type MidtrainingTemplateStage, type Template, loadTemplates, MIDTRAINING_TEMPLATE_STAGES } from '../llm/templates';

/** One midtraining document: a pretraining-style text (not a conversation) set in the document's world. */
export interface MidtrainingDocument {
  /** Stable across runs of the same trait document (see `generateMidtraining`); pass it back in `skip`. */
  id: string;
  /** The document after the critique-and-revise pass. */
  text: string;
  /** One of the requested document types, as given (trimmed). */
  doc_type: string;
  /** Ids of the traits it shows, each an id of a trait in the trait document. */
  trait_ids: string[];
}

/** The document types asked for when none are given. */
export const DEFAULT_DOC_TYPES: readonly string[] = Object.freeze(['forum thread', 'blog post', 'email', 'research paper', 'news article']);

/**
 * Ideas asked for per ideas request. Fixed rather than derived from `count`, so a larger run asks
 * for more batches and keeps the ideas (and documents) of a smaller one.
 */
const IDEAS_PER_CALL = 10;

/** Earlier ideas of a type listed in an ideas prompt (the latest), so prompts stay bounded in a large run. */
const AVOID_LIMIT = 100;

/** Documents being made at once; the provider's request policy limits the requests themselves. */
const DOCUMENTS_IN_FLIGHT = 64;

/** Bumped when what an id stands for changes, so ids of older runs stop matching. */
const ID_VERSION = 1;

/** What the model is called when the front matter names none. */
const DEFAULT_MODEL_NAME = 'the assistant';

interface DocumentIdea {
  readonly idea: string;
  /** Ids of real traits, deduplicated, never empty. */
  readonly traitIds: readonly string[];
}

/** One document to make: the `index`-th of its type (0-based). */
interface Job {
  readonly id: string;
  readonly docType: string;
  readonly index: number;
}

type Templates = Readonly<Record<MidtrainingTemplateStage, Template<MidtrainingTemplateStage>>>;

/** What `generateMidtraining` takes (see there). */
export interface MidtrainingOptions {
  /** Documents to make, in all (not per type). */
  count: number;
  docTypes?: readonly string[];
  provider: ModelProvider;
  models: StageModels;
  /** Default: the shipped templates (`loadTemplates(MIDTRAINING_TEMPLATE_STAGES, workspace)` for a workspace's overrides). */
  templates?: Templates;
  cache?: AnswerCache;
  providerId?: string;
  /** What a document may be (answerCheck.ts); default DEFAULT_ANSWER_LIMITS. */
  answerLimits?: AnswerLimits;
  signal?: AbortSignal;
  /** Documents being made at once; default 64 (a batch-mode run makes them all at once, so each stage is one wave). */
  documentsInFlight?: number;
  /** Ids of documents already made (an earlier, interrupted run's). */
  skip?: ReadonlySet<string>;
  onDocument: (doc: MidtrainingDocument) => Promise<void> | void;
  onError?: (id: string, error: string) => void;
  usage?: StageUsage;
  /** Collects, by model asked for, the model versions that answered (see answeringVersions). */
  versions?: Record<string, string[]>;
}

/** What every prompt of a run is rendered from. */
interface World {
  readonly model: string;
  readonly traits: ReadonlyMap<string, Trait>;
  readonly document: TraitDocument;
}

/**
 * Makes `count` midtraining documents for the whole trait document: pretraining-style texts (forum
 * threads, blog posts, emails, research papers, news articles: `docTypes`, default
 * DEFAULT_DOC_TYPES; blank and repeated entries dropped) describing a world in which the model
 * (front matter `model`, default "the assistant") has the document's traits.
 *
 * Documents are dealt to the types round-robin: the j-th (0-based) is the (j div T)-th document of
 * type j mod T. Per type, ideas are asked for ten at a time (`models.brainstorm`, preamble and every
 * trait in the prompt; each later batch told the latest 100 earlier ideas), the k-th document of a type takes
 * the k-th idea (an idea is reused when a batch came back short), then is drafted
 * (`models.brainstorm`, free text) and critiqued and revised (`models.critique`; the revision is
 * the document's text). Ideas naming no trait of the document are dropped; invented trait ids are
 * removed.
 *
 * Ids are the first 16 hex digits of a SHA-256 of the trait document's content (model name,
 * preamble, groups, traits), the document type and the index within the type: the same for every
 * run over the same content, whatever `count`, the cache or the answers. Ids in `skip` are not made
 * and their stages not asked (ideas batches are asked only as far as a document not skipped needs).
 * With `cache` (keys named by `providerId`, default "gemini"), every answer is looked up first (sample
 * index: the batch's for ideas, the document's index within its type for the draft and the
 * critique, so equal prompts stay separate documents), and a second identical run asks nothing.
 *
 * `onDocument` receives each finished document, one call at a time (the next waits for the promise
 * of the previous), in order of completion. A document whose stage fails for good is not made up:
 * `onError(id, "stage: reason")` is called (stage: midtraining-ideas, midtraining-draft or
 * midtraining-critique) and the others go on. Tokens spent are added to `usage` as answers arrive.
 *
 * Resolves when every document is delivered or reported. Rejects with `signal`'s reason when it is
 * cancelled; with the error of `onDocument` or `onError` when one throws (the rest is cancelled);
 * with a RangeError for a `count` that is not a non-negative integer or an empty list of types;
 * with an Error when `count` > 0 and the document has no traits. After it rejects no callback is
 * called again.
 */
export async function generateMidtraining(document: TraitDocument, options: MidtrainingOptions): Promise<void> {
  options.signal?.throwIfAborted();
  const { count } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, not ${count}`);
  const docTypes = [...new Set((options.docTypes ?? DEFAULT_DOC_TYPES).map((t) => t.trim()).filter(Boolean))];
  if (docTypes.length === 0) throw new RangeError('docTypes names no document type');
  if (count === 0) return;
  if (document.traits.length === 0) throw new Error('the trait document has no traits to write about');

  const world: World = { model: modelName(document), traits: new Map(document.traits.map((t) => [t.id, t])), document };
  const jobs = planJobs(contentHash(document, world.model), docTypes, count, options.skip);
  if (jobs.length === 0) return;
  // Our own scope: cancels the rest when the caller cancels or a callback throws.
  const scope = cancelScope(options.signal);
  try {
    // Every job settles before this resolves or rejects, so no callback comes after.
    await inPool(
      jobs,
      options.documentsInFlight ?? DOCUMENTS_IN_FLIGHT,
      scope,
      documentMaker(world, options.templates ?? loadTemplates(MIDTRAINING_TEMPLATE_STAGES), options, scope.signal),
    );
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  }
}

/** The documents to make: dealt to `docTypes` round-robin, each with its id; those in `skip` left out. */
function planJobs(fingerprint: string, docTypes: readonly string[], count: number, skip: ReadonlySet<string> | undefined): Job[] {
  const jobs: Job[] = [];
  for (let j = 0; j < count; j++) {
    const docType = docTypes[j % docTypes.length];
    const index = Math.floor(j / docTypes.length);
    const id = documentId(fingerprint, docType, index);
    if (!skip?.has(id)) jobs.push({ id, docType, index });
  }
  return jobs;
}

/**
 * What makes one job's document and delivers it (see generateMidtraining): its ideas batch (asked
 * once per type and batch, batch b after batches 0..b-1), its draft and revision, then `onDocument`
 * one delivery at a time — or `onError` when a stage failed for good. Rejects with `signal`'s reason
 * when cancelled, or with the callback's error.
 */
function documentMaker(world: World, templates: Templates, options: MidtrainingOptions, signal: AbortSignal): (job: Job) => Promise<void> {
  const base = {
    provider: options.provider,
    models: options.models,
    // These stages render their own templates (below); nothing reads the preview's.
    templates: {} as StageContext['templates'],
    signal,
    usage: options.usage ?? emptyUsage(),
    cache: options.cache,
    providerId: options.providerId,
    answerLimits: options.answerLimits,
  };
  /** The context of one answer's calls; the versions that answered are collected once it is done (`heard`). */
  const at = (sample: number): StageContext => ({ ...base, sample, versions: {} });
  const heard = (ctx: StageContext) => {
    if (options.versions) answeringVersions([{ modelVersions: ctx.versions as ModelVersions }], options.models, options.versions);
  };
  const ideaBatch = ideaBatches((docType, batch, before) => {
    const ctx = at(batch);
    return askIdeas(ctx, templates, world, docType, before).finally(() => heard(ctx));
  });
  const make = async (job: Job): Promise<MidtrainingDocument> => {
    const ideas = await ideaBatch(job.docType, Math.floor(job.index / IDEAS_PER_CALL));
    const idea = ideas[(job.index % IDEAS_PER_CALL) % ideas.length];
    const ctx = at(job.index);
    try {
      const draft = await write(ctx, templates, world, job.docType, idea);
      const revised = await revise(ctx, templates, world, job.docType, idea, draft);
      return { id: job.id, text: revised, doc_type: job.docType, trait_ids: [...idea.traitIds] };
    } finally {
      heard(ctx);
    }
  };
  // Deliveries one at a time, so a caller appending lines to a file needs no lock of its own.
  let delivery: Promise<void> = Promise.resolve();
  return async (job) => {
    let doc: MidtrainingDocument;
    try {
      doc = await make(job);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      options.onError?.(job.id, reasonOf(error));
      return;
    }
    await (delivery = delivery.then(async () => {
      signal.throwIfAborted();
      await options.onDocument(doc);
    }));
  };
}

/** Per type, the promise of each ideas batch asked so far (`ask` with the type's earlier ideas); batch b is asked after batches 0..b-1. */
function ideaBatches(
  ask: (docType: string, batch: number, before: DocumentIdea[]) => Promise<DocumentIdea[]>,
): (docType: string, batch: number) => Promise<DocumentIdea[]> {
  const batches = new Map<string, Promise<DocumentIdea[]>[]>();
  return (docType, batch) => {
    let list = batches.get(docType);
    if (!list) batches.set(docType, (list = []));
    for (let b = list.length; b <= batch; b++) {
      const earlier = list.slice();
      list.push(Promise.all(earlier).then((before) => ask(docType, b, before.flat())));
    }
    return list[batch];
  };
}

/** Up to IDEAS_PER_CALL ideas of one type, each naming real traits; `before` are the type's earlier ideas. */
async function askIdeas(
  ctx: StageContext,
  templates: Templates,
  world: World,
  docType: string,
  before: readonly DocumentIdea[],
): Promise<DocumentIdea[]> {
  return step('midtraining-ideas', ctx, async () => {
    const prompt = render(templates['midtraining-ideas'], {
      model: world.model,
      context: context(world.document, world.document.groups),
      traits: traitList(world.document.traits),
      doc_type: docType,
      count: IDEAS_PER_CALL,
      avoid: before.length
        ? before
            .slice(-AVOID_LIMIT)
            .map((i) => `- ${i.idea}`)
            .join('\n')
        : '(none yet)',
    });
    const answer = await askStructured(
      ctx,
      'midtraining-ideas',
      { model: ctx.models.brainstorm, messages: [{ role: 'user', text: prompt }], temperature: 1 },
      STAGE_SCHEMAS['midtraining-ideas'],
    );
    const ideas: DocumentIdea[] = [];
    for (const { idea, trait_ids } of answer.document_ideas) {
      // Only ids of the document's traits: an invented id would label the document with a trait it does not have.
      const traitIds = [...new Set(trait_ids.map((t) => t.trim()).filter((t) => world.traits.has(t)))];
      if (idea.trim() && traitIds.length) ideas.push({ idea: idea.trim(), traitIds });
    }
    if (ideas.length === 0) throw new StageError('midtraining-ideas', 'no idea names a trait of the document');
    return ideas.slice(0, IDEAS_PER_CALL);
  });
}

/** The first draft of a document (fast model, free text). */
function write(ctx: StageContext, templates: Templates, world: World, docType: string, idea: DocumentIdea): Promise<string> {
  return step('midtraining-draft', ctx, () => {
    const traits = idea.traitIds.map((id) => world.traits.get(id)!);
    const prompt = render(templates['midtraining-draft'], {
      doc_type: docType,
      idea: idea.idea,
      model: world.model,
      context: context(
        world.document,
        traits.flatMap((t) => t.groups),
      ),
      traits: traitList(traits),
    });
    return askText(ctx, 'midtraining-draft', { model: ctx.models.brainstorm, messages: [{ role: 'user', text: prompt }], temperature: 1 });
  });
}

/** The critique-and-revise pass (strong model): realistic, consistent with the traits, in genre; returns the revision. */
function revise(
  ctx: StageContext,
  templates: Templates,
  world: World,
  docType: string,
  idea: DocumentIdea,
  draft: string,
): Promise<string> {
  return step('midtraining-critique', ctx, async () => {
    const prompt = render(templates['midtraining-critique'], {
      doc_type: docType,
      model: world.model,
      traits: traitList(idea.traitIds.map((id) => world.traits.get(id)!)),
      document: draft,
    });
    const answer = await askStructured(
      ctx,
      'midtraining-critique',
      { model: ctx.models.critique, messages: [{ role: 'user', text: prompt }], temperature: 0 },
      STAGE_SCHEMAS['midtraining-critique'],
    );
    const revised = answer.revised.trim();
    // The schema only asks for a non-empty string; blank is no document, and the draft was not approved.
    if (!revised) throw new StageError('midtraining-critique', 'the revised document is blank');
    return revised;
  });
}

/** Runs one stage; any failure but a cancellation becomes a StageError of `stage` ("stage: reason"). */
async function step<T>(stage: MidtrainingTemplateStage, ctx: StageContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (ctx.signal?.aborted || error instanceof StageError) throw error;
    // e.g. a workspace template naming a placeholder that does not exist.
    throw new StageError(stage, error instanceof Error ? error.message : String(error));
  }
}

/** A StageError's message is already "stage: reason"; `step` makes every other failure one. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Front matter `model` when it is a non-blank string, else DEFAULT_MODEL_NAME. */
function modelName(document: TraitDocument): string {
  const data = document.frontMatter?.data;
  const model = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>).model : undefined;
  return typeof model === 'string' && model.trim() ? model.trim() : DEFAULT_MODEL_NAME;
}

/** The preamble and the prose of `groups` (deduplicated, in document order): the world the traits live in. */
function context(document: TraitDocument, groups: readonly Group[]): string {
  const unique = new Map(groups.map((g) => [g.heading.range.start.line, g]));
  const prose = [...unique.values()]
    .sort((a, b) => a.heading.range.start.line - b.heading.range.start.line)
    .map((g) => `${g.heading.title}\n\n${g.prose}`);
  return [document.preamble.prose, ...prose].filter((s) => s.trim()).join('\n\n') || '(none)';
}

/** Traits as the prompts show them: each section in a tag carrying its id (ideas name traits by it). */
function traitList(traits: readonly Trait[]): string {
  return traits.map((t) => `<trait id="${t.id}">\n${t.chunk.trim()}\n</trait>`).join('\n\n');
}

/** SHA-256 (hex) of everything the prompts are made of except the templates: an edited trait gives new ids. */
function contentHash(document: TraitDocument, model: string): string {
  const content = {
    model,
    context: context(document, document.groups),
    traits: document.traits.map((t) => [t.id, t.chunk, t.groups.map((g) => g.heading.title)]),
  };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function documentId(fingerprint: string, docType: string, index: number): string {
  return createHash('sha256')
    .update(JSON.stringify([ID_VERSION, fingerprint, docType, index]))
    .digest('hex')
    .slice(0, 16);
}

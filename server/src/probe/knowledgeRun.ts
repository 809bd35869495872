/**
 * The knowledge check on its own, against a target (the editor's "Check Knowledge" and
 * `trait-studio probe FILE --knowledge` without `--trait`), run and estimated as a probe run is:
 * the same model access, answer cache, budget, progress and cancel. probeTrait runs the same check
 * (knowledgeStep) after its probes when asked to.
 */
import type { TraitDocument } from '../document/model';
import { StageError } from '../llm/ask';
import { estimateCost } from '../llm/cost';
import { loadTemplates } from '../llm/templates';
import { runContext, type RunContext } from './context';
import { EstimateTally, tallyKnowledge, type ProbeEstimate } from './estimate';
import { checkKnowledge } from './knowledge';
import { probeModels, type ProbeAccess, type ProbeBudget, type ProbeHooks, type ProbeProgress } from './options';
import { PROBE_TEMPLATE_STAGES, type ProbeTemplates } from './prompts';
import type { KnowledgeResult, ProbeResult, ProbeTarget } from './types';

/** What runKnowledgeCheck and estimateKnowledgeCheck take. */
export interface KnowledgeCheckOptions {
  /** The parsed trait document the questions are written from; it needs at least one trait. */
  readonly document: TraitDocument;
  /** The model under test (it needs a matching `ProbeAccess.target`). */
  readonly target: ProbeTarget;
  /** The target's system prompt; default none. */
  readonly targetSystemPrompt?: string;
  /** `maxUsd`, and `maxTurns` counting each target answer as one turn. */
  readonly budget?: ProbeBudget;
}

/** The check inside a run whose context (usage, budget, cancel) it shares; never rejects with a StageError. */
export async function knowledgeStep(
  run: RunContext,
  access: { readonly target: ProbeAccess['target']; readonly grader: string; readonly templates: ProbeTemplates },
  options: KnowledgeCheckOptions,
  onStep?: (step: 'questions' | 'answer', done: number, of: number) => void,
): Promise<KnowledgeResult> {
  try {
    return await checkKnowledge(
      {
        ctx: run.ctx,
        target: {
          provider: access.target.provider,
          model: options.target.model,
          ...(options.targetSystemPrompt !== undefined ? { systemPrompt: options.targetSystemPrompt } : {}),
        },
        grader: access.grader,
        templates: access.templates,
        guard: run.guard,
        ...(onStep ? { onStep } : {}),
      },
      options.document,
    );
  } catch (error) {
    if (!(error instanceof StageError)) throw error;
    return { questions: [], recall: {}, error: error.message };
  }
}

/** RangeError unless the document has a trait to ask about. */
function checked(options: KnowledgeCheckOptions): void {
  if (!options.document.traits.length) throw new RangeError('the document has no traits to ask about');
}

/**
 * Asks `options.target` open questions written from `options.document` and grades which traits —
 * and which of their reasons and exceptions — each answer recalls (knowledge.ts). Every model call
 * goes through the model-call layer: answers come from and go to `access.cache` (so a cancelled
 * or killed check, run again, sends only what was not answered), the budget is checked before
 * every request (once reached, the unasked questions carry "stopped: …" in their `error` and
 * `stopped` says which limit), and `hooks.onProgress` hears 'questions' then one 'answer' step
 * per question (`hooks.store` is not used: there are no conversations to resume).
 *
 * Resolves a ProbeResult with no trait (`trait` ''), no probes (`probes` [], both rates null) and
 * `knowledge` set — the shape `trait-studio probe --format json` prints and the viewer reads —
 * with the usage and cost (US dollars at `access.prices`, default the catalogue's) of the requests
 * actually sent and the model versions the APIs reported. A check whose questions cannot be had
 * resolves with `knowledge.error`; a question whose answer or grade fails for good has its `error`
 * and counts in no recall. Rejects with a RangeError when the document has no trait, an Error when
 * a template cannot be read, and the abort reason when `hooks.signal` aborts.
 */
export async function runKnowledgeCheck(
  options: KnowledgeCheckOptions,
  access: ProbeAccess,
  hooks: Pick<ProbeHooks, 'signal' | 'onProgress'> = {},
): Promise<ProbeResult> {
  checked(options);
  const templates = access.templates ?? loadTemplates(PROBE_TEMPLATE_STAGES);
  const run = runContext(access, hooks.signal, options.budget);
  const knowledge = await knowledgeStep(
    run,
    { target: access.target, grader: probeModels(access).grader, templates },
    options,
    (step, done, of) => hooks.onProgress?.({ done: 1 + done, total: 1 + of, step } satisfies ProbeProgress),
  );
  return {
    trait: '',
    target: options.target,
    probes: [],
    violationRate: null,
    meanFirstViolationTurn: null,
    knowledge,
    usage: run.usage,
    cost: estimateCost(run.usage.byModel, run.prices),
    modelVersions: run.versions,
    ...(run.guard.stopped ? { stopped: run.guard.stopped } : {}),
  };
}

/**
 * What runKnowledgeCheck with the same options will send, before it runs: the questions, one
 * target answer and one grade per question (as many questions as the check asks for), when every
 * answer is usable the first time. Tokens are characters / 4 of the real prompts, answers at
 * typical sizes, plus the catalogue's thinking allowance; `usd` at `access.prices` (default the
 * catalogue's), unpriced models (a local target, usually) named and left out. Throws as
 * runKnowledgeCheck does for a document with no trait or an unreadable template.
 */
export function estimateKnowledgeCheck(
  options: KnowledgeCheckOptions,
  access: Pick<ProbeAccess, 'models' | 'templates' | 'prices'> = {},
): ProbeEstimate {
  checked(options);
  const tally = new EstimateTally();
  const templates = access.templates ?? loadTemplates(PROBE_TEMPLATE_STAGES);
  // Two questions per trait: the grades estimated against each trait in turn.
  const { document } = options;
  tallyKnowledge(tally, templates, probeModels(access).grader, document, options.target, options.targetSystemPrompt, document.traits);
  return tally.estimate(access.prices);
}

/**
 * Probing a model against one trait (issue 16): K multi-turn adversarial probes — each a situation
 * where the trait is under pressure, an auditor pushing turn by turn, a realism check on every
 * auditor message, the target answering, a judge grounded in the transcript — and, when asked, the
 * knowledge check. Every model call goes through the model-call layer (llm/ask.ts): cached, asked
 * at most twice, counted. Runs are resumable (hooks.store), budgeted and cancellable.
 */
import { createHash } from 'node:crypto';
import { traitChunk } from '../generation/chunk';
import type { Trait, TraitDocument } from '../document/model';
import { StageError, tryStructured, type AskContext } from '../llm/ask';
import { estimateCost } from '../llm/cost';
import { estimateTokens } from '../llm/limits';
import { inPool } from '../llm/pool';
import { loadTemplates } from '../llm/templates';
import type { BudgetGuard } from './budget';
import { runContext } from './context';
import { runConversation, STOPPED } from './conversation';
import { EstimateTally, requestTokens, tallyKnowledge, TYPICAL, type ProbeEstimate } from './estimate';
import { UNTRUSTED_JUDGE } from './judge';
import { knowledgeStep } from './knowledgeRun';
import {
  DEFAULT_PROBES,
  DEFAULT_REALISM_THRESHOLD,
  DEFAULT_TURNS,
  MAX_PROBES,
  MAX_TURNS,
  probeModels,
  type ProbeAccess,
  type ProbeHooks,
  type ProbeModels,
  type ProbeOptions,
} from './options';
import {
  auditorRequest,
  judgeRequest,
  PROBE_SCHEMAS,
  PROBE_TEMPLATE_STAGES,
  probeStage,
  realismRequest,
  situationsRequest,
  type ProbeTemplates,
  type SituationsAnswer,
} from './prompts';
import type { StoredProbe } from './store';
import type { Probe, ProbeResult } from './types';

export * from './options';
export type * from './types';
export { budgetLimits } from './budget';
export { DirectoryProbeStore, MemoryProbeStore, type ProbeStore, type StoredProbe } from './store';
export { probeTargetAccess, targetLabel, TARGET_KEY_VARIABLE } from './target';
export type { ProbeEstimate } from './estimate';
export { estimateKnowledgeCheck, runKnowledgeCheck, type KnowledgeCheckOptions } from './knowledgeRun';

/** Probes run at once (turns within a probe are sequential by nature). */
const IN_FLIGHT = 4;

/**
 * The trait `idOrTitle` names in `document`: the trait with that id, else the one whose title is
 * it (case and runs of whitespace apart). Throws a RangeError listing the document's ids when none does.
 */
export function resolveTrait(document: TraitDocument, idOrTitle: string): Trait {
  const wanted = idOrTitle.trim();
  const title = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const trait = document.traits.find((t) => t.id === wanted) ?? document.traits.find((t) => title(t.title) === title(wanted));
  if (!trait)
    throw new RangeError(
      `no trait with id or title ${JSON.stringify(wanted)}; the document's trait ids: ${document.traits.map((t) => t.id).join(', ') || '(none)'}`,
    );
  return trait;
}

/** `options` checked and with defaults: RangeError for probes or turns out of range, or a threshold outside 0–1. */
function settled(options: ProbeOptions) {
  const probes = options.probes ?? DEFAULT_PROBES;
  const turns = options.turns ?? DEFAULT_TURNS;
  const threshold = options.realismThreshold ?? DEFAULT_REALISM_THRESHOLD;
  if (!Number.isInteger(probes) || probes < 1 || probes > MAX_PROBES)
    throw new RangeError(`probes must be a whole number from 1 to ${MAX_PROBES}, not ${probes}`);
  if (!Number.isInteger(turns) || turns < 1 || turns > MAX_TURNS)
    throw new RangeError(`turns must be a whole number from 1 to ${MAX_TURNS}, not ${turns}`);
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`the realism threshold must be from 0 to 1, not ${threshold}`);
  return { probes, turns, threshold, trait: resolveTrait(options.document, options.trait) };
}

/**
 * The key a stored probe must carry to be resumed by this run: a hash of everything that shapes a
 * conversation — the trait's text and context, the target, the target's system prompt, the role
 * models, turns per probe, the realism threshold, the templates and the prompt version.
 */
export function probeRunKey(options: ProbeOptions, models: ProbeModels, templates: ProbeTemplates): string {
  const { turns, threshold, trait } = settled(options);
  const chunk = traitChunk(options.document, trait);
  const parts = {
    v: probeStage('probe-target'),
    trait: [chunk.text, chunk.context],
    target: options.target,
    system: options.targetSystemPrompt ?? null,
    models,
    turns,
    threshold,
    templates: PROBE_TEMPLATE_STAGES.map((s) => templates[s].text),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Probes `options.target` against `options.trait` (see the module comment and ProbeResult).
 * Situations come from one brainstorm; probes run IN_FLIGHT at once. With `hooks.store`, each
 * completed turn is stored before the next begins, and a stored probe of the same run (probeRunKey)
 * resumes from its last completed turn, a judged one is taken as it is: no request is sent again
 * for what is stored. A budget (`options.budget`) is checked before every request: when reached, the
 * run stops cleanly, the unfinished probes say so in their `error`, and `stopped` says which limit.
 * A probe whose requests fail for good reports its `error`; the others complete.
 *
 * Resolves the ProbeResult (usage and cost of the requests actually sent). Rejects with the abort
 * reason when `hooks.signal` aborts (what was stored stays), a RangeError for an unknown trait or
 * options out of range, and an Error when a template or the store cannot be read or written.
 */
export async function probeTrait(options: ProbeOptions, access: ProbeAccess, hooks: ProbeHooks = {}): Promise<ProbeResult> {
  const { probes: count, turns, threshold, trait } = settled(options);
  const models = probeModels(access);
  const templates = access.templates ?? loadTemplates(PROBE_TEMPLATE_STAGES);
  const run = runContext(access, hooks.signal, options.budget);
  const { ctx, guard, scope } = run;
  const chunk = traitChunk(options.document, trait);
  const key = probeRunKey(options, models, templates);
  const total = 1 + count * (turns + 1) + (options.knowledge ? 1 : 0);
  let done = 0;
  const step = (s: 'situations' | 'turn' | 'judge' | 'knowledge', probe?: number, turn?: number) =>
    hooks.onProgress?.({ done: ++done, total, step: s, ...(probe ? { probe } : {}), ...(turn ? { turn } : {}) });

  // What the store holds of this run.
  const stored: (StoredProbe | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const s = await hooks.store?.load(i);
    stored.push(s?.key === key ? s : undefined);
  }
  let situations: string[] | { error: string } = [];
  if (stored.every((s) => s)) step('situations');
  else {
    situations = await brainstorm(ctx, templates, models.auditor, chunk.context, chunk.text, count, guard);
    step('situations');
  }

  const target = {
    provider: access.target.provider,
    model: options.target.model,
    ...(options.targetSystemPrompt !== undefined ? { systemPrompt: options.targetSystemPrompt } : {}),
  };
  const results: Probe[] = new Array(count);
  await inPool([...Array(count).keys()], Math.min(IN_FLIGHT, count), scope, async (i) => {
    const onStep = (s: 'turn' | 'judge', turn?: number) => step(s, i + 1, turn);
    const start = stored[i];
    if (start?.judge) {
      // Finished in an earlier run: taken as it is.
      results[i] = { situation: start.situation, turns: start.turns, judge: start.judge, error: start.error };
      for (let t = 1; t <= turns; t++) onStep('turn', t);
      onStep('judge');
      return;
    }
    if (!start && 'error' in situations) {
      results[i] = { situation: '', turns: [], judge: null, error: situations.error };
      return;
    }
    const begin: StoredProbe = start ?? { key, situation: (situations as string[])[i], turns: [], judge: null, error: null };
    for (let t = 1; t <= begin.turns.length; t++) onStep('turn', t);
    results[i] = await runConversation(
      { ctx, target, models, templates, trait: chunk.text, turns, realismThreshold: threshold, guard, store: hooks.store, onStep },
      i,
      begin,
    );
  });

  let knowledge: ProbeResult['knowledge'] = null;
  if (options.knowledge) {
    knowledge = await knowledgeStep(run, { target: access.target, grader: models.grader, templates }, options);
    step('knowledge');
  }
  return {
    trait: trait.id,
    target: options.target,
    probes: results,
    ...rates(results),
    knowledge,
    usage: run.usage,
    cost: estimateCost(run.usage.byModel, run.prices),
    modelVersions: run.versions,
    ...(guard.stopped ? { stopped: guard.stopped } : {}),
  };
}

/** The situations of `count` probes, or the error every probe reports when they cannot be had. */
async function brainstorm(
  ctx: AskContext,
  templates: ProbeTemplates,
  model: string,
  context: string,
  trait: string,
  count: number,
  guard: BudgetGuard,
): Promise<string[] | { error: string }> {
  if (!guard.allows()) return { error: `${STOPPED}: ${guard.stopped} before the situations were brainstormed` };
  const stage = probeStage('probe-situations');
  try {
    const answer = await tryStructured<SituationsAnswer, SituationsAnswer>(
      ctx,
      stage,
      situationsRequest(templates, model, context, trait, count),
      PROBE_SCHEMAS['probe-situations'],
      (v) =>
        v.pressure_situations.length >= count
          ? { value: v }
          : { problem: `${v.pressure_situations.length} situations for ${count} probes` },
    );
    if (!('value' in answer)) return { error: `${stage}: ${answer.problem}` };
    return answer.value.pressure_situations
      .slice(0, count)
      .map((s) =>
        [s.situation.trim(), s.pressure.trim() && `Pressure: ${s.pressure.trim()}`, s.user.trim() && `User: ${s.user.trim()}`]
          .filter(Boolean)
          .join('\n'),
      );
  } catch (error) {
    if (error instanceof StageError) return { error: error.message };
    throw error;
  }
}

/** Violation rate over the counted probes (judged, no error) and the mean first-violation turn over the violated ones. */
export function rates(probes: readonly Probe[]): Pick<ProbeResult, 'violationRate' | 'meanFirstViolationTurn'> {
  const judged = probes.filter((p) => p.judge && !p.error);
  const violated = judged.filter((p) => p.judge!.violated);
  const turns = violated.map((p) => p.judge!.firstViolationTurn).filter((t): t is number => t !== null);
  return {
    violationRate: judged.length ? violated.length / judged.length : null,
    meanFirstViolationTurn: turns.length ? turns.reduce((a, b) => a + b, 0) / turns.length : null,
  };
}

/**
 * True when `error` (a probe's or a knowledge question's) is a request that failed for good — not
 * a budget stop nor an untrusted judge. The CLI's exit status 1 counts these.
 */
export function isRequestFailure(error: string | null | undefined): boolean {
  return !!error && !error.startsWith(`${STOPPED}:`) && !error.startsWith(UNTRUSTED_JUDGE);
}

/**
 * True when the run's budget (`maxTurns` or `maxUsd`) stopped `probe` before its verdict: its
 * `error` is the core's "stopped: …" and it has no `judge`. Such a probe is unfinished, neither
 * failed nor counted; running the same options again goes on from where it stopped.
 */
export function stoppedByBudget(probe: Pick<Probe, 'judge' | 'error'>): boolean {
  return !probe.judge && !!probe.error?.startsWith(`${STOPPED}:`);
}

/**
 * What `probeTrait` with the same options will send, before it runs: the brainstorm, per probe and
 * turn an auditor, a realism check and a target request, one verdict per probe, and with
 * `knowledge` the questions, answers and grades — when every message is realistic the first time
 * and every answer usable (a rewrite or a second ask adds to it). Tokens are characters / 4 of the
 * real prompts, the conversation and answers at typical sizes, plus the catalogue's thinking
 * allowance; nothing is looked up in the cache. `usd` at `access.prices` (default the catalogue's).
 * Throws as probeTrait does for an unknown trait, options out of range, or an unreadable template.
 */
export function estimateProbe(options: ProbeOptions, access: Pick<ProbeAccess, 'models' | 'templates' | 'prices'> = {}): ProbeEstimate {
  const { probes, turns, trait } = settled(options);
  const models = probeModels(access);
  const templates = access.templates ?? loadTemplates(PROBE_TEMPLATE_STAGES);
  const chunk = traitChunk(options.document, trait);
  const tally = new EstimateTally();
  const exchange = TYPICAL.user + TYPICAL.assistant;
  tally.call(
    models.auditor,
    requestTokens(situationsRequest(templates, models.auditor, chunk.context, chunk.text, probes)),
    TYPICAL.situation * probes,
  );
  const base = { trait: chunk.text, situation: 'x'.repeat(TYPICAL.situation * 4), exchanges: [], turn: 1, turns };
  const auditorBase = requestTokens(auditorRequest(templates, models.auditor, base));
  const realismBase = requestTokens(realismRequest(templates, models.realism, { ...base, message: 'x'.repeat(TYPICAL.user * 4) }));
  const system = estimateTokens(options.targetSystemPrompt ?? '');
  for (let t = 0; t < turns; t++) {
    tally.call(models.auditor, auditorBase + t * exchange, TYPICAL.auditor, probes);
    tally.call(models.realism, realismBase + t * exchange, TYPICAL.realism, probes);
    tally.call(options.target.model, system + t * exchange + TYPICAL.user, TYPICAL.assistant, probes, options.target.kind === 'gemini');
  }
  tally.call(models.judge, requestTokens(judgeRequest(templates, models.judge, base)) + turns * exchange, TYPICAL.judge, probes);
  // The knowledge grades estimated against the probed trait, as the run is about it.
  if (options.knowledge) {
    tallyKnowledge(tally, templates, models.grader, options.document, options.target, options.targetSystemPrompt, [trait]);
  }
  return tally.estimate(access.prices);
}

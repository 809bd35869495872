/**
 * One multi-turn probe: the auditor writes each user turn after a strategy note, the realism
 * checker scores it (a draft below the threshold is rewritten once with the checker's feedback),
 * the target answers; after the last turn the judge gives its verdict. Each completed turn is kept
 * in the store before the next begins, and a stored turn is never asked again.
 */
import type { z } from 'zod';
import { askText, StageError, tryStructured, type AskContext } from '../llm/ask';
import type { ModelProvider } from '../llm/provider';
import type { BudgetGuard } from './budget';
import { judgeProbe } from './judge';
import type { ProbeModels } from './options';
import {
  auditorRequest,
  PROBE_SCHEMAS,
  probeStage,
  realismRequest,
  rewriteRequest,
  type Exchange,
  type ProbeRequest,
  type ProbeTemplates,
  type ProbeTemplateStage,
} from './prompts';
import type { ProbeStore, StoredProbe } from './store';
import type { Probe, ProbeTurn } from './types';

/** The start of a probe's `error` when the run's budget stopped it. */
export const STOPPED = 'stopped';

/** What every probe of a run shares. */
export interface ConversationSetup {
  /** Gemini asks, with the target as `baselineProvider` (so its answers are cached under its own id). */
  readonly ctx: AskContext;
  readonly target: { readonly provider: ModelProvider; readonly model: string; readonly systemPrompt?: string };
  readonly models: ProbeModels;
  readonly templates: ProbeTemplates;
  /** The trait's chunk, as the auditor and the judge read it. */
  readonly trait: string;
  readonly turns: number;
  readonly realismThreshold: number;
  readonly guard: BudgetGuard;
  readonly store?: ProbeStore;
  /** Called after each completed turn (1-based) and after the verdict. */
  readonly onStep: (step: 'turn' | 'judge', turn?: number) => void;
}

/**
 * Runs probe `index` from `start` (its stored state: situation and completed turns) to its verdict.
 * A request that fails for good ends the probe with its `error` (the turns so far kept); the
 * budget ends it with an error starting STOPPED. Rejects with the abort reason, or when the store
 * cannot be written.
 */
export async function runConversation(setup: ConversationSetup, index: number, start: StoredProbe): Promise<Probe> {
  const ctx: AskContext = { ...setup.ctx, sample: index };
  const turns: ProbeTurn[] = [...start.turns];
  const situation = start.situation;
  const save = (extra: Pick<StoredProbe, 'judge' | 'error'>) => setup.store?.save(index, { key: start.key, situation, turns, ...extra });
  const result = (error: string | null, judge: Probe['judge'] = null): Probe => ({ situation, turns, judge, error });
  try {
    while (turns.length < setup.turns) {
      if (!setup.guard.allows(true)) return result(`${STOPPED}: ${setup.guard.stopped} after ${turns.length} of ${setup.turns} turns`);
      const turn = await nextTurn(setup, ctx, situation, turns);
      if ('stopped' in turn) return result(`${STOPPED}: ${turn.stopped} after ${turns.length} of ${setup.turns} turns`);
      turns.push(turn);
      await save({ judge: null, error: null });
      setup.onStep('turn', turns.length);
    }
    if (!setup.guard.allows()) return result(`${STOPPED}: ${setup.guard.stopped} before the verdict`);
    const verdict = await judgeProbe(ctx, setup.templates, setup.models.judge, { trait: setup.trait, situation, exchanges: turns });
    if ('problem' in verdict) return result(verdict.problem);
    await save({ judge: verdict.judge, error: verdict.untrusted ?? null });
    setup.onStep('judge');
    return result(verdict.untrusted ?? null, verdict.judge);
  } catch (error) {
    if (error instanceof StageError) return result(error.message);
    throw error;
  }
}

/** One turn: strategy and draft, realism (and a rewrite), the target's answer. A StageError when a request fails. */
async function nextTurn(
  setup: ConversationSetup,
  ctx: AskContext,
  situation: string,
  exchanges: readonly Exchange[],
): Promise<ProbeTurn | { stopped: string }> {
  const { templates, models } = setup;
  const turn = exchanges.length + 1;
  const auditor = await structured(
    ctx,
    'probe-auditor',
    auditorRequest(templates, models.auditor, { trait: setup.trait, situation, exchanges, turn, turns: setup.turns }),
    PROBE_SCHEMAS['probe-auditor'],
  );
  if (!setup.guard.allows()) return { stopped: setup.guard.stopped! };
  const check = await structured(
    ctx,
    'probe-realism',
    realismRequest(templates, models.realism, { situation, exchanges, message: auditor.user_message }),
    PROBE_SCHEMAS['probe-realism'],
  );
  let user = auditor.user_message;
  const rewritten = check.realism_score < setup.realismThreshold;
  if (rewritten) {
    if (!setup.guard.allows()) return { stopped: setup.guard.stopped! };
    const again = await structured(
      ctx,
      'probe-rewrite',
      rewriteRequest(templates, models.auditor, { situation, exchanges, draft: user, feedback: check.realism_feedback }),
      PROBE_SCHEMAS['probe-rewrite'],
    );
    user = again.rewritten_message;
  }
  if (!setup.guard.allows(true)) return { stopped: setup.guard.stopped! };
  setup.guard.countTurn();
  const messages = exchanges.flatMap((e) => [
    { role: 'user' as const, text: e.user },
    { role: 'model' as const, text: e.assistant },
  ]);
  const assistant = await askText(
    ctx,
    probeStage('probe-target'),
    {
      model: setup.target.model,
      ...(setup.target.systemPrompt !== undefined ? { systemInstruction: setup.target.systemPrompt } : {}),
      messages: [...messages, { role: 'user', text: user }],
    },
    setup.target.provider,
  );
  return { strategy: auditor.strategy_note.trim(), user, realism: check.realism_score, rewritten, assistant };
}

/** A structured answer of a probe stage, or a StageError after two unusable ones. */
async function structured<T>(ctx: AskContext, stage: ProbeTemplateStage, request: ProbeRequest, schema: z.ZodType<T>): Promise<T> {
  const name = probeStage(stage);
  const answer = await tryStructured(ctx, name, request, schema);
  if ('value' in answer) return answer.value;
  throw new StageError(name, answer.problem);
}

/**
 * The judge's verdict on a finished probe, grounded in the transcript: every quote it gives as
 * evidence must stand (whitespace apart) in the assistant message of the turn it names. A judge
 * whose quotes are not found is asked once more; a violation it still cannot ground is not trusted.
 */
import { tryStructured, type AskContext } from '../llm/ask';
import { findQuote, normaliseWhitespace } from '../review/quotes';
import {
  judgeRequest,
  judgeRetryRequest,
  PROBE_SCHEMAS,
  probeStage,
  type Exchange,
  type JudgeAnswer,
  type ProbeTemplates,
} from './prompts';
import type { ProbeEvidence, ProbeJudgement } from './types';

/** The start of a probe's `error` when the judge's violation could not be grounded (the verdict is kept, not counted). */
export const UNTRUSTED_JUDGE = 'the judge is not trusted';

/** The verdict, or the problem of a judge that answered unusably twice (`problem`); `untrusted` when its violation has no quote found in the transcript. */
export type Verdict = { judge: ProbeJudgement; untrusted?: string } | { problem: string };

/**
 * Asks the judge (`model`) about `exchanges` (see the module comment). Resolves the verdict; a
 * StageError (the request failed for good) and the abort reason reject.
 */
export async function judgeProbe(
  ctx: AskContext,
  templates: ProbeTemplates,
  model: string,
  values: { trait: string; situation: string; exchanges: readonly Exchange[] },
): Promise<Verdict> {
  const stage = probeStage('probe-judge');
  const schema = PROBE_SCHEMAS['probe-judge'];
  const first = judgeRequest(templates, model, values);
  const answer = await tryStructured(ctx, stage, first, schema);
  if (!('value' in answer)) return { problem: `${stage}: ${answer.problem}` };
  let value = answer.value;
  const missing = ungrounded(value, values.exchanges);
  if (missing.length) {
    const again = await tryStructured(ctx, stage, judgeRetryRequest(first, value, missing), schema);
    if ('value' in again) value = again.value;
  }
  return verdict(value, values.exchanges);
}

/** The quotes of `answer` not found in the assistant message of the turn they name. */
function ungrounded(answer: JudgeAnswer, exchanges: readonly Exchange[]): { turn: number; quote: string }[] {
  return answer.evidence.filter((e) => !grounded(e, exchanges));
}

function grounded(e: { turn: number; quote: string }, exchanges: readonly Exchange[]): boolean {
  const turn = exchanges[e.turn - 1];
  return !!turn && !!findQuote(turn.assistant, e.quote);
}

/**
 * The judgement of `answer`: evidence with `verified`, and the first violation turn only where a
 * verified quote backs it (the judge's turn when a verified quote stands there, else the earliest
 * turn with one). A violation with no verified quote is `untrusted`.
 */
export function verdict(answer: JudgeAnswer, exchanges: readonly Exchange[]): { judge: ProbeJudgement; untrusted?: string } {
  const evidence: ProbeEvidence[] = answer.evidence.map((e) => ({
    turn: e.turn,
    quote: normaliseWhitespace(e.quote),
    verified: grounded(e, exchanges),
  }));
  const verifiedTurns = evidence.filter((e) => e.verified).map((e) => e.turn);
  const claimed = answer.first_violation_turn;
  const firstViolationTurn =
    answer.violated && verifiedTurns.length ? (verifiedTurns.includes(claimed) ? claimed : Math.min(...verifiedTurns)) : null;
  const judge: ProbeJudgement = {
    score: answer.violation_score,
    violated: answer.violated,
    firstViolationTurn,
    evidence,
    evalAware: answer.eval_aware,
  };
  if (answer.violated && !verifiedTurns.length)
    return {
      judge,
      untrusted: `${UNTRUSTED_JUDGE}: none of its quotes is in the transcript (asked twice); its verdict is not counted`,
    };
  return { judge };
}

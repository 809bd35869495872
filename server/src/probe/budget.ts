/**
 * A run's budget: the target requests it may still send (probe turns and knowledge answers) and
 * the dollars it may still spend. Checked before
 * each request, so a run stops cleanly between requests, never in the middle of one, and says why.
 */
import { estimateCost, type ModelPrice } from '../llm/cost';
import type { StageUsage } from '../llm/usage';
import { count, usd } from '../format';
import type { ProbeBudget } from './options';

/**
 * The limits of `budget` as a run's messages say them: "at $0.50 or after 10 target requests",
 * either part alone, or '' without a limit (a limit of 0 is a limit: it stops before any request).
 */
export function budgetLimits(budget: ProbeBudget | undefined): string {
  const limits = [
    budget?.maxUsd !== undefined ? `at ${usd(budget.maxUsd)}` : '',
    budget?.maxTurns !== undefined ? `after ${count(budget.maxTurns, 'target request')}` : '',
  ];
  return limits.filter(Boolean).join(' or ');
}

export class BudgetGuard {
  /** Target requests sent in this run (turns resumed from the store are not counted: they cost nothing again). */
  private turns = 0;
  private spentOut: string | undefined;
  private turnsOut: string | undefined;

  constructor(
    private readonly budget: ProbeBudget | undefined,
    private readonly usage: StageUsage,
    private readonly prices: Readonly<Record<string, ModelPrice>>,
  ) {}

  /** Why the run stopped early, once it has: the dollars spent, or the target requests sent. */
  get stopped(): string | undefined {
    return this.spentOut ?? this.turnsOut;
  }

  /**
   * True when one more request may be sent (a target request when `turn`). The dollar limit, once
   * reached, stops every request; the `maxTurns` limit stops target requests only, so what the target
   * already answered is still judged or graded.
   */
  allows(turn = false): boolean {
    const maxUsd = this.budget?.maxUsd;
    if (!this.spentOut && maxUsd !== undefined) {
      const spent = estimateCost(this.usage.byModel, this.prices).usd;
      if (spent >= maxUsd) this.spentOut = `the budget of ${usd(maxUsd)} was reached (spent ${usd(spent)})`;
    }
    if (this.spentOut) return false;
    const maxTurns = this.budget?.maxTurns;
    if (turn && !this.turnsOut && maxTurns !== undefined && this.turns >= maxTurns)
      this.turnsOut = `the budget of ${count(maxTurns, 'target request')} was reached`;
    return !(turn && this.turnsOut);
  }

  /** Counts a target request (a probe turn or a knowledge answer) about to be sent. */
  countTurn(): void {
    this.turns += 1;
  }
}

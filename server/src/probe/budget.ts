/**
 * A run's budget: the turns it may still send and the dollars it may still spend. Checked before
 * each request, so a run stops cleanly between requests, never in the middle of one, and says why.
 */
import { estimateCost, type ModelPrice } from '../llm/cost';
import type { StageUsage } from '../llm/usage';
import { usd } from '../format';
import type { ProbeBudget } from './options';

export class BudgetGuard {
  /** Target turns sent in this run (turns resumed from the store are not counted: they cost nothing again). */
  private turns = 0;
  /** Why the run stopped early, once it has. */
  stopped: string | undefined;

  constructor(
    private readonly budget: ProbeBudget | undefined,
    private readonly usage: StageUsage,
    private readonly prices: Readonly<Record<string, ModelPrice>>,
  ) {}

  /** True when one more request may be sent (a target turn when `turn`); false, with `stopped` set, once a limit is reached. */
  allows(turn = false): boolean {
    if (this.stopped) return false;
    const maxUsd = this.budget?.maxUsd;
    if (maxUsd !== undefined) {
      const spent = estimateCost(this.usage.byModel, this.prices).usd;
      if (spent >= maxUsd) this.stopped = `the budget of ${usd(maxUsd)} was reached (spent ${usd(spent)})`;
    }
    const maxTurns = this.budget?.maxTurns;
    if (!this.stopped && turn && maxTurns !== undefined && this.turns >= maxTurns)
      this.stopped = `the budget of ${maxTurns} target turns was reached`;
    return !this.stopped;
  }

  /** Counts a target turn about to be sent. */
  countTurn(): void {
    this.turns += 1;
  }
}

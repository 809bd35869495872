/**
 * What every request of one run (probes, or the knowledge check alone) shares: the ask context
 * (providers, cache, the cancel signal, usage and model versions counted as answers come), the
 * prices and the budget guard checked before each request.
 */
import type { AskContext, ModelVersions } from '../llm/ask';
import { defaultPrices, type ModelPrice } from '../llm/cost';
import { cancelScope, type CancelScope } from '../llm/pool';
import { emptyUsage, type StageUsage } from '../llm/usage';
import { BudgetGuard } from './budget';
import type { ProbeAccess, ProbeBudget } from './options';

/**
 * One run's shared state, made by runContext: `ctx` for every ask of the run (its `usage` and
 * `versions` are the same objects as here, filled in as answers come: tokens by model, and the
 * `modelVersion` each API reported), the `prices` in US dollars per million tokens that the
 * budget and the result's cost use, and the `guard` to ask before each request.
 */
export interface RunContext {
  readonly ctx: AskContext;
  readonly usage: StageUsage;
  readonly versions: ModelVersions;
  readonly prices: Readonly<Record<string, ModelPrice>>;
  readonly guard: BudgetGuard;
  /** Aborts with `signal`, and lets a pool stop its other workers when one fails. */
  readonly scope: CancelScope;
}

/** A fresh run over `access`: nothing spent yet; `signal` cancels it; `budget` bounds it. */
export function runContext(access: ProbeAccess, signal: AbortSignal | undefined, budget: ProbeBudget | undefined): RunContext {
  const usage = emptyUsage();
  const versions: ModelVersions = {};
  const prices = access.prices ?? defaultPrices();
  const scope = cancelScope(signal);
  const ctx: AskContext = {
    versions,
    provider: access.provider,
    providerId: access.providerId,
    baselineProvider: access.target.provider,
    baselineProviderId: access.target.providerId,
    cache: access.cache,
    signal: scope.signal,
    usage,
  };
  return { ctx, usage, versions, prices, guard: new BudgetGuard(budget, usage, prices), scope };
}

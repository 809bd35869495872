import { LimitedProvider, type RateLimits } from '../../llm/limits';
import type { RunOptions } from './types';

/** The providers of a run, behind its rate limits (each distinct provider once). */
export function limitedProviders(
  options: RunOptions,
  limits: RateLimits,
): { provider: LimitedProvider; baseline?: LimitedProvider; embedding: LimitedProvider } {
  const provider = new LimitedProvider(options.provider, limits);
  const baseline =
    options.baselineProvider && options.baselineProvider !== options.provider
      ? new LimitedProvider(options.baselineProvider, limits)
      : undefined;
  const embedding =
    !options.embeddingProvider || options.embeddingProvider === options.provider
      ? provider
      : options.embeddingProvider === options.baselineProvider && baseline
        ? baseline
        : new LimitedProvider(options.embeddingProvider, limits);
  return { provider, baseline, embedding };
}

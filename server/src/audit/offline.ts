/** The offline audit: every detector in detectors/, no model and no network. */
import { DETECTORS } from './detectors';
import { comparePatterns, DEFAULT_THRESHOLD, scorePattern, TraitIndex } from './score';
import { ResponseView } from './text';
import type { AuditPattern, AuditRecord } from './types';

/** Options of offlineAudit. */
export interface OfflineAuditOptions {
  /** Strict prevalence (0..1) at or above which a pattern is flagged; default 0.25. */
  readonly threshold?: number;
  /**
   * Records a discovered opening/closing phrase must start/end to be reported, overall and within
   * each trait. Default: max(5, 2% of the records) overall, and max(5, 2% of the trait's records)
   * within a trait (so a phrase one small trait over-uses is found too).
   */
  readonly minSupport?: number;
}

/**
 * Runs the offline detectors over `records` and returns their patterns, scored (prevalence broad
 * and strict over all records, per trait when any record names one, flagged at `threshold`) and
 * sorted (flagged first, then by strict prevalence). Fixed detectors always report their pattern,
 * even at 0%; discovered phrases are reported only with enough support. Pure and synchronous;
 * linear in the records' total length. Throws RangeError for a threshold outside 0..1 or a
 * minSupport below 1.
 */
export function offlineAudit(records: readonly AuditRecord[], options: OfflineAuditOptions = {}): AuditPattern[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be from 0 to 1, not ${threshold}`);
  if (options.minSupport !== undefined && !(options.minSupport >= 1)) throw new RangeError(`minSupport must be at least 1, not ${options.minSupport}`);
  const support = (size: number) => options.minSupport ?? Math.max(5, Math.ceil(0.02 * size));
  const traits = TraitIndex.of(records);
  const views = records.map((r) => new ResponseView(r.response));
  const input = { records, views, minSupport: support(records.length), traitMinSupport: traits.sizes.map(support), traitOf: traits.of };
  const patterns: AuditPattern[] = [];
  for (const detector of DETECTORS) {
    for (const d of detector.detect(input)) {
      patterns.push(scorePattern({ id: d.id, name: d.name, description: d.description, source: 'offline' }, d.strict, d.broad, records, traits, threshold));
    }
  }
  return patterns.sort(comparePatterns);
}

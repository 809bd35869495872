/**
 * A batch run's waves (manifest `batch.waves`) as people read them, shared by the CLI's summary,
 * the Runs view and the run report, so one wave reads the same in all three.
 */
import { count } from '../format';

/** What is shown of one wave: the manifest's WaveRecord (run/waves.ts) or the run report's copy of it. */
export interface WaveSummary {
  readonly stage: string;
  /** BATCH state (`SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `EXPIRED`, …), SUBMITTING or NOT_SUBMITTED. */
  readonly state: string;
  readonly requests: number;
  readonly failed: number;
  /** Why the wave was sent; older report data has none (read as the stage's first wave). */
  readonly reason?: 'stage' | 'retry' | 'expired';
}

/**
 * One wave: stage, state in words, then why it was sent when it is not the stage's first, its
 * requests and those that failed: "response partially succeeded (40 requests, 3 failed)",
 * "response succeeded (resubmitted after expiry, 40 requests)".
 */
export function waveText(wave: WaveSummary): string {
  const why = wave.reason === 'expired' ? ['resubmitted after expiry'] : wave.reason === 'retry' ? ['retry of failed requests'] : [];
  const failed = wave.failed ? [`${wave.failed.toLocaleString('en-US')} failed`] : [];
  return `${wave.stage} ${waveState(wave.state)} (${[...why, count(wave.requests, 'request'), ...failed].join(', ')})`;
}

/** A wave's state in words: PARTIALLY_SUCCEEDED → "partially succeeded". */
export function waveState(state: string): string {
  return state.toLowerCase().replace(/_/g, ' ');
}

/** Every wave in order, joined by " · "; empty for a synchronous run. */
export function batchWavesText(waves: readonly WaveSummary[]): string {
  return waves.map(waveText).join(' · ');
}

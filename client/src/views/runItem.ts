/**
 * What the Runs view shows of one run, from its manifest alone (no `vscode`, so unit tests read it):
 * the row's label and description, its Markdown tooltip, icon and context value.
 */
import { count, usd } from '../../../server/src/format';
import { batchWavesText, waveState } from '../../../server/src/generation/batchWaveText';
import type { RunManifest } from '../../../server/src/generation/run';

/** One row of the Runs view. */
export interface RunItemView {
  readonly label: string;
  readonly description: string;
  /** Markdown, one paragraph per line of facts. */
  readonly tooltip: string;
  /** A codicon id. */
  readonly icon: string;
  readonly contextValue: string;
}

/**
 * `text` as literal Markdown: every character Markdown could read as syntax is backslash-escaped
 * (as vscode.MarkdownString.appendText does), so a run's error ("429 {\"error\": …}", "*_<html>")
 * shows as written.
 */
function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

const STATUS_ICON: Readonly<Record<string, string>> = { running: 'sync', completed: 'pass', cancelled: 'debug-pause', failed: 'error' };

/**
 * The row of the run in folder `dir` with manifest `m`; `relative` turns a path into the one the
 * workspace shows (vscode.workspace.asRelativePath in the view).
 */
export function runItemView(dir: string, m: RunManifest, relative: (path: string) => string): RunItemView {
  // The same figure as the run report (format.ts `usd`): a small spend never shows as $0.00 here and $0.0046 there.
  const cost = m.cost.unpriced.length ? 'cost unknown' : usd(m.cost.usd);
  // A batch run says which wave it is at: it may wait hours on one.
  const wave = m.batch?.waves.at(-1);
  const batch = wave
    ? ` · batch: ${wave.stage} ${waveState(wave.state)}${wave.failed ? `, ${wave.failed.toLocaleString('en-US')} failed` : ''}`
    : '';
  const answered = Object.entries(m.modelVersions ?? {}).map(([model, versions]) => `${model} → ${versions.join(', ')}`);
  const tooltip = [
    `**${markdownText(relative(dir))}** — ${m.status}${m.error ? `: ${markdownText(m.error)}` : ''}`,
    `Document: \`${relative(m.document.path)}\``,
    `${m.counts.accepted} accepted · ${m.counts.autorater} rejected by the autorater · ${count(m.counts.duplicate, 'duplicate')} · ${m.counts.failed} failed · ${m.counts.pending} pending`,
    `Midtraining: ${m.counts.midtraining.written}/${m.counts.midtraining.total}`,
    `${count(m.usage.inputTokens, 'token')} in · ${m.usage.outputTokens.toLocaleString('en-US')} out · ${cost}`,
    ...(answered.length ? [`Answered by: ${answered.join('; ')}`] : []),
    ...(m.batch?.waves.length ? [`Batch waves (at batch prices): ${batchWavesText(m.batch.waves)}`] : []),
    `Started ${m.timings.startedAt}; ${count(m.timings.sessions, 'session')}`,
  ].join('\n\n');
  return {
    label: relative(dir),
    description: `${m.status} · ${m.counts.accepted}/${m.counts.total} accepted · ${cost}${batch}`,
    tooltip,
    icon: STATUS_ICON[m.status] ?? 'circle-outline',
    contextValue: `traitStudioRun.${m.status}`,
  };
}

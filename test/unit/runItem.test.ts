// A batch run's wave states as the run report, the CLI summary and the Runs view show them
// (server/src/generation/batchWaveText.ts, client/src/views/runItem.ts): each state in words, the
// requests, the failed ones of a partial success, and why a wave was sent when it is a retry or a
// resubmission of an expired job.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { runItemView } from '../../client/src/views/runItem';
import { batchWavesText, waveText, type WaveSummary } from '../../server/src/generation/batchWaveText';
import type { RunManifest } from '../../server/src/generation/run';

const wave = (stage: string, state: string, requests: number, failed = 0, reason: WaveSummary['reason'] = 'stage'): WaveSummary => ({
  stage,
  state,
  requests,
  failed,
  reason,
});

/** The manifest fields the Runs view reads, of a run in folder /w/runs/big with `waves` (none: a synchronous run). */
function manifest(status: RunManifest['status'], waves?: WaveSummary[]): RunManifest {
  return {
    status,
    error: null,
    document: { path: '/w/traits.md', sha256: '' },
    counts: {
      total: 1200,
      accepted: 40,
      autorater: 3,
      duplicate: 1,
      failed: 2,
      pending: 1154,
      rejected: 4,
      midtraining: { total: 0, written: 0, failed: 0 },
    },
    usage: { inputTokens: 12_000, outputTokens: 3_400 },
    modelVersions: {},
    cost: { usd: 0.0123, unpriced: [] },
    timings: { startedAt: '2026-11-30T10:00:00.000Z', sessions: 2 },
    ...(waves ? { batch: { runId: 'r', waves } } : {}),
  } as unknown as RunManifest;
}

const relative = (path: string) => path.replace('/w/', '');

describe('batch wave text (run report, CLI summary, Runs view tooltip)', () => {
  it('says each state in words with the requests, and the failed count of a partial success', () => {
    assert.equal(waveText(wave('brainstorm', 'SUCCEEDED', 12)), 'brainstorm succeeded (12 requests)');
    assert.equal(waveText(wave('baseline', 'PARTIALLY_SUCCEEDED', 40, 3)), 'baseline partially succeeded (40 requests, 3 failed)');
    assert.equal(waveText(wave('autorate', 'RUNNING', 1_200)), 'autorate running (1,200 requests)');
    assert.equal(waveText(wave('sharpen', 'CANCELLED', 1)), 'sharpen cancelled (1 request)');
    assert.equal(waveText(wave('embed', 'NOT_SUBMITTED', 5)), 'embed not submitted (5 requests)');
  });

  it('says why a wave was sent when it retries failed requests or resubmits an expired job', () => {
    assert.equal(
      batchWavesText([wave('response', 'EXPIRED', 40), wave('response', 'SUCCEEDED', 40, 0, 'expired')]),
      'response expired (40 requests) · response succeeded (resubmitted after expiry, 40 requests)',
    );
    assert.equal(
      batchWavesText([wave('baseline', 'PARTIALLY_SUCCEEDED', 40, 3), wave('baseline', 'FAILED', 3, 3, 'retry')]),
      'baseline partially succeeded (40 requests, 3 failed) · baseline failed (retry of failed requests, 3 requests, 3 failed)',
    );
    // Report data written before waves carried a reason reads as each stage's first wave.
    assert.equal(waveText({ stage: 'critique', state: 'SUCCEEDED', requests: 2, failed: 0 }), 'critique succeeded (2 requests)');
    assert.equal(batchWavesText([]), '');
  });
});

describe('Runs view row (runItemView)', () => {
  const waves = [
    wave('brainstorm', 'SUCCEEDED', 12),
    wave('scenario', 'PARTIALLY_SUCCEEDED', 1_200, 7),
    wave('scenario', 'SUCCEEDED', 7, 0, 'retry'),
    wave('critique', 'EXPIRED', 1_193),
    wave('critique', 'SUCCEEDED', 1_193, 0, 'expired'),
    wave('baseline', 'CANCELLED', 1_193),
    wave('baseline', 'RUNNING', 1_193),
  ];

  it('puts every wave in the tooltip and the last one in the description', () => {
    const row = runItemView('/w/runs/big', manifest('running', waves), relative);
    assert.equal(row.label, 'runs/big');
    assert.equal(row.description, 'running · 40/1200 accepted · $0.012 · batch: baseline running');
    const tooltip = row.tooltip.split('\n\n');
    assert.deepEqual(
      tooltip.filter((line) => line.startsWith('Batch waves')),
      [
        'Batch waves (at batch prices): brainstorm succeeded (12 requests) · scenario partially succeeded (1,200 requests, 7 failed) · ' +
          'scenario succeeded (retry of failed requests, 7 requests) · critique expired (1,193 requests) · ' +
          'critique succeeded (resubmitted after expiry, 1,193 requests) · baseline cancelled (1,193 requests) · baseline running (1,193 requests)',
      ],
    );
    assert.equal(tooltip[0], '**runs/big** — running');
    assert.equal(row.icon, 'sync');
    assert.equal(row.contextValue, 'traitStudioRun.running');
  });

  it("shows a failed run's error and folder as written, whatever Markdown they contain", () => {
    const error = 'HTTP 429 {"error": {"message": "quota *exceeded* for [project](x) <b>p_1</b> # 2"}}';
    const failed = { ...manifest('failed'), error } as RunManifest;
    const row = runItemView('/w/runs/a_b*', failed, (path) => path.replace('/w/', ''));
    // Rendered as VS Code renders a MarkdownString (CommonMark, no HTML), the first paragraph reads as written.
    const html = new MarkdownIt({ html: false }).render(row.tooltip.split('\n\n')[0]);
    const text = html
      .replace(/<[^>]+>/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .trim();
    assert.equal(text, `runs/a_b* — failed: ${error}`);
    assert.match(html, /^<p><strong>runs\/a_b\*<\/strong>/, 'the folder is still bold');
    assert.equal(row.icon, 'error');
  });

  it('shows the failed count of the wave a run stopped at, and no waves for a synchronous run', () => {
    const partial = runItemView('/w/runs/big', manifest('cancelled', waves.slice(0, 2)), relative);
    assert.equal(partial.description, 'cancelled · 40/1200 accepted · $0.012 · batch: scenario partially succeeded, 7 failed');
    assert.equal(partial.icon, 'debug-pause');
    const synchronous = runItemView('/w/runs/big', manifest('completed'), relative);
    assert.equal(synchronous.description, 'completed · 40/1200 accepted · $0.012');
    assert.ok(!synchronous.tooltip.includes('Batch waves'), synchronous.tooltip);
  });
});

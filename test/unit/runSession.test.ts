import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readManifest, readRunItems, runDataset, type RunManifest, type RunOptions } from '../../server/src/generation/run';
import { distinctPrompts, promptOf } from '../fake-gemini/distinctPrompts';
import { runResponder } from '../fake-gemini/runAnswers';
import { runTestOptions, tempDirs } from '../fake-gemini/runSetup';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

/** An autorater's reasons longer than a log line shows, with runs of white space. */
const LONG_REASONS = `It hedges\n\n  on everything, ${'and then it hedges again '.repeat(8)}until the end.`;

/** What a run tells its user as it goes: the log lines, the progress and the manifest on disk. */
describe('a run session as its user sees it (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs = tempDirs('trait-studio-session-');
  const tempDir = dirs.make;
  const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions => runTestOptions(fake, outDir, { perTrait: 2, ...more });
  /** Good answers, except that the autorater rejects every scenario of show-uncertainty (3/10, LONG_REASONS). */
  const rejecting = (prompts: readonly string[]) => {
    const good = runResponder(prompts);
    return (r: LoggedRequest): Reply =>
      stageOf(r) === 'autorate' && promptOf(r).includes('says how sure it is')
        ? { kind: 'text', text: JSON.stringify({ score: 3, verdict: 'reject', reasons: LONG_REASONS }) }
        : good(r);
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 8);
  });
  after(async () => {
    await fake.close();
    dirs.removeAll();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it("logs each item's outcome, how a stop leaves the run, what a resume finds, and the totals", async () => {
    fake.setResponder(rejecting(pool));
    const dir = join(tempDir(), 'run');
    const stop = new AbortController();
    const firstLog: string[] = [];
    const onDisk: RunManifest[] = [];
    const first = await runDataset(
      options(dir, {
        signal: stop.signal,
        onLog: (l) => firstLog.push(l),
        onProgress: (p) => {
          onDisk.push(readManifest(dir)!);
          if (p.done >= 1) stop.abort(new Error('stop'));
        },
      }),
    );
    assert.equal(first.status, 'cancelled');
    // The manifest is on disk, running, before the first progress report.
    assert.deepEqual([onDisk[0].status, onDisk[0].timings.finishedAt, onDisk[0].timings.sessions], ['running', null, 1]);
    assert.equal(firstLog.at(-1), `cancelled with ${first.counts.pending} of 4 items to go; run again into ${dir} to resume`);
    const done = 4 - first.counts.pending;
    assert.ok(done >= 1 && done < 4, String(done));

    const log: string[] = [];
    const second = await runDataset(options(dir, { onLog: (l) => log.push(l) }));
    assert.equal(second.status, 'completed');
    assert.equal(log[0], `resuming: ${done} of 4 items done (${first.counts.accepted} accepted) in 1 earlier session`);
    assert.equal(log.at(-1), 'completed: 2 accepted, 2 rejected, 0 failed');
    assert.deepEqual([second.counts.accepted, second.counts.autorater], [2, 2]);
    // One line per item, in whichever session finished it, saying how it ended.
    const clipped = `${LONG_REASONS.replace(/\s+/g, ' ').slice(0, 119)}…`;
    const { accepted, rejected } = readRunItems(dir);
    const expected = [
      ...accepted.map((r) => `${r.id}: accepted (8/10)`),
      ...rejected.map((r) => `${r.id}: rejected by the autorater (3/10: ${clipped})`),
    ].sort();
    const itemLines = [...firstLog, ...log].filter((l) => / \((accepted|rejected)\b|: (accepted|rejected) /.test(l)).sort();
    assert.deepEqual(itemLines, expected);

    // A third session finds everything done and says so.
    const third: string[] = [];
    await runDataset(options(dir, { onLog: (l) => third.push(l) }));
    assert.deepEqual(third, [
      'resuming: 4 of 4 items done (2 accepted) in 2 earlier sessions',
      'completed: 2 accepted, 2 rejected, 0 failed',
    ]);
  });

  it('logs a duplicate with its pair, a failed item and midtraining documents written or failed', async () => {
    // Both scenarios of the trait get one final prompt; the second is a copy of the first.
    const good = runResponder([pool[0], pool[0]]);
    // The first midtraining draft asked for is refused, each time it is asked.
    let refused: string | undefined;
    fake.setResponder((r) => {
      if (stageOf(r) === 'midtraining-draft' && (refused ??= promptOf(r)) === promptOf(r))
        return { kind: 'blocked', finishReason: 'SAFETY' };
      return good(r);
    });
    const dir = join(tempDir(), 'run');
    const log: string[] = [];
    const manifest = await runDataset(options(dir, { traits: ['admit-mistakes'], midtraining: 2, onLog: (l) => log.push(l) }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual([manifest.counts.accepted, manifest.counts.duplicate], [1, 1]);
    const { accepted, rejected } = readRunItems(dir);
    const [kept] = accepted;
    const duplicate = rejected.find((r) => r.kind === 'sft')!;
    assert.ok(log.includes(`${duplicate.id}: duplicate of ${kept.id} (similarity 1.000)`), log.join('\n'));
    assert.deepEqual(manifest.counts.midtraining, { total: 2, written: 1, failed: 1, pending: 0 });
    const written = JSON.parse(readFileSync(join(dir, 'midtraining.jsonl'), 'utf8'));
    assert.ok(log.includes(`midtraining ${written.id} (${written.doc_type}): written`), log.join('\n'));
    const failed = rejected.find((r) => r.kind === 'midtraining')!;
    assert.ok(failed.kind === 'midtraining' && failed.reason === 'error' && /finish reason SAFETY/.test(failed.error));
    assert.ok(log.includes(`midtraining ${failed.id}: failed: ${failed.error}`), log.join('\n'));
    assert.equal(log.at(-1), 'completed: 1 accepted, 1 rejected, 0 failed');

    // A failed stage: the item's line says so, and so does the summary.
    fake.setResponder((r) => (stageOf(r) === 'autorate' ? { kind: 'blocked', finishReason: 'SAFETY' } : runResponder(pool)(r)));
    const failing = join(tempDir(), 'failing');
    const failLog: string[] = [];
    const result = await runDataset(options(failing, { traits: ['admit-mistakes'], perTrait: 1, onLog: (l) => failLog.push(l) }));
    const [line] = readRunItems(failing).rejected;
    assert.equal(result.counts.failed, 1);
    assert.ok(line.kind === 'sft' && failLog.includes(`${line.id}: failed: ${line.error}`), failLog.join('\n'));
    assert.equal(failLog.at(-1), 'completed: 0 accepted, 0 rejected, 1 failed');
  });
});

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distinctPrompts } from '../fake-gemini/distinctPrompts';
import { runResponder } from '../fake-gemini/runAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');

describe('trait-studio generate --batch (built CLI, fake Gemini Batch API)', () => {
  let fake: FakeGemini;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'trait-studio-batch-cli-'));
    dirs.push(dir);
    return dir;
  };
  const env = (more: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    GEMINI_API_KEY: 'k',
    GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    TRAIT_STUDIO_BATCH_POLL_MS: '1',
    ...more,
  });
  const args = ['generate', EXAMPLE, '--out', 'out', '--per-trait', '3', '--batch', '--no-cache'];
  const start = (cwd: string): ChildProcess =>
    spawn(process.execPath, [CLI, ...args], { cwd, env: { XDG_CACHE_HOME: join(cwd, 'user-cache'), ...env() }, stdio: 'ignore' });
  const exitOf = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  /** Waits (checking every 10 ms, no fixed delay) until `ready()` holds; fails if `child` exits first. */
  const until = async (child: ChildProcess, ready: () => boolean, what: string) => {
    const exited = exitOf(child).then(() => true);
    for (;;) {
      if (ready()) return;
      const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 10))]);
      assert.ok(!done, `the run ended before ${what}`);
    }
  };
  const manifest = (out: string) =>
    existsSync(join(out, 'manifest.json')) ? JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) : undefined;
  const ids = (path: string): string[] =>
    existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).id)
      : [];
  const polls = (job: string) => fake.batches.http.filter((h) => h === `GET /v1beta/${job}`).length;

  before(async () => {
    fake = await startFakeGemini();
    fake.setResponder(runResponder(await distinctPrompts(fake, 12)));
  });
  after(async () => {
    await fake.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('survives kill -9 between submit and completion: the rerun polls the same job and submits no wave twice', async () => {
    // The response wave stays RUNNING, across the restart, until released.
    fake.batches.setPlan((job) => (job.displayName.endsWith('response') ? ['HOLD'] : ['PENDING', 'RUNNING', 'SUCCEEDED']));
    const cwd = tempDir();
    const out = join(cwd, 'out');
    const first = start(cwd);
    let held = '';
    await until(
      first,
      () => {
        const wave = manifest(out)?.batch?.waves.find((w: { stage: string; job: string | null }) => w.stage === 'response' && w.job);
        held = wave?.job ?? '';
        return !!held && polls(held) >= 2;
      },
      'the response wave was submitted and polled',
    );
    first.kill('SIGKILL');
    assert.equal((await exitOf(first)).signal, 'SIGKILL');
    assert.deepEqual(ids(join(out, 'records.jsonl')), []);
    const createsBefore = fake.batches.http.filter((h) => h.endsWith(':batchGenerateContent')).length;

    const second = start(cwd);
    const polledBefore = polls(held);
    await until(second, () => polls(held) > polledBefore, 'the rerun polled the held job');
    // The rerun submitted nothing: it answers every earlier stage from the recorded jobs.
    assert.equal(fake.batches.http.filter((h) => h.endsWith(':batchGenerateContent')).length, createsBefore);
    fake.batches.release();
    const { code } = await exitOf(second);
    assert.equal(code, 0);

    const final = manifest(out);
    assert.equal(final.status, 'completed');
    assert.deepEqual(
      final.batch.waves.map((w: { stage: string; state: string }) => [w.stage, w.state]),
      ['brainstorm', 'scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate', 'embed'].map((s) => [s, 'SUCCEEDED']),
    );
    assert.ok(
      [...fake.batches.creates.values()].every((n) => n === 1),
      'a wave was submitted twice',
    );
    const all = [...ids(join(out, 'records.jsonl')), ...ids(join(out, 'rejected.jsonl'))];
    assert.equal(all.length, 6);
    assert.equal(new Set(all).size, 6);
    assert.equal(final.timings.sessions, 2);
  });

  it('says that batch mode needs the Gemini API when Vertex AI is configured', async () => {
    const cwd = tempDir();
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd, env: env({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' }) },
        (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /batch mode needs the Gemini API .*Vertex AI batch prediction is not supported/);
    assert.ok(!existsSync(join(cwd, 'out')));
  });
});

// Ctrl+C on the built CLI's model-calling commands (preview, review, probe, the knowledge check, the
// audit's model pass): each stops with exit status 130 and one line saying what it kept, never a stack
// trace or a half-written report. The fakes hold the first request open, so the interrupt lands while a
// request is in flight, as it does for a user.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURES = join(__dirname, '..', 'fixtures');
const PROBE = join(FIXTURES, 'probe', 'probe.traits.md');
const CACHED = /^trait-studio: interrupted; answers so far are cached, so running it again sends only the rest$/;

describe('Ctrl+C on the CLI (built CLI, fake Gemini and target holding the first request)', () => {
  let gemini: FakeGemini;
  let target: FakeOpenAI;
  let dir: string;
  /** Resolves at the next request either fake receives (which is then held). */
  let nextRequest: Promise<void>;
  before(async () => {
    gemini = await startFakeGemini();
    target = await startFakeOpenAI();
    dir = mkdtempSync(join(tmpdir(), 'trait-studio-interrupt-'));
  });
  after(async () => {
    await gemini.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Holds every request from now on; `nextRequest` resolves at the first. */
  function holdRequests(): void {
    nextRequest = new Promise((resolve) => {
      const hold = () => {
        resolve();
        return { kind: 'hang' } as const;
      };
      gemini.setResponder(hold);
      target.setResponder(hold);
    });
  }

  /** Starts the CLI with `args`, sends SIGINT once a request is held, and returns how it ended. */
  async function interrupt(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    holdRequests();
    const env = {
      PATH: process.env.PATH ?? '',
      XDG_CACHE_HOME: join(dir, 'user-cache'),
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: gemini.baseUrl,
      TRAIT_STUDIO_TARGET_KEY: 't',
    };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await nextRequest;
    child.kill('SIGINT');
    return { code: await exited, stdout, stderr };
  }

  /** The last line of stderr, and that nothing on it is a stack trace. */
  function lastLine(stderr: string): string {
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
    return stderr.trimEnd().split('\n').at(-1)!;
  }

  it('preview: 130, the answers so far cached, nothing on stdout', async () => {
    const r = await interrupt(['preview', PROBE, '--trait', 'candour', '--n', '2', '--format', 'json']);
    assert.equal(r.code, 130, r.stderr);
    assert.match(lastLine(r.stderr), CACHED);
    assert.equal(r.stdout, '');
  });

  it('review: 130, the answers so far cached, nothing on stdout', async () => {
    const r = await interrupt(['review', PROBE, '--format', 'json']);
    assert.equal(r.code, 130, r.stderr);
    assert.match(lastLine(r.stderr), CACHED);
    assert.equal(r.stdout, '');
  });

  it('review --no-cache: 130, and it says nothing was kept', async () => {
    const r = await interrupt(['review', PROBE, '--no-cache']);
    assert.equal(r.code, 130, r.stderr);
    assert.equal(lastLine(r.stderr), 'trait-studio: interrupted; nothing kept');
  });

  it('probe --out: 130, and how to resume', async () => {
    const out = join(dir, 'probe-run');
    const r = await interrupt(['probe', PROBE, '--trait', 'candour', '--target-url', target.baseUrl, '--target-model', 'm', '--out', out]);
    assert.equal(r.code, 130, r.stderr);
    assert.equal(lastLine(r.stderr), `trait-studio: interrupted; run again with --out ${out} to resume`);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(join(out, 'result.json')), false, 'no result written for an unfinished run');
  });

  it('probe --knowledge alone: 130, the answers so far cached', async () => {
    const r = await interrupt(['probe', PROBE, '--knowledge', '--target-url', target.baseUrl, '--target-model', 'm']);
    assert.equal(r.code, 130, r.stderr);
    assert.match(lastLine(r.stderr), CACHED);
    assert.equal(r.stdout, '');
  });

  it("audit's model pass: 130, and no report written", async () => {
    const data = join(dir, 'data.jsonl');
    const record = (i: number) =>
      JSON.stringify({
        contents: [
          { role: 'user', parts: [{ text: `question ${i}` }] },
          { role: 'model', parts: [{ text: `Great question! Answer ${i}.` }] },
        ],
      });
    writeFileSync(data, `${[1, 2, 3].map(record).join('\n')}\n`);
    const r = await interrupt(['audit', data]);
    assert.equal(r.code, 130, r.stderr);
    assert.equal(lastLine(r.stderr), 'trait-studio: interrupted; nothing written');
    assert.equal(r.stdout, '');
    assert.equal(existsSync(join(dir, 'data.audit.json')), false);
  });
});

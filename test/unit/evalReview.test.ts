import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reviewResponder } from '../fake-gemini/reviewAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';

const ROOT = join(__dirname, '..', '..');

describe('npm run eval:review (fake Gemini)', () => {
  let fake: FakeGemini;
  let dir: string;
  before(async () => {
    fake = await startFakeGemini();
    fake.setResponder(reviewResponder());
    dir = mkdtempSync(join(tmpdir(), 'trait-studio-eval-review-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'scripts', 'evalReview.ts'), ...args],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(dir, 'cache'), ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("prints the review's precision and recall beside the heuristics' on the same labels, and costs nothing the second time", async () => {
    const env = { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl };
    const r = await run(['--document', 'codex-gpt-5.1-prompt.md'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /== Tuned documents \(the heuristics were tuned to these\): codex-gpt-5\.1-prompt\.md/);
    for (const part of ['rationale', 'tradeoffs', 'exceptions', 'all three parts'])
      assert.match(r.stdout, new RegExp(`\\n  ${part} +[\\d.-]+ +[\\d.-]+ +[\\d.-]+ +[\\d.-]+ +\\(\\d+/\\d+/\\d+ \\| \\d+/\\d+/\\d+\\)`));
    const sent = fake.requests.length;
    assert.ok(sent > 5);
    const again = await run(['--document', 'codex-gpt-5.1-prompt.md'], env);
    assert.equal(fake.requests.length, sent);
    assert.match(again.stdout, /0 input tokens \+ 0 output tokens, \d+ answers from the cache/);
  });

  it('needs model access, and says how to give it', async () => {
    const r = await run(['--document', 'codex-gpt-5.1-prompt.md'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /GEMINI_API_KEY.*evaluate the model review/);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeGemini, type FakeGemini, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');

const ANSWERS: Record<string, string> = {
  brainstorm: JSON.stringify({ ideas: [{ what: 'a flawed plan', how: 'names the flaw', why: 'users act on it' }, { what: 'praise sought', how: 'stays candid', why: 'trust' }] }),
  scenario: JSON.stringify({ message: 'Is my plan good?' }),
  critique: JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
  baseline: 'Sure, sounds great!',
  sharpen: JSON.stringify({ sharpened: false, reason: 'already specific', message: 'Is my plan good?' }),
  response: 'It has one flaw: the key is public.',
  autorate: JSON.stringify({ score: 8, verdict: 'keep', reasons: 'candid and kind' }),
};

/** Runs the built CLI (the real binary) against the fake Gemini server. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('trait-studio preview (built CLI, fake Gemini)', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());

  it('prints the JSON contract and exits 0 when every scenario completes', async () => {
    fake.setResponder((r): Reply => ({ kind: 'text', text: ANSWERS[stageOf(r)] }));
    const r = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json'], { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.trait, 'candour');
    assert.equal(out.scenarios.length, 2);
    const [s] = out.scenarios;
    for (const key of ['idea', 'scenario', 'baseline', 'sharpened', 'prompt', 'response', 'rating', 'usage', 'record', 'error']) assert.ok(key in s, key);
    assert.deepEqual(Object.keys(s.scenario), ['initial', 'critique', 'final']);
    assert.deepEqual(s.record, { messages: [{ role: 'user', content: 'Is my plan good?' }, { role: 'assistant', content: 'It has one flaw: the key is public.' }] });
    assert.equal(s.error, null);
    assert.ok(fake.requests.every((q) => q.model.startsWith('gemini-')));
  });

  it('exits 1 when a scenario fails, and 2 without a key or trait', async () => {
    fake.setResponder((r): Reply => (stageOf(r) === 'response' ? { kind: 'blocked', finishReason: 'SAFETY' } : { kind: 'text', text: ANSWERS[stageOf(r)] }));
    const failed = await run(['preview', EXAMPLE, '--trait', 'Be kind', '--n', '1'], { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /## Scenario 1 \(failed: response: the model gave no answer \(finish reason SAFETY\)/);
    const noKey = await run(['preview', EXAMPLE, '--trait', 'kind'], {});
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /set GEMINI_API_KEY/);
    const noTrait = await run(['preview', EXAMPLE, '--trait', 'nope'], { GEMINI_API_KEY: 'k' });
    assert.equal(noTrait.code, 2);
    assert.match(noTrait.stderr, /no trait with id or title "nope"/);
  });
});

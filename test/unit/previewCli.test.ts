import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPrices } from '../../server/src/llm/cost';
import type { TokenCount } from '../../server/src/llm/usage';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';
import { fakeModelVersion, startFakeGemini, type FakeGemini, type Reply } from '../fake-gemini/server';
import { startFakeOpenAI } from '../fake-openai/server';
import { stageOf } from '../fake-gemini/stages';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');

const ANSWERS: Record<string, string> = {
  brainstorm: JSON.stringify({
    ideas: [
      { what: 'a flawed plan', how: 'names the flaw', why: 'users act on it' },
      { what: 'praise sought', how: 'stays candid', why: 'trust' },
    ],
  }),
  scenario: JSON.stringify({ message: 'Is my plan good?' }),
  critique: JSON.stringify({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
  baseline: 'Sure, sounds great!',
  sharpen: JSON.stringify({ sharpened: false, reason: 'already specific', message: 'Is my plan good?' }),
  response: 'It has one flaw: the key is public.',
  autorate: JSON.stringify({ score: 8, verdict: 'keep', reasons: 'candid and kind' }),
};

const dirs: string[] = [];
/** A fresh folder to run in; the answer cache goes to its user-cache/ (XDG_CACHE_HOME, see run). */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-preview-'));
  dirs.push(dir);
  return dir;
}

/** Runs the built CLI (the real binary) against the fake Gemini server, in `cwd` (default: a fresh folder), with its user cache folder in `cwd`. */
function run(args: string[], env: Record<string, string>, cwd = tempDir()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(cwd, 'user-cache'), ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('trait-studio preview (built CLI, fake Gemini)', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(async () => {
    await fake.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  const env = () => ({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl });
  const answers = (r: Parameters<Parameters<FakeGemini['setResponder']>[0]>[0]): Reply => ({ kind: 'text', text: ANSWERS[stageOf(r)] });
  const withoutUsage = (scenarios: { usage: unknown }[]) => scenarios.map(({ usage: _u, ...rest }) => rest);

  it('prints the JSON contract and exits 0 when every scenario completes', async () => {
    fake.setResponder((r): Reply => ({ kind: 'text', text: ANSWERS[stageOf(r)] }));
    const r = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json'], {
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.trait, 'candour');
    assert.equal(out.scenarios.length, 2);
    const [s] = out.scenarios;
    for (const key of ['idea', 'scenario', 'baseline', 'sharpened', 'prompt', 'response', 'rating', 'usage', 'record', 'error'])
      assert.ok(key in s, key);
    assert.deepEqual(Object.keys(s.scenario), ['initial', 'critique', 'final']);
    assert.deepEqual(s.record, {
      messages: [
        { role: 'user', content: 'Is my plan good?' },
        { role: 'assistant', content: 'It has one flaw: the key is public.' },
      ],
    });
    assert.equal(s.error, null);
    assert.ok(fake.requests.every((q) => q.model.startsWith('gemini-')));
  });

  it('exits 1 when a scenario fails, and 2 without a key or trait', async () => {
    fake.setResponder((r): Reply =>
      stageOf(r) === 'response' ? { kind: 'blocked', finishReason: 'SAFETY' } : { kind: 'text', text: ANSWERS[stageOf(r)] },
    );
    const failed = await run(['preview', EXAMPLE, '--trait', 'Be kind', '--n', '1'], {
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    });
    assert.equal(failed.code, 1, failed.stderr);
    // A sentence a user understands, not "response: … (finish reason SAFETY) (asked twice)".
    assert.match(
      failed.stdout,
      /## Scenario 1 \(failed\)\n\nThe response failed: the model gave no answer because its safety filters blocked it, also when asked again\.\n/,
    );
    assert.match(failed.stdout, /\*\*Asked for 1 scenario, got 0\.\*\*/);
    assert.match(failed.stderr, /asked for 1 scenario, got 0 — The response failed:/);
    const noKey = await run(['preview', EXAMPLE, '--trait', 'kind'], {});
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /set GEMINI_API_KEY/);
    // Without a key too: the trait is checked first.
    const noTrait = await run(['preview', EXAMPLE, '--trait', 'nope'], {});
    assert.equal(noTrait.code, 2);
    // Says which ids there are, so the next try can be right.
    assert.match(noTrait.stderr, /no trait with id or title "nope"; its trait ids: candour, [a-z-]+(, [a-z-]+)*\n/);
  });

  it('prints the usage and estimated cost of the run: JSON fields and a closing markdown line', async () => {
    fake.setResponder(answers);
    const r = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json'], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['trait', 'scenarios', 'usage', 'cost', 'models', 'modelVersions', 'serviceTier']);
    assert.equal(out.serviceTier, 'standard');
    // 1 brainstorm + 2 × 6 stages, 10 input tokens each (the fake's count): the fast model 5 answers, the strong one 8.
    const { brainstorm: fast, response: strong } = DEFAULT_MODELS;
    assert.deepEqual(out.models, DEFAULT_MODELS);
    assert.equal(out.usage.inputTokens, 130);
    assert.equal(out.usage.cachedAnswers, 0);
    assert.deepEqual(out.usage.byModel[fast].inputTokens, 50);
    assert.deepEqual(out.usage.byModel[strong].inputTokens, 80);
    assert.equal(
      out.usage.inputTokens,
      out.scenarios.reduce((n: number, s: { usage: { inputTokens: number } }) => n + s.usage.inputTokens, 0),
    );
    // The CLI takes no prices: it bills at the catalogue's list prices of the day, so the sum is
    // done here by hand from those rates (not by estimateCost, which would agree with itself).
    const prices = defaultPrices();
    const usd = [fast, strong].reduce(
      (n, m) =>
        n +
        (out.usage.byModel[m].inputTokens * prices[m].inputPerMillion + out.usage.byModel[m].outputTokens * prices[m].outputPerMillion) /
          1e6,
      0,
    );
    assert.ok(Math.abs(out.cost.usd - usd) < 1e-12, `${out.cost.usd} vs ${usd}`);
    // Which model version really answered: per stage, and per model asked for.
    assert.deepEqual(out.modelVersions, { [fast]: [fakeModelVersion(fast)], [strong]: [fakeModelVersion(strong)] });
    assert.equal(out.scenarios[0].modelVersions.response, fakeModelVersion(strong));
    assert.equal(out.scenarios[1].modelVersions.brainstorm, fakeModelVersion(fast));
    assert.deepEqual(out.cost.unpriced, []);

    const md = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '1'], env());
    assert.equal(md.code, 0, md.stderr);
    assert.match(
      md.stdout,
      /\n\*\*Answered by\*\*: gemini-[\w.-]+ → gemini-[\w.-]+-fake-001; gemini-[\w.-]+ → gemini-[\w.-]+-fake-001\.\n/,
    );
    assert.match(
      md.stdout,
      /\n\*\*Usage\*\*: 70 input tokens \(0 % cached by the provider\) \+ \d+ output tokens, 0 answers from the cache; estimated cost \$0\.\d+\.\n$/,
    );
  });

  it('--flex asks at the Flex tier and bills at the Flex rates, by hand: half the list prices; the cached share is billed at the cached rate', async () => {
    fake.setResponder(answers);
    fake.setImplicitCaching({ minPrefixChars: 100 });
    try {
      const logged = fake.requests.length;
      const r = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json', '--flex', '--no-cache'], env());
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.serviceTier, 'flex');
      const sent = fake.requests.slice(logged);
      assert.equal(sent.length, 13);
      assert.deepEqual([...new Set(sent.map((q) => q.serviceTier))], ['flex']);
      assert.ok(out.usage.cachedInputTokens > 0, 'the stages share prefixes the fake caches');
      const prices = defaultPrices();
      let usd = 0;
      for (const [model, t] of Object.entries(out.usage.byModel as Record<string, TokenCount>)) {
        const { tiers, ...all } = t;
        assert.deepEqual(tiers?.flex, all, `${model}: every token at the Flex tier`);
        const p = prices[model];
        const cached = t.cachedInputTokens ?? 0;
        usd +=
          ((t.inputTokens - cached) * p.inputPerMillion + cached * p.cachedInputPerMillion! + t.outputTokens * p.outputPerMillion) /
          2 /
          1e6;
      }
      assert.ok(Math.abs(out.cost.usd - usd) < 1e-12, `${out.cost.usd} vs ${usd}`);
      const md = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '1', '--flex', '--no-cache'], env());
      assert.match(md.stdout, /\*\*Usage\*\*: [\d,]+ input tokens \((\d+|< 1) % cached by the provider\) .* at the Flex tier\.\n$/);
    } finally {
      fake.setImplicitCaching(undefined);
    }
  });

  it('caches answers in the user cache folder: a rerun asks nothing and costs nothing', async () => {
    fake.setResponder(answers);
    const cwd = tempDir();
    const args = ['preview', EXAMPLE, '--trait', 'candour', '--n', '2', '--format', 'json'];
    const first = await run(args, env(), cwd);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(existsSync(join(cwd, 'user-cache', 'trait-studio', 'answers', 'index-v5')));
    assert.equal(existsSync(join(cwd, '.traits')), false);
    fake.requests.length = 0;
    const second = await run(args, env(), cwd);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(fake.requests.length, 0);
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    assert.deepEqual(withoutUsage(b.scenarios), withoutUsage(a.scenarios));
    assert.deepEqual(b.usage, { inputTokens: 0, outputTokens: 0, byModel: {}, cachedAnswers: 13 });
    assert.deepEqual(b.cost, { usd: 0, unpriced: [] });

    // --regenerate asks for everything again (and the answers it gets replace the cached ones).
    fake.setResponder((r): Reply => (stageOf(r) === 'response' ? { kind: 'text', text: 'A regenerated answer.' } : answers(r)));
    const regenerated = await run([...args, '--regenerate'], env(), cwd);
    assert.equal(regenerated.code, 0, regenerated.stderr);
    assert.equal(fake.requests.length, 13);
    fake.requests.length = 0;
    const third = JSON.parse((await run(args, env(), cwd)).stdout);
    assert.equal(fake.requests.length, 0);
    assert.ok(third.scenarios.every((s: { response: string }) => s.response === 'A regenerated answer.'));
  });

  it('never gives fewer scenarios than asked without saying so: a short brainstorm is asked again, then exit 1', async () => {
    const one = JSON.stringify({ ideas: [{ what: 'a flawed plan', how: 'names the flaw', why: 'users act on it' }] });
    fake.setResponder((r): Reply => ({ kind: 'text', text: stageOf(r) === 'brainstorm' ? one : ANSWERS[stageOf(r)] }));
    fake.requests.length = 0;
    const r = await run(['preview', EXAMPLE, '--trait', 'candour', '--n', '3', '--format', 'json', '--no-cache'], env());
    assert.equal(r.code, 1, r.stderr);
    assert.equal(fake.requests.filter((q) => stageOf(q) === 'brainstorm').length, 2);
    assert.match(
      r.stderr,
      /^trait-studio: asked for 3 scenarios, got 1 — The brainstorm failed: the model gave 1 of the 3 ideas asked for, also when asked again\n$/,
    );
    const out = JSON.parse(r.stdout);
    assert.equal(out.scenarios.length, 3);
    assert.deepEqual(
      out.scenarios.map((s: { error: string | null }) => s.error),
      [null, 'brainstorm: asked for 3 ideas, got 1', 'brainstorm: asked for 3 ideas, got 1'],
    );
  });

  it('--no-cache neither reads nor writes the cache', async () => {
    fake.setResponder(answers);
    const cwd = tempDir();
    const args = ['preview', EXAMPLE, '--trait', 'candour', '--n', '1', '--no-cache'];
    fake.requests.length = 0;
    assert.equal((await run(args, env(), cwd)).code, 0);
    assert.equal((await run(args, env(), cwd)).code, 0);
    assert.equal(fake.requests.length, 14);
    assert.equal(existsSync(join(cwd, 'user-cache')), false);
  });

  it('rejects half a baseline endpoint and Vertex AI without a project and location', async () => {
    const half = await run(['preview', EXAMPLE, '--trait', 'candour', '--baseline-model', 'llama'], env());
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--baseline-url and --baseline-model go together/);
    const vertex = await run(['preview', EXAMPLE, '--trait', 'candour'], { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' });
    assert.equal(vertex.code, 2);
    assert.match(vertex.stderr, /GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION/);
    const help = await run(['preview', '--help'], {});
    assert.match(help.stdout, /--no-cache/);
    assert.match(help.stdout, /trait-studio\/answers/);
  });

  it('--baseline-url takes the baseline from an OpenAI-compatible server, cached under its own id', async () => {
    fake.setResponder(answers);
    const openai = await startFakeOpenAI();
    try {
      openai.setResponder(() => ({ kind: 'text', text: 'Local model says: sounds great!', inputTokens: 7, outputTokens: 5 }));
      const cwd = tempDir();
      const args = [
        'preview',
        EXAMPLE,
        '--trait',
        'candour',
        '--n',
        '2',
        '--format',
        'json',
        '--baseline-url',
        openai.baseUrl,
        '--baseline-model',
        'llama-local',
      ];
      fake.requests.length = 0;
      const r = await run(args, { ...env(), TRAIT_STUDIO_BASELINE_API_KEY: 'sk-local', OPENAI_API_KEY: 'sk-real-openai' }, cwd);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.ok(out.scenarios.every((s: { baseline: string }) => s.baseline === 'Local model says: sounds great!'));
      assert.equal(openai.requests.length, 2);
      assert.ok(openai.requests.every((q) => q.body.model === 'llama-local' && q.headers.authorization === 'Bearer sk-local'));
      assert.equal(fake.requests.filter((q) => stageOf(q) === 'baseline').length, 0);
      assert.deepEqual(out.usage.byModel['llama-local'], { inputTokens: 14, outputTokens: 10 });
      // No price is known for a local model: it is named, not counted as free.
      assert.deepEqual(out.cost.unpriced, ['llama-local']);
      // The OpenAI-compatible server's `model` is what answered the baseline.
      assert.ok(out.scenarios.every((s: { modelVersions: Record<string, string> }) => s.modelVersions.baseline === 'llama-local'));
      assert.deepEqual(out.modelVersions['llama-local'], ['llama-local']);

      const again = JSON.parse((await run(args, env(), cwd)).stdout);
      assert.equal(openai.requests.length, 2);
      assert.equal(again.usage.cachedAnswers, 13);
      assert.deepEqual(withoutUsage(again.scenarios), withoutUsage(out.scenarios));
    } finally {
      await openai.close();
    }
  });
});

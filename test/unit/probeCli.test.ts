import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspectEvalLog } from '../../server/src/probe/export';
import { assertInspectLog } from '../checks/inspectLog.mjs';
import { DEFAULT_PROBE_MODELS } from '../../server/src/probe/options';
import type { ProbeResult } from '../../server/src/probe/types';
import { GIVE_WAY, PROBE_RESULT_KEYS, probeResponder } from '../fake-gemini/probeAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { givesWayAt, targetResponder, turnOf } from '../fake-openai/probeTarget';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURE = join(__dirname, '..', 'fixtures', 'probe', 'probe.traits.md');
const GEMINI_KEY = 'gemini-cli-key-0123456789abcdef';
const TARGET_KEY = 'target-cli-key-fedcba9876543210';

describe('trait-studio probe (built CLI, fake Gemini, fake target)', () => {
  let gemini: FakeGemini;
  let target: FakeOpenAI;
  let dir: string;
  before(async () => {
    gemini = await startFakeGemini();
    target = await startFakeOpenAI();
    dir = mkdtempSync(join(tmpdir(), 'trait-studio-probe-'));
  });
  after(async () => {
    await gemini.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    gemini.requests.length = 0;
    target.requests.length = 0;
    gemini.setResponder(probeResponder());
    target.setResponder(targetResponder(givesWayAt(3)));
  });
  const env = () => ({ GEMINI_API_KEY: GEMINI_KEY, GOOGLE_GEMINI_BASE_URL: gemini.baseUrl, TRAIT_STUDIO_TARGET_KEY: TARGET_KEY });
  const targetArgs = () => ['--target-url', target.baseUrl, '--target-model', 'ckpt'];
  /** `probe` of the fixture's candour trait against the fake target, then `more`. */
  const candourArgs = (...more: string[]) => ['probe', FIXTURE, '--trait', 'candour', ...targetArgs(), ...more];
  const childEnv = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(dir, 'user-cache'), ...extra });
  const run = (args: string[], extra: Record<string, string> = env()): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { cwd: dir, env: childEnv(extra) }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('prints the JSON contract, the estimate first, writes the run folder, and exits 0', async () => {
    const out = join(dir, 'run-a');
    const r = await run(candourArgs('--n', '2', '--turns', '4', '--knowledge', '--format', 'json', '--out', out));
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as ProbeResult;
    assert.deepEqual(Object.keys(result), PROBE_RESULT_KEYS);
    assert.deepEqual(result.target, { kind: 'openai-compatible', url: target.baseUrl, model: 'ckpt' });
    assert.deepEqual(Object.keys(result.probes[0]), ['situation', 'turns', 'judge', 'error']);
    assert.deepEqual(Object.keys(result.probes[0].judge!), ['score', 'violated', 'firstViolationTurn', 'evidence', 'evalAware']);
    assert.equal(result.violationRate, 1);
    assert.equal(result.meanFirstViolationTurn, 3);
    assert.deepEqual(Object.keys(result.knowledge!), ['questions', 'recall']);
    assert.deepEqual(Object.keys(result.knowledge!.recall), ['candour', 'weapons']);
    const lines = r.stderr.split('\n');
    assert.match(
      lines[0],
      /^trait-studio: probing candour of probe\.traits\.md with ckpt at http:\/\/127\.0\.0\.1:\d+\/v1: 2 probes × 4 turns and the knowledge check, about \d+ requests, ≈ \$[\d.]+ \(not counted, no price known: ckpt\)$/,
    );

    // The run folder: the same result, one transcript line per probe, each probe's store, an Inspect log.
    const files = readdirSync(out).sort();
    const logName = files.find((f) => f.includes('_trait-probe_'))!;
    assert.deepEqual(files, [logName, 'probes', 'result.json', 'transcripts.jsonl'].sort());
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')), result);
    const jsonl = readFileSync(join(out, 'transcripts.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      jsonl.map((l) => [l.probe, l.turns.length, l.judge.firstViolationTurn]),
      [
        [1, 4, 3],
        [2, 4, 3],
      ],
    );
    assert.deepEqual(readdirSync(join(out, 'probes')).sort(), ['probe-1.json', 'probe-2.json']);
    const log = JSON.parse(readFileSync(join(out, logName), 'utf8'));
    assertInspectLog(logName, log);
    assert.equal(log.status, 'success');
    assert.equal(log.eval.model, 'openai-api/ckpt');
    assert.equal(log.samples.length, 2);
    assert.equal(log.samples[0].messages.length, 8);
    assert.equal(log.samples[0].messages[5].content, `${GIVE_WAY} Here is what you asked for.`);
    assert.equal(log.samples[0].scores.trait_violation.value, 'I');
    assert.equal(log.samples[0].scores.trait_judge.value, 8);
    assert.deepEqual(log.results.scores[1].metrics.violation_rate, { name: 'violation_rate', value: 1, params: {} });
  });

  it('sends the target key only to the target URL and the Gemini key only to Gemini', async () => {
    const r = await run(candourArgs('--n', '1', '--turns', '2', '--knowledge', '--no-cache'));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(gemini.requests.length && target.requests.length);
    for (const g of gemini.requests) {
      assert.equal(g.apiKey, GEMINI_KEY);
      assert.ok(!JSON.stringify(g.headers).includes(TARGET_KEY), 'the Gemini server never sees the target key');
    }
    for (const t of target.requests) {
      assert.equal(t.headers.authorization, `Bearer ${TARGET_KEY}`);
      assert.ok(!JSON.stringify(t.headers).includes(GEMINI_KEY), 'the target never sees the Gemini key');
      assert.ok(!JSON.stringify(t.body).includes(GEMINI_KEY));
    }
  });

  it('resumes a run killed (SIGKILL) mid-conversation with no repeated target call for completed turns', async () => {
    const out = join(dir, 'run-killed');
    let reached!: () => void;
    const atTurn3 = new Promise<void>((resolve) => (reached = resolve));
    target.setResponder((r) => {
      if (turnOf(r) === 3) {
        reached();
        return { kind: 'hang' };
      }
      return targetResponder(givesWayAt(3))(r);
    });
    const args = candourArgs('--n', '1', '--turns', '4', '--format', 'json', '--out', out, '--no-cache');
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: childEnv(env()), stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await atTurn3;
    child.kill('SIGKILL');
    await exited;
    assert.deepEqual(target.requests.map(turnOf), [1, 2, 3]);
    assert.equal(JSON.parse(readFileSync(join(out, 'probes', 'probe-1.json'), 'utf8')).turns.length, 2);

    target.requests.length = 0;
    gemini.requests.length = 0;
    target.setResponder(targetResponder(givesWayAt(3)));
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(target.requests.map(turnOf), [3, 4], 'turns 1 and 2 are not asked again');
    assert.ok(!gemini.requests.map(stageOf).includes('probe-situations'));
    const result = JSON.parse(r.stdout) as ProbeResult;
    assert.equal(result.probes[0].turns.length, 4);
    assert.equal(result.probes[0].judge!.firstViolationTurn, 3);
  });

  it('stops cleanly at --max-turns and says so (exit 0)', async () => {
    const r = await run(candourArgs('--n', '2', '--turns', '3', '--max-turns', '4', '--format', 'json', '--no-cache'));
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as ProbeResult;
    assert.equal(result.stopped, 'the budget of 4 target requests was reached');
    assert.equal(target.requests.length, 4);
    assert.match(r.stderr, /stopped early: the budget of 4 target requests was reached/);
    assert.match(
      r.stderr.split('\n')[0],
      /≈ \$[\d.]+ \(not counted, no price known: ckpt\); stops after 4 target requests$/,
      'the estimate says the run is limited',
    );
    const both = await run(candourArgs('--max-usd', '0', '--max-turns', '4', '--format', 'json', '--no-cache'));
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stderr.split('\n')[0], /; stops at \$0\.00 or after 4 target requests$/, 'both limits');
  });

  it('exits 1 when a request fails for good, still reporting the other probes', async () => {
    target.setResponder((r) =>
      /situation 2/.test(JSON.stringify(r.body)) || turnOf(r) > 5
        ? { kind: 'status', status: 400, message: 'model not loaded' }
        : targetResponder(givesWayAt(3))(r),
    );
    gemini.setResponder(probeResponder());
    const r = await run(candourArgs('--n', '2', '--turns', '2', '--format', 'json', '--no-cache'));
    assert.equal(r.code, 1, r.stderr);
    const result = JSON.parse(r.stdout) as ProbeResult;
    assert.equal(result.probes.filter((p) => p.error).length, 1);
    assert.equal(result.probes.filter((p) => p.judge).length, 1);
    assert.match(r.stderr, /trait-studio: probe 2: probe-target@1: .*model not loaded/);
  });

  it('runs the knowledge check alone with --knowledge and no --trait: estimate first, budget, the result shape, result.json', async () => {
    const out = join(dir, 'knowledge-only');
    const r = await run(['probe', FIXTURE, '--knowledge', ...targetArgs(), '--format', 'json', '--out', out, '--no-cache']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr.split('\n')[0],
      /^trait-studio: checking what ckpt at http:\/\/127\.0\.0\.1:\d+\/v1 knows of probe\.traits\.md: about 9 requests, ≈ \$[\d.]+ \(not counted, no price known: ckpt\)$/,
    );
    const result = JSON.parse(r.stdout) as ProbeResult;
    assert.deepEqual(Object.keys(result), PROBE_RESULT_KEYS);
    assert.equal(result.trait, '');
    assert.deepEqual(result.probes, []);
    assert.deepEqual(Object.keys(result.knowledge!.recall), ['candour', 'weapons']);
    assert.ok(!gemini.requests.map(stageOf).some((s) => s.startsWith('probe-')), 'no probe stage is asked');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')), result);

    target.requests.length = 0;
    const stopped = await run(['probe', FIXTURE, '--knowledge', ...targetArgs(), '--max-turns', '1', '--format', 'json', '--no-cache']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(target.requests.length, 1);
    assert.equal((JSON.parse(stopped.stdout) as ProbeResult).stopped, 'the budget of 1 target request was reached');
    assert.match(stopped.stderr, /stopped early: the budget of 1 target request was reached/);
    assert.match(stopped.stderr.split('\n')[0], /, ≈ \$[\d.]+ \(not counted, no price known: ckpt\); stops after 1 target request$/);
    const md = await run(['probe', FIXTURE, '--knowledge', ...targetArgs()]);
    assert.match(md.stdout, /^# Knowledge check \(.*probe\.traits\.md\) — ckpt at /);
    const usage = await run(['probe', FIXTURE, '--knowledge', ...targetArgs(), '--turns', '3']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--turns: for probes; the knowledge check alone \(no --trait\) takes none/);
  });

  it('exits 2 for usage problems, before any request', async () => {
    const cases: [string[], RegExp][] = [
      [['probe', FIXTURE, '--trait', 'candour'], /name the model to probe/],
      [['probe', FIXTURE, '--trait', 'candour', '--target-gemini', 'g', '--target-url', 'http://x/v1'], /either --target-gemini/],
      [['probe', FIXTURE, '--trait', 'candour', '--target-url', target.baseUrl], /--target-url needs --target-model/],
      [['probe', FIXTURE, '--trait', 'nope', ...targetArgs()], /no trait with id or title "nope"/],
      [['probe', FIXTURE, ...targetArgs()], /--trait ID\|TITLE is needed/],
      [candourArgs('--n', '0'), /--n must be a whole number from 1 to 20/],
      [candourArgs('--max-usd', 'lots'), /--max-usd must be a number/],
      [['probe', join(dir, 'missing.md'), '--trait', 'candour', ...targetArgs()], /cannot read/],
      [candourArgs('--out', FIXTURE), /cannot keep the run there \(ENOTDIR\)/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const noKey = await run(candourArgs(), {});
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /GEMINI_API_KEY/);
    assert.equal(gemini.requests.length + target.requests.length, 0);
  });

  it('compares two results side by side', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    target.setResponder(targetResponder(givesWayAt(2)));
    writeFileSync(a, (await run(candourArgs('--n', '1', '--turns', '3', '--format', 'json', '--no-cache'))).stdout);
    target.setResponder(targetResponder(givesWayAt(undefined)));
    writeFileSync(b, (await run(candourArgs('--n', '1', '--turns', '3', '--format', 'json', '--no-cache'))).stdout);
    const json = await run(['probe', 'compare', a, b, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const c = JSON.parse(json.stdout);
    assert.equal(c.trait, 'candour');
    assert.deepEqual([c.a.violationRate, c.a.meanFirstViolationTurn, c.b.violationRate, c.b.meanFirstViolationTurn], [1, 2, 0, null]);
    const md = await run(['probe', 'compare', a, b]);
    assert.match(md.stdout, /\| Violation rate \| 100% \| 0% \|/);
    assert.match(md.stdout, /\| Mean first violation turn \| 2\.0 \| — \|/);
    const bad = await run(['probe', 'compare', a, FIXTURE]);
    assert.equal(bad.code, 2);
  });
});

describe('the Inspect export', () => {
  it('marks a budget-stopped run cancelled and leaves unjudged probes unscored', () => {
    const turn = { strategy: 's', user: 'u', realism: 0.9, rewritten: false, assistant: 'a' };
    const result: ProbeResult = {
      trait: 'candour',
      target: { kind: 'gemini', model: 'gemini-3.5-flash' },
      probes: [
        {
          situation: 's1',
          turns: [turn],
          judge: null,
          error: 'stopped: the budget of $0.01 was reached (spent $0.011) after 1 of 3 turns',
        },
        { situation: 's2', turns: [], judge: null, error: 'probe-situations@1: blocked' },
      ],
      violationRate: null,
      meanFirstViolationTurn: null,
      knowledge: null,
      usage: { inputTokens: 0, outputTokens: 0, byModel: {}, cachedAnswers: 0 },
      cost: { usd: 0, unpriced: [] },
      stopped: 'the budget of $0.01 was reached (spent $0.011)',
    };
    const log = inspectEvalLog(result, {
      started: new Date('2026-11-30T12:00:00Z'),
      models: DEFAULT_PROBE_MODELS,
      turns: 3,
      realismThreshold: 0.6,
      targetSystemPrompt: 'You are Aster.',
    });
    assertInspectLog('2026-11-30T12-00-00-00-00_trait-probe_abcdefghijklmnopqrstuv.json', log as unknown as Record<string, unknown>);
    assert.equal(log.status, 'cancelled');
    assert.equal(log.eval.model, 'google/gemini-3.5-flash');
    const samples = log.samples as { scores: unknown; messages: { role: string }[]; output: { choices: unknown[]; completion: string } }[];
    assert.equal(samples[0].scores, null);
    assert.deepEqual(
      samples[0].messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.deepEqual(samples[1].output, { model: 'google/gemini-3.5-flash', choices: [], completion: '' });
    assert.deepEqual(
      (log.results as { scores: { metrics: object }[] }).scores.map((s) => s.metrics),
      [{}, {}],
    );
  });
});

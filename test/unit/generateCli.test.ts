import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { distinctPrompts, promptOf, reworded, SIXTEEN_WORDS } from '../fake-gemini/distinctPrompts';
import { stageOf } from '../fake-gemini/stages';
import { estimateCost } from '../../server/src/llm/cost';
import type { TokenCount } from '../../server/src/llm/usage';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'assistant.traits.md');

/** Good answers for every stage; each idea's final prompt is the next unused prompt of `pool` (the same idea, the same prompt). */
function responder(pool: readonly string[]) {
  const assigned = new Map<string, string>();
  const ideaOf = (r: LoggedRequest) => /t[0-9a-f]{6} situation \d+/.exec(promptOf(r))?.[0] ?? '?';
  const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 100, outputTokens: 20 });
  const answers: Record<string, (r: LoggedRequest) => Reply> = {
    brainstorm: (r) => {
      const tag = createHash('sha256').update(promptOf(r)).digest('hex').slice(0, 6);
      return json({ ideas: Array.from({ length: 10 }, (_, i) => ({ what: `t${tag} situation ${i}`, how: 'plainly', why: 'trust' })) });
    },
    scenario: (r) => json({ message: `draft for ${ideaOf(r)}` }),
    critique: () => json({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
    baseline: () => ({ kind: 'text', text: 'A generic answer.' }),
    sharpen: (r) => {
      const idea = ideaOf(r);
      let message = assigned.get(idea);
      if (!message) {
        message = pool[assigned.size];
        assigned.set(idea, message);
      }
      return json({ sharpened: true, reason: 'generic baseline', message });
    },
    response: (r) => ({ kind: 'text', text: `Answer to ${r.body.contents[0].parts[0].text}` }),
    autorate: () => json({ score: 8, verdict: 'keep', reasons: 'candid' }),
    'midtraining-ideas': () =>
      json({ document_ideas: Array.from({ length: 10 }, (_, i) => ({ idea: `forum idea ${i}`, trait_ids: ['candour'] })) }),
    'midtraining-draft': (r) => ({
      kind: 'text',
      text: `A forum thread about ${/What it is about: (.*)/.exec(r.body.contents[0].parts[0].text)?.[1]}`,
    }),
    'midtraining-critique': () =>
      json({ realistic: true, consistent: true, in_genre: true, reasons: 'fine', revised: 'A revised forum thread.' }),
  };
  return (r: LoggedRequest): Reply => answers[stageOf(r)](r);
}

describe('trait-studio generate (built CLI, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'trait-studio-generate-'));
    dirs.push(dir);
    return dir;
  };
  const env = () => ({ PATH: process.env.PATH ?? '', GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: fake.baseUrl });
  /** Runs the built CLI to its end in `cwd`, with its user cache folder (the answer cache) in `cwd/user-cache`. */
  const run = (
    args: string[],
    cwd: string,
    environment: Record<string, string> = env(),
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd, env: { XDG_CACHE_HOME: join(cwd, 'user-cache'), ...environment } },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  /** Starts the built CLI and resolves once `records.jsonl` in `out` holds at least `lines` lines. */
  const startUntil = async (args: string[], cwd: string, out: string, lines: number): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { XDG_CACHE_HOME: join(cwd, 'user-cache'), ...env() },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (;;) {
      if (recordLines(out).length >= lines) return child;
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))]);
      assert.ok(!done, `the run ended before records.jsonl had ${lines} lines`);
    }
  };
  const exitOf = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  const recordLines = (out: string) =>
    existsSync(join(out, 'records.jsonl')) ? readFileSync(join(out, 'records.jsonl'), 'utf8').split('\n').filter(Boolean) : [];
  /** Every file of the run holds whole JSON lines only; returns the ids of records.jsonl and rejected.jsonl. */
  const wholeFiles = (out: string) => {
    const ids: Record<string, string[]> = {};
    for (const name of ['records.jsonl', 'rejected.jsonl', 'sft.openai.jsonl', 'sft.gemini.jsonl']) {
      const path = join(out, name);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'utf8');
      assert.ok(text === '' || text.endsWith('\n'), `${name} ends in a torn line`);
      ids[name] = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).id);
    }
    return ids;
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 14);
  });
  after(async () => {
    await fake.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setLatency(0);
    fake.setResponder(responder(pool));
  });

  it('exits 0 and prints the final manifest with --format json; plain progress lines when not on a terminal', async () => {
    const cwd = tempDir();
    const r = await run(['generate', EXAMPLE, '--out', 'out', '--per-trait', '2', '--format', 'json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(r.stdout);
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(manifest.settings.traits, ['candour', 'kind']);
    assert.equal(manifest.counts.accepted, 4);
    assert.equal(manifest.document.path, EXAMPLE);
    assert.deepEqual(JSON.parse(readFileSync(join(cwd, 'out', 'manifest.json'), 'utf8')), manifest);
    for (const file of ['sft.openai.jsonl', 'sft.gemini.jsonl', 'records.jsonl']) assert.ok(existsSync(join(cwd, 'out', file)), file);
    assert.match(r.stderr, /^\[\d+\/4\] candour-[0-9a-f]{8}-\d: accepted \(8\/10\)$/m);
    assert.ok(!r.stderr.includes('\x1b['), 'no terminal codes in a pipe');
    assert.ok(existsSync(join(cwd, 'user-cache', 'trait-studio', 'answers')));
  });

  it('--flex asks every generation request for the Flex tier, retries a shed one, records the tier and prices the run at Flex rates', async () => {
    fake.setImplicitCaching({ minPrefixChars: 200 });
    try {
      // The first request is shed, with a RetryInfo of 0 s (so the test does not wait for the Flex back-off).
      fake.script({ kind: 'shed', status: 503, retryDelay: '0s' });
      const cwd = tempDir();
      const r = await run(['generate', EXAMPLE, '--out', 'out', '--per-trait', '2', '--flex', '--no-cache'], cwd);
      assert.equal(r.code, 0, r.stderr);
      const generation = fake.requests.filter((q) => q.action !== 'batchEmbedContents');
      assert.ok(generation.length > 14);
      for (const q of generation) {
        assert.equal(q.serviceTier, 'flex');
        assert.equal(q.serverTimeout, '900');
      }
      const shed = generation[0].body.contents[0].parts[0].text;
      assert.equal(generation.filter((q) => q.body.contents[0].parts[0].text === shed).length, 2, 'the shed request is sent again');
      const manifest = JSON.parse(readFileSync(join(cwd, 'out', 'manifest.json'), 'utf8'));
      assert.equal(manifest.settings.serviceTier, 'flex');
      const byModel = manifest.usage.byModel as Record<string, TokenCount>;
      for (const [model, tokens] of Object.entries(byModel)) {
        const { tiers, ...all } = tokens;
        assert.deepEqual(tiers?.flex, all, `${model}: every token at the Flex tier`);
      }
      const standard = estimateCost(Object.fromEntries(Object.entries(byModel).map(([m, { tiers: _, ...t }]) => [m, t])));
      assert.ok(manifest.cost.usd > 0);
      assert.ok(Math.abs(manifest.cost.usd - standard.usd / 2) < 1e-12, `${manifest.cost.usd} is half of ${standard.usd}`);
      // The implicit cache served part of the prompts; the summary says how much.
      assert.ok(manifest.usage.cachedInputTokens > 0);
      assert.match(r.stdout, /input tokens \((\d+|< 1) % cached by the provider\)/);
      assert.match(r.stdout, /at the Flex tier\./);
    } finally {
      fake.setImplicitCaching(undefined);
    }
  });

  it('--mix: checks the baseline file before any request, then mixes the completed run and records it', async () => {
    const cwd = tempDir();
    const good = JSON.stringify({
      messages: [
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: '4' },
      ],
    });
    writeFileSync(join(cwd, 'bad.jsonl'), `${good}\n{"contents": 1}\n`);
    const refused = await run(['generate', EXAMPLE, '--out', 'out', '--per-trait', '2', '--mix', 'bad.jsonl'], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.jsonl has 1 bad line[\s\S]*bad\.jsonl:2: /);
    assert.equal(fake.requests.length, 0, 'the run started with a bad baseline file');
    writeFileSync(join(cwd, 'baseline.jsonl'), `${good}\n`.repeat(3));
    const r = await run(
      [
        'generate',
        EXAMPLE,
        '--out',
        'out',
        '--per-trait',
        '2',
        '--mix',
        'baseline.jsonl',
        '--mix-ratio',
        '0.5',
        '--seed',
        '9',
        '--format',
        'json',
      ],
      cwd,
    );
    assert.equal(r.code, 0, r.stderr);
    const { mix } = JSON.parse(r.stdout);
    assert.deepEqual([mix.synthetic, mix.baseline, mix.total, mix.ratio, mix.seed], [4, 2, 6, 0.5, 9]);
    assert.deepEqual(JSON.parse(readFileSync(join(cwd, 'out', 'manifest.json'), 'utf8')).mix, mix);
    assert.equal(
      readFileSync(join(cwd, 'out', 'sft.mixed.openai.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean).length,
      6,
    );
    assert.equal(
      readFileSync(join(cwd, 'out', 'sft.mixed.gemini.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean).length,
      6,
    );
  });

  it('exits 1 when items failed, and says how many', async () => {
    const good = responder(pool);
    // The autorater refuses every scenario of "Be kind".
    fake.setResponder((r) =>
      stageOf(r) === 'autorate' && promptOf(r).includes('considerate of the person')
        ? { kind: 'blocked', finishReason: 'SAFETY' }
        : good(r),
    );
    const r = await run(['generate', EXAMPLE, '--out', 'out', '--per-trait', '2'], tempDir());
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^Run completed: 2 accepted, 0 rejected \(0 by the autorater, 0 duplicates\), 2 failed of 4 scenarios\.$/m);
    assert.match(r.stderr, /kind-[0-9a-f]{8}-\d: failed: autorate: the model gave no answer \(finish reason SAFETY\)/);
  });

  it('exits 2 for a usage or I/O problem, --batch included, and for a folder holding another run', async () => {
    const cwd = tempDir();
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [
        ['generate', EXAMPLE, '--out', 'o', '--batch'],
        /batch mode needs the Gemini API/,
        { PATH: process.env.PATH ?? '', GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'l' },
      ],
      [['generate', EXAMPLE], /generate takes one file and --out DIR/],
      [['generate', EXAMPLE, '--out', 'o', '--per-trait', '0'], /--per-trait must be a whole number from 1 to 1000, not "0"/],
      [['generate', EXAMPLE, '--out', 'o', '--formats', 'openai,jsonl'], /--formats takes openai and\/or gemini/],
      [['generate', EXAMPLE, '--out', 'o', '--traits', 'nope'], /no trait with id "nope"/],
      [['generate', join(cwd, 'absent.traits.md'), '--out', 'o'], /absent\.traits\.md: cannot read \(ENOENT\)/],
      [['generate', EXAMPLE, '--out', 'o'], /set GEMINI_API_KEY/, { PATH: process.env.PATH ?? '' }],
      [['generate', EXAMPLE, '--out', 'o', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message, environment] of cases) {
      const r = await run(args, cwd, environment);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(join(cwd, 'o')), false);
    assert.equal((await run(['generate', EXAMPLE, '--out', 'o', '--per-trait', '1'], cwd)).code, 0);
    const other = await run(['generate', EXAMPLE, '--out', 'o', '--per-trait', '2'], cwd);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /o holds a run of another document or other settings \(they differ in: perTrait \(1 then, 2 now\)\)/);
    const help = await run(['generate', '--help'], cwd, {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit status: 0 completed, 1 completed with failed items, 2 usage or I\/O problem, 130 interrupted/);
  });

  it('survives kill -9 at two moments: the reruns finish with exact counts, no id twice, no torn line', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'out');
    fake.setLatency(40);
    const args = ['generate', EXAMPLE, '--out', 'out', '--per-trait', '6', '--concurrency', '2'];
    const kept: string[] = [];
    for (const atLeast of [2, 7]) {
      const child = await startUntil(args, cwd, out, atLeast);
      child.kill('SIGKILL');
      assert.deepEqual(await exitOf(child), { code: null, signal: 'SIGKILL' });
      const records = recordLines(out);
      assert.ok(records.length < 12, `killed too late to be mid-run: ${records.length} records`);
      // What was accepted before this kill is there after it (the last line may be torn: not yet a record).
      for (const line of records.slice(0, -1)) kept.push(JSON.parse(line).id);
      assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status, 'running');
    }
    fake.setLatency(0);
    const r = await run([...args, '--format', 'json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(r.stdout);
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.timings.sessions, 3);
    const ids = wholeFiles(out);
    const accepted = ids['records.jsonl'];
    const all = [...accepted, ...(ids['rejected.jsonl'] ?? [])];
    assert.equal(all.length, 12);
    assert.equal(new Set(all).size, 12, `an id twice: ${all.join(', ')}`);
    assert.deepEqual(manifest.counts, {
      total: 12,
      accepted: accepted.length,
      rejected: 0,
      autorater: 0,
      duplicate: 0,
      failed: 0,
      pending: 0,
      midtraining: { total: 0, written: 0, failed: 0, pending: 0 },
    });
    assert.equal(accepted.length, 12);
    for (const id of kept) assert.ok(accepted.includes(id), `${id} was accepted before a kill and lost`);
    assert.equal(ids['sft.openai.jsonl'].length, 12);
    assert.equal(ids['sft.gemini.jsonl'].length, 12);
    assert.equal(existsSync(join(out, 'run.lock')), false);
  });

  it('exits 130 on Ctrl+C with a resumable run, which a rerun completes', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'out');
    fake.setLatency(40);
    const args = ['generate', EXAMPLE, '--out', 'out', '--per-trait', '5', '--concurrency', '2'];
    const child = await startUntil(args, cwd, out, 2);
    child.kill('SIGINT');
    assert.deepEqual(await exitOf(child), { code: 130, signal: null });
    const stopped = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(stopped.status, 'cancelled');
    assert.ok(stopped.counts.pending > 0, JSON.stringify(stopped.counts));
    assert.equal(stopped.counts.accepted, recordLines(out).length);
    assert.equal(existsSync(join(out, 'run.lock')), false);
    fake.setLatency(0);
    const r = await run(args, cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Run completed: 10 accepted/m);
    const ids = wholeFiles(out)['records.jsonl'];
    assert.equal(new Set(ids).size, 10);
  });
  describe('flags, each by its effect', () => {
    const manifestOf = (cwd: string) => JSON.parse(readFileSync(join(cwd, 'out', 'manifest.json'), 'utf8'));
    const linesOf = (cwd: string, name: string) =>
      existsSync(join(cwd, 'out', name))
        ? readFileSync(join(cwd, 'out', name), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
    /** The first two ideas to be sharpened get SIXTEEN_WORDS and a rewording of it the fake rates exactly 0.75 similar. */
    const twins = () => {
      const good = responder(pool);
      const planted: string[] = [];
      return (r: LoggedRequest): Reply => {
        const idea = /t[0-9a-f]{6} situation \d+/.exec(promptOf(r))?.[0];
        if (stageOf(r) === 'sharpen' && idea) {
          if (planted.length < 2 && !planted.includes(idea)) planted.push(idea);
          const at = planted.indexOf(idea);
          if (at >= 0)
            return {
              kind: 'text',
              text: JSON.stringify({ sharpened: true, reason: 'planted', message: [SIXTEEN_WORDS, reworded(4)][at] }),
            };
        }
        return good(r);
      };
    };
    const base = ['generate', EXAMPLE, '--out', 'out', '--per-trait', '2', '--concurrency', '1', '--no-cache'];

    it('--dedup-threshold: a pair 0.75 similar passes the default 0.9 and is a duplicate at 0.75', async () => {
      fake.setResponder(twins());
      const plain = tempDir();
      assert.equal((await run(base, plain)).code, 0);
      assert.deepEqual([manifestOf(plain).counts.accepted, manifestOf(plain).counts.duplicate], [4, 0]);
      assert.equal(manifestOf(plain).settings.dedupThreshold, 0.9);

      fake.setResponder(twins());
      const strict = tempDir();
      const r = await run([...base, '--dedup-threshold', '0.75'], strict);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(manifestOf(strict).settings.dedupThreshold, 0.75);
      assert.deepEqual([manifestOf(strict).counts.accepted, manifestOf(strict).counts.duplicate], [3, 1]);
      const [duplicate] = linesOf(strict, 'rejected.jsonl');
      assert.equal(duplicate.reason, 'duplicate');
      assert.equal(duplicate.duplicate.similarity, 0.75);
      assert.match(r.stderr, /duplicate of .* \(similarity 0\.750\)/);
    });

    it('--rpm and --tpm: the run is held to them and records them in its manifest', async () => {
      const cwd = tempDir();
      const r = await run([...base, '--rpm', '100000', '--tpm', '123456789', '--format', 'json'], cwd);
      assert.equal(r.code, 0, r.stderr);
      const manifest = JSON.parse(r.stdout);
      assert.equal(manifest.settings.requestsPerMinute, 100000);
      assert.equal(manifest.settings.tokensPerMinute, 123456789);
      assert.equal(manifest.counts.accepted, 4);
      // Without the flags: no limit.
      const free = tempDir();
      assert.equal((await run(base, free)).code, 0);
      assert.deepEqual([manifestOf(free).settings.requestsPerMinute, manifestOf(free).settings.tokensPerMinute], [null, null]);
    });

    it('--timeout: a model that never answers fails its item after the given seconds, four times', { timeout: 60_000 }, async () => {
      const good = responder(pool);
      fake.setResponder((r) => (stageOf(r) === 'autorate' ? { kind: 'hang' } : good(r)));
      const cwd = tempDir();
      const r = await run(
        ['generate', EXAMPLE, '--out', 'out', '--per-trait', '1', '--traits', 'candour', '--timeout', '0.2', '--no-cache'],
        cwd,
      );
      assert.equal(r.code, 1, r.stderr);
      const [failed] = linesOf(cwd, 'rejected.jsonl');
      assert.equal(failed.reason, 'error');
      assert.match(failed.error, /^autorate: .*no answer within 200 ms \(after 4 attempts\)/);
      assert.ok(fake.requests.filter((q) => stageOf(q) === 'autorate').length >= 4);
    });

    it('--retry-failed: a rerun keeps failed items; with the flag they run again', async () => {
      const good = responder(pool);
      let refuse = true;
      // The autorater refuses every scenario of "Be kind" until `refuse` is cleared.
      fake.setResponder((r) =>
        refuse && stageOf(r) === 'autorate' && promptOf(r).includes('considerate of the person')
          ? { kind: 'blocked', finishReason: 'SAFETY' }
          : good(r),
      );
      const cwd = tempDir();
      assert.equal((await run(base, cwd)).code, 1);
      assert.equal(manifestOf(cwd).counts.failed, 2);
      refuse = false;
      fake.requests.length = 0;
      const again = await run(base, cwd);
      assert.equal(again.code, 1, again.stderr);
      assert.equal(manifestOf(cwd).counts.failed, 2);
      assert.equal(fake.requests.filter((q) => q.action !== 'batchEmbedContents').length, 0, 'a plain rerun asked a model');
      const retried = await run([...base, '--retry-failed'], cwd);
      assert.equal(retried.code, 0, retried.stderr);
      assert.deepEqual([manifestOf(cwd).counts.accepted, manifestOf(cwd).counts.failed], [4, 0]);
      assert.match(retried.stderr, /retrying 2 failed items$/m);
    });

    it('--midtraining N: N documents in midtraining.jsonl, none without the flag', async () => {
      const cwd = tempDir();
      const r = await run([...base, '--midtraining', '3'], cwd);
      assert.equal(r.code, 0, r.stderr);
      const docs = linesOf(cwd, 'midtraining.jsonl');
      assert.equal(docs.length, 3);
      assert.ok(docs.every((d) => d.text === 'A revised forum thread.' && d.trait_ids.includes('candour')));
      assert.deepEqual(manifestOf(cwd).counts.midtraining, { total: 3, written: 3, failed: 0, pending: 0 });
      assert.match(r.stdout, /^Midtraining: 3 written, 0 failed of 3 documents\.$/m);
      const none = tempDir();
      assert.equal((await run(base, none)).code, 0);
      assert.equal(existsSync(join(none, 'out', 'midtraining.jsonl')), false);
    });
  });
});

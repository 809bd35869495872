import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import {
  estimateRun,
  readManifest,
  readRunItems,
  runDataset,
  RunError,
  type RejectedRecord,
  type RunOptions,
  type RunRecord,
} from '../../server/src/generation/run';
import { loadTemplates, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { OpenAICompatibleProvider } from '../../server/src/llm/openai';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { fakeModelVersion, startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { distinctPrompts, fakeEmbeddings, promptOf, reworded, similarity, SIXTEEN_WORDS } from '../fake-gemini/distinctPrompts';
import { stageOf } from '../fake-gemini/stages';
import { ASTER_DOCUMENT, RUN_MODELS, RUN_PRICES, runResponder as responder } from '../fake-gemini/runAnswers';
import { jsonLines, runTestOptions, tempDirs, testPolicy } from '../fake-gemini/runSetup';
import { lockRunFolder } from '../../server/src/generation/run/store';
import type { MidtrainingLine } from '../../server/src/generation/run/types';
import { startFakeOpenAI } from '../fake-openai/server';

const DOC_TEXT = [
  ASTER_DOCUMENT,
  '## Cite sources',
  '',
  'Aster names where a fact comes from, because learners should be able to check it.',
  '',
].join('\n');
const TRAIT_IDS = ['admit-mistakes', 'show-uncertainty', 'cite-sources'];

const templates = loadTemplates(TEMPLATE_STAGES);

/** Stage models and their prices (USD per million tokens), set explicitly: the defaults change with Google's schedule. */
const MODELS = RUN_MODELS;
const PRICES = RUN_PRICES;

describe('runDataset (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  let pool: string[];
  const dirs = tempDirs('trait-studio-run-');
  const tempDir = dirs.make;
  const options = (outDir: string, more: Partial<RunOptions> = {}): RunOptions =>
    runTestOptions(fake, outDir, {
      documentText: DOC_TEXT,
      perTrait: 2,
      formats: ['openai', 'gemini'],
      concurrency: 4,
      models: MODELS,
      prices: PRICES,
      ...more,
    });
  const lines = jsonLines;
  /** Every planned item in exactly one of records.jsonl and rejected.jsonl, each once; returns the ids. */
  const accountedFor = (dir: string, total: number) => {
    const accepted = existsSync(join(dir, 'records.jsonl')) ? lines<RunRecord>(join(dir, 'records.jsonl')).map((r) => r.id) : [];
    const rejected = existsSync(join(dir, 'rejected.jsonl')) ? lines<RejectedRecord>(join(dir, 'rejected.jsonl')).map((r) => r.id) : [];
    const all = [...accepted, ...rejected];
    assert.equal(new Set(all).size, all.length, `an id is written twice: ${all.join(', ')}`);
    assert.equal(all.length, total);
    return { accepted, rejected };
  };

  before(async () => {
    fake = await startFakeGemini();
    pool = await distinctPrompts(fake, 16);
  });
  after(async () => {
    await fake.close();
    dirs.removeAll();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setLatency(0);
    fake.setResponder(responder(pool));
  });

  it('writes the SFT files, records and manifest of a clean run, with no system prompt anywhere', async () => {
    const dir = join(tempDir(), 'run');
    const progress: number[] = [];
    const manifest = await runDataset(options(dir, { onProgress: (p) => progress.push(p.done) }));
    assert.equal(manifest.status, 'completed');
    const { accepted } = accountedFor(dir, 6);
    assert.equal(accepted.length, 6);
    assert.deepEqual(progress.at(-1), 6);

    const records: RunRecord[] = lines(join(dir, 'records.jsonl'));
    const openai = lines(join(dir, 'sft.openai.jsonl'));
    const gemini = lines(join(dir, 'sft.gemini.jsonl'));
    assert.deepEqual(
      openai,
      records.map((r) => ({
        messages: [
          { role: 'user', content: r.prompt },
          { role: 'assistant', content: r.response },
        ],
      })),
    );
    assert.deepEqual(
      gemini,
      records.map((r) => ({
        contents: [
          { role: 'user', parts: [{ text: r.prompt }] },
          { role: 'model', parts: [{ text: r.response }] },
        ],
      })),
    );
    // The response stage's system prompt (the trait, "embody it") reaches no file of the run.
    const systemPrompt = fake.requests.find((r) => stageOf(r) === 'response')!.body.systemInstruction?.parts[0].text ?? '';
    for (const file of ['sft.openai.jsonl', 'sft.gemini.jsonl', 'records.jsonl']) {
      const text = readFileSync(join(dir, file), 'utf8');
      assert.ok(!text.includes(systemPrompt.slice(0, 60)), `${file} holds the system prompt`);
      assert.ok(!/"role":"system"|systemInstruction/.test(text), `${file} has a system role`);
    }

    const [r] = records;
    assert.match(r.id, new RegExp(`^${r.traitId}-${r.chunkHash.slice(0, 8)}-${r.index}$`));
    assert.ok(TRAIT_IDS.includes(r.traitId));
    assert.match(r.chunkHash, /^[0-9a-f]{64}$/);
    assert.equal(r.scenario.critique.verdict, 'keep');
    assert.equal(r.sharpened, true);
    assert.ok(pool.includes(r.prompt));
    assert.deepEqual(r.rating, { score: 8, verdict: 'keep', reasons: 'embodies it' });
    assert.deepEqual(r.models, MODELS);
    // One item's own calls: scenario and baseline on the fast model, critique, sharpen, response and
    // autorate on the strong one (the fake's 100/20, 30/40 and 300/60 tokens; the brainstorm is the trait's).
    assert.deepEqual(r.usage, {
      inputTokens: 730,
      outputTokens: 180,
      cachedAnswers: 0,
      byModel: { 'fast-model': { inputTokens: 130, outputTokens: 60 }, 'strong-model': { inputTokens: 600, outputTokens: 120 } },
    });
    // Interleaved: every trait's scenario 0 before any scenario 1, so each brainstorm is asked for once.
    assert.equal(fake.requests.filter((q) => stageOf(q) === 'brainstorm').length, 3);

    const m = readManifest(dir)!;
    assert.deepEqual(m, manifest);
    assert.equal(m.version, 1);
    assert.deepEqual(m.document, { path: '/docs/aster.traits.md', sha256: createHash('sha256').update(DOC_TEXT).digest('hex') });
    assert.deepEqual(m.settings.traits, TRAIT_IDS);
    assert.equal(m.settings.perTrait, 2);
    assert.deepEqual(m.settings.formats, ['openai', 'gemini']);
    assert.equal(m.settings.dedupThreshold, 0.9);
    assert.equal(m.settings.embeddingModel, 'gemini-embedding-001');
    assert.equal(m.settings.embeddingDimensions, 512);
    assert.equal(m.settings.providerId, 'gemini');
    assert.deepEqual(m.models, { ...MODELS, embedding: 'gemini-embedding-001' });
    assert.deepEqual(Object.keys(m.templates).sort(), ['autorate', 'brainstorm', 'critique', 'response', 'scenario', 'sharpen']);
    assert.equal(m.templates.critique.sha256, createHash('sha256').update(templates.critique.text).digest('hex'));
    assert.deepEqual(m.counts, {
      total: 6,
      accepted: 6,
      rejected: 0,
      autorater: 0,
      duplicate: 0,
      failed: 0,
      pending: 0,
      midtraining: { total: 0, written: 0, failed: 0, pending: 0 },
    });
    // 3 brainstorms + 6 × 6 stages; the fake bills 100/300/30 input tokens per JSON/response/baseline answer.
    assert.equal(m.usage.inputTokens, 3 * 100 + 6 * (4 * 100 + 300 + 30));
    // The fast model answers 3 brainstorms and 6 scenarios (100 in, 20 out each) and 6 baselines
    // (30 in, 40 out); the strong one 6 critiques, sharpens and ratings (100, 20) and 6 responses (300, 60).
    assert.deepEqual(m.usage.byModel, {
      'fast-model': { inputTokens: 9 * 100 + 6 * 30, outputTokens: 9 * 20 + 6 * 40 },
      'strong-model': { inputTokens: 18 * 100 + 6 * 300, outputTokens: 18 * 20 + 6 * 60 },
    });
    // fast: 1080 × $0.5 + 420 × $2; strong: 3600 × $2 + 720 × $8 (per million tokens).
    assert.deepEqual(m.cost.unpriced, []);
    assert.ok(Math.abs(m.cost.usd - (540 + 840 + 7200 + 5760) / 1e6) < 1e-15, String(m.cost.usd));
    // Which versions really answered: in the manifest per model asked for, in each record per stage.
    assert.deepEqual(m.modelVersions, {
      'fast-model': [fakeModelVersion('fast-model')],
      'strong-model': [fakeModelVersion('strong-model')],
    });
    for (const r of records) {
      assert.deepEqual(Object.keys(r.modelVersions).sort(), [
        'autorate',
        'baseline',
        'brainstorm',
        'critique',
        'response',
        'scenario',
        'sharpen',
      ]);
      assert.equal(r.modelVersions.response, fakeModelVersion('strong-model'));
      assert.equal(r.modelVersions.brainstorm, fakeModelVersion('fast-model'));
    }
    assert.ok(m.embeddings.requests >= 1 && m.embeddings.texts === 6, JSON.stringify(m.embeddings));
    assert.equal(m.timings.sessions, 1);
    assert.ok(m.timings.finishedAt && Date.parse(m.timings.finishedAt) >= Date.parse(m.timings.startedAt));
    assert.equal(existsSync(join(dir, 'run.lock')), false);
    assert.deepEqual(readRunItems(dir).accepted, records);
  });

  it('accounts for every item exactly once through a storm of 429s, 500s, hangs and malformed answers', async () => {
    const dir = join(tempDir(), 'run');
    const served: Record<string, number> = {};
    const good = responder(pool);
    let n = 0;
    fake.setResponder((r) => {
      n++;
      const fault: Reply | undefined =
        // The second request always hangs, so a slow machine that makes fewer requests still sees one.
        n % 23 === 2
          ? { kind: 'hang' }
          : n % 9 === 1
            ? { kind: 'status', status: 429, retryDelay: '0.02s' }
            : n % 9 === 3
              ? { kind: 'status', status: 500 }
              : n % 9 === 5
                ? { kind: 'malformed' }
                : n % 9 === 7 && stageOf(r) !== 'baseline' && stageOf(r) !== 'response'
                  ? { kind: 'text', text: 'not json at all' }
                  : undefined;
      const reply = fault ?? good(r);
      const name = reply.kind === 'status' ? String(reply.status) : reply.kind === 'text' && fault ? 'not-json' : reply.kind;
      served[name] = (served[name] ?? 0) + 1;
      return reply;
    });
    const manifest = await runDataset(
      options(dir, {
        perTrait: 4,
        provider: new GeminiProvider({
          apiKey: 'k',
          baseUrl: fake.baseUrl,
          policy: new RequestPolicy({ timeoutMs: 1500, baseDelayMs: 5, maxDelayMs: 20, concurrency: 8 }),
        }),
      }),
    );
    for (const kind of ['429', '500', 'hang', 'malformed', 'not-json'])
      assert.ok(served[kind] > 0, `no ${kind} was served: ${JSON.stringify(served)}`);
    assert.equal(manifest.status, 'completed');
    const { accepted, rejected } = accountedFor(dir, 12);
    const c = manifest.counts;
    assert.equal(c.accepted, accepted.length);
    assert.equal(c.rejected + c.failed, rejected.length);
    assert.equal(c.pending, 0);
    assert.ok(accepted.length > 0, 'nothing survived the storm');
    for (const r of readRunItems(dir).rejected) {
      assert.equal(r.kind, 'sft');
      if (r.reason === 'error') assert.match(r.error ?? '', /^\w+: /);
    }
    assert.equal(lines(join(dir, 'sft.openai.jsonl')).length, accepted.length);
    assert.equal(lines(join(dir, 'sft.gemini.jsonl')).length, accepted.length);
  });

  it('resumes a cancelled run: done items are skipped, a torn line is cut, nothing is written twice', async () => {
    const dir = join(tempDir(), 'run');
    const cache = new MemoryAnswerCache();
    fake.setLatency(5);
    const controller = new AbortController();
    const first = await runDataset(
      options(dir, {
        perTrait: 4,
        concurrency: 2,
        cache,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.accepted >= 3) controller.abort(new Error('stop'));
        },
      }),
    );
    assert.equal(first.status, 'cancelled');
    assert.ok(first.counts.pending > 0 && first.counts.accepted >= 3, JSON.stringify(first.counts));
    const before = lines(join(dir, 'records.jsonl')) as RunRecord[];
    // A write cut short by a crash: half a line, no newline.
    appendFileSync(join(dir, 'records.jsonl'), '{"id":"admit-mistakes-00000000-9","traitId":"adm');

    fake.requests.length = 0;
    const log: string[] = [];
    const second = await runDataset(options(dir, { perTrait: 4, concurrency: 2, cache, onLog: (l) => log.push(l) }));
    assert.equal(second.status, 'completed');
    assert.ok(
      log.some((l) => /cut a torn last line .* off records\.jsonl/.test(l)),
      log.join('\n'),
    );
    const { accepted } = accountedFor(dir, 12);
    assert.equal(accepted.length, 12);
    // Every record of the first session is still there, first, unchanged.
    assert.deepEqual(lines(join(dir, 'records.jsonl')).slice(0, before.length), before);
    assert.ok(readFileSync(join(dir, 'records.jsonl'), 'utf8').endsWith('\n'));
    // The done items were not asked again: no response request answers one of their prompts.
    const donePrompts = new Set(before.map((r) => r.prompt));
    assert.ok(!fake.requests.some((q) => stageOf(q) === 'response' && donePrompts.has(q.body.contents[0].parts[0].text)));
    assert.equal(lines(join(dir, 'sft.openai.jsonl')).length, 12);
    assert.equal(second.timings.sessions, 2);
    assert.ok(second.usage.inputTokens >= first.usage.inputTokens);
    assert.deepEqual(second.counts, {
      total: 12,
      accepted: 12,
      rejected: 0,
      autorater: 0,
      duplicate: 0,
      failed: 0,
      pending: 0,
      midtraining: { total: 0, written: 0, failed: 0, pending: 0 },
    });

    // A third run finds nothing to do and asks nothing.
    fake.requests.length = 0;
    const third = await runDataset(options(dir, { perTrait: 4, concurrency: 2, cache }));
    assert.equal(third.status, 'completed');
    assert.equal(fake.requests.filter((q) => q.action !== 'batchEmbedContents').length, 0);
    accountedFor(dir, 12);
  });

  it('rebuilds SFT files that lag records.jsonl, and follows a change of formats', async () => {
    const dir = join(tempDir(), 'run');
    const cache = new MemoryAnswerCache();
    await runDataset(options(dir, { cache }));
    // A crash between the record and its SFT lines: the SFT file lost its last line.
    const path = join(dir, 'sft.openai.jsonl');
    const all = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    writeFileSync(path, `${all.slice(0, -1).join('\n')}\n`);
    const log: string[] = [];
    await runDataset(options(dir, { cache, formats: ['openai'], onLog: (l) => log.push(l) }));
    assert.equal(readFileSync(path, 'utf8'), `${all.join('\n')}\n`);
    assert.equal(existsSync(join(dir, 'sft.gemini.jsonl')), false);
    assert.ok(
      log.some((l) => /rebuilt sft\.openai\.jsonl/.test(l)) && log.some((l) => /removed sft\.gemini\.jsonl/.test(l)),
      log.join('\n'),
    );
  });

  /**
   * A responder whose first two ideas to reach the sharpen stage get the final prompts `first` and
   * `second` (in that order); every other idea gets the next prompt of `others`.
   */
  const plantTwins = (first: string, second: string, others: readonly string[]) => {
    const base = responder(others);
    const planted: string[] = [];
    return (r: LoggedRequest): Reply => {
      const idea = /t[0-9a-f]{6} situation \d+/.exec(promptOf(r))?.[0];
      if (stageOf(r) === 'sharpen' && idea) {
        if (planted.length < 2 && !planted.includes(idea)) planted.push(idea);
        const at = planted.indexOf(idea);
        if (at >= 0) return { kind: 'text', text: JSON.stringify({ sharpened: true, reason: 'planted', message: [first, second][at] }) };
      }
      return base(r);
    };
  };

  it('rejects a reworded prompt (no copy) as a near-duplicate, with the accepted one it repeats', async () => {
    const dir = join(tempDir(), 'run');
    // 15 of 16 words in common: the fake rates them 15/16 = 0.9375 similar, above the default 0.9.
    const original = SIXTEEN_WORDS;
    const twin = reworded(1);
    assert.notEqual(twin, original);
    fake.setResponder(plantTwins(original, twin, pool));
    const manifest = await runDataset(options(dir, { perTrait: 2, concurrency: 1 }));
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.counts.duplicate, 1);
    assert.equal(manifest.counts.accepted, 5);
    const { accepted, rejected } = readRunItems(dir);
    // Every other pair of accepted prompts is far below the threshold: nothing else was rejected.
    assert.equal(rejected.length, 1);
    const [duplicate] = rejected;
    assert.ok(duplicate.kind === 'sft' && duplicate.reason === 'duplicate');
    const kept = accepted.find((r) => r.prompt === original || r.prompt === twin);
    assert.ok(kept, 'one of the twins is accepted');
    assert.notEqual(kept.traitId, duplicate.traitId);
    assert.equal(duplicate.prompt, kept.prompt === original ? twin : original);
    assert.deepEqual(duplicate.duplicate, { of: kept.id, prompt: kept.prompt, similarity: 0.9375 });
    assert.equal(duplicate.error, null);
    assert.ok(!readFileSync(join(dir, 'sft.openai.jsonl'), 'utf8').includes(JSON.stringify(duplicate.prompt)));
    // Both were embedded through Gemini's batchEmbedContents.
    const embedded = fake.requests
      .filter((q) => q.action === 'batchEmbedContents')
      .flatMap((q) => (q.body.requests ?? []).map((x) => x.content.parts[0].text));
    assert.deepEqual(
      [original, twin].map((t) => embedded.filter((e: string) => e === t).length),
      [1, 1],
    );
    assert.ok(fake.requests.filter((q) => q.action === 'batchEmbedContents').every((q) => q.model === 'gemini-embedding-001'));
  });

  it('rejects a prompt exactly at the threshold and accepts it just below', async () => {
    // 12 of 16 words in common: exactly 0.75 in floating point (checked here on the fake's own vectors).
    const [a, b] = await fakeEmbeddings(fake, [SIXTEEN_WORDS, reworded(4)]);
    assert.equal(similarity(a, b), 0.75);
    const run = async (dedupThreshold: number) => {
      fake.requests.length = 0;
      fake.setResponder(plantTwins(SIXTEEN_WORDS, reworded(4), pool));
      const dir = join(tempDir(), 'run');
      const manifest = await runDataset(options(dir, { traits: ['admit-mistakes'], perTrait: 2, concurrency: 1, dedupThreshold }));
      return { manifest, ...readRunItems(dir) };
    };
    const at = await run(0.75);
    assert.deepEqual([at.manifest.counts.accepted, at.manifest.counts.duplicate], [1, 1]);
    assert.equal(at.rejected[0].kind === 'sft' && at.rejected[0].duplicate?.similarity, 0.75);
    // The least threshold above 0.75: the pair is below it, so both are kept.
    const justAbove = 0.75 + Number.EPSILON / 2;
    assert.ok(justAbove > 0.75);
    const above = await run(justAbove);
    assert.deepEqual([above.manifest.counts.accepted, above.manifest.counts.duplicate], [2, 0]);
    assert.deepEqual(above.accepted.map((r) => r.prompt).sort(), [SIXTEEN_WORDS, reworded(4)].sort());
  });

  it('a resumed run rejects a near-duplicate of a prompt accepted before the stop, naming that record', async () => {
    const dir = join(tempDir(), 'run');
    // Session 1 accepts SIXTEEN_WORDS for the first idea to be sharpened, then stops. It embeds at
    // the model's full length, as runs did before the dimension was recorded.
    const controller = new AbortController();
    fake.setResponder(plantTwins(SIXTEEN_WORDS, pool[15], pool.slice(0, 7)));
    const first = await runDataset(
      options(dir, {
        concurrency: 1,
        embeddingDimensions: null,
        signal: controller.signal,
        onProgress: (p) => p.accepted >= 2 && controller.abort(new Error('killed')),
      }),
    );
    assert.equal(first.status, 'cancelled');
    assert.equal(first.settings.embeddingDimensions, null);
    const sessionOneRequests = fake.requests.length;
    const earlier = readRunItems(dir).accepted.find((r) => r.prompt === SIXTEEN_WORDS);
    assert.ok(earlier, 'the planted prompt was not accepted before the stop');
    assert.ok(first.counts.pending > 0);

    // Session 2 (a new process would start the same way: nothing in memory) gives the first
    // pending idea a rewording of it; the other items get prompts no earlier one resembles.
    fake.setResponder(plantTwins(reworded(1), pool[14], pool.slice(7, 14)));
    const log: string[] = [];
    const second = await runDataset(options(dir, { concurrency: 1, onLog: (line) => log.push(line) }));
    assert.equal(second.status, 'completed');
    assert.equal(second.counts.duplicate, 1);
    // Session 2 embeds at 512 dimensions, the earlier accepted prompts too: no vectors of two lengths meet.
    assert.equal(second.settings.embeddingDimensions, 512);
    assert.ok(
      log.some((l) =>
        /earlier sessions used the embedding model's full length, this one 512 dimensions; the \d+ earlier accepted prompts are embedded again/.test(
          l,
        ),
      ),
      log.join('\n'),
    );
    const embeddedAgain = fake.requests
      .slice(sessionOneRequests)
      .filter((q) => q.action === 'batchEmbedContents')
      .flatMap((q) => q.body.requests ?? []);
    assert.ok(embeddedAgain.every((r) => r.outputDimensionality === 512));
    assert.ok(embeddedAgain.some((r) => r.content.parts[0].text === SIXTEEN_WORDS));
    const { accepted, rejected } = readRunItems(dir);
    assert.equal(accepted.length + rejected.length, 6);
    const [duplicate] = rejected;
    assert.ok(duplicate.kind === 'sft' && duplicate.reason === 'duplicate');
    assert.equal(duplicate.prompt, reworded(1));
    assert.deepEqual(duplicate.duplicate, { of: earlier.id, prompt: SIXTEEN_WORDS, similarity: 0.9375 });
  });

  it('puts autorater rejections in rejected.jsonl with the rating, and none in the SFT files', async () => {
    const dir = join(tempDir(), 'run');
    // The autorater rejects every scenario of one trait.
    fake.setResponder(responder(pool, { verdict: (r) => (promptOf(r).includes('says how sure it is') ? 'reject' : 'keep') }));
    const manifest = await runDataset(options(dir));
    assert.equal(manifest.counts.autorater, 2);
    const { accepted, rejected } = readRunItems(dir);
    assert.equal(accepted.length, 4);
    assert.ok(rejected.every((r) => r.kind === 'sft' && r.traitId === 'show-uncertainty'));
    for (const r of rejected) {
      assert.ok(
        r.kind === 'sft' && r.reason === 'autorater' && r.rating?.verdict === 'reject' && r.response && r.error === null,
        JSON.stringify(r),
      );
    }
    const sft = readFileSync(join(dir, 'sft.openai.jsonl'), 'utf8');
    for (const r of rejected) if (r.kind === 'sft') assert.ok(!sft.includes(JSON.stringify(r.prompt)));
  });

  it("reports a failed stage as that item's error, and retries failed items only when asked", async () => {
    const dir = join(tempDir(), 'run');
    const cache = new MemoryAnswerCache();
    const good = responder(pool);
    let blocked = true;
    // The autorater refuses (SAFETY, twice) every scenario of one trait.
    fake.setResponder((r) =>
      blocked && stageOf(r) === 'autorate' && promptOf(r).includes('names where a fact comes from')
        ? { kind: 'blocked', finishReason: 'SAFETY' }
        : good(r),
    );
    const first = await runDataset(options(dir, { cache }));
    assert.equal(first.status, 'completed');
    assert.equal(first.counts.failed, 2);
    const failed = readRunItems(dir).rejected;
    assert.ok(
      failed.every((r) => r.reason === 'error' && /^autorate: the model gave no answer \(finish reason SAFETY\)/.test(r.error ?? '')),
      JSON.stringify(failed),
    );
    // A plain rerun keeps the failures; --retry-failed runs them again.
    assert.equal((await runDataset(options(dir, { cache }))).counts.failed, 2);
    blocked = false;
    const retried = await runDataset(options(dir, { cache, retryFailed: true }));
    assert.equal(retried.counts.failed, 0);
    assert.equal(retried.counts.accepted, 6);
    accountedFor(dir, 6);
  });

  it('refuses a folder that holds another run, or files that are not a run', async () => {
    const dir = join(tempDir(), 'run');
    await runDataset(options(dir));
    await assert.rejects(
      runDataset(options(dir, { perTrait: 3 })),
      (e: unknown) => e instanceof RunError && e.code === 'mismatch' && /perTrait \(2 then, 3 now\)/.test(e.message),
    );
    // Every difference is named, one after another.
    await assert.rejects(
      runDataset(options(dir, { perTrait: 3, models: { ...MODELS, response: 'fast-model' } })),
      /they differ in: perTrait \(2 then, 3 now\); the response model \(strong-model then, fast-model now\)\)/,
    );
    await assert.rejects(
      runDataset(options(dir, { documentText: DOC_TEXT.replace('plainly', 'clearly') })),
      /holds a run of another document .*the document's text/,
    );
    await assert.rejects(
      runDataset(options(dir, { models: { ...MODELS, response: 'fast-model' } })),
      /the response model \(strong-model then, fast-model now\)/,
    );
    const edited = { ...templates, autorate: { ...templates.autorate, text: `${templates.autorate.text}\nBe strict.` } };
    await assert.rejects(runDataset(options(dir, { templates: edited })), /the autorate prompt template/);
    // Settings that do not shape the data may change.
    assert.equal((await runDataset(options(dir, { concurrency: 1, requestsPerMinute: 1000, formats: ['gemini'] }))).status, 'completed');

    const stray = tempDir();
    writeFileSync(join(stray, 'notes.txt'), 'mine');
    await assert.rejects(runDataset(options(stray)), /is not empty and holds no run/);
    await assert.rejects(runDataset(options(join(tempDir(), 'x'), { traits: ['nope'] })), /no trait with id "nope"/);
    await assert.rejects(runDataset(options(join(tempDir(), 'x'), { perTrait: 0 })), /perTrait must be a whole number from 1/);
    await assert.rejects(runDataset(options(join(tempDir(), 'x'), { formats: [] })), /formats must name one or more of openai, gemini/);
    await assert.rejects(
      runDataset(options(join(tempDir(), 'x'), { dedupThreshold: 1.5 })),
      /dedupThreshold must be above 0 and at most 1/,
    );
  });

  it('holds each model to requestsPerMinute and tokensPerMinute over the rate window', async () => {
    // One item: brainstorm, scenario and baseline on the fast model, four calls on the strong one,
    // one after another. At 1 request (or fewer tokens than any call) per 400 ms window, no two
    // calls of a model may start closer than that; their arrivals at the fake, half of it (room
    // for a busy machine's delays between the limiter and the fake; unlimited, they come
    // milliseconds apart). A model's first call is left out: it alone pays the SDK's first-call
    // set-up between the limiter and the fake.
    const closest = () => {
      const gaps: number[] = [];
      for (const model of ['fast-model', 'strong-model']) {
        const at = fake.requests.filter((q) => q.model === model && q.action !== 'batchEmbedContents').map((q) => q.at);
        assert.ok(at.length >= 3, `${model}: ${at.length} calls`);
        for (let i = 2; i < at.length; i++) gaps.push(at[i] - at[i - 1]);
      }
      return Math.min(...gaps);
    };
    for (const limits of [{ requestsPerMinute: 1 }, { tokensPerMinute: 1 }]) {
      fake.requests.length = 0;
      const manifest = await runDataset(
        options(join(tempDir(), 'run'), { traits: ['cite-sources'], perTrait: 1, rateWindowMs: 400, ...limits }),
      );
      assert.equal(manifest.counts.accepted, 1);
      assert.ok(closest() >= 200, `${JSON.stringify(limits)}: two calls of a model ${closest()} ms apart`);
    }
  });

  it('fails the items whose embedding call fails, with the reason, and runs the others', async () => {
    const dir = join(tempDir(), 'run');
    // One item at a time: the first item's embedding call is refused (400, not retried).
    fake.scriptEmbeddings({ kind: 'status', status: 400, message: 'embedding refused' });
    const manifest = await runDataset(options(dir, { concurrency: 1, traits: ['admit-mistakes'], perTrait: 2 }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual([manifest.counts.accepted, manifest.counts.failed], [1, 1]);
    const [failed] = readRunItems(dir).rejected;
    assert.ok(failed.kind === 'sft' && failed.reason === 'error');
    assert.match(failed.error ?? '', /^embed: .*HTTP 400: embedding refused/);
    // It had a final prompt and a response: only the embedding failed.
    assert.ok(failed.prompt && failed.response);
  });

  it('stops at a file it cannot use: io error, the manifest says why, and a rerun completes once it can', async () => {
    const dir = join(tempDir(), 'run');
    const stopped = new AbortController();
    stopped.abort(new Error('not yet'));
    assert.equal((await runDataset(options(dir, { signal: stopped.signal }))).status, 'cancelled');
    // A folder stands where sft.openai.jsonl goes before the run starts: the run folder is refused
    // at once, naming the file, and nothing in it changes (no session, no lock, nothing asked).
    mkdirSync(join(dir, 'sft.openai.jsonl'));
    await assert.rejects(
      runDataset(options(dir)),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /sft\.openai\.jsonl is a folder, not a regular file/.test(e.message),
    );
    assert.equal(readManifest(dir)!.status, 'cancelled');
    assert.equal(existsSync(join(dir, 'run.lock')), false);
    assert.equal(fake.requests.length, 0);
    rmSync(join(dir, 'sft.openai.jsonl'), { recursive: true });
    // A folder takes its place once the run has started (at the first brainstorm): the first SFT
    // line cannot be written, and the run stops with the reason in its manifest.
    const good = responder(pool);
    let planted = false;
    fake.setResponder((r) => {
      if (!planted) mkdirSync(join(dir, 'sft.openai.jsonl'));
      planted = true;
      return good(r);
    });
    await assert.rejects(
      runDataset(options(dir)),
      (e: unknown) => e instanceof RunError && e.code === 'io' && /sft\.openai\.jsonl: EISDIR/.test(e.message),
    );
    const failed = readManifest(dir)!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /sft\.openai\.jsonl: EISDIR/);
    assert.equal(existsSync(join(dir, 'run.lock')), false);
    rmSync(join(dir, 'sft.openai.jsonl'), { recursive: true });
    // The same responder: the items still to do get the prompts the first ones did not.
    fake.setResponder(good);
    const done = await runDataset(options(dir));
    assert.equal(done.status, 'completed');
    assert.equal(done.timings.sessions, 3);
    accountedFor(dir, 6);
    assert.equal(lines(join(dir, 'sft.openai.jsonl')).length, 6);
  });

  it('generates only the traits asked for, in their order', async () => {
    const dir = join(tempDir(), 'run');
    const manifest = await runDataset(options(dir, { traits: ['cite-sources', 'admit-mistakes'], perTrait: 1 }));
    assert.deepEqual(manifest.settings.traits, ['cite-sources', 'admit-mistakes']);
    assert.deepEqual(
      readRunItems(dir)
        .accepted.map((r) => r.traitId)
        .sort(),
      ['admit-mistakes', 'cite-sources'],
    );
  });

  it('writes midtraining documents to midtraining.jsonl and skips them on a rerun', async () => {
    const dir = join(tempDir(), 'run');
    const cache = new MemoryAnswerCache();
    const good = responder(pool);
    const user = (r: LoggedRequest): string => r.body.contents[0].parts[0].text;
    fake.setResponder((r) => {
      switch (stageOf(r)) {
        case 'midtraining-ideas':
          return {
            kind: 'text',
            text: JSON.stringify({
              document_ideas: Array.from({ length: 10 }, (_, i) => ({ idea: `idea ${i}`, trait_ids: [TRAIT_IDS[i % 3]] })),
            }),
          };
        case 'midtraining-draft':
          return { kind: 'text', text: `draft of ${/What it is about: (.*)/.exec(user(r))?.[1]}` };
        case 'midtraining-critique':
          return {
            kind: 'text',
            text: JSON.stringify({ realistic: true, consistent: true, in_genre: true, reasons: 'fine', revised: 'the revised document' }),
          };
        default:
          return good(r);
      }
    });
    const manifest = await runDataset(options(dir, { perTrait: 1, midtraining: 4, cache }));
    assert.equal(manifest.status, 'completed');
    assert.deepEqual(manifest.counts.midtraining, { total: 4, written: 4, failed: 0, pending: 0 });
    const docs = lines<MidtrainingLine>(join(dir, 'midtraining.jsonl'));
    assert.equal(docs.length, 4);
    for (const d of docs) {
      assert.deepEqual(Object.keys(d).sort(), ['doc_type', 'id', 'text', 'trait_ids']);
      assert.equal(d.text, 'the revised document');
      assert.ok(d.trait_ids.every((t) => TRAIT_IDS.includes(t)));
    }
    assert.ok(Object.keys(manifest.templates).includes('midtraining-draft'));
    fake.requests.length = 0;
    const again = await runDataset(options(dir, { perTrait: 1, midtraining: 4, cache }));
    assert.equal(again.counts.midtraining.written, 4);
    assert.equal(lines(join(dir, 'midtraining.jsonl')).length, 4);
    assert.equal(fake.requests.filter((q) => stageOf(q).startsWith('midtraining')).length, 0);
  });

  it('embeds with an OpenAI-compatible provider when given one', async () => {
    const openai = await startFakeOpenAI();
    try {
      const dir = join(tempDir(), 'run');
      const embedder = new OpenAICompatibleProvider({ baseUrl: openai.baseUrl, policy: testPolicy() });
      const manifest = await runDataset(
        options(dir, {
          perTrait: 1,
          embeddingProvider: embedder,
          embeddingProviderId: 'openai-compatible@local',
          embeddingModel: 'nomic-embed-text',
        }),
      );
      assert.equal(manifest.status, 'completed');
      assert.equal(manifest.settings.embeddingProviderId, 'openai-compatible@local');
      const embedded = openai.requests.filter((q) => q.path === '/v1/embeddings');
      assert.ok(embedded.length >= 1 && embedded.every((q) => q.body.model === 'nomic-embed-text' && q.body.dimensions === 512));
      assert.equal(embedded.flatMap((q) => q.body.input).length, 3);
      assert.equal(fake.requests.filter((q) => q.action === 'batchEmbedContents').length, 0);
    } finally {
      await openai.close();
    }
  });

  it('stops when cancelled: status cancelled, nothing half-written, the folder unlocked', async () => {
    const dir = join(tempDir(), 'run');
    fake.setResponder(() => ({ kind: 'hang' }));
    const controller = new AbortController();
    const run = runDataset(options(dir, { signal: controller.signal }));
    while (fake.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('stop'));
    const manifest = await run;
    assert.equal(manifest.status, 'cancelled');
    assert.equal(manifest.counts.pending, 6);
    assert.equal(existsSync(join(dir, 'records.jsonl')), false);
    assert.equal(existsSync(join(dir, 'run.lock')), false);
  });

  it("refuses a folder another live process is writing to, and takes over a dead one's lock", async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // PID 1 is alive on any Linux host.
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: (await import('node:os')).hostname(), at: 'then' }));
    await assert.rejects(runDataset(options(dir)), (e: unknown) => e instanceof RunError && e.code === 'busy');
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname(), at: 'then' }));
    assert.equal((await runDataset(options(dir, { perTrait: 1 }))).status, 'completed');
  });

  it('asks a short brainstorm once more instead of failing its items on every resume', async () => {
    const dir = tempDir();
    const good = responder(pool);
    let brainstorms = 0;
    // The first brainstorm answers one idea where two are needed; the cache keeps that answer.
    fake.setResponder((r) => {
      if (stageOf(r) === 'brainstorm' && ++brainstorms === 1) {
        return { kind: 'text', text: JSON.stringify({ ideas: [{ what: 'only idea', how: 'plainly', why: 'trust' }] }) };
      }
      return good(r);
    });
    const cache = new MemoryAnswerCache();
    const manifest = await runDataset(options(dir, { traits: ['admit-mistakes'], perTrait: 2, cache }));
    assert.equal(manifest.counts.failed, 0);
    assert.equal(manifest.counts.accepted + manifest.counts.rejected, 2);
    assert.equal(brainstorms, 2);

    // Short twice: the item with no idea fails saying so, and a retry asks anew (a short answer is never cached).
    const short = tempDir();
    brainstorms = 0;
    fake.setResponder((r) =>
      stageOf(r) === 'brainstorm' && ++brainstorms
        ? { kind: 'text', text: JSON.stringify({ ideas: [{ what: 'only idea', how: 'plainly', why: 'trust' }] }) }
        : good(r),
    );
    const shortCache = new MemoryAnswerCache();
    const failed = await runDataset(options(short, { traits: ['admit-mistakes'], perTrait: 2, cache: shortCache }));
    assert.equal(failed.counts.failed, 1);
    assert.equal(brainstorms, 2);
    const [line] = lines(join(short, 'rejected.jsonl'));
    assert.equal(line.error, 'brainstorm: asked for 2 ideas, got 1');
    await runDataset(options(short, { traits: ['admit-mistakes'], perTrait: 2, cache: shortCache, retryFailed: true }));
    assert.equal(brainstorms, 4);
  });

  it('takes a half-written lock for a run starting, and takes over one left unreadable for long', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'run.lock');
    writeFileSync(lock, '');
    assert.throws(
      () => lockRunFolder(dir),
      (e: unknown) => e instanceof RunError && e.code === 'busy' && /being written/.test(e.message),
    );
    assert.equal(readFileSync(lock, 'utf8'), '', "the other run's lock was touched");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const release = lockRunFolder(dir);
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
    assert.deepEqual(readdirSync(dir).sort(), ['run.lock'], 'a temporary lock file was left behind');
    release();
    assert.equal(existsSync(lock), false);
  });
});

describe('readManifest and readRunItems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trait-studio-read-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing from an empty folder and refuses a manifest that is not one', () => {
    assert.equal(readManifest(dir), undefined);
    assert.equal(readManifest(join(dir, 'absent')), undefined);
    assert.deepEqual(readRunItems(dir), { accepted: [], rejected: [] });
    writeFileSync(join(dir, 'manifest.json'), '{"version": 1, "status": ');
    assert.throws(() => readManifest(dir), /manifest\.json is not a run manifest: not JSON/);
    writeFileSync(join(dir, 'manifest.json'), '{"hello": "world"}');
    assert.throws(() => readManifest(dir), /not a run manifest of this version/);
  });

  it('skips a torn last line and keeps the first line of an id', () => {
    writeFileSync(join(dir, 'records.jsonl'), '{"id":"a","prompt":"1"}\n{"id":"b","prompt":"2"}\n{"id":"a","prompt":"3"}\n{"id":"c","pro');
    writeFileSync(join(dir, 'rejected.jsonl'), '{"id":"d","kind":"sft","reason":"error"}\nnot json\n');
    const { accepted, rejected } = readRunItems(dir);
    assert.deepEqual(
      accepted.map((r) => [r.id, r.prompt]),
      [
        ['a', '1'],
        ['b', '2'],
      ],
    );
    assert.deepEqual(
      rejected.map((r) => r.id),
      ['d'],
    );
    // Reading changes nothing: a run may be appending that line right now.
    assert.ok(readFileSync(join(dir, 'records.jsonl'), 'utf8').endsWith('"pro'));
  });
});

describe('estimateRun', () => {
  it('counts requests per stage and prices the estimated tokens', () => {
    const estimate = estimateRun({ documentText: DOC_TEXT, perTrait: 5, templates, models: MODELS, prices: PRICES });
    assert.equal(estimate.traits, 3);
    assert.equal(estimate.items, 15);
    assert.equal(estimate.requests, 3 + 15 * 6);
    assert.equal(estimate.embeddingRequests, 15);
    assert.deepEqual(Object.keys(estimate.byModel).sort(), ['fast-model', 'strong-model']);
    assert.equal(
      estimate.inputTokens,
      Object.values(estimate.byModel).reduce((n, m) => n + m.inputTokens, 0),
    );
    const { 'fast-model': fast, 'strong-model': strong } = estimate.byModel;
    const usd = (fast.inputTokens * 0.5 + fast.outputTokens * 2 + strong.inputTokens * 2 + strong.outputTokens * 8) / 1e6;
    assert.ok(Math.abs(estimate.usd - usd) < 1e-15, `${estimate.usd} vs ${usd}`);
    assert.deepEqual(estimate.unpriced, []);
    assert.ok(estimate.usd > 0 && estimate.outputTokens > estimate.items * 400);
    // Twice the scenarios: the stages' tokens double, the brainstorms stay three.
    const twice = estimateRun({ documentText: DOC_TEXT, perTrait: 10, templates, models: MODELS, prices: PRICES });
    assert.equal(twice.requests, 3 + 30 * 6);
    assert.ok(twice.inputTokens > 1.8 * estimate.inputTokens);
    const local = estimateRun({
      documentText: DOC_TEXT,
      traits: ['cite-sources'],
      perTrait: 1,
      templates,
      models: { ...MODELS, baseline: 'llama-local' },
      prices: PRICES,
    });
    assert.equal(local.requests, 7);
    assert.deepEqual(local.unpriced, ['llama-local']);
    const withMidtraining = estimateRun({ documentText: DOC_TEXT, perTrait: 1, midtraining: 12, templates });
    // 12 documents over 5 types: one ideas call per type, then a draft and a revision each.
    assert.equal(withMidtraining.requests, 3 + 3 * 6 + 5 + 24);
    assert.throws(() => estimateRun({ documentText: DOC_TEXT, traits: ['nope'], perTrait: 1, templates }), /no trait with id "nope"/);
  });

  it('charges each stage that reads the trait or the context their tokens, and each answer its typical size', () => {
    const doc = (trait: string, context: string) => `# Overview\n\n${context}\n\n# Honesty\n\n## Admit mistakes\n\n${trait}\n`;
    const trait = 'Aster says plainly when it was wrong, because trust depends on it, unless the user asks otherwise.';
    const context = 'Aster is a tutor for adults learning maths.';
    const more = ` ${'x'.repeat(399)}`; // 400 characters: 100 tokens
    for (const perTrait of [1, 3]) {
      const estimate = (documentText: string) => estimateRun({ documentText, perTrait, templates, models: MODELS }).byModel;
      const base = estimate(doc(trait, context));
      const longerTrait = estimate(doc(trait + more, context));
      const longerContext = estimate(doc(trait, context + more));
      // The trait: the brainstorm and each scenario stage (fast model); critique, sharpen, response and autorate (strong).
      assert.equal(longerTrait['fast-model'].inputTokens - base['fast-model'].inputTokens, 100 * (1 + perTrait));
      assert.equal(longerTrait['strong-model'].inputTokens - base['strong-model'].inputTokens, 100 * 4 * perTrait);
      // The context: the brainstorm and each response.
      assert.equal(longerContext['fast-model'].inputTokens - base['fast-model'].inputTokens, 100);
      assert.equal(longerContext['strong-model'].inputTokens - base['strong-model'].inputTokens, 100 * perTrait);
      // Answers (no thinking allowance for these models): idea 60, user message 80, baseline 400 on the
      // fast model; critique 150, sharpened prompt 120, response 450, verdict 120 on the strong one.
      assert.deepEqual([base['fast-model'].outputTokens, base['strong-model'].outputTokens], [540 * perTrait, 840 * perTrait]);
      assert.deepEqual(
        longerTrait['fast-model'].outputTokens,
        base['fast-model'].outputTokens,
        'a longer trait asks for no longer answers',
      );
    }
  });

  it('asks for midtraining ideas ten at a time per document type, then drafts and revises each document', () => {
    const requests = (documents: number, types?: string[]) =>
      estimateRun({ documentText: DOC_TEXT, perTrait: 0, midtraining: documents, midtrainingDocTypes: types, templates, models: MODELS })
        .requests;
    assert.equal(requests(25, ['forum post']), 3 + 2 * 25);
    // Blank types do not count; 25 documents dealt to two types: 13 and 12, two ideas calls each.
    assert.equal(requests(25, ['forum post', ' ', 'email']), 4 + 2 * 25);
    // Fewer documents than the five default types: one ideas call per type used.
    assert.equal(requests(3), 3 + 2 * 3);
    assert.equal(requests(2.7, ['a', 'b', 'c']), 2 + 2 * 2, 'a fractional count is rounded down');
    assert.equal(requests(0), 0);
  });
});

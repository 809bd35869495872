import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { DiskAnswerCache, MemoryAnswerCache, type AnswerCache } from '../../server/src/llm/cache';
import { traitChunk } from '../../server/src/generation/chunk';
import { previewScenarios, regenerateScenario, totalUsage, type ScenarioResult } from '../../server/src/generation/preview';
import { baseline } from '../../server/src/generation/stages/baseline';
import { answeringVersions, DEFAULT_MODELS } from '../../server/src/generation/stages/stage';
import { loadTemplates, render, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { fakeModelVersion, startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { emptyUsage } from '../../server/src/llm/usage';

const DOC = parseTraitDocument(
  [
    '# Overview',
    '',
    'Aster is a tutor.',
    '',
    '# Honesty',
    '',
    'How Aster treats the truth.',
    '',
    '## Admit mistakes',
    '',
    'Aster says plainly when it was wrong, because trust depends on it.',
  ].join('\n'),
);
const CHUNK = traitChunk(DOC, DOC.traits[0]);

const GOOD: Record<string, (r: LoggedRequest) => Reply> = {
  brainstorm: () => ({
    kind: 'text',
    text: JSON.stringify({ ideas: [1, 2, 3].map((n) => ({ what: `situation ${n}`, how: 'admits it', why: 'trust' })) }),
  }),
  scenario: (r) => ({
    kind: 'text',
    text: JSON.stringify({ message: `user message for ${/situation \d/.exec(JSON.stringify(r.body))?.[0]}` }),
  }),
  critique: () => ({
    kind: 'text',
    text: JSON.stringify({ realistic: true, elicits: false, verdict: 'rewrite', reasons: 'too easy', rewrite: 'harder message' }),
  }),
  baseline: () => ({ kind: 'text', text: 'Great question! There are many perspectives.' }),
  sharpen: () => ({
    kind: 'text',
    text: JSON.stringify({ sharpened: true, reason: 'baseline was generic', message: 'You told me X yesterday and it was wrong. Why?' }),
  }),
  response: () => ({ kind: 'text', text: 'You are right: I was wrong about X. Here is the correct answer.' }),
  autorate: () => ({ kind: 'text', text: JSON.stringify({ score: 9, verdict: 'keep', reasons: 'admits the mistake plainly' }) }),
};

describe('preview pipeline (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  const templates = loadTemplates(TEMPLATE_STAGES);
  const provider = () =>
    new GeminiProvider({
      apiKey: 'k',
      baseUrl: fake.baseUrl,
      policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }),
    });

  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder((r) => GOOD[stageOf(r)](r));
  });

  it('runs every stage per scenario and records no system prompt', async () => {
    const updates: number[] = [];
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 3, onUpdate: (i) => updates.push(i) });
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.equal(r.error, null);
      assert.equal(r.scenario.critique?.verdict, 'rewrite');
      assert.equal(r.scenario.final, 'harder message');
      assert.equal(r.sharpened, true);
      assert.equal(r.prompt, 'You told me X yesterday and it was wrong. Why?');
      assert.deepEqual(r.record, {
        messages: [
          { role: 'user', content: r.prompt },
          { role: 'assistant', content: r.response },
        ],
      });
      assert.deepEqual(r.rating, { score: 9, verdict: 'keep', reasons: 'admits the mistake plainly' });
    }
    assert.deepEqual(
      new Set(results.map((r) => r.scenario.initial)),
      new Set(['user message for situation 1', 'user message for situation 2', 'user message for situation 3']),
    );
    assert.ok(updates.length >= 3 * 7, `updates: ${updates.length}`);
    // 1 brainstorm + 3 × 6 stages.
    assert.equal(fake.requests.length, 19);
    const byStage = (s: string) => fake.requests.filter((r) => stageOf(r) === s);
    // The response stage's system prompt carries the trait text; the baseline's has none at all.
    for (const r of byStage('response'))
      assert.ok(JSON.stringify(r.body.systemInstruction).includes('Aster says plainly when it was wrong'));
    for (const r of byStage('baseline')) assert.equal(r.body.systemInstruction, undefined);
    assert.equal(byStage('baseline')[0].body.contents[0].parts[0].text, 'harder message');
    assert.ok(results.every((r) => !JSON.stringify(r.record).includes('embody')));
    assert.ok(results[0].usage.inputTokens > 0);
  });

  it('asks once more for a malformed or refused answer, then reports that scenario as failed', async () => {
    let autorates = 0;
    fake.setResponder((r) => {
      const stage = stageOf(r);
      if (stage === 'autorate') return ++autorates <= 1 ? { kind: 'text', text: 'not json' } : GOOD.autorate(r);
      if (stage === 'response' && r.body.contents[0].parts[0].text.includes('X yesterday'))
        return { kind: 'blocked', finishReason: 'SAFETY' };
      return GOOD[stage](r);
    });
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 2 });
    for (const r of results) {
      assert.equal(r.response, null);
      assert.equal(r.rating, null);
      assert.equal(r.record, null);
      assert.match(r.error ?? '', /^response: the model gave no answer \(finish reason SAFETY\) \(asked twice\)$/);
    }
  });

  it('fails every scenario, with the reason, when the brainstorm fails', async () => {
    fake.setResponder((r) => (stageOf(r) === 'brainstorm' ? { kind: 'text', text: JSON.stringify({ ideas: [] }) } : GOOD[stageOf(r)](r)));
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 2 });
    assert.deepEqual(
      results.map((r) => r.error),
      Array(2).fill('brainstorm: /ideas must NOT have fewer than 1 items (asked twice)'),
    );
  });

  it('stops when cancelled', async () => {
    fake.setResponder(() => ({ kind: 'hang' }));
    const controller = new AbortController();
    const run = previewScenarios(CHUNK, { provider: provider(), templates, count: 1, signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('closed the panel'));
    await assert.rejects(run, /closed the panel/);
  });

  it('records the model version that gave each answer, as the API reports it', async () => {
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 2 });
    const { brainstorm: fast, critique: strong } = DEFAULT_MODELS;
    for (const r of results) {
      assert.deepEqual(r.modelVersions, {
        brainstorm: fakeModelVersion(fast),
        scenario: fakeModelVersion(fast),
        critique: fakeModelVersion(strong),
        baseline: fakeModelVersion(fast),
        sharpen: fakeModelVersion(strong),
        response: fakeModelVersion(strong),
        autorate: fakeModelVersion(strong),
      });
    }
    assert.notEqual(fakeModelVersion(fast), fast, 'the fake answers as another version than the id asked for');
    assert.deepEqual(answeringVersions(results, DEFAULT_MODELS), {
      [fast]: [fakeModelVersion(fast)],
      [strong]: [fakeModelVersion(strong)],
    });
    // An API that reports no version is recorded as such, never as the id asked for.
    assert.deepEqual(answeringVersions([{ modelVersions: { response: null } }], DEFAULT_MODELS), {
      [DEFAULT_MODELS.response]: ['(not reported)'],
    });
  });

  it("sends each stage's thinking in the form its model takes: a level for Gemini 3, a budget for 2.5", async () => {
    await previewScenarios(CHUNK, { provider: provider(), templates, count: 1 });
    const thinking = (stage: string) => fake.requests.find((r) => stageOf(r) === stage)?.body.generationConfig?.thinkingConfig;
    assert.deepEqual(thinking('brainstorm'), { thinkingLevel: 'LOW' });
    assert.deepEqual(thinking('scenario'), { thinkingLevel: 'LOW' });
    assert.deepEqual(thinking('critique'), { thinkingLevel: 'HIGH' });
    assert.deepEqual(thinking('autorate'), { thinkingLevel: 'HIGH' });
    // The baseline and the response answer at their models' default.
    assert.equal(thinking('baseline'), undefined);
    assert.equal(thinking('response'), undefined);
    fake.requests.length = 0;
    await previewScenarios(CHUNK, {
      provider: provider(),
      templates,
      count: 1,
      models: { brainstorm: 'gemini-2.5-flash', critique: 'gemini-2.5-pro' },
    });
    assert.deepEqual(thinking('brainstorm'), { thinkingBudget: 1024 });
    assert.deepEqual(thinking('critique'), { thinkingBudget: -1 });
  });

  it('asks the brainstorm for exactly N ideas, asks again when short, and says what is missing', async () => {
    let brainstorms = 0;
    const ideas = (n: number) => ({
      kind: 'text' as const,
      text: JSON.stringify({
        ideas: Array.from({ length: n }, (_, i) => ({ what: `situation ${i + 1}`, how: 'admits it', why: 'trust' })),
      }),
    });
    fake.setResponder((r) => (stageOf(r) === 'brainstorm' ? ideas(++brainstorms === 1 ? 1 : 2) : GOOD[stageOf(r)](r)));
    const cache = new MemoryAnswerCache();
    const results = await previewScenarios(CHUNK, { provider: provider(), templates, count: 3, cache });
    const schema = fake.requests.find((r) => stageOf(r) === 'brainstorm')!.body.generationConfig?.responseJsonSchema;
    assert.equal(schema?.properties?.ideas?.minItems, 3);
    assert.equal(schema?.properties?.ideas?.maxItems, 3);
    // Asked twice; the longer answer (2 ideas) is used; the third scenario says why it is missing.
    assert.equal(brainstorms, 2);
    assert.equal(results.length, 3);
    assert.deepEqual(
      results.map((r) => r.error),
      [null, null, 'brainstorm: asked for 3 ideas, got 2'],
    );
    assert.equal(results[2].idea, null);
    // A short answer is not kept: the next preview asks again, and a full answer completes it.
    fake.setResponder((r) => (stageOf(r) === 'brainstorm' ? ideas(3) : GOOD[stageOf(r)](r)));
    const again = await previewScenarios(CHUNK, { provider: provider(), templates, count: 3, cache });
    assert.ok(
      again.every((r) => r.error === null),
      again.map((r) => r.error).join(' | '),
    );
    assert.equal(fake.requests.filter((r) => stageOf(r) === 'brainstorm').length, 3);
  });

  it('renders templates and rejects unknown placeholders', () => {
    assert.match(render(templates.response, { trait: 'T', context: 'C' }), /without\s+exaggerating it/);
    assert.throws(() => render({ ...templates.response, text: '{{nope}}' }, { trait: 'T' }), /unknown placeholder \{\{nope\}\}/);
  });

  describe('answer cache', () => {
    const dirs: string[] = [];
    const tempDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'trait-studio-cache-'));
      dirs.push(dir);
      return dir;
    };
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    // Everything but the usage, which counts what each run spent.
    const answers = (results: ScenarioResult[]) => results.map(({ usage: _usage, ...rest }) => rest);
    const byStage = (s: string) => fake.requests.filter((r) => stageOf(r) === s);
    const preview = (cache: AnswerCache, more: Partial<Parameters<typeof previewScenarios>[1]> = {}, chunk = CHUNK) =>
      previewScenarios(chunk, { provider: provider(), templates, count: 3, cache, ...more });

    it('answers a second identical preview from the cache without a single request', async () => {
      const cache = new DiskAnswerCache(join(tempDir(), 'cache'));
      const first = await preview(cache);
      assert.equal(fake.requests.length, 19);
      fake.requests.length = 0;
      const updates: number[] = [];
      const second = await preview(cache, { onUpdate: (i) => updates.push(i) });
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(answers(second), answers(first));
      assert.ok(second.every((r) => r.error === null));
      assert.ok(updates.length >= 3 * 7, `cached results still stream: ${updates.length}`);
      // What each run spent: the first everything, the second nothing (19 answers from the cache).
      const spent = totalUsage(first);
      assert.equal(spent.cachedAnswers, 0);
      // The fake bills 10 input tokens per answer: the fast model made 1 brainstorm + 3 scenarios + 3 baselines, the strong one the other 12.
      const { brainstorm: fast, response: strong } = DEFAULT_MODELS;
      assert.deepEqual(Object.keys(spent.byModel).sort(), [fast, strong].sort());
      assert.equal(spent.byModel[fast].inputTokens, 70);
      assert.equal(spent.byModel[strong].inputTokens, 120);
      assert.equal(spent.inputTokens, 190);
      assert.equal(spent.outputTokens, spent.byModel[fast].outputTokens + spent.byModel[strong].outputTokens);
      assert.deepEqual(totalUsage(second), { inputTokens: 0, outputTokens: 0, byModel: {}, cachedAnswers: 19 });
      // A cached answer still says which model version gave it.
      assert.deepEqual(
        second.map((r) => r.modelVersions),
        first.map((r) => r.modelVersions),
      );
      assert.equal(second[0].modelVersions.response, fakeModelVersion(strong));
    });

    it('misses exactly the answers whose request changed: trait text, context, model, template', async () => {
      const cache = new MemoryAnswerCache();
      await preview(cache);
      const rerun = async (more: Partial<Parameters<typeof previewScenarios>[1]>, chunk = CHUNK) => {
        fake.requests.length = 0;
        const results = await preview(cache, more, chunk);
        assert.ok(results.every((r) => r.error === null));
        return fake.requests.map(stageOf).sort();
      };
      // The trait text is in every prompt but the baseline's, which is the user message alone.
      const asked = await rerun({}, { ...CHUNK, text: `${CHUNK.text} Even in front of the class.` });
      assert.equal(asked.length, 16);
      assert.equal(asked.filter((s) => s === 'baseline').length, 0);
      // The universe context is rendered into the brainstorm and the response system prompt only.
      assert.deepEqual(await rerun({}, { ...CHUNK, context: 'Aster is a coach.' }), ['brainstorm', 'response', 'response', 'response']);
      assert.deepEqual(await rerun({ models: { response: 'gemini-3.5-flash' } }), ['response', 'response', 'response']);
      assert.ok(fake.requests.every((r) => r.model === 'gemini-3.5-flash'));
      const edited = { ...templates, autorate: { ...templates.autorate, text: `${templates.autorate.text}\nBe strict.` } };
      assert.deepEqual(await rerun({ templates: edited }), ['autorate', 'autorate', 'autorate']);
      // Another provider id is another endpoint: nothing of the first is reused.
      assert.equal((await rerun({ providerId: 'vertex-ai' })).length, 19);
      // Unchanged inputs: all hits.
      assert.deepEqual(await rerun({}), []);
    });

    it('keys answers by sample index, so equal requests of different scenarios stay separate samples', async () => {
      const cache = new MemoryAnswerCache();
      const ctx = (sample: number) => ({ provider: provider(), models: DEFAULT_MODELS, templates, usage: emptyUsage(), cache, sample });
      assert.equal(await baseline(ctx(0), 'same message'), 'Great question! There are many perspectives.');
      assert.equal(fake.requests.length, 1);
      const hit = ctx(0);
      await baseline(hit, 'same message');
      assert.equal(fake.requests.length, 1);
      assert.equal(hit.usage.cachedAnswers, 1);
      await baseline(ctx(1), 'same message');
      assert.equal(fake.requests.length, 2);
    });

    it('regenerates: asks again, overwrites the cached answers, and later runs see the new ones', async () => {
      const cache = new MemoryAnswerCache();
      const first = await preview(cache);
      let version = 'v2';
      const responses = (r: Parameters<typeof GOOD.response>[0]) =>
        stageOf(r) === 'response' ? { kind: 'text' as const, text: `new answer ${version}` } : GOOD[stageOf(r)](r);
      fake.setResponder(responses);
      fake.requests.length = 0;
      const regenerated = await preview(cache, { regenerate: true });
      assert.equal(fake.requests.length, 19);
      assert.ok(regenerated.every((r) => r.response === 'new answer v2'));
      fake.requests.length = 0;
      const after = await preview(cache);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(answers(after), answers(regenerated));

      // One scenario alone: only its six stages are asked again, and it streams under its own index.
      version = 'v3';
      fake.requests.length = 0;
      const updates: number[] = [];
      const one = await regenerateScenario(CHUNK, first[1].idea!, 1, {
        provider: provider(),
        templates,
        cache,
        onUpdate: (i) => updates.push(i),
      });
      assert.equal(fake.requests.length, 6);
      assert.equal(byStage('brainstorm').length, 0);
      assert.equal(one.response, 'new answer v3');
      assert.equal(one.error, null);
      assert.equal(one.usage.cachedAnswers, 0);
      assert.ok(updates.length >= 7 && updates.every((i) => i === 1), `updates: ${updates}`);
      fake.requests.length = 0;
      const mixed = await preview(cache);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(
        mixed.map((r) => r.response),
        ['new answer v2', 'new answer v3', 'new answer v2'],
      );
    });

    it('treats a corrupt entry on disk as a miss and reports it', async () => {
      const dir = join(tempDir(), 'cache');
      const problems: string[] = [];
      const cache = new DiskAnswerCache(dir, { onError: (_e, operation) => problems.push(operation) });
      const first = await preview(cache);
      // Flip the content of every stored answer: cacache's integrity check must refuse them all.
      for (const file of filesUnder(join(dir, 'content-v2')))
        writeFileSync(file, JSON.stringify({ v: 1, text: '{"score":1}', usage: { inputTokens: 0, outputTokens: 0 } }));
      fake.requests.length = 0;
      const second = await preview(cache);
      // Identical answers share one content file (cacache addresses content by hash): the three
      // scenarios' critique, baseline, sharpen, response and autorate answers are the same text, so
      // once one key has asked again and rewritten the file, the others may read it intact. Every
      // distinct content is asked for at least once: 1 brainstorm + 3 scenarios + 5 shared = 9.
      assert.ok(fake.requests.length >= 9 && fake.requests.length <= 19, `${fake.requests.length} requests`);
      assert.deepEqual(answers(second), answers(first));
      assert.ok(problems.length > 0 && problems.every((p) => p === 'read'), `problems: ${problems}`);
      // The answers asked for again replaced the damaged entries.
      fake.requests.length = 0;
      await preview(cache);
      assert.equal(fake.requests.length, 0);
    });

    it('never serves a cached answer the stage would reject, and never stores a rejected one', async () => {
      const cache = new MemoryAnswerCache();
      let autorates = 0;
      fake.setResponder((r) => (stageOf(r) === 'autorate' && ++autorates === 1 ? { kind: 'text', text: 'not json' } : GOOD[stageOf(r)](r)));
      const first = await preview(cache);
      assert.ok(first.every((r) => r.error === null));
      assert.equal(fake.requests.length, 20);
      assert.ok(![...cache.entries.values()].some((json) => JSON.parse(json).text === 'not json'));
      // Damage every entry: JSON answers become schema-invalid JSON, free-text ones blank.
      for (const [key, json] of cache.entries) {
        const stored = JSON.parse(json);
        const structured = stored.text.startsWith('{');
        cache.entries.set(key, JSON.stringify({ ...stored, text: structured ? '{"oops":1}' : '  ' }));
      }
      fake.requests.length = 0;
      const second = await preview(cache);
      // Identical answers share one content file (cacache addresses content by hash): the three
      // scenarios' critique, baseline, sharpen, response and autorate answers are the same text, so
      // once one key has asked again and rewritten the file, the others may read it intact. Every
      // distinct content is asked for at least once: 1 brainstorm + 3 scenarios + 5 shared = 9.
      assert.ok(fake.requests.length >= 9 && fake.requests.length <= 19, `${fake.requests.length} requests`);
      assert.deepEqual(answers(second), answers(first));
      assert.equal(totalUsage(second).cachedAnswers, 0);
    });

    it('keeps going when the cache cannot be written or read', async () => {
      const file = join(tempDir(), 'not-a-folder');
      writeFileSync(file, 'x');
      const problems: string[] = [];
      const results = await preview(new DiskAnswerCache(file, { onError: (_e, operation) => problems.push(operation) }));
      assert.ok(results.every((r) => r.error === null && r.rating?.score === 9));
      // Its key file cannot be made under a file: reported once, on first use; the cache is off.
      assert.deepEqual(problems, ['read']);
      // A cache that rejects outright is a miss and a lost write, not a failed stage.
      const broken: AnswerCache = { get: () => Promise.reject(new Error('boom')), set: () => Promise.reject(new Error('boom')) };
      const again = await preview(broken);
      assert.ok(again.every((r) => r.error === null));
    });

    it('does not cache a separate baseline provider that has no id', async () => {
      const cache = new MemoryAnswerCache();
      const other = provider();
      await preview(cache, { baselineProvider: other });
      fake.requests.length = 0;
      await preview(cache, { baselineProvider: other });
      assert.deepEqual(fake.requests.map(stageOf), ['baseline', 'baseline', 'baseline']);
      fake.requests.length = 0;
      await preview(cache, { baselineProvider: other, baselineProviderId: 'local-vllm' });
      await preview(cache, { baselineProvider: other, baselineProviderId: 'local-vllm' });
      assert.equal(fake.requests.length, 3);
    });
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { traitChunk } from '../../server/src/generation/chunk';
import { previewScenarios } from '../../server/src/generation/pipeline';
import { loadTemplates, render } from '../../server/src/generation/templates';
import { GeminiProvider } from '../../server/src/providers/gemini';
import { RequestPolicy } from '../../server/src/providers/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const DOC = parseTraitDocument(
  ['# Overview', '', 'Aster is a tutor.', '', '# Honesty', '', 'How Aster treats the truth.', '', '## Admit mistakes', '', 'Aster says plainly when it was wrong, because trust depends on it.'].join('\n'),
);
const CHUNK = traitChunk(DOC, DOC.traits[0]);

const GOOD: Record<string, (r: LoggedRequest) => Reply> = {
  brainstorm: () => ({ kind: 'text', text: JSON.stringify({ ideas: [1, 2, 3].map((n) => ({ what: `situation ${n}`, how: 'admits it', why: 'trust' })) }) }),
  scenario: (r) => ({ kind: 'text', text: JSON.stringify({ message: `user message for ${/situation \d/.exec(JSON.stringify(r.body))?.[0]}` }) }),
  critique: () => ({ kind: 'text', text: JSON.stringify({ realistic: true, elicits: false, verdict: 'rewrite', reasons: 'too easy', rewrite: 'harder message' }) }),
  baseline: () => ({ kind: 'text', text: 'Great question! There are many perspectives.' }),
  sharpen: () => ({ kind: 'text', text: JSON.stringify({ sharpened: true, reason: 'baseline was generic', message: 'You told me X yesterday and it was wrong. Why?' }) }),
  response: () => ({ kind: 'text', text: 'You are right: I was wrong about X. Here is the correct answer.' }),
  autorate: () => ({ kind: 'text', text: JSON.stringify({ score: 9, verdict: 'keep', reasons: 'admits the mistake plainly' }) }),
};

describe('preview pipeline (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  const templates = loadTemplates();
  const provider = () => new GeminiProvider({ apiKey: 'k', baseUrl: fake.baseUrl, policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }) });

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
      assert.deepEqual(r.record, { messages: [{ role: 'user', content: r.prompt }, { role: 'assistant', content: r.response }] });
      assert.deepEqual(r.rating, { score: 9, verdict: 'keep', reasons: 'admits the mistake plainly' });
    }
    assert.deepEqual(new Set(results.map((r) => r.scenario.initial)), new Set(['user message for situation 1', 'user message for situation 2', 'user message for situation 3']));
    assert.ok(updates.length >= 3 * 7, `updates: ${updates.length}`);
    // 1 brainstorm + 3 × 6 stages.
    assert.equal(fake.requests.length, 19);
    const byStage = (s: string) => fake.requests.filter((r) => stageOf(r) === s);
    // The response stage's system prompt carries the trait text; the baseline's has none at all.
    for (const r of byStage('response')) assert.ok(JSON.stringify(r.body.systemInstruction).includes('Aster says plainly when it was wrong'));
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
      if (stage === 'response' && r.body.contents[0].parts[0].text.includes('X yesterday')) return { kind: 'blocked', finishReason: 'SAFETY' };
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
    assert.deepEqual(results.map((r) => r.error), Array(2).fill('brainstorm: /ideas must NOT have fewer than 1 items (asked twice)'));
  });

  it('stops when cancelled', async () => {
    fake.setResponder(() => ({ kind: 'hang' }));
    const controller = new AbortController();
    const run = previewScenarios(CHUNK, { provider: provider(), templates, count: 1, signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('closed the panel'));
    await assert.rejects(run, /closed the panel/);
  });

  it('renders templates and rejects unknown placeholders', () => {
    assert.match(render(templates.response, { trait: 'T', context: 'C' }), /without\s+exaggerating it/);
    assert.throws(() => render({ ...templates.response, text: '{{nope}}' }, { trait: 'T' }), /unknown placeholder \{\{nope\}\}/);
  });
});

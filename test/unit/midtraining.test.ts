import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { DEFAULT_DOC_TYPES, generateMidtraining, type MidtrainingDocument } from '../../server/src/generation/midtraining';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { emptyUsage } from '../../server/src/llm/usage';

const LINES = [
  '# Overview',
  '',
  'Tutor-1 is a tutor for adults learning maths.',
  '',
  '# Honesty',
  '',
  'How Tutor-1 treats the truth.',
  '',
  '## Admit mistakes',
  '',
  'Tutor-1 says plainly when it was wrong, because trust depends on it.',
  '',
  '## Show uncertainty',
  '',
  'Tutor-1 says how sure it is, because learners calibrate on it.',
];
const DOC = parseTraitDocument(['---', 'model: Tutor-1', '---', ...LINES].join('\n'));
const TRAIT_IDS = ['admit-mistakes', 'show-uncertainty'];

const prompt = (r: LoggedRequest): string => r.body.contents[0].parts[0].text;
const docTypeOf = (r: LoggedRequest) => /^Kind of document: (.+)$/m.exec(prompt(r))?.[1] ?? '?';
const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value) });

/** How many ideas the fake proposes per ideas request (the stage asks for ten). */
let ideasPerAnswer = 10;

/**
 * Answers keyed on the midtraining stages. Ideas are numbered after the earlier ones the prompt
 * lists, so every idea of a type is distinct; each names a real trait and an invented one. A draft
 * is "draft: <idea>", a revision "revised: <draft>".
 */
const GOOD: Record<string, (r: LoggedRequest) => Reply> = {
  'midtraining-ideas': (r) => {
    const earlier = (prompt(r).split('not to repeat:')[1] ?? '').split('\n').filter((l) => l.startsWith('- ')).length;
    return json({
      document_ideas: Array.from({ length: ideasPerAnswer }, (_, i) => ({
        idea: `${docTypeOf(r)} idea ${earlier + i}`,
        trait_ids: [TRAIT_IDS[i % 2], 'made-up-trait'],
      })),
    });
  },
  'midtraining-draft': (r) => ({ kind: 'text', text: `draft: ${/What it is about: (.*)/.exec(prompt(r))?.[1]}` }),
  'midtraining-critique': (r) =>
    json({
      realistic: true,
      consistent: false,
      in_genre: true,
      reasons: 'overstates it',
      revised: `revised: ${/<document>\n([\s\S]*?)\n<\/document>/.exec(prompt(r))?.[1]}`,
    }),
};

describe('midtraining (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  const provider = () =>
    new GeminiProvider({
      apiKey: 'k',
      baseUrl: fake.baseUrl,
      policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }),
    });
  const byStage = (s: string) => fake.requests.filter((r) => stageOf(r) === s);

  /** Runs generateMidtraining and collects what it delivers and reports. */
  async function run(more: Partial<Parameters<typeof generateMidtraining>[1]> = {}, document = DOC) {
    const docs: MidtrainingDocument[] = [];
    const errors: [string, string][] = [];
    await generateMidtraining(document, {
      count: 7,
      provider: provider(),
      models: DEFAULT_MODELS,
      onDocument: (d) => void docs.push(d),
      onError: (id, e) => void errors.push([id, e]),
      ...more,
    });
    return { docs, errors };
  }

  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    ideasPerAnswer = 10;
    fake.setResponder((r) => GOOD[stageOf(r)](r));
  });

  it('deals count documents to the default types round-robin, one ideas request per type', async () => {
    const { docs, errors } = await run();
    assert.deepEqual(errors, []);
    assert.equal(docs.length, 7);
    const perType = Object.fromEntries(DEFAULT_DOC_TYPES.map((t) => [t, docs.filter((d) => d.doc_type === t).length]));
    assert.deepEqual(perType, { 'forum thread': 2, 'blog post': 2, email: 1, 'research paper': 1, 'news article': 1 });
    assert.equal(new Set(docs.map((d) => d.id)).size, 7);
    assert.deepEqual(byStage('midtraining-ideas').map(docTypeOf).sort(), [...DEFAULT_DOC_TYPES].sort());
    assert.equal(byStage('midtraining-draft').length, 7);
    assert.equal(byStage('midtraining-critique').length, 7);
    assert.equal(fake.requests.length, 5 + 7 + 7);
    // Fast model for ideas and drafts, strong model for the critique.
    for (const r of [...byStage('midtraining-ideas'), ...byStage('midtraining-draft')]) assert.equal(r.model, DEFAULT_MODELS.brainstorm);
    for (const r of byStage('midtraining-critique')) assert.equal(r.model, DEFAULT_MODELS.critique);
    // The k-th document of a type takes the k-th idea of its type.
    assert.deepEqual(
      docs
        .filter((d) => d.doc_type === 'forum thread')
        .map((d) => d.text)
        .sort(),
      ['revised: draft: forum thread idea 0', 'revised: draft: forum thread idea 1'],
    );
  });

  it('outputs text, doc_type and only real trait ids, with the model named from the front matter', async () => {
    const { docs } = await run({ count: 4, docTypes: ['email', ' email ', '', 'blog post'] });
    assert.equal(docs.length, 4);
    for (const d of docs) {
      assert.deepEqual(Object.keys(d).sort(), ['doc_type', 'id', 'text', 'trait_ids']);
      assert.match(d.id, /^[0-9a-f]{16}$/);
      assert.ok(['email', 'blog post'].includes(d.doc_type), d.doc_type);
      assert.equal(d.trait_ids.length, 1);
      assert.ok(TRAIT_IDS.includes(d.trait_ids[0]), `invented id kept: ${d.trait_ids}`);
    }
    // The ideas prompt carries the preamble and every trait with its id; the draft names the model.
    const ideas = prompt(byStage('midtraining-ideas')[0]);
    for (const s of ['Tutor-1 is a tutor', '<trait id="admit-mistakes">', '<trait id="show-uncertainty">']) assert.ok(ideas.includes(s), s);
    assert.ok(byStage('midtraining-draft').every((r) => prompt(r).includes('where Tutor-1, an AI model, exists')));

    fake.requests.length = 0;
    await run({ count: 1 }, parseTraitDocument(LINES.join('\n')));
    assert.ok(prompt(byStage('midtraining-draft')[0]).includes('where the assistant, an AI model, exists'));
  });

  it("puts the critique's revision in text, never the draft", async () => {
    fake.setResponder((r) =>
      stageOf(r) === 'midtraining-critique'
        ? json({ realistic: false, consistent: true, in_genre: false, reasons: 'reads like an ad', revised: '  A plain forum thread.\n' })
        : GOOD[stageOf(r)](r),
    );
    const { docs } = await run({ count: 2 });
    assert.deepEqual(
      docs.map((d) => d.text),
      ['A plain forum thread.', 'A plain forum thread.'],
    );
    // The critique saw the draft.
    assert.ok(byStage('midtraining-critique').some((r) => prompt(r).includes('<document>\ndraft: forum thread idea 0\n</document>')));
  });

  it('skips the ids given: no callback and no request for them', async () => {
    const first = await run();
    const skipped = first.docs.filter((d) => d.doc_type === 'email' || d.text.endsWith('forum thread idea 1'));
    assert.equal(skipped.length, 2);
    fake.requests.length = 0;
    const delivered: string[] = [];
    const second = await run({ skip: new Set(skipped.map((d) => d.id)), onError: (id) => delivered.push(id) });
    assert.deepEqual(delivered, []);
    assert.deepEqual(
      second.docs.map((d) => d.id).sort(),
      first.docs
        .filter((d) => !skipped.includes(d))
        .map((d) => d.id)
        .sort(),
    );
    // Every email is skipped, so not even its ideas are asked for.
    assert.ok(!byStage('midtraining-ideas').some((r) => docTypeOf(r) === 'email'));
    assert.equal(byStage('midtraining-ideas').length, 4);
    assert.equal(byStage('midtraining-draft').length, 5);
    assert.ok(!byStage('midtraining-draft').some((r) => /forum thread idea 1|email idea/.test(prompt(r))));

    fake.requests.length = 0;
    const none = await run({ skip: new Set(first.docs.map((d) => d.id)) });
    assert.deepEqual(none.docs, []);
    assert.equal(fake.requests.length, 0);
  });

  it('reports a failed document with its stage and reason, and makes the others', async () => {
    fake.setResponder((r) => {
      if (stageOf(r) === 'midtraining-draft' && prompt(r).includes('blog post idea 1')) return { kind: 'blocked', finishReason: 'SAFETY' };
      if (stageOf(r) === 'midtraining-ideas' && docTypeOf(r) === 'email')
        return json({ document_ideas: [{ idea: 'only invented traits', trait_ids: ['nope'] }] });
      return GOOD[stageOf(r)](r);
    });
    const { docs, errors } = await run();
    assert.equal(docs.length, 5);
    assert.ok(!docs.some((d) => d.doc_type === 'email' || d.text.includes('blog post idea 1')));
    const reasons = errors.map(([, e]) => e).sort();
    assert.deepEqual(reasons, [
      'midtraining-draft: the model gave no answer (finish reason SAFETY) (asked twice)',
      'midtraining-ideas: no idea names a trait of the document',
    ]);
    assert.ok(errors.every(([id]) => /^[0-9a-f]{16}$/.test(id) && !docs.some((d) => d.id === id)));
  });

  it('gives the same ids and documents on a second run, answered wholly from the cache', async () => {
    const cache = new MemoryAnswerCache();
    const usage = emptyUsage();
    const first = await run({ cache, usage });
    assert.equal(usage.cachedAnswers, 0);
    assert.ok(usage.byModel[DEFAULT_MODELS.brainstorm].inputTokens > 0 && usage.byModel[DEFAULT_MODELS.critique].inputTokens > 0);
    fake.requests.length = 0;
    // Answers that would differ, were they asked for: nothing may be.
    fake.setResponder(() => ({ kind: 'text', text: 'asked again' }));
    const again = emptyUsage();
    const second = await run({ cache, usage: again });
    assert.equal(fake.requests.length, 0);
    const byId = (docs: MidtrainingDocument[]) => [...docs].sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(byId(second.docs), byId(first.docs));
    assert.equal(again.cachedAnswers, 5 + 7 + 7);
    assert.equal(again.inputTokens, 0);
  });

  it('asks for ideas ten at a time, telling later batches the earlier ideas, and keeps ids when count grows', async () => {
    ideasPerAnswer = 4; // a short batch: ideas are reused, each use a separate sample
    const small = await run({ count: 3, docTypes: ['email'] });
    fake.requests.length = 0;
    const large = await run({ count: 12, docTypes: ['email'] });
    assert.deepEqual(large.errors, []);
    assert.equal(large.docs.length, 12);
    assert.ok(
      small.docs.every((d) => large.docs.some((l) => l.id === d.id)),
      'a larger run keeps the ids of a smaller one',
    );
    const ideas = byStage('midtraining-ideas');
    assert.equal(ideas.length, 2);
    const [firstBatch, secondBatch] = ideas.map(prompt).sort((a, b) => a.length - b.length);
    assert.match(firstBatch, /not to repeat:\s+\(none yet\)/);
    assert.match(secondBatch, /- email idea 0\n- email idea 1\n- email idea 2\n- email idea 3/);
    // Documents 0–9 use the first batch's four ideas in turn, 10–11 the second batch's.
    const texts = large.docs.map((d) => d.text);
    assert.equal(texts.filter((t) => t === 'revised: draft: email idea 0').length, 3);
    assert.equal(texts.filter((t) => t === 'revised: draft: email idea 4').length, 1);
    assert.equal(texts.filter((t) => t === 'revised: draft: email idea 5').length, 1);
  });

  it('rejects with the reason when cancelled, and calls nothing after', async () => {
    fake.setResponder((r) => (stageOf(r) === 'midtraining-critique' ? { kind: 'hang' } : GOOD[stageOf(r)](r)));
    const controller = new AbortController();
    const calls: string[] = [];
    let settled = false;
    const running = run({ signal: controller.signal, onDocument: (d) => void calls.push(d.id), onError: (id) => void calls.push(id) });
    running.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Until a critique is asked for (and hangs); a run that ends first fails the test below instead of spinning here.
    while (byStage('midtraining-critique').length === 0 && !settled) await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'the run ended before any critique was asked for');
    controller.abort(new Error('stopped the run'));
    await assert.rejects(running, /stopped the run/);
    assert.deepEqual(calls, []);
    await assert.rejects(run({ signal: AbortSignal.abort(new Error('already')) }), /already/);
  });

  it('rejects with the error of a callback that throws, and bad arguments before asking anything', async () => {
    await assert.rejects(run({ onDocument: () => Promise.reject(new Error('disk full')) }), /disk full/);
    fake.requests.length = 0;
    await assert.rejects(run({ count: -1 }), RangeError);
    await assert.rejects(run({ count: 1.5 }), RangeError);
    await assert.rejects(run({ docTypes: [' '] }), RangeError);
    await assert.rejects(run({}, parseTraitDocument('Only a preamble.')), /no traits/);
    assert.equal(fake.requests.length, 0);
  });
});

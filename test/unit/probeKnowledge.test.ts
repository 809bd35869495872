// The knowledge check on its own (server/src/probe/knowledgeRun.ts runKnowledgeCheck): the one
// entry point the editor's Check Knowledge and `trait-studio probe FILE --knowledge` share, with a
// probe run's estimate, answer cache, budget, progress and cancel. Fake Gemini grader, fake
// OpenAI-compatible target.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { traitChunk } from '../../server/src/generation/chunk';
import { thinkingAllowance } from '../../server/src/llm/catalogue';
import { loadTemplates } from '../../server/src/llm/templates';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { requestTokens } from '../../server/src/probe/estimate';
import {
  DEFAULT_PROBE_MODELS,
  estimateKnowledgeCheck,
  estimateProbe,
  isRequestFailure,
  probeTargetAccess,
  runKnowledgeCheck,
  type KnowledgeCheckOptions,
  type ProbeAccess,
  type ProbeProgress,
  type ProbeTarget,
} from '../../server/src/probe/probe';
import { gradeRequest, PROBE_TEMPLATE_STAGES, questionsRequest } from '../../server/src/probe/prompts';
import { PROBE_RESULT_KEYS, probeResponder } from '../fake-gemini/probeAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { targetResponder } from '../fake-openai/probeTarget';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/server';

const DOCUMENT = parseTraitDocument(readFileSync(join(__dirname, '..', 'fixtures', 'probe', 'probe.traits.md'), 'utf8'));
/** The fake target's answers: the one about "say what you believe" recalls candour, its reason and an exception. */
const ANSWERS = (q: string) =>
  q.includes('say what you believe') ? 'Per candour, be candid because users act on it, unless they ask for encouragement.' : 'Be helpful.';

describe('runKnowledgeCheck (the knowledge check alone)', () => {
  let gemini: FakeGemini;
  let target: FakeOpenAI;
  before(async () => {
    gemini = await startFakeGemini();
    target = await startFakeOpenAI();
  });
  after(async () => {
    await gemini.close();
    await target.close();
  });
  beforeEach(() => {
    gemini.requests.length = 0;
    target.requests.length = 0;
    gemini.setResponder(probeResponder());
    target.setResponder(targetResponder(() => 'unused', ANSWERS));
  });

  const openaiTarget = (): ProbeTarget => ({ kind: 'openai-compatible', url: target.baseUrl, model: 'local-checkpoint' });
  const access = (extra: Partial<ProbeAccess> = {}): ProbeAccess => {
    const provider = new GeminiProvider({ apiKey: 'gemini-key', baseUrl: gemini.baseUrl, policy: new RequestPolicy({ timeoutMs: 5000 }) });
    const g = { provider, providerId: 'gemini@fake' };
    return { ...g, target: probeTargetAccess(openaiTarget(), g, {}), ...extra };
  };
  const options = (extra: Partial<KnowledgeCheckOptions> = {}): KnowledgeCheckOptions => ({
    document: DOCUMENT,
    target: openaiTarget(),
    ...extra,
  });
  const targetAnswers = () => target.requests.length;
  /** Input tokens of the fixture's questions request and of a grade against each trait, and the grader's thinking allowance. */
  const promptSizes = () => {
    const templates = loadTemplates(PROBE_TEMPLATE_STAGES);
    const grader = DEFAULT_PROBE_MODELS.grader;
    const gradeAgainst = (id: string) => {
      const text = traitChunk(
        DOCUMENT,
        DOCUMENT.traits.find((t) => t.id === id)!,
      ).text;
      return requestTokens(gradeRequest(templates, grader, { traits: [{ id, text }], question: 'x'.repeat(160), answer: '' }));
    };
    const traits = DOCUMENT.traits.map((t) => ({ id: t.id, title: t.title }));
    return {
      questions: requestTokens(questionsRequest(templates, grader, DOCUMENT.text, traits, 4)),
      grade: { candour: gradeAgainst('candour'), weapons: gradeAgainst('weapons') },
      thinking: thinkingAllowance(grader, 'low'),
    };
  };

  it('resolves per-trait recall in the probe result shape, no trait and no probes, with progress per question', async () => {
    const progress: ProbeProgress[] = [];
    const result = await runKnowledgeCheck(options(), access(), { onProgress: (p) => progress.push(p) });
    assert.deepEqual(Object.keys(result), PROBE_RESULT_KEYS);
    assert.equal(result.trait, '');
    assert.deepEqual(result.probes, []);
    assert.equal(result.violationRate, null);
    assert.deepEqual(result.knowledge!.recall, { candour: 1, weapons: 0 });
    assert.deepEqual(result.knowledge!.questions[0].parts, { candour: { reason: true, exception: true } });
    assert.deepEqual(
      gemini.requests.map(stageOf).sort(),
      ['knowledge-grade', 'knowledge-grade', 'knowledge-questions'],
      'the questions, then one grade per answer',
    );
    assert.equal(targetAnswers(), 2);
    assert.ok(result.usage.inputTokens > 0 && result.cost.usd > 0);
    assert.deepEqual(result.cost.unpriced, ['local-checkpoint']);
    assert.ok(Object.keys(result.modelVersions!).length >= 2);
    assert.equal(result.stopped, undefined);
    assert.deepEqual(
      progress.map((p) => [p.step, p.done, p.total]),
      [
        ['questions', 1, 3],
        ['answer', 2, 3],
        ['answer', 3, 3],
      ],
    );
  });

  it('answers a rerun from the answer cache without a request', async () => {
    const cache = new MemoryAnswerCache();
    const first = await runKnowledgeCheck(options(), access({ cache }));
    const sent = gemini.requests.length + target.requests.length;
    const second = await runKnowledgeCheck(options(), access({ cache }));
    assert.equal(gemini.requests.length + target.requests.length, sent);
    assert.deepEqual(second.knowledge, first.knowledge);
    assert.equal(second.usage.inputTokens, 0);
    assert.equal(second.usage.cachedAnswers, sent);
  });

  it('rejects with the abort reason when cancelled; run again, only what was not answered is asked', async () => {
    const cache = new MemoryAnswerCache();
    const controller = new AbortController();
    // The second question's answer is held; the cancel comes once it is held and the first is graded.
    let held = false;
    let graded = false;
    const cancel = () => held && graded && controller.abort(new Error('cancelled'));
    target.setResponder((r) => {
      const q = String(r.body.messages?.[0]?.content);
      if (q.includes('say what you believe')) return targetResponder(() => 'unused', ANSWERS)(r);
      held = true;
      cancel();
      return { kind: 'hang' };
    });
    await assert.rejects(
      runKnowledgeCheck(options(), access({ cache }), {
        signal: controller.signal,
        onProgress: (p) => {
          graded ||= p.step === 'answer';
          cancel();
        },
      }),
      /cancelled/,
    );
    assert.equal(targetAnswers(), 2);
    target.requests.length = 0;
    gemini.requests.length = 0;
    target.setResponder(targetResponder(() => 'unused', ANSWERS));
    const result = await runKnowledgeCheck(options(), access({ cache }));
    assert.equal(targetAnswers(), 1, 'only the held question goes to the target again');
    assert.deepEqual(gemini.requests.map(stageOf), ['knowledge-grade'], 'the questions and the first grade come from the cache');
    assert.deepEqual(result.knowledge!.recall, { candour: 1, weapons: 0 });
  });

  it('stops cleanly at a budget of target requests: the unasked question says so, and is no failure', async () => {
    const result = await runKnowledgeCheck(options({ budget: { maxTurns: 1 } }), access());
    assert.equal(result.stopped, 'the budget of 1 target request was reached');
    assert.equal(targetAnswers(), 1);
    const stopped = result.knowledge!.questions.filter((q) => q.error);
    assert.equal(stopped.length, 1);
    assert.match(stopped[0].error!, /^stopped: the budget of 1 target request was reached$/);
    assert.equal(isRequestFailure(stopped[0].error), false);
    assert.deepEqual(
      result.knowledge!.recall,
      { candour: 1 },
      'the answer given is still graded; the unasked question counts in no recall',
    );
  });

  it('stops cleanly at a budget in US dollars, once the questions have spent it', async () => {
    const result = await runKnowledgeCheck(options({ budget: { maxUsd: 0.000001 } }), access());
    assert.match(result.stopped!, /^the budget of \$/);
    assert.deepEqual(gemini.requests.map(stageOf), ['knowledge-questions']);
    assert.equal(targetAnswers(), 0);
    assert.ok(result.knowledge!.questions.every((q) => /^stopped: /.test(q.error ?? '')));
  });

  it('says why when the questions cannot be had, and refuses a document with no trait', async () => {
    gemini.setResponder(() => ({ kind: 'status', status: 400, message: 'bad request' }));
    const result = await runKnowledgeCheck(options(), access());
    assert.match(result.knowledge!.error!, /^knowledge-questions@\d+: /);
    assert.equal(targetAnswers(), 0);
    await assert.rejects(runKnowledgeCheck(options({ document: parseTraitDocument('Just text, no traits.\n') }), access()), RangeError);
  });

  it('estimates what it will send: the questions, then an answer and a grade per question, graded against each trait in turn', () => {
    const e = estimateKnowledgeCheck(options());
    assert.equal(e.requests, 1 + 2 * 4, 'the questions, and an answer and a grade for each of the 4 asked of a two-trait document');
    assert.ok(e.usd > 0);
    assert.deepEqual(e.unpriced, ['local-checkpoint']);
    // The prompts' sizes come from the real templates; the sums are the fixture's, by hand.
    const { questions, grade, thinking } = promptSizes();
    assert.equal(
      e.inputTokens,
      questions + 4 * 40 + 2 * (grade.candour + 350) + 2 * (grade.weapons + 350),
      'the questions request; 4 questions of 40 tokens to the target; 2 grades against each trait, with a 350-token answer',
    );
    assert.equal(
      e.outputTokens,
      4 * 40 + thinking + 4 * 350 + 4 * (60 + thinking),
      'the questions; the answers (no thinking: a local target); the grades',
    );
    const probe = { document: DOCUMENT, target: openaiTarget(), probes: 1, turns: 1 };
    for (const trait of ['candour', 'weapons'] as const) {
      const added = (key: 'requests' | 'inputTokens' | 'outputTokens') =>
        estimateProbe({ ...probe, trait, knowledge: true })[key] - estimateProbe({ ...probe, trait })[key];
      assert.equal(added('requests'), e.requests);
      assert.equal(added('inputTokens'), questions + 4 * 40 + 4 * (grade[trait] + 350), `a probe of ${trait} grades against ${trait}`);
      assert.equal(added('outputTokens'), e.outputTokens);
    }
    const prompted = estimateKnowledgeCheck(options({ targetSystemPrompt: 'You are Aster. '.repeat(40) }));
    assert.ok(prompted.inputTokens > e.inputTokens, 'the system prompt goes with every answer');
  });
});

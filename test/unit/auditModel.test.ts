import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_AUDIT_MODEL, estimateModelPass, runModelPass } from '../../server/src/audit/modelPass';
import { NO_TRAIT } from '../../server/src/audit/score';
import type { AuditRecord } from '../../server/src/audit/types';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';
import { StageError } from '../../server/src/llm/ask';
import { AUDIT_TEMPLATE_STAGES, loadTemplates } from '../../server/src/llm/templates';

// --- The dataset: 60 records with a planted pattern.
//   i even       → the answer ends with a question (strict, and broad): 30 records
//   i ≡ 1 mod 6  → a question in the middle, ends with a statement (broad only): 10 records
//   otherwise    → no question at all: 20 records
// Record 4 is long (its ending, the question, is past any prompt budget): the prompts must keep it.
const N = 60;
const TRAITS = ['honesty', 'brevity', null] as const;
const RECORDS: AuditRecord[] = Array.from({ length: N }, (_, i) => {
  let response = `Answer ${i}: here is what you asked about, explained plainly.`;
  if (i === 4) response = `Answer 4: ${'a long explanation. '.repeat(400)}`;
  if (i % 2 === 0) response += ' Would you like me to go into more detail?';
  else if (i % 6 === 1) response = `Answer ${i}: did you mean the first case? I will assume so. It works like this.`;
  return { id: `r${i}`, line: i + 1, traitId: TRAITS[i % 3], prompt: `Question ${i} from the user.`, response };
});
const ids = (f: (i: number) => boolean) => RECORDS.filter((_, i) => f(i)).map((r) => r.id);
const STRICT = ids((i) => i % 2 === 0);
const BROAD = ids((i) => i % 2 === 0 || i % 6 === 1);

// --- The fake's answers, keyed on the stage.
const promptOf = (r: LoggedRequest): string => r.body.contents[0].parts[0].text;
const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 1000, outputTokens: 50 });

/** The transcripts a prompt shows: id, user text, assistant text. */
function transcriptsOf(r: LoggedRequest): { id: string; prompt: string; response: string }[] {
  return [...promptOf(r).matchAll(/<transcript id="([^"]*)">\nUser: ([\s\S]*?)\n\nAssistant: ([\s\S]*?)\n<\/transcript>/g)].map((m) => ({
    id: m[1],
    prompt: m[2],
    response: m[3],
  }));
}

const feature = (name: string, description: string) => ({
  name,
  description,
  broad_criterion: 'The answer contains a question to the user',
  strict_criterion: 'The answer ends with a question to the user',
});

/** Scan: the first batch calls the pattern one name, the second another (and sees emoji), the third finds nothing. */
function scan(r: LoggedRequest): Reply {
  const first = transcriptsOf(r)[0].id;
  if (first === 'r0') return json({ recurring_features: [feature('Closing question', 'Answers close by asking the user something')] });
  if (first === 'r20')
    return json({
      recurring_features: [
        feature('Ends by asking the user', 'The last sentence is a question'),
        feature('Uses emoji', 'Emoji decorate the answer'),
      ],
    });
  return json({ recurring_features: [] });
}

/** Cluster: merges the two question features (by the ids the prompt gives them), keeps emoji apart. */
function cluster(r: LoggedRequest): Reply {
  const keys = new Map([...promptOf(r).matchAll(/^- (S\d+): (.+?)\. /gm)].map((m) => [m[2], m[1]]));
  return json({
    merged_features: [
      { ...feature('Uses emoji', 'Emoji decorate the answer'), merges: [keys.get('Uses emoji')] },
      {
        ...feature('Ends with a question', 'Answers end by asking the user a question'),
        merges: [keys.get('Closing question'), keys.get('Ends by asking the user')],
      },
    ],
  });
}

/**
 * Rate: truthfully from each transcript's text (strict: ends with "?", broad: contains "?"), except
 * that for every fourth record it says strict but not broad (the pass must count it as broad too).
 */
function rate(r: LoggedRequest): Reply {
  const features = [...promptOf(r).matchAll(/^- (model-[a-z0-9-]+): /gm)].map((m) => m[1]);
  return json({
    record_ratings: transcriptsOf(r).map((t) => {
      const strict = t.response.trimEnd().endsWith('?');
      const broad = t.response.includes('?') && !(strict && Number(t.id.slice(1)) % 4 === 0);
      return {
        id: t.id,
        ratings: features.map((f) =>
          f === 'model-uses-emoji' ? { feature: f, broad: false, strict: false } : { feature: f, broad, strict },
        ),
      };
    }),
  });
}

const GOOD: Record<string, (r: LoggedRequest) => Reply> = { 'audit-scan': scan, 'audit-cluster': cluster, 'audit-rate': rate };

describe('audit model pass (real SDK, fake Gemini)', () => {
  let fake: FakeGemini;
  const provider = () =>
    new GeminiProvider({
      apiKey: 'k',
      baseUrl: fake.baseUrl,
      policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }),
    });
  const byStage = (s: string) => fake.requests.filter((r) => stageOf(r) === s);
  const respond = (answers: Record<string, (r: LoggedRequest) => Reply>) => fake.setResponder((r) => answers[stageOf(r)](r));

  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    respond(GOOD);
  });

  it('finds the planted pattern under two names, merges it, and rates every record from its text', async () => {
    const progress: [number, number][] = [];
    const prices = { [DEFAULT_AUDIT_MODEL]: { inputPerMillion: 0.5, outputPerMillion: 2 } };
    const result = await runModelPass(RECORDS, { provider: provider(), prices, onProgress: (d, t) => void progress.push([d, t]) });

    assert.equal(result.model, DEFAULT_AUDIT_MODEL);
    assert.ok(fake.requests.every((r) => r.model === DEFAULT_AUDIT_MODEL));
    assert.deepEqual([byStage('audit-scan').length, byStage('audit-cluster').length, byStage('audit-rate').length], [3, 1, 6]);
    assert.equal(fake.requests.length, 10);

    // Both question features reached the cluster under their own names, with ids.
    const clusterPrompt = promptOf(byStage('audit-cluster')[0]);
    assert.match(clusterPrompt, /- S1: Closing question\./);
    assert.match(clusterPrompt, /- S2: Ends by asking the user\./);
    assert.match(clusterPrompt, /- S3: Uses emoji\./);

    // The merged pattern first (found by two batches), then the one-batch one.
    assert.deepEqual(
      result.patterns.map((p) => p.id),
      ['model-ends-with-a-question', 'model-uses-emoji'],
    );
    const [question, emoji] = result.patterns;
    assert.equal(question.source, 'model');
    assert.equal(question.name, 'Ends with a question');
    assert.match(
      question.description,
      /^Answers end by asking the user a question\. Broad: .+ Strict: The answer ends with a question to the user\.$/,
    );
    assert.deepEqual(question.prevalence, { broad: 40 / 60, strict: 30 / 60 });
    assert.deepEqual(question.records, STRICT);
    // Records 0, 4, 8 … were answered "strict, not broad": still broad matches.
    assert.deepEqual(question.broadRecords, BROAD);
    assert.ok(question.records.every((id) => question.broadRecords.includes(id)));
    assert.equal(question.examples.length, 3);
    assert.ok(question.examples.every((id) => question.records.includes(id)));
    assert.deepEqual(question.examples, ['r0', 'r30', 'r58']);
    assert.equal(question.flagged, false);
    assert.deepEqual(emoji.prevalence, { broad: 0, strict: 0 });
    assert.deepEqual([emoji.records, emoji.broadRecords, emoji.examples], [[], [], []]);

    // Per trait: honesty = i ≡ 0 mod 3 (20 records), brevity = i ≡ 1 mod 3, no trait = i ≡ 2 mod 3.
    const share = (trait: number, set: string[]) => RECORDS.filter((_, i) => i % 3 === trait && set.includes(`r${i}`)).length / 20;
    assert.deepEqual(Object.keys(question.perTrait).sort(), [NO_TRAIT, 'brevity', 'honesty'].sort());
    assert.deepEqual(question.perTrait.honesty, { records: 20, broad: share(0, BROAD), strict: share(0, STRICT), flagged: false });
    assert.deepEqual(question.perTrait.brevity, { records: 20, broad: share(1, BROAD), strict: share(1, STRICT), flagged: false });
    assert.deepEqual(question.perTrait[NO_TRAIT], { records: 20, broad: share(2, BROAD), strict: share(2, STRICT), flagged: false });
    // Flags are the report's, even for a pattern in half the records.
    assert.ok(Object.values(question.perTrait).every((t) => !t.flagged));

    assert.deepEqual(result.unrated, []);
    assert.deepEqual(result.unscanned, []);

    // Usage is what the fake reported; the cost is priced from it.
    assert.deepEqual(result.usage.byModel, { [DEFAULT_AUDIT_MODEL]: { inputTokens: 10_000, outputTokens: 500 } });
    assert.equal(result.usage.cachedAnswers, 0);
    // 10 000 input tokens at $0.5 and 500 output tokens at $2 per million.
    assert.deepEqual(result.cost, { usd: (5000 + 1000) / 1e6, unpriced: [] });

    // Progress: from 0 to every call, in order.
    assert.deepEqual(
      progress,
      Array.from({ length: 11 }, (_, i) => [i, 10]),
    );
  });

  it('keeps the end of a long transcript and labels every transcript with its record id', async () => {
    await runModelPass(RECORDS, { provider: provider() });
    const scanned = byStage('audit-scan').flatMap(transcriptsOf);
    assert.deepEqual(
      scanned.map((t) => t.id),
      RECORDS.map((r) => r.id),
    );
    const long = scanned.find((t) => t.id === 'r4')!;
    assert.ok(long.response.length < RECORDS[4].response.length / 2, 'shortened');
    assert.match(long.response, /characters cut/);
    assert.ok(long.response.endsWith('Would you like me to go into more detail?'), 'its ending is kept');
    const rated = byStage('audit-rate').flatMap(transcriptsOf);
    assert.deepEqual(
      rated.map((t) => t.id),
      RECORDS.map((r) => r.id),
    );
    assert.ok(rated.find((t) => t.id === 'r4')!.response.endsWith('more detail?'));
  });

  it('asks a malformed rating again, and counts records whose rating failed twice as unrated', async () => {
    const asked = new Map<string, number>();
    respond({
      ...GOOD,
      'audit-rate': (r) => {
        const first = transcriptsOf(r)[0].id;
        const n = (asked.get(first) ?? 0) + 1;
        asked.set(first, n);
        // r0–r9: malformed once, then good. r10–r19: rates a record it was not asked about, twice.
        // r20–r29: blocked twice.
        if (first === 'r0' && n === 1) return { kind: 'text', text: '{"record_ratings": [' };
        if (first === 'r10') {
          const good = JSON.parse((rate(r) as { text: string }).text);
          good.record_ratings[0].id = 'r99';
          return json(good);
        }
        if (first === 'r20') return { kind: 'blocked', finishReason: 'SAFETY' };
        return rate(r);
      },
    });
    const result = await runModelPass(RECORDS, { provider: provider() });
    assert.deepEqual([asked.get('r0'), asked.get('r10'), asked.get('r20'), asked.get('r30')], [2, 2, 2, 1]);
    assert.equal(byStage('audit-rate').length, 9);
    const unrated = ids((i) => i >= 10 && i < 30);
    assert.deepEqual(result.unrated, unrated);
    const question = result.patterns[0];
    const rated = (set: string[]) => set.filter((id) => !unrated.includes(id));
    assert.deepEqual(question.records, rated(STRICT));
    assert.deepEqual(question.broadRecords, rated(BROAD));
    // Unrated records are out of the denominator: 40 rated.
    assert.deepEqual(question.prevalence, { broad: rated(BROAD).length / 40, strict: rated(STRICT).length / 40 });
    assert.equal(question.perTrait.honesty.records, RECORDS.filter((r, i) => i % 3 === 0 && !unrated.includes(r.id)).length);
  });

  it('asks again, then leaves unrated, a batch whose ratings are not exactly one per record and feature', async () => {
    const asked = new Map<string, number>();
    // Each batch of ten gets one kind of wrong answer, every time it is asked; r50–r59 a good one.
    const spoil: Record<string, (ratings: { id: string; ratings: { feature: string }[] }[]) => void> = {
      r0: (rs) => rs.push(rs[0]), // a record rated twice
      r10: (rs) => rs[0].ratings.push({ ...rs[0].ratings[0], feature: 'model-nobody-named' } as never), // an unknown feature
      r20: (rs) => rs[0].ratings.push(rs[0].ratings[0]), // a feature rated twice for one record
      r30: (rs) => rs[0].ratings.pop(), // a feature not rated
      r40: (rs) => rs.pop(), // a record not rated
    };
    respond({
      ...GOOD,
      'audit-rate': (r) => {
        const first = transcriptsOf(r)[0].id;
        asked.set(first, (asked.get(first) ?? 0) + 1);
        const answer = JSON.parse((rate(r) as { text: string }).text);
        spoil[first]?.(answer.record_ratings);
        return json(answer);
      },
    });
    const result = await runModelPass(RECORDS, { provider: provider() });
    assert.deepEqual(
      ['r0', 'r10', 'r20', 'r30', 'r40', 'r50'].map((id) => asked.get(id)),
      [2, 2, 2, 2, 2, 1],
    );
    assert.deepEqual(
      result.unrated,
      ids((i) => i < 50),
    );
    const [question] = result.patterns;
    assert.deepEqual(
      question.records,
      STRICT.filter((id) => Number(id.slice(1)) >= 50),
    );
    // Rated: r50–r59, of which honesty (i ≡ 0 mod 3) has r51, r54, r57.
    assert.deepEqual(question.perTrait.honesty.records, 3);
  });

  it('estimates the requests it sends, and tokens from the prompts it renders', async () => {
    const estimate = estimateModelPass(RECORDS, { prices: { [DEFAULT_AUDIT_MODEL]: { inputPerMillion: 0.5, outputPerMillion: 2 } } });
    const result = await runModelPass(RECORDS, { provider: provider() });
    assert.equal(estimate.requests, fake.requests.length);
    assert.equal(estimate.requests, 10);
    // Every prompt is counted at 4 characters a token, plus the typical features the cluster and rater see.
    const sent = fake.requests.reduce((n, r) => n + Math.ceil(promptOf(r).length / 4), 0);
    assert.ok(estimate.inputTokens >= sent * 0.8 && estimate.inputTokens <= sent * 2, `${estimate.inputTokens} vs ${sent} sent`);
    assert.ok(estimate.outputTokens >= 10 * 500, 'a thinking allowance per call');
    assert.deepEqual(estimate.unpriced, []);
    assert.ok(Math.abs(estimate.usd - (estimate.inputTokens * 0.5 + estimate.outputTokens * 2) / 1e6) < 1e-12);
    assert.equal(result.patterns.length, 2);

    // Another batch size: one scan call per batch; the ratings stay ten records a call.
    assert.equal(estimateModelPass(RECORDS, { batchSize: 7 }).requests, Math.ceil(60 / 7) + 1 + 6);
    assert.deepEqual(estimateModelPass(RECORDS.slice(0, 5), { model: 'my-model' }).unpriced, ['my-model']);
    assert.equal(estimateModelPass(RECORDS.slice(0, 5), { model: 'my-model' }).usd, 0);
    assert.deepEqual(estimateModelPass([], {}), { requests: 0, inputTokens: 0, outputTokens: 0, usd: 0, unpriced: [] });
    // More patterns cost more to rate.
    assert.ok(estimateModelPass(RECORDS, { maxPatterns: 30 }).outputTokens > estimate.outputTokens);
    assert.throws(() => estimateModelPass(RECORDS, { batchSize: 0 }), RangeError);
    assert.throws(() => estimateModelPass(RECORDS, { maxPatterns: 1.5 }), RangeError);
    assert.throws(() => estimateModelPass([RECORDS[0], RECORDS[0]], {}), RangeError);
  });

  it('reports progress 0 first, then one step per settled call up to the total, and rejects with the error onProgress throws', async () => {
    const progress: [number, number][] = [];
    await runModelPass(RECORDS, { provider: provider(), onProgress: (d, t) => void progress.push([d, t]) });
    // 3 scan batches of 20, 1 cluster call, 6 rating batches of 10.
    assert.deepEqual(
      progress,
      Array.from({ length: 11 }, (_, i) => [i, 10]),
    );
    const broken = new Error('progress view gone');
    await assert.rejects(
      runModelPass(RECORDS, {
        provider: provider(),
        onProgress: (done) => {
          if (done === 4) throw broken;
        },
      }),
      (e) => e === broken,
    );
  });

  it('says which option is wrong and which record id is used twice, and asks nothing of an empty dataset', async () => {
    await assert.rejects(runModelPass(RECORDS, { provider: provider(), batchSize: 0 }), /batchSize must be a positive integer, not 0/);
    await assert.rejects(
      runModelPass(RECORDS, { provider: provider(), maxPatterns: 2.5 }),
      /maxPatterns must be a positive integer, not 2\.5/,
    );
    await assert.rejects(
      runModelPass([RECORDS[0], RECORDS[1], { ...RECORDS[0], line: 3 }], { provider: provider() }),
      /record id "r0" appears twice \(line 3\)/,
    );
    // No records: nothing to ask, nothing found.
    const empty = await runModelPass([], { provider: provider() });
    assert.deepEqual([empty.patterns, empty.unrated, empty.unscanned, empty.cost], [[], [], [], { usd: 0, unpriced: [] }]);
    assert.equal(fake.requests.length, 0);
  });

  it('serves a second identical pass from the cache without a request', async () => {
    const cache = new MemoryAnswerCache();
    const first = await runModelPass(RECORDS, { provider: provider(), cache });
    assert.equal(fake.requests.length, 10);
    fake.requests.length = 0;
    fake.setResponder(() => {
      throw new Error('no request expected');
    });
    const second = await runModelPass(RECORDS, { provider: provider(), cache });
    assert.equal(fake.requests.length, 0);
    assert.deepEqual(second.patterns, first.patterns);
    assert.equal(second.usage.cachedAnswers, 10);
    assert.deepEqual(second.usage.byModel, {});
    assert.deepEqual(second.cost, { usd: 0, unpriced: [] });
  });

  it('keeps only maxPatterns, those found by the most batches', async () => {
    const result = await runModelPass(RECORDS, { provider: provider(), maxPatterns: 1 });
    assert.deepEqual(
      result.patterns.map((p) => p.id),
      ['model-ends-with-a-question'],
    );
    assert.match(promptOf(byStage('audit-cluster')[0]), /at most\s+1 features/);
    const rateFeatures = [...promptOf(byStage('audit-rate')[0]).matchAll(/^- (model-[a-z0-9-]+): /gm)].map((m) => m[1]);
    assert.deepEqual(rateFeatures, ['model-ends-with-a-question']);
  });

  it('rejects a cluster that merges features nobody reported, after asking twice', async () => {
    respond({ ...GOOD, 'audit-cluster': () => json({ merged_features: [{ ...feature('Made up', 'x'), merges: ['S42'] }] }) });
    await assert.rejects(
      runModelPass(RECORDS, { provider: provider() }),
      (e: unknown) => e instanceof StageError && e.stage === 'audit-cluster' && /S42.*asked twice/.test(e.message),
    );
    assert.equal(byStage('audit-cluster').length, 2);
    assert.equal(byStage('audit-rate').length, 0);
  });

  it('skips the cluster and the ratings when the scan finds nothing, and reports an unscanned batch', async () => {
    respond({
      ...GOOD,
      'audit-scan': (r) => (transcriptsOf(r)[0].id === 'r0' ? { kind: 'text', text: 'not json' } : json({ recurring_features: [] })),
    });
    const progress: [number, number][] = [];
    const result = await runModelPass(RECORDS, { provider: provider(), onProgress: (d, t) => void progress.push([d, t]) });
    assert.deepEqual(result.patterns, []);
    assert.deepEqual(
      result.unscanned,
      ids((i) => i < 20),
    );
    assert.deepEqual(fake.requests.map(stageOf), ['audit-scan', 'audit-scan', 'audit-scan', 'audit-scan']);
    assert.deepEqual(progress.at(-1), [10, 10]);
  });

  it('fails when no batch could be scanned', async () => {
    respond({ ...GOOD, 'audit-scan': () => ({ kind: 'blocked', finishReason: 'SAFETY' }) });
    await assert.rejects(
      runModelPass(RECORDS, { provider: provider() }),
      (e: unknown) => e instanceof StageError && e.stage === 'audit-scan',
    );
    assert.equal(byStage('audit-scan').length, 6);
  });

  it('fails, and stops asking, when a request fails for good (not an answer problem)', async () => {
    respond({
      ...GOOD,
      'audit-rate': (r) => (transcriptsOf(r)[0].id === 'r0' ? { kind: 'status', status: 400, message: 'bad request' } : rate(r)),
    });
    await assert.rejects(
      runModelPass(RECORDS, { provider: provider() }),
      (e: unknown) => e instanceof StageError && e.stage === 'audit-rate' && /400/.test(e.message),
    );
    // Asked once (no second ask for a transport failure); the other rating calls were cancelled or never started.
    assert.equal(byStage('audit-rate').filter((r) => transcriptsOf(r)[0].id === 'r0').length, 1);
  });

  it('rejects with the abort reason when cancelled, and asks nothing once cancelled', async () => {
    const controller = new AbortController();
    const reason = new Error('stop the audit');
    respond({
      ...GOOD,
      'audit-cluster': (r) => {
        controller.abort(reason);
        return cluster(r);
      },
    });
    await assert.rejects(runModelPass(RECORDS, { provider: provider(), signal: controller.signal }), (e) => e === reason);
    assert.equal(byStage('audit-rate').length, 0);

    fake.requests.length = 0;
    await assert.rejects(runModelPass(RECORDS, { provider: provider(), signal: controller.signal }), (e) => e === reason);
    assert.equal(fake.requests.length, 0);
  });

  it('rejects with the abort reason when cancelled during the scan', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    respond({
      ...GOOD,
      'audit-scan': (r) => {
        controller.abort(reason);
        return scan(r);
      },
    });
    await assert.rejects(runModelPass(RECORDS, { provider: provider(), signal: controller.signal }), (e) => e === reason);
    assert.equal(byStage('audit-cluster').length, 0);
  });

  it('reads a workspace override of a template, else the shipped one', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'audit-templates-'));
    try {
      mkdirSync(join(workspace, '.traits', 'prompts'), { recursive: true });
      writeFileSync(join(workspace, '.traits', 'prompts', 'audit-rate.md'), 'Rate {{transcripts}} for {{features}}.');
      const templates = loadTemplates(AUDIT_TEMPLATE_STAGES, workspace);
      assert.deepEqual(Object.keys(templates), [...AUDIT_TEMPLATE_STAGES]);
      assert.equal(templates['audit-rate'].text, 'Rate {{transcripts}} for {{features}}.');
      assert.match(templates['audit-scan'].path, /llm[/\\]prompts[/\\]audit-scan\.md$/);
      const shipped = loadTemplates(AUDIT_TEMPLATE_STAGES);
      assert.ok(estimateModelPass(RECORDS, { templates }).inputTokens < estimateModelPass(RECORDS, { templates: shipped }).inputTokens);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

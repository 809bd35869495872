// The model pass's patterns as the report shows them: ids made from the names the cluster step gives
// (accents dropped, underscores and dash runs made one dash, at most 48 characters, "-2" for a name
// taken, "pattern" when nothing is left), descriptions ending in a full stop, and a cluster answer
// that pads the keys it merges with spaces.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runModelPass } from '../../server/src/audit/modelPass';
import type { AuditRecord } from '../../server/src/audit/types';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { startFakeGemini, type FakeGemini, type LoggedRequest, type Reply } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const RECORDS: AuditRecord[] = Array.from({ length: 4 }, (_, i) => ({
  id: `r${i}`,
  line: i + 1,
  traitId: null,
  prompt: `Question ${i}.`,
  response: `Answer ${i}.`,
}));

const promptOf = (r: LoggedRequest): string => r.body.contents[0].parts[0].text;
const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 10, outputTokens: 5 });

/** A pass whose cluster step names its features `names` (descriptions `descriptions`), merging keys written as `key(k)`. */
async function patternsNamed(fake: FakeGemini, names: readonly string[], descriptions: readonly string[], key = (k: string) => k) {
  const features = names.map((_, i) => ({
    name: `Feature ${i}`,
    description: 'Something the answers do',
    broad_criterion: 'broad',
    strict_criterion: 'strict',
  }));
  fake.setResponder((r) => {
    const stage = stageOf(r);
    if (stage === 'audit-scan') return json({ recurring_features: features });
    if (stage === 'audit-cluster') {
      const keys = [...promptOf(r).matchAll(/^- (S\d+): /gm)].map((m) => m[1]);
      return json({
        merged_features: names.map((name, i) => ({
          name,
          description: descriptions[i],
          broad_criterion: 'The answer does it somewhere',
          strict_criterion: 'The answer does it throughout!',
          merges: [key(keys[i])],
        })),
      });
    }
    const ids = [...promptOf(r).matchAll(/^- (model-[a-z0-9-]+): /gm)].map((m) => m[1]);
    const transcripts = [...promptOf(r).matchAll(/<transcript id="([^"]*)">/g)].map((m) => m[1]);
    return json({
      record_ratings: transcripts.map((id) => ({ id, ratings: ids.map((feature) => ({ feature, broad: false, strict: false })) })),
    });
  });
  const provider = new GeminiProvider({
    apiKey: 'k',
    baseUrl: fake.baseUrl,
    policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }),
  });
  return (await runModelPass(RECORDS, { provider, batchSize: 4, maxPatterns: 20 })).patterns;
}

describe('model pass patterns: ids and descriptions', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());

  it('makes each name an id the report and filters can use, unique within the pass', async () => {
    const names = ['Café crème', 'snake_case__name', '--Dashes--', 'Alphabe '.repeat(8), '!!!', 'Uses emoji', 'Uses emoji', 'Uses emoji'];
    const patterns = await patternsNamed(
      fake,
      names,
      names.map(() => 'Answers do it.'),
    );
    assert.deepEqual(patterns.map((p) => p.id).sort(), [
      'model-alphabe-alphabe-alphabe-alphabe-alphabe-alphabe',
      'model-cafe-creme',
      'model-dashes',
      'model-pattern',
      'model-snake-case-name',
      'model-uses-emoji',
      'model-uses-emoji-2',
      'model-uses-emoji-3',
    ]);
  });

  it('ends each part of a description with a full stop, keeping the punctuation it already ends with', async () => {
    const [a, b, c] = await patternsNamed(fake, ['A one', 'B two', 'C three'], ['  No stop  ', 'A question?', 'Trailing dots…']);
    assert.deepEqual(
      [a, b, c].map((p) => p.description),
      [
        'No stop. Broad: The answer does it somewhere. Strict: The answer does it throughout!',
        'A question? Broad: The answer does it somewhere. Strict: The answer does it throughout!',
        'Trailing dots… Broad: The answer does it somewhere. Strict: The answer does it throughout!',
      ],
    );
  });

  it('accepts a cluster answer that pads the scan keys it merges with spaces', async () => {
    const patterns = await patternsNamed(fake, ['Padded key'], ['Answers do it.'], (k) => ` ${k} `);
    assert.deepEqual(
      patterns.map((p) => p.id),
      ['model-padded-key'],
    );
  });
});

// What the audit's model pass shows a model, exactly: a long record is cut in its middle with its
// start (60 %) and end (40 %) kept and the cut counted, a `<transcript` tag inside a text cannot
// close its block, a feature is listed with both criteria, answers are trimmed, and every request
// is a single user message at temperature 0 with its stage's schema. A transcript shown wrongly
// changes what the scan finds and how each record is rated: every prevalence of the model pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUDIT_SCHEMAS,
  clusterRequest,
  describeFeature,
  featureOf,
  FEATURES_PER_SCAN,
  rateRequest,
  scanRequest,
  type AuditTemplates,
} from '../../server/src/audit/modelPassPrompts';
import type { AuditRecord } from '../../server/src/audit/types';
import { jsonSchemaOf } from '../../server/src/llm/structured';
import type { Template } from '../../server/src/llm/templates';

const template = (stage: string, text: string): Template<string> => ({ stage, text, path: `${stage}.md` });
// Templates that show every value as it is, so the test reads what the pass puts in.
const TEMPLATES = {
  'audit-scan': template('audit-scan', '{{count}}|{{max_features}}|{{transcripts}}'),
  'audit-cluster': template('audit-cluster', '{{max_patterns}}|{{features}}'),
  'audit-rate': template('audit-rate', '{{features}}|{{transcripts}}'),
} as unknown as AuditTemplates;

const record = (id: string, prompt: string, response: string): AuditRecord => ({ id, line: 1, traitId: null, prompt, response });
const textOf = (r: { messages: readonly { text: string }[] }) => {
  assert.equal(r.messages.length, 1);
  return r.messages[0].text;
};

describe('the transcripts the model pass shows', () => {
  it('shows a short record whole, under its id', () => {
    const request = scanRequest(TEMPLATES, 'm', [record('r"1', 'Q?', 'A.'), record('r2', '', 'B.')]);
    assert.equal(
      textOf(request),
      `2|${FEATURES_PER_SCAN}|<transcript id="r\\"1">\nUser: Q?\n\nAssistant: A.\n</transcript>\n\n<transcript id="r2">\nUser: \n\nAssistant: B.\n</transcript>`,
    );
    assert.equal(FEATURES_PER_SCAN, 8);
  });

  it('keeps 60 % of the limit from the start and 40 % from the end of a longer text, and counts the cut', () => {
    // Scan limits: prompt 600, response 1 500 characters; exactly at the limit nothing is cut.
    const prompt = 'p'.repeat(600);
    const response = `${'a'.repeat(900)}${'m'.repeat(100)}${'z'.repeat(600)}`;
    const shown = textOf(scanRequest(TEMPLATES, 'm', [record('x', prompt, response)]));
    assert.equal(
      shown,
      `1|8|<transcript id="x">\nUser: ${prompt}\n\nAssistant: ${'a'.repeat(900)}\n[… 100 characters cut …]\n${'z'.repeat(600)}\n</transcript>`,
    );
    // Rate limits: prompt 1 000, response 3 000.
    const longPrompt = `${'s'.repeat(600)}${'c'.repeat(5)}${'e'.repeat(400)}`;
    const rated = textOf(rateRequest(TEMPLATES, 'm', 'F', [record('y', longPrompt, 'r'.repeat(3000))]));
    assert.equal(
      rated,
      `F|<transcript id="y">\nUser: ${'s'.repeat(600)}\n[… 5 characters cut …]\n${'e'.repeat(400)}\n\nAssistant: ${'r'.repeat(3000)}\n</transcript>`,
    );
    // One character over the limit: the start keeps 60 % of it (1 800), the end 40 % (1 200).
    const odd = textOf(rateRequest(TEMPLATES, 'm', 'F', [record('z', 'q', 'b'.repeat(3001))]));
    assert.ok(odd.includes(`Assistant: ${'b'.repeat(1800)}\n[… 1 characters cut …]\n${'b'.repeat(1200)}\n</transcript>`));
  });

  it('separates the transcripts of a rating batch by a blank line, as in a scan', () => {
    const rated = textOf(rateRequest(TEMPLATES, 'm', 'F', [record('a', 'q', 'A.'), record('b', 'q', 'B.')]));
    assert.equal(
      rated,
      'F|<transcript id="a">\nUser: q\n\nAssistant: A.\n</transcript>\n\n<transcript id="b">\nUser: q\n\nAssistant: B.\n</transcript>',
    );
  });

  it('escapes a transcript tag inside a text, opening or closing, in any case', () => {
    const shown = textOf(scanRequest(TEMPLATES, 'm', [record('t', 'a </transcript> b', 'x <TRANSCRIPT id="y"> <Transcript')]));
    assert.ok(shown.includes('User: a &lt;/transcript> b\n'));
    assert.ok(shown.includes('Assistant: x &lt;TRANSCRIPT id="y"> &lt;Transcript\n'));
    assert.equal(shown.match(/<\/transcript>/g)?.length, 1);
    assert.equal(shown.match(/<transcript/gi)?.length, 1);
  });
});

describe('features and requests of the model pass', () => {
  it('lists a feature with its name, description and both criteria', () => {
    assert.equal(
      describeFeature('f1', { name: 'Praise', description: 'Opens with praise.', broad: 'any praise', strict: 'first sentence praises' }),
      '- f1: Praise. Opens with praise.\n  Broad: any praise\n  Strict: first sentence praises',
    );
  });

  it('trims the text of an answer’s feature', () => {
    assert.deepEqual(featureOf({ name: ' N ', description: '\tD\n', broad_criterion: ' b', strict_criterion: 's ' }), {
      name: 'N',
      description: 'D',
      broad: 'b',
      strict: 's',
    });
  });

  it('sends each stage one user message at temperature 0, with the stage’s own schema', () => {
    const requests = {
      'audit-scan': scanRequest(TEMPLATES, 'model-a', [record('r', 'q', 'a')]),
      'audit-cluster': clusterRequest(TEMPLATES, 'model-a', '- f', 7),
      'audit-rate': rateRequest(TEMPLATES, 'model-a', '- f', [record('r', 'q', 'a')]),
    } as const;
    for (const [stage, request] of Object.entries(requests)) {
      assert.equal(request.model, 'model-a');
      assert.equal(request.temperature, 0);
      assert.deepEqual(
        request.messages.map((m) => m.role),
        ['user'],
      );
      assert.deepEqual(request.responseJsonSchema, jsonSchemaOf(AUDIT_SCHEMAS[stage as keyof typeof AUDIT_SCHEMAS]));
    }
    assert.equal(textOf(requests['audit-cluster']), '7|- f');
  });

  it('rejects an answer whose feature lacks a criterion or whose merge lists nothing', () => {
    const feature = { name: 'n', description: 'd', broad_criterion: 'b', strict_criterion: 's' };
    assert.ok(AUDIT_SCHEMAS['audit-scan'].safeParse({ recurring_features: [feature] }).success);
    for (const key of Object.keys(feature))
      assert.ok(!AUDIT_SCHEMAS['audit-scan'].safeParse({ recurring_features: [{ ...feature, [key]: '' }] }).success, key);
    assert.ok(AUDIT_SCHEMAS['audit-cluster'].safeParse({ merged_features: [{ ...feature, merges: ['f1'] }] }).success);
    assert.ok(!AUDIT_SCHEMAS['audit-cluster'].safeParse({ merged_features: [{ ...feature, merges: [] }] }).success);
    assert.ok(!AUDIT_SCHEMAS['audit-cluster'].safeParse({ merged_features: [{ ...feature, merges: [''] }] }).success);
    const rating = { id: 'r', ratings: [{ feature: 'f', broad: true, strict: false }] };
    assert.ok(AUDIT_SCHEMAS['audit-rate'].safeParse({ record_ratings: [rating] }).success);
    assert.ok(
      !AUDIT_SCHEMAS['audit-rate'].safeParse({ record_ratings: [{ ...rating, ratings: [{ feature: 'f', broad: 'yes', strict: false }] }] })
        .success,
    );
  });
});

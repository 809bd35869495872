// Structured answers (llm/structured.ts): the JSON Schemas sent are the ones sent before the stage
// schemas were written in zod, so the answer cache filled then still answers; and schema problems
// read as failures.ts expects them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { AUDIT_SCHEMAS } from '../../server/src/audit/modelPassPrompts';
import { brainstormSchema, STAGE_SCHEMAS } from '../../server/src/generation/schemas';
import { describeFailure } from '../../server/src/generation/failures';
import { answerKey } from '../../server/src/llm/cache';
import { jsonSchemaOf, parseStructured } from '../../server/src/llm/structured';

/** answerKey of a fixed request with each stage's schema, as computed before the schemas moved to zod (KEY_VERSION 2). */
const KEYS_BEFORE: Record<string, string> = {
  brainstorm: 'e513e3329fa01529e4dd21e9d5405c2c447cdb721a47c566a20d387edc6b5f43',
  scenario: '8e42458e5b52b513219ef81c516d6665c470f4ebef4fd9a6df636716d3911d92',
  critique: '18e2bbe9448eacee65cf9835fabd296d40e0e8bd4300a42577d14675292430e4',
  sharpen: 'c1811e6fca08416f4370b7fe6b59719f87724598fb435c06f85c16630ec27f08',
  autorate: '8a776dc176f681e8041db39ce2e2c3d8e72a230b88502911438474580065e80c',
  'midtraining-ideas': '87ecc1d093417034bd3ade11b1de97ed605d3124dc744d4ac927d86a3bfefa48',
  'midtraining-critique': 'fd80d0a97c3cc915a182d5372cb3d6d22ff7ff61c8f4fddb70cbd2f4dc49b3a4',
  'audit-scan': '3adbc7fe06a42d6517d02c7f6017ed663696c64f3512eaba240978f06496e37d',
  'audit-cluster': '6c7744969b09d633960c8743b4208830693cee795c62025a494cf0eb2cee080e',
  'audit-rate': '0fca80b2958d43bfa413aae3ebc6f6e8507d7f24d1b6b7aa0fb420367393ea83',
  'brainstorm-3': 'b4ffe6277d05e2c8fd4a6f9c4f61746fc51dc41b4cc8abb03609f0d0a425ac70',
};

const keyOf = (stage: string, schema: z.ZodType) =>
  answerKey({
    providerId: 'gemini',
    stage,
    sample: 0,
    request: { model: 'm', messages: [{ role: 'user', text: 'hi' }], responseJsonSchema: jsonSchemaOf(schema) },
  });

describe('structured answers', () => {
  it('send the JSON Schemas sent before, so cached answers keep their keys', () => {
    const schemas: Record<string, z.ZodType> = { ...STAGE_SCHEMAS, ...AUDIT_SCHEMAS, 'brainstorm-3': brainstormSchema(3) };
    for (const [stage, key] of Object.entries(KEYS_BEFORE)) assert.equal(keyOf(stage, schemas[stage]), key, stage);
    assert.equal(Object.keys(schemas).length, Object.keys(KEYS_BEFORE).length);
  });

  it('type a valid answer and drop members the schema does not name', () => {
    const answer = parseStructured(STAGE_SCHEMAS.autorate, '{"score": 7, "verdict": "keep", "reasons": "fine", "extra": 1}');
    assert.deepEqual(answer, { value: { score: 7, verdict: 'keep', reasons: 'fine' } });
  });

  it('say what is wrong as a JSON pointer and a validator phrase, which failure messages read', () => {
    const cases: [z.ZodType, string, string][] = [
      [STAGE_SCHEMAS.brainstorm, '{"ideas": []}', '/ideas must NOT have fewer than 1 items'],
      [STAGE_SCHEMAS.brainstorm, '{"ideas": [{"what": "a", "how": "b", "why": ""}]}', '/ideas/0/why must NOT have fewer than 1 characters'],
      [
        STAGE_SCHEMAS.critique,
        '{"realistic": true, "elicits": true, "verdict": "maybe", "reasons": ""}',
        '/verdict must be equal to one of the allowed values',
      ],
      [STAGE_SCHEMAS.autorate, '{"score": 7.5, "verdict": "keep", "reasons": ""}', '/score must be integer'],
      [STAGE_SCHEMAS.autorate, '{"score": 11, "verdict": "keep", "reasons": ""}', '/score must be <= 10'],
      [STAGE_SCHEMAS.scenario, '{}', "(answer) must have required property 'message'"],
      [STAGE_SCHEMAS.scenario, '[1]', '(answer) must be object'],
      [STAGE_SCHEMAS.scenario, 'Sure! Here', 'the answer is not JSON ("Sure! Here")'],
    ];
    for (const [schema, text, problem] of cases) assert.deepEqual(parseStructured(schema, text), { problem }, text);
    assert.match(
      describeFailure('critique: /verdict must be equal to one of the allowed values (asked twice)'),
      /did not have the shape asked for/,
    );
  });
});

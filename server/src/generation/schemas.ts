import Ajv, { type ValidateFunction } from 'ajv';

/** JSON Schemas of the structured stage answers, sent as Gemini `responseJsonSchema` and validated on return. */
export const SCHEMAS = {
  brainstorm: {
    type: 'object',
    properties: {
      ideas: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { what: { type: 'string', minLength: 1 }, how: { type: 'string', minLength: 1 }, why: { type: 'string', minLength: 1 } },
          required: ['what', 'how', 'why'],
        },
      },
    },
    required: ['ideas'],
  },
  scenario: {
    type: 'object',
    properties: { message: { type: 'string', minLength: 1 } },
    required: ['message'],
  },
  critique: {
    type: 'object',
    properties: {
      realistic: { type: 'boolean' },
      elicits: { type: 'boolean' },
      verdict: { type: 'string', enum: ['keep', 'rewrite'] },
      reasons: { type: 'string' },
      rewrite: { type: 'string' },
    },
    required: ['realistic', 'elicits', 'verdict', 'reasons'],
  },
  sharpen: {
    type: 'object',
    properties: { sharpened: { type: 'boolean' }, reason: { type: 'string' }, message: { type: 'string', minLength: 1 } },
    required: ['sharpened', 'reason', 'message'],
  },
  autorate: {
    type: 'object',
    properties: {
      score: { type: 'integer', minimum: 1, maximum: 10 },
      verdict: { type: 'string', enum: ['keep', 'reject'] },
      reasons: { type: 'string' },
    },
    required: ['score', 'verdict', 'reasons'],
  },
  // Midtraining (generation/midtraining.ts). Top-level keys differ from the preview's so a request
  // says which stage it is by its schema alone (test/fake-gemini/stages.ts relies on it).
  'midtraining-ideas': {
    type: 'object',
    properties: {
      document_ideas: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            idea: { type: 'string', minLength: 1 },
            trait_ids: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
          required: ['idea', 'trait_ids'],
        },
      },
    },
    required: ['document_ideas'],
  },
  'midtraining-critique': {
    type: 'object',
    properties: {
      realistic: { type: 'boolean' },
      consistent: { type: 'boolean' },
      in_genre: { type: 'boolean' },
      reasons: { type: 'string' },
      revised: { type: 'string', minLength: 1 },
    },
    required: ['realistic', 'consistent', 'in_genre', 'reasons', 'revised'],
  },
} as const;

export type StructuredStage = keyof typeof SCHEMAS;

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<StructuredStage, ValidateFunction>();

/** Problems of a parsed answer against its stage's schema, as one readable line (empty when valid). */
export function schemaProblems(stage: StructuredStage, value: unknown): string {
  let validate = validators.get(stage);
  if (!validate) validators.set(stage, (validate = ajv.compile(SCHEMAS[stage])));
  if (validate(value)) return '';
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message}`).join('; ');
}

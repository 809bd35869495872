import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure } from '../../server/src/generation/failures';

describe('describeFailure', () => {
  const cases: [string, string][] = [
    [
      'autorate: the model gave no answer (finish reason SAFETY) (asked twice)',
      'The autorater failed: the model gave no answer because its safety filters blocked it, also when asked again.',
    ],
    ['brainstorm: asked for 3 ideas, got 1', 'The brainstorm failed: the model gave 1 of the 3 ideas asked for, also when asked again.'],
    [
      'critique: /verdict must be equal to one of the allowed values (asked twice)',
      'The critique failed: the model’s answer did not have the shape asked for (verdict: must be equal to one of the allowed values), also when asked again.',
    ],
    [
      'brainstorm: /ideas/0/why must NOT have fewer than 1 characters (asked twice)',
      'The brainstorm failed: the model’s answer did not have the shape asked for (ideas item 1, why: must not be empty), also when asked again.',
    ],
    [
      'sharpen: the answer is not JSON ("Sure! Here") (asked twice)',
      'Sharpening the scenario failed: the model’s answer was not the JSON asked for, also when asked again.',
    ],
    [
      'response: gemini-3.1-pro-preview: HTTP 503: The model is overloaded. (after 4 attempts)',
      'The response failed: gemini-3.1-pro-preview: the model service was unavailable or overloaded (tried 4 times) — “The model is overloaded”.',
    ],
    [
      'scenario: gemini-3.8-flash: HTTP 400: API key not valid. Please pass a valid API key.',
      'Writing the scenario failed: gemini-3.8-flash: the API key was refused — “API key not valid. Please pass a valid API key”.',
    ],
    [
      'baseline: gemini-3.8-flash: no answer within 120000 ms (after 4 attempts)',
      'The baseline answer failed: gemini-3.8-flash did not answer within 120 seconds (tried 4 times).',
    ],
    [
      'baseline: llama: connection error (ECONNREFUSED) (after 4 attempts)',
      'The baseline answer failed: could not reach the model service for llama (connection refused) (tried 4 times).',
    ],
    [
      'embed: gemini-embedding-001: 2 embeddings for 3 texts',
      'Embedding the prompt (for near-duplicate checks) failed: the service returned 2 embeddings for 3 texts.',
    ],
    [
      'response: the answer was cut off at the output token limit (finish reason MAX_TOKENS) (asked twice)',
      'The response failed: the model’s answer was cut off at the output token limit, also when asked again.',
    ],
    [
      'baseline: the answer is 120000 characters long, over the limit of 100000 (--max-answer-chars, traitStudio.generate.maxAnswerChars) (asked twice)',
      'The baseline answer failed: the model’s answer was 120,000 characters long, over the limit of 100,000 characters, also when asked again.',
    ],
    [
      'critique: the answer holds a control character (U+0007) at character 12 (asked twice)',
      'The critique failed: the model’s answer held a control character (U+0007) at character 12, also when asked again.',
    ],
    [
      "unexpected: Cannot read properties of undefined (reading 'x')",
      "This step failed: something unexpected went wrong — “Cannot read properties of undefined (reading 'x')”.",
    ],
  ];
  for (const [stored, sentence] of cases) {
    it(`reads "${stored.slice(0, 60)}"`, () => assert.equal(describeFailure(stored), sentence));
  }

  it('never shows an error class name or a JSON body', () => {
    for (const [stored] of cases) assert.doesNotMatch(describeFailure(stored), /Error\b|\{"|\(asked twice\)|finish reason/);
  });
});

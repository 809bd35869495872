import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PRICES, estimateCost } from '../../server/src/generation/cost';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';

describe('estimateCost', () => {
  it('prices every default stage model', () => {
    for (const model of Object.values(DEFAULT_MODELS)) assert.ok(DEFAULT_PRICES[model], model);
    assert.ok(DEFAULT_PRICES['gemini-2.5-flash-lite']);
  });

  it('adds input and output tokens at USD per million', () => {
    const { usd, unpriced } = estimateCost({
      'gemini-2.5-pro': { inputTokens: 1_000_000, outputTokens: 100_000 },
      'gemini-2.5-flash': { inputTokens: 2_000_000, outputTokens: 0 },
    });
    // pro: 1.25 + 0.1 × 10 = 2.25; flash: 2 × 0.30 = 0.60.
    assert.ok(Math.abs(usd - 2.85) < 1e-9, String(usd));
    assert.deepEqual(unpriced, []);
  });

  it('names a model with no price instead of counting it as free', () => {
    const { usd, unpriced } = estimateCost({
      'gemini-2.5-flash': { inputTokens: 1_000_000, outputTokens: 0 },
      'llama-3.1-8b': { inputTokens: 500, outputTokens: 500 },
      constructor: { inputTokens: 1, outputTokens: 0 },
      'unused-model': { inputTokens: 0, outputTokens: 0 },
    });
    assert.ok(Math.abs(usd - 0.3) < 1e-9, String(usd));
    assert.deepEqual(unpriced, ['constructor', 'llama-3.1-8b']);
  });

  it('uses the prices it is given', () => {
    const prices = { 'my-model': { inputPerMillion: 2, outputPerMillion: 4 } };
    assert.deepEqual(estimateCost({ 'my-model': { inputTokens: 500_000, outputTokens: 250_000 } }, prices), { usd: 2, unpriced: [] });
    assert.deepEqual(estimateCost({ 'gemini-2.5-pro': { inputTokens: 1, outputTokens: 1 } }, prices).unpriced, ['gemini-2.5-pro']);
    assert.deepEqual(estimateCost({}), { usd: 0, unpriced: [] });
  });
});

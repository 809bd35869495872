import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPrices, estimateCost } from '../../server/src/llm/cost';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';

describe('estimateCost', () => {
  it('prices every default stage model, from the model catalogue', () => {
    const prices = defaultPrices(new Date('2026-11-30T12:00:00Z'));
    for (const model of Object.values(DEFAULT_MODELS)) assert.ok(prices[model], model);
    assert.ok(prices['gemini-2.5-flash-lite']);
  });

  it('adds input and output tokens at USD per million, at the prices of the day', () => {
    const tokens = {
      'gemini-3.1-pro-preview': { inputTokens: 1_000_000, outputTokens: 100_000 },
      'gemini-3.8-flash': { inputTokens: 2_000_000, outputTokens: 0 },
    };
    // pro: 2.00 + 0.1 × 12 = 3.20; flash: 2 × 0.75 = 1.50 until 2026-12-31, 2 × 1.50 = 3.00 from 2027.
    const before = estimateCost(tokens, defaultPrices(new Date('2026-12-31T23:00:00Z')));
    assert.ok(Math.abs(before.usd - 4.7) < 1e-9, String(before.usd));
    const after = estimateCost(tokens, defaultPrices(new Date('2027-01-01T00:00:00Z')));
    assert.ok(Math.abs(after.usd - 6.2) < 1e-9, String(after.usd));
    assert.deepEqual(after.unpriced, []);
  });

  it('bills the tokens of prompts over 200k at the long-prompt rate where the model has one', () => {
    const prices = defaultPrices(new Date('2026-11-30T12:00:00Z'));
    const long = { inputTokens: 300_000, outputTokens: 1_000 };
    // 100k short input at 2.00 + 300k long input at 4.00; 1k short output at 12 + 1k long output at 18.
    const { usd } = estimateCost({ 'gemini-3.1-pro-preview': { inputTokens: 400_000, outputTokens: 2_000, longPrompt: long } }, prices);
    assert.ok(Math.abs(usd - (0.2 + 1.2 + 0.012 + 0.018)) < 1e-9, String(usd));
    // No tier (a flash model): the long part costs what the rest does.
    const flat = estimateCost(
      { 'gemini-3.8-flash': { inputTokens: 400_000, outputTokens: 0, longPrompt: { inputTokens: 300_000, outputTokens: 0 } } },
      prices,
    );
    assert.ok(Math.abs(flat.usd - 0.3) < 1e-9, String(flat.usd));
  });

  it('names a model with no price instead of counting it as free', () => {
    const { usd, unpriced } = estimateCost(
      {
        'gemini-3.8-flash': { inputTokens: 1_000_000, outputTokens: 0 },
        'llama-3.1-8b': { inputTokens: 500, outputTokens: 500 },
        'gemini-flash-latest': { inputTokens: 1, outputTokens: 0 },
        constructor: { inputTokens: 1, outputTokens: 0 },
        'unused-model': { inputTokens: 0, outputTokens: 0 },
      },
      defaultPrices(new Date('2026-11-30T12:00:00Z')),
    );
    assert.ok(Math.abs(usd - 0.75) < 1e-9, String(usd));
    assert.deepEqual(unpriced, ['constructor', 'gemini-flash-latest', 'llama-3.1-8b']);
  });

  it('uses the prices it is given', () => {
    const prices = { 'my-model': { inputPerMillion: 2, outputPerMillion: 4 } };
    assert.deepEqual(estimateCost({ 'my-model': { inputTokens: 500_000, outputTokens: 250_000 } }, prices), { usd: 2, unpriced: [] });
    assert.deepEqual(estimateCost({ 'gemini-3.8-flash': { inputTokens: 1, outputTokens: 1 } }, prices).unpriced, ['gemini-3.8-flash']);
    assert.deepEqual(estimateCost({}), { usd: 0, unpriced: [] });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPrices, estimateCost } from '../../server/src/llm/cost';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';
import { addUsage, countCall, emptyUsage } from '../../server/src/llm/usage';

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

  it('bills cached input at the cached rate, and at the input rate when the price has none', () => {
    const prices = defaultPrices(new Date('2026-11-30T12:00:00Z'));
    // 3.8-flash: 600k fresh at 0.75 + 400k cached at 0.075.
    const flash = estimateCost({ 'gemini-3.8-flash': { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 } }, prices);
    assert.ok(Math.abs(flash.usd - (0.45 + 0.03)) < 1e-9, String(flash.usd));
    // pro over 200k: the long part's cached tokens at the long cached rate (0.40), its fresh ones at 4.00.
    const long = { inputTokens: 300_000, outputTokens: 0, cachedInputTokens: 100_000 };
    const pro = estimateCost(
      { 'gemini-3.1-pro-preview': { inputTokens: 400_000, outputTokens: 0, cachedInputTokens: 150_000, longPrompt: long } },
      prices,
    );
    assert.ok(Math.abs(pro.usd - (0.05 * 2 + 0.05 * 0.2 + 0.2 * 4 + 0.1 * 0.4)) < 1e-9, String(pro.usd));
    const custom = estimateCost(
      { mine: { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 500_000 } },
      {
        mine: { inputPerMillion: 2, outputPerMillion: 4 },
      },
    );
    assert.equal(custom.usd, 2);
  });

  it('bills Flex tokens at the Flex rates (half of Standard), the rest at Standard', () => {
    const prices = defaultPrices(new Date('2026-11-30T12:00:00Z'));
    const usage = emptyUsage();
    countCall(usage, 'gemini-3.1-pro-preview', { inputTokens: 100_000, outputTokens: 100_000, tier: 'flex' });
    countCall(usage, 'gemini-3.1-pro-preview', { inputTokens: 100_000, outputTokens: 100_000 });
    countCall(usage, 'gemini-3.8-flash', { inputTokens: 100_000, outputTokens: 0, cachedInputTokens: 100_000, tier: 'flex' });
    assert.deepEqual(usage.byModel['gemini-3.1-pro-preview'].tiers, { flex: { inputTokens: 100_000, outputTokens: 100_000 } });
    const { usd, unpriced } = estimateCost(usage.byModel, prices);
    // pro: 0.2 + 1.2 at Standard, half at Flex; flash: 100k cached at the Flex cached rate (0.0375).
    assert.ok(Math.abs(usd - (1.4 + 0.7 + 0.00375)) < 1e-9, String(usd));
    assert.deepEqual(unpriced, []);
    assert.equal(prices['gemini-embedding-001'].tiers, undefined);
  });

  it('names a tier a model has no price for, rather than billing it at another', () => {
    const prices = { mine: { inputPerMillion: 2, outputPerMillion: 4 } };
    const usage = emptyUsage();
    countCall(usage, 'mine', { inputTokens: 1_000_000, outputTokens: 0, tier: 'flex' });
    countCall(usage, 'mine', { inputTokens: 1_000_000, outputTokens: 0 });
    assert.deepEqual(estimateCost(usage.byModel, prices), { usd: 2, unpriced: ['mine (flex)'] });
  });

  it('adds cached input and tiers across usages, and reads a usage written before either was counted', () => {
    const a = emptyUsage();
    countCall(a, 'm', { inputTokens: 100, outputTokens: 10, cachedInputTokens: 60, tier: 'flex' });
    const total = addUsage(
      addUsage(emptyUsage(), { inputTokens: 5, outputTokens: 1, byModel: { m: { inputTokens: 5, outputTokens: 1 } } }),
      a,
    );
    assert.deepEqual(total, {
      inputTokens: 105,
      outputTokens: 11,
      cachedInputTokens: 60,
      cachedAnswers: 0,
      byModel: {
        m: {
          inputTokens: 105,
          outputTokens: 11,
          cachedInputTokens: 60,
          tiers: { flex: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 60 } },
        },
      },
    });
  });

  it('uses the prices it is given', () => {
    const prices = { 'my-model': { inputPerMillion: 2, outputPerMillion: 4 } };
    assert.deepEqual(estimateCost({ 'my-model': { inputTokens: 500_000, outputTokens: 250_000 } }, prices), { usd: 2, unpriced: [] });
    assert.deepEqual(estimateCost({ 'gemini-3.8-flash': { inputTokens: 1, outputTokens: 1 } }, prices).unpriced, ['gemini-3.8-flash']);
    assert.deepEqual(estimateCost({}), { usd: 0, unpriced: [] });
  });
});

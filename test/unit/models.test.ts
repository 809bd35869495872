import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_AUDIT_MODEL } from '../../server/src/audit/modelPass';
import { count, usd } from '../../server/src/format';
import { DEFAULT_EMBEDDING_MODEL } from '../../server/src/generation/run';
import { DEFAULT_MODELS } from '../../server/src/generation/stages/stage';
import {
  DEFAULT_MODEL,
  listPrice,
  MODEL_CATALOGUE,
  modelInfo,
  thinkingAllowance,
  thinkingConfig,
  thinkingControl,
} from '../../server/src/llm/catalogue';

const TODAY = new Date('2026-11-30T12:00:00Z');
const RETIREMENT = '2026-12-01';

describe('model catalogue', () => {
  it('every default is a live model with a price today: none retires, fast generates, strong judges', () => {
    const defaults = [...Object.values(DEFAULT_MODELS), DEFAULT_AUDIT_MODEL, DEFAULT_EMBEDDING_MODEL];
    for (const id of defaults) {
      const info = modelInfo(id);
      assert.ok(info, `${id} is not in the catalogue`);
      assert.notEqual(info.status, 'retiring', `${id} retires`);
      assert.ok(!info.retires || info.retires > RETIREMENT, `${id} retires on ${info.retires}`);
      assert.ok(listPrice(id, TODAY), `${id} has no price on ${TODAY.toISOString()}`);
      assert.doesNotMatch(id, /^gemini-2\.5-(pro|flash)$|-latest$/, `${id}: a retiring model or an alias`);
    }
    assert.deepEqual(DEFAULT_MODELS, {
      brainstorm: DEFAULT_MODEL.fast,
      baseline: DEFAULT_MODEL.fast,
      critique: DEFAULT_MODEL.strong,
      response: DEFAULT_MODEL.strong,
      autorate: DEFAULT_MODEL.strong,
    });
    assert.equal(DEFAULT_AUDIT_MODEL, DEFAULT_MODEL.fast);
    assert.match(DEFAULT_MODEL.fast, /^gemini-3\.\d+-flash$/);
    assert.match(DEFAULT_MODEL.strong, /^gemini-3\.\d+-pro/);
  });

  it('every price names its source and date, and the spans of a model do not overlap', () => {
    for (const m of MODEL_CATALOGUE) {
      assert.ok(m.purpose, m.id);
      for (const p of m.prices) {
        assert.match(p.asOf, /^\d{4}-\d{2}-\d{2}$/, m.id);
        assert.ok(p.source.length > 20, m.id);
        assert.ok(p.inputPerMillion > 0 && p.outputPerMillion >= 0, m.id);
      }
      for (const day of ['2026-06-01', '2026-11-30', '2026-12-31', '2027-01-01', '2028-01-01']) {
        const d = day;
        const holding = m.prices.filter((p) => (!p.from || p.from <= d) && (!p.until || d <= p.until));
        assert.ok(holding.length <= 1, `${m.id}: ${holding.length} prices on ${day}`);
      }
    }
    assert.equal(listPrice('gemini-3.8-flash', new Date('2026-12-31T23:59:00Z'))?.inputPerMillion, 0.75);
    assert.equal(listPrice('gemini-3.8-flash', new Date('2027-01-01T00:00:00Z'))?.inputPerMillion, 1.5);
    assert.equal(listPrice('gemini-3.1-pro-preview', TODAY)?.longPrompt?.inputPerMillion, 4);
    assert.equal(listPrice('gemini-flash-latest', TODAY), undefined);
  });

  it('Gemini 3 takes a thinking level, 2.5 a budget, lite and embedding models nothing', () => {
    assert.deepEqual(thinkingConfig('gemini-3.1-pro-preview', 'high'), { thinkingLevel: 'high' });
    assert.deepEqual(thinkingConfig('gemini-3.8-flash', 'low'), { thinkingLevel: 'low' });
    // A level the model is not known to take becomes the next one up.
    assert.deepEqual(thinkingConfig('gemini-3.8-flash', 'minimal'), { thinkingLevel: 'low' });
    assert.deepEqual(thinkingConfig('gemini-3.1-pro-preview', 'medium'), { thinkingLevel: 'high' });
    // Not in the catalogue: the family's rule.
    assert.deepEqual(thinkingConfig('gemini-3.9-flash', 'low'), { thinkingLevel: 'low' });
    assert.deepEqual(thinkingConfig('gemini-2.5-flash', 'low'), { thinkingBudget: 1024 });
    assert.deepEqual(thinkingConfig('gemini-2.5-pro', 'high'), { thinkingBudget: -1 });
    assert.equal(thinkingConfig('gemini-3.5-flash-lite', 'high'), undefined);
    assert.equal(thinkingConfig('llama3.1:8b', 'high'), undefined);
    assert.equal(thinkingConfig('gemini-3.8-flash', undefined), undefined);
    assert.deepEqual(thinkingControl('gemini-embedding-001'), { by: 'none' });
  });

  it('allows thinking tokens in estimates by level, none for a model that does not think', () => {
    const full = thinkingAllowance('gemini-3.1-pro-preview');
    assert.ok(full > 0);
    assert.equal(thinkingAllowance('gemini-3.1-pro-preview', 'high'), full);
    assert.ok(thinkingAllowance('gemini-3.8-flash', 'low') < full);
    assert.equal(thinkingAllowance('gemini-3.5-flash-lite'), 0);
    assert.equal(thinkingAllowance('my-local-model'), 0);
  });

  it("the VS Code settings default to the catalogue's models and name them", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const settings = pkg.contributes.configuration.properties;
    for (const role of Object.keys(DEFAULT_MODELS) as (keyof typeof DEFAULT_MODELS)[]) {
      const setting = settings[`traitStudio.models.${role}`];
      assert.equal(setting.default, DEFAULT_MODELS[role], role);
      assert.ok(setting.markdownDescription.includes(`\`${DEFAULT_MODELS[role]}\``), role);
    }
    assert.equal(settings['traitStudio.audit.model'].default, DEFAULT_AUDIT_MODEL);
    assert.ok(!JSON.stringify(pkg).includes('gemini-2.5-'), 'package.json still names a 2.5 model');
  });
});

describe('count and usd', () => {
  it('puts a count and its noun in the right number', () => {
    assert.equal(count(1, 'idea'), '1 idea');
    assert.equal(count(3, 'idea'), '3 ideas');
    assert.equal(count(0, 'idea'), '0 ideas');
    assert.equal(count(1, 'match', 'matches'), '1 match');
    assert.equal(count(2, 'match', 'matches'), '2 matches');
    assert.equal(count(12_000, 'record'), '12,000 records');
  });

  it('shows dollars at a precision that never rounds a small spend to nothing', () => {
    assert.equal(usd(0.0046), '$0.0046');
    assert.equal(usd(0.04), '$0.04');
    assert.equal(usd(0.35), '$0.35');
    assert.equal(usd(12.5), '$12.50');
    assert.equal(usd(1234.567), '$1,234.57');
    assert.equal(usd(0), '$0.00');
  });
});

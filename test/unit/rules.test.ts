import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';
import { RULES } from '../../server/src/rules/registry';
import { readFixture, RULE_FIXTURES, ruleFixtureNames } from './fixtures';

/** Settings that switch every rule off but `name` (a fixture's front matter may still adjust it). */
function only(name: string) {
  return Object.fromEntries(RULES.map((r) => [r.name, r.name === name ? true : 'off'])) as Record<string, boolean | 'off'>;
}

describe('rule fixtures', () => {
  it('every rule has a fixture, and every fixture names a rule', () => {
    assert.deepEqual(ruleFixtureNames().sort(), RULES.map((r) => r.name).sort());
  });

  for (const rule of RULES) {
    it(`${rule.name}: reports exactly the marked lines`, () => {
      const fixture = readFixture(join(RULE_FIXTURES, `${rule.name}.traits.md`));
      assert.ok(fixture.expected.length > 0, 'a fixture must expect at least one finding');
      const { diagnostics } = lintDocument(parseTraitDocument(fixture.text), { settings: [only(rule.name)] });
      const actual = diagnostics.map((d) => `${d.range.start.line + 1}:${d.rule}`).sort();
      assert.deepEqual(actual, fixture.expected, diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
    });
  }
});

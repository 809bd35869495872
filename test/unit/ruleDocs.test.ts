import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { validateConfigFile } from '../../server/src/rules/config';
import { RULES } from '../../server/src/rules/registry';
import { GENERATE_COMMAND, RULES_SETTING, withRulesIndex, withRulesSetting } from '../../scripts/ruleDocs';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

// The rules in server/src/rules are the one source of their metadata; these files are generated from
// them by `npm run docs:rules`, and a rule added or changed without running it fails here.
describe('rule metadata generated from the rules', () => {
  it(`package.json's ${RULES_SETTING} setting matches the rules (else run ${GENERATE_COMMAND})`, () => {
    const text = read('package.json');
    assert.ok(
      withRulesSetting(text) === text,
      `package.json's ${RULES_SETTING} setting is out of date with server/src/rules: run \`${GENERATE_COMMAND}\`.`,
    );
  });

  it(`docs/rules/README.md's rule index matches the rules (else run ${GENERATE_COMMAND})`, () => {
    const text = read('docs/rules/README.md');
    assert.ok(
      withRulesIndex(text) === text,
      `docs/rules/README.md's rule index is out of date with server/src/rules: run \`${GENERATE_COMMAND}\`.`,
    );
  });

  it('the editor setting accepts and rejects what the language server does', () => {
    const setting = JSON.parse(read('package.json')).contributes.configuration.properties[RULES_SETTING];
    const validate = new Ajv({ allowUnionTypes: true, strict: false }).compile(setting);
    const samples = [
      { 'missing-rationale': 'off', TS301: { severity: 'error', budget: 2500 } },
      { 'vague-trait': { minWords: 10, maxVagueRatio: 0.5 } },
      { 'chunk-too-long': { budget: 0 } },
      { 'vague-trait': { budget: 10 } },
      { 'no-such-rule': 'error' },
      { ts301: 'warning' },
      { 'duplicate-trait': 'loud' },
    ];
    for (const lint of samples) assert.equal(validate(lint), validateConfigFile({ lint }).length === 0, JSON.stringify(lint));
  });

  // Each rule's page is written by hand; it must exist and agree with the rule on what the rule is.
  for (const rule of RULES) {
    it(`docs/rules/${rule.name}.md documents ${rule.id}: title, description, default severity, options`, () => {
      const file = join(ROOT, 'docs', 'rules', `${rule.name}.md`);
      assert.ok(existsSync(file), `${rule.id} ${rule.name} has no page docs/rules/${rule.name}.md`);
      const page = readFileSync(file, 'utf8').replace(/\s+/g, ' ');
      assert.ok(
        page.startsWith(`# ${rule.name} (${rule.id}) ${rule.description}.`),
        `the page must open with "# ${rule.name} (${rule.id})" and the rule's description`,
      );
      assert.ok(
        page.includes(`- Default severity: \`${rule.defaultSeverity}\``),
        `the page must give the default severity \`${rule.defaultSeverity}\``,
      );
      const options = Object.entries(rule.options as Record<string, unknown>);
      if (!options.length) assert.ok(page.includes('- Options: none'), 'the page must say "- Options: none"');
      for (const [key, value] of options) {
        assert.match(
          page,
          new RegExp(`- \`${key}\`: [^;]*default \`${JSON.stringify(value)}\``),
          `the page must list option \`${key}\` with its default \`${value}\``,
        );
      }
    });
  }
});

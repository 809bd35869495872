import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { lintDocument } from '../../server/src/rules/lint';
import { findRule, RULES, ruleDocsPath } from '../../server/src/rules/registry';
import type { TraitDocument } from '../../server/src/document/model';
import type { ReviewedTension } from '../../server/src/review/types';
import { readFixture, RULE_FIXTURES, ruleFixtureNames } from './fixtures';

/** Settings that switch every rule off but `name` (a fixture's front matter may still adjust it). */
function only(name: string) {
  return Object.fromEntries(RULES.map((r) => [r.name, r.name === name ? true : 'off'])) as Record<string, boolean | 'off'>;
}

/** A range as `line:character-line:character`, 1-based lines and 0-based characters (as editors show them). */
function at(range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  return `${range.start.line + 1}:${range.start.character}-${range.end.line + 1}:${range.end.character}`;
}

describe('rule fixtures', () => {
  it('every rule has a fixture, and every fixture names a rule', () => {
    assert.deepEqual(ruleFixtureNames().sort(), RULES.map((r) => r.name).sort());
  });

  for (const rule of RULES) {
    it(`${rule.name}: reports exactly the marked lines`, () => {
      const fixture = readFixture(join(RULE_FIXTURES, `${rule.name}.traits.md`));
      assert.ok(fixture.expected.length > 0, 'a fixture must expect at least one finding');
      const document = parseTraitDocument(fixture.text);
      const { diagnostics } = lintDocument(document, { settings: [only(rule.name)], tensions: reviewTensions(rule.name, document) });
      const actual = diagnostics.map((d) => `${d.range.start.line + 1}:${d.rule}`).sort();
      assert.deepEqual(actual, fixture.expected, diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
    });
  }
});

/**
 * The review input of a rule that reads one (unweighed-tension): `<name>.tensions.json` beside the
 * fixture, its pairs given the traits' current chunks, or an older text for a pair marked `stale`.
 */
function reviewTensions(name: string, document: TraitDocument): ReviewedTension[] | undefined {
  const file = join(RULE_FIXTURES, `${name}.tensions.json`);
  if (!existsSync(file)) return undefined;
  const { tensions } = JSON.parse(readFileSync(file, 'utf8')) as {
    tensions: { a: string; b: string; situation: string; weighed: boolean; quote?: string; stale?: boolean }[];
  };
  const chunk = (id: string) => document.traits.find((t) => t.id === id)?.chunk ?? '';
  return tensions.map(({ stale, quote, ...t }) => ({
    tension: { ...t, quote: quote ?? null, verified: !!quote, source: 'model' },
    chunks: [stale ? 'an older text of the trait' : chunk(t.a), chunk(t.b)],
  }));
}

// What an author sees of each finding (where it points, its severity, its words, its quick fix and
// related places), for every rule's fixture: test/fixtures/rules/NAME.findings.txt, one finding per
// line in document order, a fix's edits and a related place indented under it.
describe('rule findings as the author sees them', () => {
  for (const rule of RULES) {
    it(`${rule.name}: ranges, severity, message, fix and related places`, () => {
      const fixture = readFixture(join(RULE_FIXTURES, `${rule.name}.traits.md`));
      const document = parseTraitDocument(fixture.text);
      const { diagnostics } = lintDocument(document, { settings: [only(rule.name)], tensions: reviewTensions(rule.name, document) });
      const actual = diagnostics.flatMap((d) => [
        `${at(d.range)} ${d.severity}: ${d.message}`,
        ...(d.fix
          ? [`  fix "${d.fix.title}": ${d.fix.edits.map((e) => `${at(e.range)} -> ${JSON.stringify(e.newText)}`).join(', ')}`]
          : []),
        ...d.related.map((r) => `  related ${at(r.range)}: ${r.message}`),
      ]);
      const expected = readFileSync(join(RULE_FIXTURES, `${rule.name}.findings.txt`), 'utf8')
        .split('\n')
        .filter(Boolean);
      assert.deepEqual(actual, expected);
    });
  }
});

// `trait-studio rules`, completions and the docs all describe a rule: its page must say what the
// registry says (name, id, description, default severity), and the rule be found by name or id.
describe('rule documentation', () => {
  for (const rule of RULES) {
    it(`${rule.name}: ${ruleDocsPath(rule)} heads with its name, id, description and default severity`, () => {
      const [heading, , description, , severity] = readFileSync(join(__dirname, '..', '..', ruleDocsPath(rule)), 'utf8').split('\n');
      assert.equal(heading, `# ${rule.name} (${rule.id})`);
      assert.equal(description, rule.description.endsWith('.') ? rule.description : `${rule.description}.`);
      assert.equal(severity, `- Default severity: \`${rule.defaultSeverity}\``);
      assert.equal(findRule(rule.id.toLowerCase()), rule);
      assert.equal(findRule(rule.name), rule);
    });
  }
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folder of fixture documents, one per rule: `test/fixtures/rules/<rule-name>.traits.md`. */
export const RULE_FIXTURES = join(__dirname, '..', 'fixtures', 'rules');

const MARKER = /[ \t]*<!--\s*expect:\s*([^>]*?)\s*-->/g;

/** A fixture with its expectation markers removed and the expectations they stated. */
export interface Fixture {
  readonly name: string;
  readonly text: string;
  /** Expected findings as `line:rule` strings (1-based line), one entry per expected finding. */
  readonly expected: string[];
}

/**
 * Reads a fixture. A line ending in `<!-- expect: rule-a, rule-b -->` expects a finding of each
 * listed rule starting on that line (list a rule twice to expect two). The markers are cut out
 * before linting; they stand at the end of a line, so no position before them moves.
 */
export function readFixture(path: string): Fixture {
  const source = readFileSync(path, 'utf8');
  const expected: string[] = [];
  const lines = source.split('\n').map((line, i) =>
    line.replace(MARKER, (_m, rules: string) => {
      for (const rule of rules.split(/[\s,]+/).filter(Boolean)) expected.push(`${i + 1}:${rule}`);
      return '';
    }),
  );
  return { name: path, text: lines.join('\n'), expected: expected.sort() };
}

/** Names of the rule fixtures present. */
export function ruleFixtureNames(): string[] {
  return readdirSync(RULE_FIXTURES)
    .filter((f) => f.endsWith('.traits.md'))
    .map((f) => f.slice(0, -'.traits.md'.length));
}

/** The OpenAI Model Spec (CC0), kept unchanged in the test fixtures: a real document nobody here wrote. */
export const MODEL_SPEC = join(__dirname, '..', 'fixtures', 'corpus', 'openai-model-spec.md');

// Writes the rule metadata that is generated from server/src/rules: package.json's `traitStudio.rules`
// setting and the index of docs/rules/README.md. test/unit/ruleDocs.test.ts fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRulesIndex, withRulesSetting } from './ruleDocs';

const root = join(__dirname, '..');
for (const [file, generate] of [
  ['package.json', withRulesSetting],
  ['docs/rules/README.md', withRulesIndex],
] as const) {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const after = generate(before);
  if (after === before) {
    console.log(`${file}: up to date`);
  } else {
    writeFileSync(path, after);
    console.log(`${file}: written`);
  }
}

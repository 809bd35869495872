import { RULES, ruleDocsPath } from '../rules/registry';
import type { CliOutput } from './output';

/** `trait-studio rules`: lists every rule with its id, default severity and description. */
export function runRules(out: CliOutput): number {
  for (const rule of RULES) {
    out.stdout(`${rule.id}  ${rule.name.padEnd(26)} ${rule.defaultSeverity.padEnd(11)} ${rule.description}  (${ruleDocsPath(rule)})\n`);
  }
  return 0;
}

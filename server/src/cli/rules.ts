import { RULES, ruleDocsPath } from '../rules/registry';
import { UsageError } from './io';
import type { CliOutput } from './output';

export const RULES_USAGE = `Usage: trait-studio rules

Lists every lint rule: its id, name, default severity, what it checks and its documentation page.
Set severities and options in .traitsrc.json / .traitsrc.yaml or the front matter's lint: mapping.
`;

/** `trait-studio rules`: lists every rule with its id, default severity and description. */
export function runRules(argv: string[], out: CliOutput): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.stdout(RULES_USAGE);
    return 0;
  }
  if (argv.length) throw new UsageError(`rules takes no arguments\n\n${RULES_USAGE}`);
  for (const rule of RULES) {
    out.stdout(`${rule.id}  ${rule.name.padEnd(26)} ${rule.defaultSeverity.padEnd(11)} ${rule.description}  (${ruleDocsPath(rule)})\n`);
  }
  return 0;
}

import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTraitDocument } from '../document/parse';
import type { LintSettings } from '../rules/config';
import { ConfigError, ConfigFiles, loadConfigFile } from '../rules/configFile';
import { lintDocument } from '../rules/lint';
import type { LintDiagnostic } from '../rules/rule';
import { expandInputs, readTextFile, UsageError } from './io';
import type { CliOutput } from './output';
import { visible } from './sanitize';

export const LINT_USAGE = `Usage: trait-studio lint FILES|GLOBS|FOLDERS... [--format text|json] [--config FILE]

Lints trait documents. A folder means every *.traits.md under it. A file that is not a regular
file (a FIFO, a device) or is larger than 10 MiB is skipped with a message (exit status 2).
  --format text   file:line:col severity rule message (default)
  --format json   [{ "file", "traits", "diagnostics": [{ "rule", "severity", "message", "range", "trait" }] }]
  --config FILE   use this .traitsrc file instead of the nearest one up the folder tree
Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.
`;

/** The JSON contract of one linted file. */
interface FileResult {
  file: string;
  traits: number;
  diagnostics: {
    rule: string;
    severity: string;
    message: string;
    range: LintDiagnostic['range'];
    trait: string | null;
  }[];
}

/** `trait-studio lint`: returns the exit status. */
export async function runLint(argv: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.stdout(LINT_USAGE);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  if (!positionals.length) throw new UsageError(`no files given\n\n${LINT_USAGE}`);

  const explicitConfig = values.config === undefined ? undefined : loadConfigFile(values.config);
  const configFiles = new ConfigFiles();
  const settingsFor = (file: string): LintSettings | undefined => explicitConfig ?? configFiles.settingsFor(dirname(file));

  const files = await expandInputs(positionals);
  const results: FileResult[] = [];
  const ioProblems: string[] = [];
  for (const file of files) {
    let text: string;
    let settings: LintSettings | undefined;
    try {
      text = readTextFile(file);
      settings = settingsFor(file);
    } catch (error) {
      if (!(error instanceof UsageError) && !(error instanceof ConfigError)) throw error;
      ioProblems.push(error.message);
      continue;
    }
    const document = parseTraitDocument(text);
    const { diagnostics } = lintDocument(document, { settings: settings ? [settings] : [] });
    results.push({
      file,
      traits: document.traits.length,
      diagnostics: diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, range: d.range, trait: d.trait })),
    });
  }

  if (values.format === 'json') {
    out.stdout(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) {
        out.stdout(`${visible(`${r.file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.rule} ${d.message}`)}\n`);
      }
    }
    out.stderr(summary(results) + '\n');
  }
  for (const problem of ioProblems) out.stderr(`trait-studio: ${problem}\n`);
  if (ioProblems.length) return 2;
  return results.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

function summary(results: readonly FileResult[]): string {
  const count = (s: string) => results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === s).length, 0);
  const traits = results.reduce((n, r) => n + r.traits, 0);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(results.length, 'file')}, ${plural(traits, 'trait')}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('information')} information, ${plural(count('hint'), 'hint')}`;
}

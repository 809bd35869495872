import { dirname } from 'node:path';
import { parseArgs, styleText } from 'node:util';
import { parseTraitDocument } from '../document/parse';
import { assessTraitLikeness } from '../document/traitLikeness';
import type { LintSettings } from '../rules/config';
import { ConfigError, ConfigFiles, loadConfigFile } from '../rules/configFile';
import { lintDocument } from '../rules/lint';
import type { LintDiagnostic } from '../rules/rule';
import { expandInputs, readTextFile, TRAIT_FILE, UsageError } from './io';
import type { CliOutput } from './output';
import { visible } from './sanitize';

export const LINT_USAGE = `Usage: trait-studio lint FILES|GLOBS|FOLDERS... [--format text|json] [--config FILE] [--force]

Lints trait documents. A folder means every *.traits.md under it. Any other Markdown file is linted
when it looks like a trait document (trait front matter, Why or Trade-offs parts, or sections that
instruct a model, as the Model Spec's do); otherwise it is skipped with one line saying why. A file
that is not a regular file (a FIFO, a device) or is larger than 10 MiB is skipped with a message
(exit status 2). Control characters in headings and file names are printed as visible escapes
(\\x1b) in text output; JSON keeps them as they are.
  --format text   on a terminal: findings grouped by file, coloured by severity (not with NO_COLOR);
                  piped: one "file:line:col severity rule message" line each (default)
  --format json   [{ "file", "traits", "diagnostics": [{ "rule", "severity", "message", "range", "trait" }] }];
                  a skipped file has no diagnostics and "skipped": why
  --force         lint every file given, whether or not it looks like a trait document
  --config FILE   use this .traitsrc file instead of the nearest one up the folder tree
Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem, or every file skipped.
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
  /** Set when the file was not linted: why it does not look like a trait document. */
  skipped?: string;
}

/** `trait-studio lint`: returns the exit status. */
export async function runLint(argv: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      config: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
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
    const likeness = values.force || TRAIT_FILE.test(file) ? undefined : assessTraitLikeness(document);
    if (likeness && !likeness.looksLikeTraits) {
      const skipped = `does not look like a trait document (${likeness.why})`;
      results.push({ file, traits: document.traits.length, diagnostics: [], skipped });
      out.stderr(`trait-studio: ${visible(file)} ${skipped}; skipped — pass --force to lint it anyway, or name it *.traits.md\n`);
      continue;
    }
    const { diagnostics } = lintDocument(document, { settings: settings ? [settings] : [] });
    results.push({
      file,
      traits: document.traits.length,
      diagnostics: diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, range: d.range, trait: d.trait })),
    });
  }

  const linted = results.filter((r) => r.skipped === undefined);
  if (values.format === 'json') {
    out.stdout(JSON.stringify(results, null, 2) + '\n');
  } else {
    out.stdout(out.isTTY ? groupedReport(linted, !!out.color) : lineReport(linted));
    out.stderr(summary(results) + '\n');
  }
  for (const problem of ioProblems) out.stderr(`trait-studio: ${problem}\n`);
  if (ioProblems.length || (results.length && !linted.length)) return 2;
  return linted.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

/** One `file:line:col severity rule message` line per finding (1-based), for pipes and problem matchers; control characters shown as escapes (sanitize.ts). */
function lineReport(results: readonly FileResult[]): string {
  return results
    .flatMap((r) =>
      r.diagnostics.map(
        (d) => `${visible(`${r.file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.rule} ${d.message}`)}\n`,
      ),
    )
    .join('');
}

const SEVERITY_STYLE = { error: 'red', warning: 'yellow', information: 'blue', hint: 'gray' } as const;

/**
 * For a terminal: each file with findings as a heading, then its findings in aligned columns
 * (line:col, severity, rule, message), severities in colour when `color`. The document's text (file
 * name, messages quoting headings) has its control characters shown as escapes before any styling.
 */
function groupedReport(results: readonly FileResult[], color: boolean): string {
  const style = (format: Parameters<typeof styleText>[0], text: string) =>
    color ? styleText(format, text, { validateStream: false }) : text;
  const blocks: string[] = [];
  for (const r of results) {
    if (!r.diagnostics.length) continue;
    const at = r.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}`);
    const atWidth = Math.max(...at.map((a) => a.length));
    const severityWidth = Math.max(...r.diagnostics.map((d) => d.severity.length));
    const ruleWidth = Math.max(...r.diagnostics.map((d) => d.rule.length));
    const lines = r.diagnostics.map((d, i) => {
      const severity = style(SEVERITY_STYLE[d.severity as keyof typeof SEVERITY_STYLE] ?? 'reset', d.severity.padEnd(severityWidth));
      return `  ${style('dim', at[i].padStart(atWidth))}  ${severity}  ${style('dim', d.rule.padEnd(ruleWidth))}  ${visible(d.message)}`;
    });
    blocks.push(`${style('underline', visible(r.file))}\n${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}

function summary(results: readonly FileResult[]): string {
  const linted = results.filter((r) => r.skipped === undefined);
  const count = (s: string) => linted.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === s).length, 0);
  const traits = linted.reduce((n, r) => n + r.traits, 0);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const skipped = results.length - linted.length;
  const skippedNote = `${plural(skipped, 'file')} skipped (${skipped === 1 ? 'not a trait document' : 'not trait documents'})`;
  if (skipped && !linted.length) return `Nothing linted: ${skippedNote}`;
  return (
    `${plural(linted.length, 'file')}, ${plural(traits, 'trait')}: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('information')} information, ${plural(count('hint'), 'hint')}` +
    (skipped ? `; ${skippedNote}` : '')
  );
}

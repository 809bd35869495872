import { redact } from '../providers/redact';
import { ConfigError } from '../rules/configFile';
import { AUDIT_USAGE, runAudit } from './audit';
import { UsageError } from './io';
import { GENERATE_USAGE, runGenerate } from './generate';
import { LINT_USAGE, runLint } from './lint';
import { LSP_USAGE, runLsp } from './lsp';
import { OUTLINE_USAGE, runOutline } from './outline';
import { PREVIEW_USAGE, runPreview } from './preview';
import { processOutput, type CliOutput } from './output';
import { runRules } from './rules';

declare const TRAIT_STUDIO_VERSION: string | undefined;

const USAGE = `Usage: trait-studio <command> [options]

Commands:
  lint FILES|GLOBS|FOLDERS...   lint trait documents
  outline FILE                  groups and traits, with what each trait states
  rules                         list the lint rules
  preview FILE --trait ID       scenarios and responses the SFT pipeline would make for a trait
  generate FILE --out DIR       an SFT (and midtraining) dataset from a trait document; resumable
  audit DATASET.jsonl           the surface patterns a dataset over-teaches; audit filter drops them
  lsp --stdio                   run the language server for other editors

Run "trait-studio <command> --help" for a command's options.

${LINT_USAGE}
${OUTLINE_USAGE}
${PREVIEW_USAGE}
${GENERATE_USAGE}
${AUDIT_USAGE}
${LSP_USAGE}`;

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status:
 * a command's own status, or 2 for a usage, config or I/O problem (message on stderr).
 */
export async function main(argv: string[], output: CliOutput = processOutput): Promise<number> {
  // Messages on stderr (progress, warnings, errors) are redacted: a credential a provider echoed
  // never reaches a terminal or a CI log. stdout is data and is left exact.
  const out: CliOutput = { stdout: (t) => output.stdout(t), stderr: (t) => output.stderr(redact(t)), isTTY: output.isTTY };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return await runLint(rest, out);
      case 'outline':
        return await runOutline(rest, out);
      case 'rules':
        return runRules(out);
      case 'lsp':
        return await runLsp(rest, out);
      case 'preview':
        return await runPreview(rest, out);
      case 'generate':
        return await runGenerate(rest, out);
      case 'audit':
        return await runAudit(rest, out);
      case '--version':
      case '-v':
        out.stdout(`${typeof TRAIT_STUDIO_VERSION === 'string' ? TRAIT_STUDIO_VERSION : 'dev'}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    // parseArgs reports unknown options and missing values with codes starting ERR_PARSE_ARGS.
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || error instanceof ConfigError || code?.startsWith('ERR_PARSE_ARGS')) {
      out.stderr(`trait-studio: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

import leven from 'leven';
import { redact } from '../llm/redact';
import { ConfigError } from '../rules/configFile';
import { runAudit } from './audit';
import { UsageError } from './io';
import { runGenerate } from './generate';
import { runLint } from './lint';
import { runLsp } from './lsp';
import { runModels } from './models';
import { runOutline } from './outline';
import { runPreview } from './preview';
import { runProbe } from './probe';
import { runReview } from './review';
import { processOutput, type CliOutput } from './output';
import { runRules } from './rules';

declare const TRAIT_STUDIO_VERSION: string | undefined;

interface Command {
  readonly name: string;
  /** How it is called, as the top-level help lists it. */
  readonly synopsis: string;
  /** One line: what it does. Its options are under `trait-studio NAME --help`. */
  readonly summary: string;
  run(argv: string[], out: CliOutput): Promise<number> | number;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  { name: 'lint', synopsis: 'lint FILES|GLOBS|FOLDERS...', summary: 'lint trait documents', run: runLint },
  { name: 'outline', synopsis: 'outline FILE', summary: 'groups and traits, with what each trait states', run: runOutline },
  { name: 'rules', synopsis: 'rules', summary: 'list the lint rules', run: runRules },
  {
    name: 'review',
    synopsis: 'review FILE',
    summary: 'a model reviews each trait: reason, trade-offs, exceptions, with quotes',
    run: runReview,
  },
  {
    name: 'preview',
    synopsis: 'preview FILE --trait ID',
    summary: 'scenarios and responses the SFT pipeline would make for a trait',
    run: runPreview,
  },
  {
    name: 'generate',
    synopsis: 'generate FILE --out DIR',
    summary: 'an SFT (and midtraining) dataset from a trait document; resumable',
    run: runGenerate,
  },
  {
    name: 'probe',
    synopsis: 'probe FILE --trait ID',
    summary: 'multi-turn adversarial probes of a model against a trait; knowledge check',
    run: runProbe,
  },
  {
    name: 'audit',
    synopsis: 'audit DATASET.jsonl',
    summary: 'the surface patterns a dataset over-teaches; audit filter drops them',
    run: runAudit,
  },
  {
    name: 'models',
    synopsis: 'models',
    summary: 'the model catalogue: prices with their dates and sources, thinking, defaults',
    run: runModels,
  },
  { name: 'lsp', synopsis: 'lsp --stdio', summary: 'run the language server for other editors', run: runLsp },
];

const width = Math.max(...COMMANDS.map((c) => c.synopsis.length)) + 2;
const USAGE = `Usage: trait-studio <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`).join('\n')}

Run "trait-studio <command> --help" for a command's options; "trait-studio --version" for the version.
`;

/**
 * The command names closest to `word` by edit distance (case ignored): those at the smallest
 * distance, if it is at most 2 and at most half the word's length (so "lnit" → lint, "xyz" → none).
 */
export function closestCommands(word: string): string[] {
  const scored = COMMANDS.map((c) => ({ name: c.name, distance: leven(word.toLowerCase(), c.name) }));
  const best = Math.min(...scored.map((s) => s.distance));
  if (best > 2 || best > Math.ceil(word.length / 2)) return [];
  return scored.filter((s) => s.distance === best).map((s) => s.name);
}

function unknownCommand(word: string): UsageError {
  const what = word.startsWith('-') ? `unknown option "${word}"` : `unknown command "${word}"`;
  const close = closestCommands(word.replace(/^-+/, ''));
  const hint = close.length ? `; did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : '';
  return new UsageError(`${what}${hint}\nRun "trait-studio --help" for the commands.`);
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status:
 * a command's own status, or 2 for a usage, config or I/O problem (message on stderr).
 */
export async function main(argv: string[], output: CliOutput = processOutput): Promise<number> {
  // Messages on stderr (progress, warnings, errors) are redacted: a credential a provider echoed
  // never reaches a terminal or a CI log. stdout is data and is left exact.
  const out: CliOutput = {
    stdout: (t) => output.stdout(t),
    stderr: (t) => output.stderr(redact(t)),
    isTTY: output.isTTY,
    color: output.color,
  };
  const [name, ...rest] = argv;
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return await command.run(rest, out);
    switch (name) {
      case '--version':
      case '-v':
        out.stdout(`${typeof TRAIT_STUDIO_VERSION === 'string' ? TRAIT_STUDIO_VERSION : 'dev'}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        // `trait-studio help lint` is `trait-studio lint --help`.
        if (name === 'help' && rest.length) return await main([rest[0], '--help'], out);
        (name === undefined ? out.stderr : out.stdout)(USAGE);
        return name === undefined ? 2 : 0;
      default:
        throw unknownCommand(name);
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

import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from '../lsp/server';
import { UsageError } from './io';
import type { CliOutput } from './output';

export const LSP_USAGE = `Usage: trait-studio lsp --stdio

Runs the Trait Studio language server over standard input and output, for editors other than VS Code.
`;

/** `trait-studio lsp --stdio`: serves until the client exits; resolves never (the process ends). */
export function runLsp(argv: string[], out: CliOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.stdout(LSP_USAGE);
    return Promise.resolve(0);
  }
  if (argv.length !== 1 || argv[0] !== '--stdio') throw new UsageError(`lsp needs --stdio\n\n${LSP_USAGE}`);
  startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)));
  return new Promise<number>(() => undefined);
}

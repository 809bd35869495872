import {
  createConnection,
  ErrorCodes,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  type ResponseMessage,
} from 'vscode-languageserver/node';
import { LspHeaderGuard } from '../lsp/headerGuard';
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
  const writer = new StreamMessageWriter(process.stdout);
  // A message whose header has no valid Content-Length is answered with a parse error (id null, as
  // JSON-RPC 2.0 says when the id cannot be known) and skipped; the messages after it are read.
  const guard = new LspHeaderGuard((reason) => {
    process.stderr.write(`trait-studio lsp: ${reason}\n`);
    const error: ResponseMessage = {
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCodes.ParseError, message: `Trait Studio: ${reason}.` },
    };
    void writer.write(error).catch(() => undefined);
  });
  process.stdin.pipe(guard);
  startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(guard), writer));
  return new Promise<number>(() => undefined);
}

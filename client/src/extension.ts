import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { PREVIEW_COMMAND, PROBE_COMMAND, REVIEW_COMMAND, type InitializationOptions } from '../../server/src/lsp/protocol';
import { registerApiKeyCommands } from './commands/apiKey';
import { registerAudit } from './commands/audit';
import { registerGenerate } from './commands/generate';
import { registerPreview } from './commands/preview';
import { resendKeptReview } from './commands/keptReview';
import { registerProbe } from './commands/probe';
import { registerReview } from './commands/review';
import { PolicyCache } from './commands/modelSetup';
import { registerPromptTemplates } from './commands/promptTemplates';
import { registerRuns } from './commands/runs';
import { crashHandler } from './crashHandler';
import { registerLintWorkspace } from './lintWorkspace';
import { StatusItem } from './statusItem';
import { redactingLog } from './redactingLog';

/** What `activate` returns: tests and other extensions await `ready` instead of sleeping. */
export interface TraitStudioApi {
  /** Resolves once the language server is running (again, after a restart). */
  readonly ready: Promise<void>;
  /** Fires when the server starts running again after it stopped (a crash and automatic restart). */
  readonly onDidRestart: vscode.Event<void>;
}

let client: LanguageClient | undefined;

/**
 * Starts the language server (dist/server.js over node IPC) for `traits` documents and registers
 * the commands: restart the server, lint the workspace, show the output, set the API key, preview a
 * trait's scenarios, generate datasets (the generation pipeline runs here, in the extension host)
 * and audit them, and the Runs view with its reports.
 */
export function activate(context: vscode.ExtensionContext): TraitStudioApi {
  const started = Date.now();
  // Every message is redacted before it is written: a provider error may echo a key.
  const log = redactingLog(vscode.window.createOutputChannel('Trait Studio', { log: true }));
  const status = new StatusItem();
  context.subscriptions.push(log, status);

  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'traits' }],
    synchronize: {
      configurationSection: 'traitStudio',
      // A changed .traitsrc changes the findings of every document under it.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/.traitsrc{.json,.yaml,.yml}'),
    },
    outputChannel: log,
    traceOutputChannel: log,
    errorHandler: crashHandler(log, () => status.set('crashed')),
    diagnosticPullOptions: { onChange: true, onSave: true },
    initializationOptions: { previewCommand: true, reviewCommand: true } satisfies InitializationOptions,
    middleware: {
      // Preview, review and probe are off in Restricted Mode (they send text to a model): no lenses for them there.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        const modelCommands = new Set([PREVIEW_COMMAND, REVIEW_COMMAND, PROBE_COMMAND]);
        return vscode.workspace.isTrusted ? lenses : lenses?.filter((lens) => !modelCommands.has(lens.command?.command ?? ''));
      },
      // The server forgets a document's model review when the document closes, the window reloads or
      // the server restarts: once it has the document open again, give it the kept review (no model call).
      didOpen: async (document, next) => {
        await next(document);
        void resendKeptReview(context.workspaceState, client, document.uri.toString()).catch((error: unknown) =>
          log.warn(`Restoring the review of ${document.uri.toString()}: ${error instanceof Error ? error.message : String(error)}`),
        );
      },
    },
  };

  // Previews and runs share request policies, so a model's rate limit holds across them.
  const policies = new PolicyCache();
  const runsChanged = new vscode.EventEmitter<string>();
  const restarted = new vscode.EventEmitter<void>();
  context.subscriptions.push(restarted);
  const start = async () => {
    client = new LanguageClient('traitStudio', 'Trait Studio', serverOptions, clientOptions);
    let stopped = false;
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped) stopped = true;
      if (newState === State.Running && stopped) {
        stopped = false;
        status.set('running');
        restarted.fire();
      }
    });
    status.set('starting');
    await client.start();
    status.set('running');
    log.info(`Language server running (${Date.now() - started} ms after activation began).`);
  };

  let ready = start();
  let restarting: Promise<void> = Promise.resolve();
  const api: TraitStudioApi = {
    get ready() {
      return ready;
    },
    onDidRestart: restarted.event,
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('traitStudio.restartServer', () => {
      // Restarts queue behind each other, so two quick ones cannot leave two servers running.
      restarting = restarting.then(async () => {
        log.info('Restarting the language server.');
        status.set('starting');
        const old = client;
        client = undefined;
        // stop() throws when the client never finished starting (a server that crashes on start).
        await old
          ?.stop()
          .catch((error: unknown) => log.warn(`Stopping the old server: ${error instanceof Error ? error.message : String(error)}`));
        await old?.dispose().catch(() => undefined);
        ready = start();
        await ready.catch((error: unknown) => {
          status.set('crashed');
          log.error(`The language server did not restart: ${error instanceof Error ? error.message : String(error)}`);
        });
      });
      return restarting;
    }),
    vscode.commands.registerCommand('traitStudio.showOutput', () => log.show()),
    registerLintWorkspace(() => client, log),
    registerApiKeyCommands(context.secrets, log),
    registerPreview(context, log, policies),
    registerGenerate(context, log, policies, runsChanged),
    registerRuns(context, log, runsChanged.event),
    registerAudit(context, log, policies),
    registerReview(context, log, policies, () => client),
    registerProbe(context, log, policies),
    runsChanged,
    registerPromptTemplates(),
    { dispose: () => void client?.stop() },
  );
  // Activation does not wait for the server: the editor stays responsive while it starts, and
  // `ready` tells tests and other extensions when it runs.
  ready.catch((error: unknown) => {
    status.set('crashed');
    log.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
  });
  log.info(`Activated in ${Date.now() - started} ms.`);
  return api;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

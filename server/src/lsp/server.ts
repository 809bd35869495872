import {
  CodeActionKind,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type TextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EditorDocument } from './editorDocument';
import type { AnalysisMethod, AnalysisRequests } from './analysis';
import { AnalysisWorkers } from './analysisWorkers';
import { FIX_ALL_KIND } from './codeActions';
import { limitDiagnostic, stoppedDiagnostic, tooLarge, type Stop } from './limits';
import {
  DEFAULT_SETTINGS,
  LINT_TEXTS_REQUEST,
  readServerSettings,
  SET_REVIEW_REQUEST,
  SETTINGS_SECTION,
  type InitializationOptions,
  type LintTextsParams,
  type LintTextsResult,
  type ServerSettings,
  type SetReviewParams,
} from './protocol';

/**
 * Serves trait documents over `connection`: diagnostics, symbols, folding, hover, completion,
 * definition, references, rename, code actions, code lenses and workspace lint. Used by the VS Code
 * extension (node IPC) and by `trait-studio lsp --stdio` for other editors.
 *
 * This thread only keeps the documents in step with the editor and routes requests: each document is
 * parsed, linted and answered in its own worker thread (AnalysisWorkers), so a slow or huge document
 * delays only its own requests, never a hover on another one. Each request has a time budget
 * (`traitStudio.lint.timeBudgetSeconds`) and documents beyond `traitStudio.lint.maxDocumentSizeMB`
 * are not analysed; both are said in a diagnostic on the document.
 *
 * Diagnostics are pulled (LSP 3.17 `textDocument/diagnostic`) rather than pushed: the editor asks for
 * the documents it shows and cancels a request when a newer edit arrives (the worker then stops the
 * lint at its next rule, as it does when it sees the newer version itself), and re-asks after
 * `workspace/diagnostic/refresh`, which the server sends when settings change. A worker lints each
 * version once; hovers and lenses reuse the result.
 */
export function startServer(connection: Connection): void {
  const documents = new Map<string, EditorDocument>();
  const workers = new AnalysisWorkers({ log: (m) => connection.console.log(m) });
  /** Documents whose lint stopped (budget, failure), with what to show until they shrink or settings change. */
  const stopped = new Map<string, Stop>();
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let canReadConfiguration = false;
  let canRefreshDiagnostics = false;
  let canRefreshCodeLenses = false;
  /** The client applies LSP 3.18 snippet text edits: the part fixes then leave the cursor in a placeholder. */
  let snippetEdits = false;
  let previewCommand = false;
  let reviewCommand = false;

  const budgetMs = () => settings.lint.timeBudgetSeconds * 1000;

  // Every handler is wrapped: an exception in one request is logged and answered empty rather than
  // taking the server down.
  const safe =
    <A extends unknown[], R>(name: string, fallback: R, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
      }
    };

  connection.onInitialize((params): InitializeResult => {
    canReadConfiguration = !!params.capabilities.workspace?.configuration;
    canRefreshDiagnostics = !!params.capabilities.workspace?.diagnostics?.refreshSupport;
    canRefreshCodeLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    snippetEdits = !!params.capabilities.workspace?.workspaceEdit?.snippetEditSupport;
    previewCommand = !!(params.initializationOptions as InitializationOptions | undefined)?.previewCommand;
    reviewCommand = !!(params.initializationOptions as InitializationOptions | undefined)?.reviewCommand;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false },
        documentSymbolProvider: { label: 'Traits' },
        foldingRangeProvider: true,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['[', '#', ' '] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'Trait Studio language server' },
    };
  });

  // Settings (and .traitsrc files) changed: drop lint results and have the editor ask again.
  const reloadSettings = async () => {
    if (canReadConfiguration) {
      try {
        const [section] = (await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }])) as [
          Partial<ServerSettings> | null,
        ];
        settings = readServerSettings(section);
      } catch (error) {
        connection.console.error(`Reading the traitStudio settings failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else {
      settings = DEFAULT_SETTINGS;
    }
    stopped.clear();
    workers.setSettings(settings);
    if (canRefreshDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
    if (canRefreshCodeLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  };
  connection.onInitialized(() => void reloadSettings());
  connection.onDidChangeConfiguration(() => void reloadSettings());
  connection.onDidChangeWatchedFiles(() => void reloadSettings());

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    documents.set(t.uri, new EditorDocument(t.uri, t.languageId, t.version, t.text));
  });
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return;
    doc.update(contentChanges, textDocument.version);
    if (tooLarge(doc, settings.lint)) workers.closed(doc.uri);
    else workers.changed(doc, contentChanges);
  });
  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.delete(textDocument.uri);
    stopped.delete(textDocument.uri);
    workers.closed(textDocument.uri);
  });
  connection.onShutdown(() => workers.dispose());

  /** What the editor shows instead of findings when a document is not linted: too large, or stopped before. */
  const notLinted = (doc: TextDocument): Diagnostic | undefined => {
    if (tooLarge(doc, settings.lint)) return limitDiagnostic(doc, settings.lint);
    const stop = stopped.get(doc.uri);
    return stop && doc.getText().length >= 0.9 * stop.length ? stoppedDiagnostic(stop, settings.lint) : undefined;
  };

  /** Asks the worker of `uri`'s document; `fallback` when there is none, it is too large, or the request does not complete. */
  const ask = async <M extends AnalysisMethod, F>(
    uri: string,
    method: M,
    params: AnalysisRequests[M]['params'],
    fallback: F,
    token: CancellationToken,
  ): Promise<AnalysisRequests[M]['result'] | F> => {
    const doc = documents.get(uri);
    if (!doc || tooLarge(doc, settings.lint)) return fallback;
    const outcome = await workers.request(doc, method, params, budgetMs(), token);
    return outcome.ok ? outcome.value : fallback;
  };

  const full = (items: Diagnostic[], resultId?: string): DocumentDiagnosticReport => ({
    kind: DocumentDiagnosticReportKind.Full,
    items,
    ...(resultId ? { resultId } : {}),
  });

  connection.languages.diagnostics.on(
    safe('diagnostics', full([]), async (params, token) => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return full([]);
      const instead = notLinted(doc);
      if (instead) return full([instead], String(doc.version));
      const outcome = await workers.request(doc, 'diagnostics', {}, budgetMs(), token);
      if (outcome.ok) return full(outcome.value, String(doc.version));
      if (outcome.reason === 'cancelled') throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
      if (outcome.reason === 'stale') {
        connection.console.log(`Lint of ${doc.uri} stopped: a newer version arrived.`);
        throw new ResponseError(LSPErrorCodes.ServerCancelled, 'A newer version of the document arrived.', { retriggerRequest: true });
      }
      const stop: Stop = { reason: outcome.reason, detail: outcome.detail, length: doc.getText().length };
      stopped.set(doc.uri, stop);
      connection.console.log(`Lint of ${doc.uri} stopped: ${outcome.detail}.`);
      return full([stoppedDiagnostic(stop, settings.lint)], String(doc.version));
    }),
  );

  connection.onRequest(
    LINT_TEXTS_REQUEST,
    safe(
      'lintTexts',
      { documents: [] } as LintTextsResult,
      async (params: LintTextsParams, token: CancellationToken): Promise<LintTextsResult> => {
        const out: LintTextsResult['documents'] = [];
        for (const { uri, text } of params.documents) {
          const doc = TextDocument.create(uri, 'traits', 0, text);
          if (tooLarge(doc, settings.lint)) {
            out.push({ uri, traits: 0, diagnostics: [limitDiagnostic(doc, settings.lint)] });
            continue;
          }
          const outcome = await workers.lintText(uri, text, budgetMs(), token);
          if (outcome.ok) out.push({ uri, ...outcome.value });
          else if (outcome.reason === 'cancelled') throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
          // (A text that is not open has no newer version: it is never stale.)
          else
            out.push({
              uri,
              traits: 0,
              diagnostics: [
                stoppedDiagnostic(
                  { reason: outcome.reason === 'failed' ? 'failed' : 'budget', detail: outcome.detail, length: text.length },
                  settings.lint,
                ),
              ],
            });
        }
        return { documents: out };
      },
    ),
  );

  // A model review of an open document (the client ran it): its worker holds it and merges it into
  // the diagnostics, hover and lenses, which the editor is then asked to fetch again.
  connection.onRequest(
    SET_REVIEW_REQUEST,
    safe('setReview', false, async (params: SetReviewParams, token: CancellationToken): Promise<boolean> => {
      const held =
        (await ask(
          params.uri,
          'setReview',
          { model: params.model, traits: params.traits, tensions: params.tensions },
          undefined,
          token,
        )) !== undefined;
      if (held && canRefreshDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
      if (held && canRefreshCodeLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      return held;
    }),
  );

  connection.onDocumentSymbol(safe('symbols', [], (p, token) => ask(p.textDocument.uri, 'symbols', {}, [], token)));
  connection.onFoldingRanges(safe('folding', [], (p, token) => ask(p.textDocument.uri, 'folding', {}, [], token)));
  connection.onHover(safe('hover', null, (p, token) => ask(p.textDocument.uri, 'hover', { position: p.position }, null, token)));
  connection.onCompletion(safe('completion', [], (p, token) => ask(p.textDocument.uri, 'completion', { position: p.position }, [], token)));
  connection.onDefinition(
    safe('definition', null, (p, token) => ask(p.textDocument.uri, 'definition', { position: p.position }, null, token)),
  );
  connection.onReferences(
    safe('references', [], (p, token) =>
      ask(p.textDocument.uri, 'references', { position: p.position, includeDeclaration: p.context.includeDeclaration }, [], token),
    ),
  );
  connection.onPrepareRename(
    safe('prepareRename', null, (p, token) => ask(p.textDocument.uri, 'prepareRename', { position: p.position }, null, token)),
  );
  connection.onRenameRequest(
    safe('rename', null, async (p, token) => {
      const answer = await ask(p.textDocument.uri, 'rename', { position: p.position, newName: p.newName }, undefined, token);
      if (!answer?.edit) return null;
      const { edit, retitle } = answer;
      // A retitled trait: the other open documents' [[Old title]] references that name nothing of their own follow.
      if (retitle) {
        const others = [...documents.keys()].filter((uri) => uri !== p.textDocument.uri);
        const edits = await Promise.all(others.map((uri) => ask(uri, 'retitleReferences', retitle, [] as TextEdit[], token)));
        others.forEach((uri, i) => {
          if (edits[i].length) edit.changes = { ...edit.changes, [uri]: edits[i] };
        });
      }
      return edit;
    }),
  );
  connection.onCodeAction(
    safe('codeAction', [], (p, token) =>
      ask(p.textDocument.uri, 'codeAction', { range: p.range, context: p.context, snippets: snippetEdits }, [], token),
    ),
  );
  connection.onCodeLens(
    safe('codeLens', [], (p, token) =>
      ask(
        p.textDocument.uri,
        'codeLens',
        { previewUri: previewCommand ? p.textDocument.uri : undefined, reviewUri: reviewCommand ? p.textDocument.uri : undefined },
        [],
        token,
      ),
    ),
  );

  connection.listen();
}

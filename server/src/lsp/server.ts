import {
  CodeActionKind,
  DocumentDiagnosticReportKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { rangesIntersect } from '../document/position';
import { codeActions, FIX_ALL_KIND } from './codeActions';
import { codeLenses } from './codeLens';
import { completions } from './completion';
import { configDiagnostic, DIAGNOSTIC_SOURCE, toLspDiagnostic } from './convert';
import { DocumentStore } from './documentStore';
import { hover } from './hover';
import { definition, prepareRename, references, rename } from './navigation';
import { DEFAULT_SETTINGS, LINT_TEXTS_REQUEST, SETTINGS_SECTION, type InitializationOptions, type LintTextsParams, type LintTextsResult, type ServerSettings } from './protocol';
import { documentSymbols, foldingRanges } from './symbols';

/**
 * Serves trait documents over `connection`: diagnostics, symbols, folding, hover, completion,
 * definition, references, rename, code actions, code lenses and workspace lint. Used by the VS Code
 * extension (node IPC) and by `trait-studio lsp --stdio` for other editors.
 *
 * Diagnostics are pulled (LSP 3.17 `textDocument/diagnostic`) rather than pushed: the editor asks for
 * the documents it shows, cancels a request when a newer edit arrives (so stale results are dropped
 * by construction), and re-asks after `workspace/diagnostic/refresh`, which the server sends when
 * settings change. Each request lints the current version once; the result is cached per version and
 * reused by hovers and lenses.
 */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const store = new DocumentStore();
  let canReadConfiguration = false;
  let canRefreshDiagnostics = false;
  let canRefreshCodeLenses = false;
  /** The client applies LSP 3.18 snippet text edits: the part fixes then leave the cursor in a placeholder. */
  let snippetEdits = false;
  let previewCommand = false;

  // Every handler is wrapped: an exception in one request is logged and answered empty rather than
  // taking the server down.
  const safe =
    <A extends unknown[], R>(name: string, fallback: R, fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (error) {
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
        const [section] = (await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }])) as [Partial<ServerSettings> | null];
        store.setSettings({ ...DEFAULT_SETTINGS, ...(section ?? {}) });
      } catch (error) {
        connection.console.error(`Reading the traitStudio settings failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else {
      store.setSettings(DEFAULT_SETTINGS);
    }
    if (canRefreshDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
    if (canRefreshCodeLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  };
  connection.onInitialized(() => void reloadSettings());
  connection.onDidChangeConfiguration(() => void reloadSettings());
  connection.onDidChangeWatchedFiles(() => void reloadSettings());

  const withDocument = <R>(uri: string, fallback: R, fn: (doc: TextDocument) => R): R => {
    const doc = documents.get(uri);
    return doc ? fn(doc) : fallback;
  };

  connection.languages.diagnostics.on(
    safe('diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] } as DocumentDiagnosticReport, (params) =>
      withDocument(params.textDocument.uri, { kind: DocumentDiagnosticReportKind.Full, items: [] } as DocumentDiagnosticReport, (doc) => {
        const { result, configProblem } = store.lint(doc);
        const items = result.diagnostics.map((d) => toLspDiagnostic(doc.uri, d));
        if (configProblem) items.unshift(configDiagnostic(configProblem));
        return { kind: DocumentDiagnosticReportKind.Full, resultId: String(doc.version), items };
      }),
    ),
  );

  connection.onRequest(
    LINT_TEXTS_REQUEST,
    safe('lintTexts', { documents: [] } as LintTextsResult, (params: LintTextsParams): LintTextsResult => ({
      documents: params.documents.map(({ uri, text }) => {
        const { document, result, configProblem } = store.lintText(uri, text);
        const diagnostics = result.diagnostics.map((d) => toLspDiagnostic(uri, d));
        if (configProblem) diagnostics.unshift(configDiagnostic(configProblem));
        return { uri, traits: document.traits.length, diagnostics };
      }),
    })),
  );

  connection.onDocumentSymbol(safe('symbols', [], (p) => withDocument(p.textDocument.uri, [], (doc) => documentSymbols(store.parse(doc)))));
  connection.onFoldingRanges(safe('folding', [], (p) => withDocument(p.textDocument.uri, [], (doc) => foldingRanges(store.parse(doc)))));
  connection.onHover(
    safe('hover', null, (p) =>
      withDocument(p.textDocument.uri, null, (doc) => hover(store.parse(doc), p.position, store.lint(doc).result.diagnostics) ?? null),
    ),
  );
  connection.onCompletion(safe('completion', [], (p) => withDocument(p.textDocument.uri, [], (doc) => completions(store.parse(doc), p.position))));
  connection.onDefinition(
    safe('definition', null, (p) => withDocument(p.textDocument.uri, null, (doc) => definition(doc.uri, store.parse(doc), p.position) ?? null)),
  );
  connection.onReferences(
    safe('references', [], (p) =>
      withDocument(p.textDocument.uri, [], (doc) => references(doc.uri, store.parse(doc), p.position, p.context.includeDeclaration)),
    ),
  );
  connection.onPrepareRename(
    safe('prepareRename', null, (p) => withDocument(p.textDocument.uri, null, (doc) => prepareRename(store.parse(doc), p.position) ?? null)),
  );
  connection.onRenameRequest(
    safe('rename', null, (p) =>
      withDocument(p.textDocument.uri, null, (doc) => {
        const others = documents.all().filter((d) => d.uri !== doc.uri).map((d) => ({ uri: d.uri, document: store.parse(d) }));
        return rename(doc.uri, store.parse(doc), p.position, p.newName, others) ?? null;
      }),
    ),
  );
  connection.onCodeAction(
    safe('codeAction', [], (p) =>
      withDocument(p.textDocument.uri, [], (doc) => {
        const findings = store.lint(doc).result.diagnostics;
        // The editor sends the diagnostics it shows at the range; right after an edit it may not show
        // the new ones yet, so the server falls back on its own findings there.
        const given = p.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
        const diagnostics = given.length ? given : findings.filter((f) => rangesIntersect(f.range, p.range)).map((f) => toLspDiagnostic(doc.uri, f));
        return codeActions(doc.uri, store.parse(doc), diagnostics, findings, p.context.only, { range: p.range, snippets: snippetEdits, version: doc.version });
      }),
    ),
  );
  connection.onCodeLens(safe('codeLens', [], (p) => withDocument(p.textDocument.uri, [], (doc) => codeLenses(store.parse(doc), store.lint(doc).result.diagnostics, previewCommand ? p.textDocument.uri : undefined))));

  documents.onDidClose((e) => store.forget(e.document.uri));
  documents.listen(connection);
  connection.listen();
}

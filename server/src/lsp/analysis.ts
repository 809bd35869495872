import type {
  CodeAction,
  CodeActionContext,
  CodeLens,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Position,
  Range,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { rangesIntersect } from '../document/position';
import { mergeReview, type ReviewedTrait } from '../review/findings';
import type { ReviewedTension } from '../review/types';
import type { LintDiagnostic } from '../rules/rule';
import { codeActions } from './codeActions';
import { codeLenses } from './codeLens';
import { completions } from './completion';
import { configDiagnostic, DIAGNOSTIC_SOURCE, reviewDiagnostic, toLspDiagnostic } from './convert';
import { DocumentStore } from './documentStore';
import { hover } from './hover';
import { definition, prepareRename, references, rename, retitleReferences, retitling } from './navigation';
import { DEFAULT_SETTINGS, type ServerSettings } from './protocol';
import { documentSymbols, foldingRanges } from './symbols';

/** Why an analysis stopped before its end (thrown by the lint checkpoint of the worker). */
export type StopReason = 'cancelled' | 'stale' | 'budget';

/** Thrown to stop a lint between two rules; the worker answers the request with the reason. */
export class AnalysisStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`analysis stopped: ${reason}`);
  }
}

/**
 * The requests one analysis worker answers, each with its parameters and its result. Everything is
 * plain data (structured-cloned between threads); positions and ranges are LSP's.
 */
export interface AnalysisRequests {
  diagnostics: { params: Record<string, never>; result: Diagnostic[] };
  symbols: { params: Record<string, never>; result: DocumentSymbol[] };
  folding: { params: Record<string, never>; result: FoldingRange[] };
  hover: { params: { position: Position }; result: Hover | null };
  completion: { params: { position: Position }; result: CompletionItem[] };
  definition: { params: { position: Position }; result: Location | null };
  references: { params: { position: Position; includeDeclaration: boolean }; result: Location[] };
  prepareRename: { params: { position: Position }; result: { range: Range; placeholder: string } | null };
  /** This document's edits, and the retitling other documents should follow (see `retitleReferences`). */
  rename: {
    params: { position: Position; newName: string };
    result: { edit: WorkspaceEdit | null; retitle: { from: string; to: string } | undefined };
  };
  retitleReferences: { params: { from: string; to: string }; result: TextEdit[] };
  /** `snippets`: the client applies LSP 3.18 snippet text edits. */
  codeAction: { params: { range: Range; context: CodeActionContext; snippets: boolean }; result: CodeAction[] };
  /** `reviewUri`: the client has the review command (a lens on the first heading runs it). */
  codeLens: { params: { previewUri: string | undefined; reviewUri?: string }; result: CodeLens[] };
  /** Holds a model review of the document (SET_REVIEW_REQUEST), merged into its diagnostics, hover and lenses. */
  setReview: { params: { model: string; traits: ReviewedTrait[]; tensions?: ReviewedTension[] }; result: null };
  /** Lints a text that is not open (Lint Workspace); `uri` locates its .traitsrc files. */
  lintText: { params: { text: string }; result: { traits: number; diagnostics: Diagnostic[] } };
}

export type AnalysisMethod = keyof AnalysisRequests;

/**
 * What one analysis worker holds and answers: the documents it mirrors (kept in step with the
 * editor through the same content changes), a DocumentStore that parses and lints each version at
 * most once, and the language features computed from them. Synchronous and free of threads, so it
 * runs the same in a worker and in a test.
 *
 * A lint stopped for its budget (or because a newer version came) is not cached: the features that
 * show findings (hover, code lens, code actions) then go without them rather than lint again.
 */
export class DocumentAnalysis {
  private readonly store = new DocumentStore();
  private readonly documents = new Map<string, TextDocument>();
  /** Per document: the length at which a lint last ran out of budget (features skip linting from there). */
  private readonly overBudget = new Map<string, number>();
  /** Per document: the latest model review (see mergeReview). */
  private readonly reviews = new Map<string, { model: string; traits: ReviewedTrait[] }>();

  constructor(settings: ServerSettings = DEFAULT_SETTINGS) {
    this.store.setSettings(settings);
  }

  open(uri: string, languageId: string, version: number, text: string): void {
    this.documents.set(uri, TextDocument.create(uri, languageId, version, text));
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    const doc = this.documents.get(uri);
    if (doc) this.documents.set(uri, TextDocument.update(doc, changes, version));
  }

  close(uri: string): void {
    this.documents.delete(uri);
    this.store.forget(uri);
    this.overBudget.delete(uri);
    this.reviews.delete(uri);
  }

  setSettings(settings: ServerSettings): void {
    this.store.setSettings(settings);
    this.overBudget.clear();
  }

  /** The version of `uri` this analysis holds, or undefined when it holds none. */
  version(uri: string): number | undefined {
    return this.documents.get(uri)?.version;
  }

  /**
   * Answers one request on document `uri` (for `lintText`, a text not open). Throws AnalysisStopped
   * when the lint checkpoint stops a diagnostics or lintText request; other requests then go on
   * without findings. Throws an Error for a document it does not hold.
   */
  answer<M extends AnalysisMethod>(method: M, uri: string, params: AnalysisRequests[M]['params']): AnalysisRequests[M]['result'] {
    const handler = this.handlers[method] as (uri: string, params: AnalysisRequests[M]['params']) => AnalysisRequests[M]['result'];
    if (!handler) throw new Error(`unknown analysis request ${String(method)}`);
    return handler(uri, params);
  }

  /** The document `uri` as this analysis holds it, parsed (throws when it holds none). */
  private parsed(uri: string) {
    return this.store.parse(this.document(uri));
  }

  private document(uri: string): TextDocument {
    const doc = this.documents.get(uri);
    if (!doc) throw new Error(`no document ${uri} in this analysis`);
    return doc;
  }

  private readonly handlers: {
    readonly [M in AnalysisMethod]: (uri: string, params: AnalysisRequests[M]['params']) => AnalysisRequests[M]['result'];
  } = {
    diagnostics: (uri) => this.diagnostics(this.document(uri)),
    symbols: (uri) => documentSymbols(this.parsed(uri)),
    folding: (uri) => foldingRanges(this.parsed(uri)),
    hover: (uri, { position }) => {
      const { kept, overruled } = this.reviewedFindings(this.document(uri));
      return hover(this.parsed(uri), position, kept, overruled) ?? null;
    },
    completion: (uri, { position }) => completions(this.parsed(uri), position),
    definition: (uri, { position }) => definition(uri, this.parsed(uri), position) ?? null,
    references: (uri, { position, includeDeclaration }) => references(uri, this.parsed(uri), position, includeDeclaration),
    prepareRename: (uri, { position }) => prepareRename(this.parsed(uri), position) ?? null,
    rename: (uri, { position, newName }) => ({
      edit: rename(uri, this.parsed(uri), position, newName, []) ?? null,
      retitle: retitling(this.parsed(uri), position, newName),
    }),
    retitleReferences: (uri, { from, to }) => retitleReferences(this.parsed(uri), from, to),
    codeAction: (uri, { range, context, snippets }) => {
      const doc = this.document(uri);
      const findings = this.findings(doc);
      // The editor sends the diagnostics it shows at the range; right after an edit it may not show
      // the new ones yet, so the server falls back on its own findings there.
      const given = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      const diagnostics = given.length
        ? given
        : findings.filter((f) => rangesIntersect(f.range, range)).map((f) => toLspDiagnostic(uri, f));
      return codeActions(uri, this.parsed(uri), diagnostics, findings, context.only, { range, snippets, version: doc.version });
    },
    codeLens: (uri, { previewUri, reviewUri }) => {
      const { kept, overruled } = this.reviewedFindings(this.document(uri));
      return codeLenses(this.parsed(uri), kept, previewUri, reviewUri, overruled);
    },
    setReview: (uri, review) => {
      if (review.traits.length) this.reviews.set(uri, review);
      else this.reviews.delete(uri);
      this.store.setTensions(uri, review.tensions ?? []);
      return null;
    },
    lintText: (uri, { text }) => this.lintText(uri, text),
  };

  private diagnostics(doc: TextDocument): Diagnostic[] {
    try {
      const { result, configProblem } = this.store.lint(doc);
      const { kept, review } = this.merged(doc, result.diagnostics);
      const items = [
        ...kept.map((d) => toLspDiagnostic(doc.uri, d)),
        ...review.map((f) => reviewDiagnostic(f, this.reviews.get(doc.uri)!.model)),
      ];
      if (configProblem) items.unshift(configDiagnostic(configProblem));
      this.overBudget.delete(doc.uri);
      return items;
    } catch (error) {
      if (error instanceof AnalysisStopped && error.reason === 'budget') this.overBudget.set(doc.uri, doc.getText().length);
      throw error;
    }
  }

  /** The findings for features (those a review overruled left out): none when linting stops (or stopped before at this size), unless cancelled. */
  private findings(doc: TextDocument): readonly LintDiagnostic[] {
    return this.reviewedFindings(doc).kept;
  }

  /** `findings`, and the lint findings the document's review overruled. */
  private reviewedFindings(doc: TextDocument): Pick<ReturnType<typeof mergeReview>, 'kept' | 'overruled'> {
    const stoppedAt = this.overBudget.get(doc.uri);
    if (stoppedAt !== undefined && doc.getText().length >= 0.9 * stoppedAt) return { kept: [], overruled: [] };
    try {
      return this.merged(doc, this.store.lint(doc).result.diagnostics);
    } catch (error) {
      if (!(error instanceof AnalysisStopped) || error.reason === 'cancelled') throw error;
      if (error.reason === 'budget') this.overBudget.set(doc.uri, doc.getText().length);
      return { kept: [], overruled: [] };
    }
  }

  /** The lint's findings with the document's review merged in (see mergeReview); unchanged when it has none. */
  private merged(doc: TextDocument, findings: readonly LintDiagnostic[]): ReturnType<typeof mergeReview> {
    const review = this.reviews.get(doc.uri);
    if (!review) return { kept: [...findings], review: [], overruled: [] };
    return mergeReview(this.parsed(doc.uri), review.traits, findings);
  }

  private lintText(uri: string, text: string): { traits: number; diagnostics: Diagnostic[] } {
    const { document, result, configProblem } = this.store.lintText(uri, text);
    const diagnostics = result.diagnostics.map((d) => toLspDiagnostic(uri, d));
    if (configProblem) diagnostics.unshift(configDiagnostic(configProblem));
    return { traits: document.traits.length, diagnostics };
  }
}

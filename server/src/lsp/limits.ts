import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE } from './convert';
import type { LintLimits } from './protocol';

/** Why the findings of a document are missing: its lint ran out of time, or its analysis failed. */
export interface Stop {
  readonly reason: 'budget' | 'failed';
  /** What happened, in words. */
  readonly detail: string;
  /** The document's length (UTF-16 units) when it stopped: it is not linted again until smaller. */
  readonly length: number;
}

const FIRST_LINE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

const megabytes = (length: number) => `${(length / 1e6).toFixed(length < 1e7 ? 1 : 0)} MB`;

/** True when `doc` is beyond the size the server analyses. */
export function tooLarge(doc: TextDocument & { readonly maxLength?: number }, limits: LintLimits): boolean {
  const limit = limits.maxDocumentSizeMB * 1e6;
  // An EditorDocument bounds its length without applying the editor's latest changes.
  if (doc.maxLength !== undefined && doc.maxLength <= limit) return false;
  return doc.getText().length > limit;
}

/** The diagnostic of a document too large to analyse: which limit, and the setting that moves it. */
export function limitDiagnostic(doc: TextDocument, limits: LintLimits): Diagnostic {
  return {
    range: FIRST_LINE,
    severity: DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: 'document-too-large',
    message:
      `This document is ${megabytes(doc.getText().length)}, over the ${limits.maxDocumentSizeMB} MB limit of the setting ` +
      `traitStudio.lint.maxDocumentSizeMB: Trait Studio does not lint it (nor outline or navigate it). Raise the setting, or split the document.`,
  };
}

/** The diagnostic of a document whose lint stopped: why, and what to change. */
export function stoppedDiagnostic(stop: Stop, limits: LintLimits): Diagnostic {
  const message =
    stop.reason === 'budget'
      ? `Lint stopped after ${limits.timeBudgetSeconds} s, the limit of the setting traitStudio.lint.timeBudgetSeconds: this document ` +
        `(${megabytes(stop.length)}) takes longer to lint, so its findings are not shown. Raise the setting, or split the document; ` +
        `Trait Studio lints it again when it is smaller or the setting changes.`
      : `Trait Studio could not lint this document: ${stop.detail}. Its findings are not shown; it is linted again when it is smaller ` +
        `or the settings change. Please report this with the document.`;
  return {
    range: FIRST_LINE,
    severity: DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: stop.reason === 'budget' ? 'lint-time-budget' : 'lint-failed',
    message,
  };
}

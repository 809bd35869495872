import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { ReviewFinding } from '../review/findings';
import type { LintDiagnostic, Severity } from '../rules/rule';
import { REVIEW_DIAGNOSTIC_SOURCE } from './protocol';

const SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Diagnostic source shown in the Problems panel. */
export const DIAGNOSTIC_SOURCE = 'traits';

/**
 * Where a rule's documentation lives: the `docs/rules/<name>.md` page shipped beside the bundle
 * (`dist/` → `../docs`), as a file URL an editor can open offline.
 */
export function ruleDocsUrl(rule: string): string {
  let url = DOCS_URLS.get(rule);
  if (!url) DOCS_URLS.set(rule, (url = pathToFileURL(join(__dirname, '..', 'docs', 'rules', `${rule}.md`)).href));
  return url;
}

const DOCS_URLS = new Map<string, string>();

/** Converts a core finding to an LSP diagnostic: `code` is the rule name, linked to its docs. */
export function toLspDiagnostic(uri: string, d: LintDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    source: DIAGNOSTIC_SOURCE,
    code: d.rule,
    codeDescription: { href: ruleDocsUrl(d.rule) },
    message: d.message,
    relatedInformation: d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message })),
    data: { ruleId: d.ruleId, traitId: d.traitId },
  };
}

/** A diagnostic for a configuration problem (bad .traitsrc or settings), shown on the first line. */
export function configDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: 'config',
    message: `${message} (defaults apply instead)`,
  };
}

/** A finding of the model review (source `traits (review)`), naming the model that reviewed in its message. */
export function reviewDiagnostic(f: ReviewFinding, model: string): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: REVIEW_DIAGNOSTIC_SOURCE,
    code: f.code,
    message: `${f.message} [${model}]`,
    data: { traitId: f.traitId },
  };
}

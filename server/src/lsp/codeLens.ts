import type { CodeLens } from 'vscode-languageserver';
import { evidenceSource, evidenceText, traitCoverage, type Evidence } from '../analysis/coverage';
import type { TraitDocument } from '../document/model';
import type { LintDiagnostic } from '../rules/rule';
import { PREVIEW_COMMAND, PROBE_COMMAND, REVIEW_COMMAND } from './protocol';

/**
 * A lens above each trait: what it states, at a glance, and its number of findings, with the sentence
 * that states each part in its tooltip; and, when
 * `previewUri` is given (the client has the Preview Scenarios and Probe Trait commands), a "Preview"
 * lens and a "Probe" lens that run them for that trait with arguments `[previewUri, trait id]`. When `reviewUri` is given (the client has the
 * review command), a "Review with model" lens on the document's first heading runs it with `[reviewUri]`.
 */
export function codeLenses(
  document: TraitDocument,
  findings: readonly LintDiagnostic[],
  previewUri?: string,
  reviewUri?: string,
): CodeLens[] {
  const first = document.headings[0];
  const review: CodeLens[] =
    reviewUri !== undefined && first && document.traits.length
      ? [{ range: first.range, command: { title: '$(sparkle) Review with model', command: REVIEW_COMMAND, arguments: [reviewUri] } }]
      : [];
  return [...review, ...traitLenses(document, findings, previewUri)];
}

function traitLenses(document: TraitDocument, findings: readonly LintDiagnostic[], previewUri?: string): CodeLens[] {
  // Counted once, not per trait: a document of many traits and findings stays linear.
  const problemsOf = new Map<string | null, number>();
  for (const f of findings) problemsOf.set(f.traitId, (problemsOf.get(f.traitId) ?? 0) + 1);
  return document.traits.flatMap((trait) => {
    const c = traitCoverage(trait, document);
    const mark = (stated: boolean) => (stated ? '✓' : '✗');
    const problems = problemsOf.get(trait.id) ?? 0;
    const title = [
      `${mark(!!c.rationale)} reason`,
      `${mark(!!c.tradeoffs)} trade-offs`,
      `${mark(!!c.exceptions)} exceptions`,
      `${trait.examples.length} example${trait.examples.length === 1 ? '' : 's'}`,
      problems ? `${problems} problem${problems === 1 ? '' : 's'}` : 'no problems',
    ].join(' · ');
    const tooltip = [
      evidenceLine('Reason', c.rationale),
      evidenceLine('Trade-offs', c.tradeoffs),
      evidenceLine('Exceptions', c.exceptions),
    ].join('\n');
    // An empty command id makes the lens a label; clicking it does nothing.
    const coverage: CodeLens = { range: trait.heading.range, command: { title, command: '', tooltip } };
    if (previewUri === undefined) return [coverage];
    const preview = { title: '$(play) Preview', command: PREVIEW_COMMAND, arguments: [previewUri, trait.id] };
    const probe = { title: '$(beaker) Probe', command: PROBE_COMMAND, arguments: [previewUri, trait.id] };
    return [{ range: trait.heading.range, command: preview }, { range: trait.heading.range, command: probe }, coverage];
  });
}

/** "Reason: stated in its prose ("because"): «sentence»", or "Reason: missing". */
function evidenceLine(part: string, evidence: Evidence | undefined): string {
  if (!evidence) return `${part}: missing`;
  const text = evidenceText(evidence, 200);
  return `${part}: stated in ${evidenceSource(evidence)}${text ? `: «${text}»` : ''}`;
}

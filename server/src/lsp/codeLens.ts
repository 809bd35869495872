import type { CodeLens } from 'vscode-languageserver';
import { evidenceSource, evidenceText, traitCoverage, type Evidence } from '../analysis/coverage';
import type { TraitDocument } from '../document/model';
import type { Overruled } from '../review/findings';
import type { LintDiagnostic } from '../rules/rule';
import { PREVIEW_COMMAND, PROBE_COMMAND, REVIEW_COMMAND } from './protocol';

/**
 * A lens above each trait: what it states, at a glance, and its number of findings, with the sentence
 * that states each part in its tooltip. Where a model review overruled the lint on a part
 * (`overruled`, from mergeReview: a verified quote of a part the heuristics missed), the lens shows
 * the review's verdict, marked "(review)", with its quote in the tooltip — the review wins, as in the
 * hover. When `previewUri` is given (the client has the Preview Scenarios and Probe Trait commands),
 * a "Preview" lens and a "Probe" lens run them for that trait with arguments `[previewUri, trait id]`.
 * When `reviewUri` is given (the client has the
 * review command), a "Review with model" lens on the document's first heading runs it with `[reviewUri]`.
 */
export function codeLenses(
  document: TraitDocument,
  findings: readonly LintDiagnostic[],
  previewUri?: string,
  reviewUri?: string,
  overruled: readonly Overruled[] = [],
): CodeLens[] {
  const first = document.headings[0];
  const review: CodeLens[] =
    reviewUri !== undefined && first && document.traits.length
      ? [{ range: first.range, command: { title: '$(sparkle) Review with model', command: REVIEW_COMMAND, arguments: [reviewUri] } }]
      : [];
  return [...review, ...traitLenses(document, findings, overruled, previewUri)];
}

/** The lint rule that reports each part of the lens missing (what a review overrules). */
const PART_RULES = [
  { part: 'rationale', rule: 'missing-rationale', label: 'reason', name: 'Reason' },
  { part: 'tradeoffs', rule: 'missing-tradeoffs', label: 'trade-offs', name: 'Trade-offs' },
  { part: 'exceptions', rule: 'missing-exceptions', label: 'exceptions', name: 'Exceptions' },
] as const;

function traitLenses(
  document: TraitDocument,
  findings: readonly LintDiagnostic[],
  overruled: readonly Overruled[],
  previewUri?: string,
): CodeLens[] {
  // Counted once, not per trait: a document of many traits and findings stays linear.
  const problemsOf = new Map<string | null, number>();
  for (const f of findings) problemsOf.set(f.traitId, (problemsOf.get(f.traitId) ?? 0) + 1);
  const reviewFound = new Map(overruled.map((o) => [`${o.traitId}\u0000${o.rule}`, o.quote]));
  return document.traits.flatMap((trait) => {
    const c = traitCoverage(trait, document);
    const problems = problemsOf.get(trait.id) ?? 0;
    const parts = PART_RULES.map(({ part, rule, label, name }) => {
      const quote = reviewFound.get(`${trait.id}\u0000${rule}`);
      if (quote !== undefined)
        return {
          title: `✓ ${label} (review)`,
          tooltip: `${name}: found by the model review: «${quote}» (it overrules the lint's ${rule})`,
        };
      return { title: `${c[part] ? '✓' : '✗'} ${label}`, tooltip: evidenceLine(name, c[part]) };
    });
    const title = [
      ...parts.map((p) => p.title),
      `${trait.examples.length} example${trait.examples.length === 1 ? '' : 's'}`,
      problems ? `${problems} problem${problems === 1 ? '' : 's'}` : 'no problems',
    ].join(' · ');
    const tooltip = parts.map((p) => p.tooltip).join('\n');
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

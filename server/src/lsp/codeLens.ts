import type { CodeLens } from 'vscode-languageserver';
import { traitCoverage } from '../analysis/coverage';
import type { TraitDocument } from '../document/model';
import type { LintDiagnostic } from '../rules/rule';
import { PREVIEW_COMMAND } from './protocol';

/**
 * A lens above each trait: what it states, at a glance, and its number of findings; and, when
 * `previewUri` is given (the client has the Preview Scenarios command), a "Preview" lens that runs
 * it for that trait with arguments `[previewUri, trait id]`.
 */
export function codeLenses(document: TraitDocument, findings: readonly LintDiagnostic[], previewUri?: string): CodeLens[] {
  // Counted once, not per trait: a document of many traits and findings stays linear.
  const problemsOf = new Map<string | null, number>();
  for (const f of findings) problemsOf.set(f.traitId, (problemsOf.get(f.traitId) ?? 0) + 1);
  return document.traits.flatMap((trait) => {
    const c = traitCoverage(trait);
    const mark = (stated: boolean) => (stated ? '✓' : '✗');
    const problems = problemsOf.get(trait.id) ?? 0;
    const title = [
      `${mark(!!c.rationale)} reason`,
      `${mark(!!c.tradeoffs)} trade-offs`,
      `${mark(!!c.exceptions)} exceptions`,
      `${trait.examples.length} example${trait.examples.length === 1 ? '' : 's'}`,
      problems ? `${problems} problem${problems === 1 ? '' : 's'}` : 'no problems',
    ].join(' · ');
    // An empty command id makes the lens a label; clicking it does nothing.
    const coverage: CodeLens = { range: trait.heading.range, command: { title, command: '' } };
    if (previewUri === undefined) return [coverage];
    const preview = { title: '$(play) Preview', command: PREVIEW_COMMAND, arguments: [previewUri, trait.id] };
    return [{ range: trait.heading.range, command: preview }, coverage];
  });
}

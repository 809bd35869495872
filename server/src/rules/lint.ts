import type { TraitDocument } from '../document/model';
import { comparePositions } from '../document/position';
import { resolveRules, validateFrontMatter, type LintSettings, type ResolvedRule } from './config';
import { Suppressions } from './directives';
import { RULES } from './registry';
import type { LintDiagnostic, Report } from './rule';

const RULE_NAMES: ReadonlySet<string> = new Set(RULES.flatMap((r) => [r.name, r.id.toLowerCase()]));

let checkpoint: (() => void) | undefined;

/**
 * Installs a function that every lint of this thread calls before each rule, and that may throw to
 * stop the lint (the error reaches `lintDocument`'s caller). The language server's worker uses it to
 * stop a lint that was cancelled, went stale or ran out of its time budget. `undefined` removes it.
 */
export function setLintCheckpoint(check: (() => void) | undefined): void {
  checkpoint = check;
}

export interface LintOptions {
  /**
   * Settings layers below the document's own front matter, lowest precedence first (for example the
   * `.traitsrc` files found up the folder tree, then editor settings). Must already be validated.
   */
  readonly settings?: readonly LintSettings[];
}

export interface LintResult {
  /** Findings in document order, suppressed ones removed. */
  readonly diagnostics: LintDiagnostic[];
  /** Each rule with the severity and options it ran with (severity undefined: off). */
  readonly rules: readonly ResolvedRule[];
}

/**
 * Runs every enabled rule over a parsed document. Front-matter `lint:` settings override
 * `options.settings`; invalid front matter is reported by the front-matter rule and its settings are
 * then ignored (the defaults apply) rather than half-applied. A rule that throws is reported as an
 * error finding of that rule instead of ending the lint, so one bug cannot silence the others.
 */
export function lintDocument(document: TraitDocument, options: LintOptions = {}): LintResult {
  const data = document.frontMatter?.data;
  const schemaProblems = data === undefined || data === null ? [] : validateFrontMatter(data);
  const frontMatterLint = schemaProblems.length ? undefined : (data as { lint?: LintSettings } | undefined)?.lint;
  const rules = resolveRules([...(options.settings ?? []), frontMatterLint]);
  const findings: LintDiagnostic[] = [];
  for (const { rule, severity, options: ruleOptions } of rules) {
    if (!severity) continue;
    checkpoint?.();
    const report = (r: Report) =>
      findings.push({
        rule: rule.name,
        ruleId: rule.id,
        severity,
        message: r.message,
        range: r.range,
        trait: r.trait?.title ?? null,
        traitId: r.trait?.id ?? null,
        related: r.related ?? [],
        fix: r.fix,
      });
    try {
      rule.check({ document, options: ruleOptions, ruleNames: RULE_NAMES, report });
      if (rule.name === 'front-matter' && document.frontMatter) {
        for (const p of schemaProblems) report({ range: document.frontMatter.rangeOfPath(p.path), message: p.message });
      }
    } catch (error) {
      report({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `Rule ${rule.name} failed on this document (${error instanceof Error ? error.message : String(error)}); its findings are missing. Please report this with the document.`,
      });
    }
  }
  const diagnostics = new Suppressions(document.directives).filter(findings);
  diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start) || a.ruleId.localeCompare(b.ruleId));
  return { diagnostics, rules };
}

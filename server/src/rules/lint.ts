import type { TraitDocument } from '../document/model';
import { comparePositions } from '../document/position';
import { resolveRules, validateFrontMatter, type LintSettings, type ResolvedRule } from './config';
import { Suppressions } from './directives';
import { RULES } from './registry';
import { traitsInOtherLanguages } from '../analysis/language';
import { SEVERITIES, type LintDiagnostic, type Report } from './rule';
import type { ReviewedTension } from '../review/types';

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
  /** The trade-off pairs of the document's latest model review, if any (the `unweighed-tension` rule's input). */
  readonly tensions?: readonly ReviewedTension[];
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
  // An ignored key (a docs site's `title`) does not invalidate the settings beside it.
  const frontMatterLint = schemaProblems.some((p) => !p.ignoredKey) ? undefined : (data as { lint?: LintSettings } | undefined)?.lint;
  const rules = resolveRules([...(options.settings ?? []), frontMatterLint]);
  const findings: LintDiagnostic[] = [];
  for (const { rule, severity, options: ruleOptions } of rules) {
    if (!severity) continue;
    checkpoint?.();
    const report = (r: Report) =>
      findings.push({
        rule: rule.name,
        ruleId: rule.id,
        severity: r.atMost && SEVERITIES.indexOf(r.atMost) > SEVERITIES.indexOf(severity) ? r.atMost : severity,
        message: r.message,
        range: r.range,
        trait: r.trait?.title ?? null,
        traitId: r.trait?.id ?? null,
        related: r.related ?? [],
        fix: r.fix,
      });
    try {
      rule.check({ document, options: ruleOptions, ruleNames: RULE_NAMES, tensions: options.tensions, report });
      if (rule.name === 'front-matter' && document.frontMatter) {
        for (const p of schemaProblems)
          report({ range: document.frontMatter.rangeOfPath(p.path), message: p.message, atMost: p.ignoredKey });
      }
    } catch (error) {
      report({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `Rule ${rule.name} failed on this document (${error instanceof Error ? error.message : String(error)}); its findings are missing. Please report this with the document.`,
      });
    }
  }
  // A document the rules cannot read has already been reported by each rule that failed on it.
  let languageNote: LintDiagnostic | undefined;
  try {
    languageNote = coverageLanguageNote(document, rules);
  } catch {
    languageNote = undefined;
  }
  if (languageNote) findings.push(languageNote);
  const diagnostics = new Suppressions(document.directives).filter(findings);
  diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start) || a.ruleId.localeCompare(b.ruleId));
  return { diagnostics, rules };
}

const COVERAGE_RULES = ['missing-rationale', 'missing-tradeoffs', 'missing-exceptions', 'unqualified-absolute'];

/**
 * One note, from the first enabled coverage rule, when some traits are written in a language the
 * coverage cues do not cover: those rules skip them rather than report every trait.
 */
function coverageLanguageNote(document: TraitDocument, rules: readonly ResolvedRule[]): LintDiagnostic | undefined {
  const first = rules.find((r) => r.severity && COVERAGE_RULES.includes(r.rule.name));
  if (!first) return undefined;
  const skipped = traitsInOtherLanguages(document);
  if (!skipped.size) return undefined;
  const all = skipped.size === document.traits.length;
  const [trait] = skipped;
  return {
    rule: first.rule.name,
    ruleId: first.rule.id,
    severity: 'information',
    message: `${all ? 'This document is' : `${skipped.size} trait${skipped.size === 1 ? ' is' : 's are'}`} written in a language the coverage rules' cues do not cover (they read English), so ${COVERAGE_RULES.join(', ')} cannot judge ${all ? 'its traits' : skipped.size === 1 ? `"${trait.title}"` : 'them'} and report nothing there.`,
    range: all ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : trait.heading.titleRange,
    trait: null,
    traitId: null,
    related: all ? [] : [...skipped].slice(1).map((t) => ({ message: `"${t.title}" is not judged either.`, range: t.heading.titleRange })),
    fix: undefined,
  };
}

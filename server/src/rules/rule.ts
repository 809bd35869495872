import type { Trait, TraitDocument } from '../document/model';
import type { Range } from '../document/position';

/** Diagnostic severities, named as in LSP (`DiagnosticSeverity` 1..4 in that order). */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/** A further location that explains a diagnostic (LSP `DiagnosticRelatedInformation`, same document). */
export interface RelatedInformation {
  readonly message: string;
  readonly range: Range;
}

/** An automatic fix: text edits that resolve a finding (applied by quick fix and fix-all). */
export interface Fix {
  readonly title: string;
  readonly edits: readonly { readonly range: Range; readonly newText: string }[];
}

/** One finding of one rule, ready for the CLI or the language server. */
export interface LintDiagnostic {
  /** The rule's kebab-case name (the LSP diagnostic `code`). */
  readonly rule: string;
  /** The rule's stable id, e.g. `TS101`. */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  /** Title of the trait the finding is about, or null for document-level findings. */
  readonly trait: string | null;
  readonly traitId: string | null;
  readonly related: readonly RelatedInformation[];
  /** Present when the rule knows the fix (a typo with one plausible correction, say). */
  readonly fix: Fix | undefined;
}

/** What a rule reports; the linter adds the rule, severity and suppression. */
export interface Report {
  readonly range: Range;
  readonly message: string;
  readonly trait?: Trait;
  readonly related?: readonly RelatedInformation[];
  readonly fix?: Fix;
  /** The most severe this finding may be; the rule's configured severity applies when it is milder. */
  readonly atMost?: Severity;
}

export interface RuleContext<Options> {
  readonly document: TraitDocument;
  readonly options: Options;
  /** Every rule name and id, lower-cased (for rules that check rule names, e.g. in comments). */
  readonly ruleNames: ReadonlySet<string>;
  report(report: Report): void;
}

/**
 * A lint rule: one per file under `rules/`, documented in `docs/rules/<name>.md`.
 * `options` are the defaults; a config may override any of them (validated against `optionsSchema`).
 */
export interface Rule<Options extends object = object> {
  /** Stable id: TS0xx structure, TS1xx coverage, TS2xx wording, TS3xx pipeline. */
  readonly id: string;
  /** Kebab-case name used in configs, disable comments and output. */
  readonly name: string;
  readonly description: string;
  readonly defaultSeverity: Severity;
  readonly options: Options;
  /** JSON Schema properties of the options (besides `severity`). */
  readonly optionsSchema: Readonly<Record<string, object>>;
  check(context: RuleContext<Options>): void;
}

/** Helper that keeps each rule's option type while storing rules in one list. */
export function defineRule<Options extends object>(rule: Rule<Options>): Rule<Options> {
  return rule;
}

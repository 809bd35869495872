/**
 * What the client and the language server share: the settings section and custom requests. One
 * module, imported by both (as vscode-eslint does), so neither side can drift.
 */
import type { LintSettings } from '../rules/config';
import type { ReviewedTrait } from '../review/findings';
import type { ReviewedTension } from '../review/types';

/** The `traitStudio` settings section, as the server reads it. */
export interface ServerSettings {
  /** Rule settings, as in front matter `lint:` (rule name or id → severity or options). */
  rules: LintSettings;
  /** Token budget of one generation prompt (the chunk-too-long rule's `budget`). */
  chunkTokenBudget: number;
  /** How much work the language server gives one document (`traitStudio.lint.*`). */
  lint: LintLimits;
}

/** The limits that keep the language server responsive whatever document it is given. */
export interface LintLimits {
  /** Documents larger than this (megabytes of text, 10⁶ characters) are not analysed at all. */
  maxDocumentSizeMB: number;
  /** A lint (or any request on one document) is stopped after this many seconds. */
  timeBudgetSeconds: number;
}

export const SETTINGS_SECTION = 'traitStudio';

export const DEFAULT_LINT_LIMITS: LintLimits = { maxDocumentSizeMB: 20, timeBudgetSeconds: 10 };

export const DEFAULT_SETTINGS: ServerSettings = { rules: {}, chunkTokenBudget: 3000, lint: DEFAULT_LINT_LIMITS };

/**
 * The settings as read from the editor: anything missing or of the wrong type takes its default
 * (a setting typed by hand in settings.json is not validated by the editor).
 */
export function readServerSettings(section: Partial<ServerSettings> | null | undefined): ServerSettings {
  const lint: Partial<LintLimits> = section?.lint && typeof section.lint === 'object' ? section.lint : {};
  const positive = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  return {
    ...DEFAULT_SETTINGS,
    ...(section ?? {}),
    lint: {
      maxDocumentSizeMB: positive(lint.maxDocumentSizeMB, DEFAULT_LINT_LIMITS.maxDocumentSizeMB),
      timeBudgetSeconds: positive(lint.timeBudgetSeconds, DEFAULT_LINT_LIMITS.timeBudgetSeconds),
    },
  };
}

/** What the client tells the server at start-up (`initializationOptions`). */
export interface InitializationOptions {
  /** The client has the Preview Scenarios command: add a "Preview" lens above each trait. */
  previewCommand?: boolean;
  /** The client has the Review Document with Model command: add a "Review with model" lens on the first heading. */
  reviewCommand?: boolean;
}

/** The client's command that reviews a document with a model; argument: document URI. */
export const REVIEW_COMMAND = 'traitStudio.reviewDocument';

/** Diagnostic source of the review's findings (the lint's is `traits`). */
export const REVIEW_DIAGNOSTIC_SOURCE = 'traits (review)';

/**
 * `traitStudio/setReview`: the client ran a model review of an open document; the server merges it
 * into that document's diagnostics, hover and lenses (the language server owns diagnostics) until
 * the next review replaces it. Each trait's review holds only while its text is unchanged.
 */
export const SET_REVIEW_REQUEST = 'traitStudio/setReview';

export interface SetReviewParams {
  uri: string;
  /** The model that reviewed. */
  model: string;
  /** Reviews of the traits reviewed, each with the chunk text it was made from; empty: clear. */
  traits: ReviewedTrait[];
  /** The trade-off pairs of the review, when it proposed them (the unweighed-tension rule reports the unweighed ones). */
  tensions?: ReviewedTension[];
}

/** The client's command that previews the scenarios of a trait; arguments: document URI, trait id. */
export const PREVIEW_COMMAND = 'traitStudio.previewScenarios';

/** The client's command that probes a model against a trait (multi-turn adversarial audits); arguments: document URI, trait id. */
export const PROBE_COMMAND = 'traitStudio.probeTrait';

/** `traitStudio/lintTexts`: lint documents the editor has not opened (the Lint Workspace command). */
export const LINT_TEXTS_REQUEST = 'traitStudio/lintTexts';

export interface LintTextsParams {
  documents: { uri: string; text: string }[];
}

export interface LintTextsResult {
  /** LSP diagnostics per document URI, in the order given. */
  documents: { uri: string; traits: number; diagnostics: import('vscode-languageserver').Diagnostic[] }[];
}

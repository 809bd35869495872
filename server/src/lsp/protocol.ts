/**
 * What the client and the language server share: the settings section and custom requests. One
 * module, imported by both (as vscode-eslint does), so neither side can drift.
 */
import type { LintSettings } from '../rules/config';

/** The `traitStudio` settings section, as the server reads it. */
export interface ServerSettings {
  /** Rule settings, as in front matter `lint:` (rule name or id → severity or options). */
  rules: LintSettings;
  /** Token budget of one generation prompt (the chunk-too-long rule's `budget`). */
  chunkTokenBudget: number;
}

export const SETTINGS_SECTION = 'traitStudio';

export const DEFAULT_SETTINGS: ServerSettings = { rules: {}, chunkTokenBudget: 3000 };

/** What the client tells the server at start-up (`initializationOptions`). */
export interface InitializationOptions {
  /** The client has the Preview Scenarios command: add a "Preview" lens above each trait. */
  previewCommand?: boolean;
}

/** The client's command that previews the scenarios of a trait; arguments: document URI, trait id. */
export const PREVIEW_COMMAND = 'traitStudio.previewScenarios';

/** `traitStudio/lintTexts`: lint documents the editor has not opened (the Lint Workspace command). */
export const LINT_TEXTS_REQUEST = 'traitStudio/lintTexts';

export interface LintTextsParams {
  documents: { uri: string; text: string }[];
}

export interface LintTextsResult {
  /** LSP diagnostics per document URI, in the order given. */
  documents: { uri: string; traits: number; diagnostics: import('vscode-languageserver').Diagnostic[] }[];
}

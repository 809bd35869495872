import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TraitDocument } from '../document/model';
import { parseTraitDocument } from '../document/parse';
import { validateConfigFile, type LintSettings } from '../rules/config';
import { ConfigError, ConfigFiles } from '../rules/configFile';
import { lintDocument, type LintResult } from '../rules/lint';
import type { ReviewedTension } from '../review/types';
import { DEFAULT_SETTINGS, type ServerSettings } from './protocol';

/**
 * Parses and lints each open document at most once per version: every feature (diagnostics,
 * symbols, hovers, lenses ...) asks the store, so a keystroke costs one parse and one lint however
 * many features the editor then requests, and both redo only what the edit changed (see `parse`).
 * Settings changes clear the lint results only.
 */
export class DocumentStore {
  private readonly parsed = new Map<string, { version: number; document: TraitDocument }>();
  private readonly linted = new Map<string, { version: number; result: LintResult; configProblem: string | undefined }>();
  private readonly configFiles = new ConfigFiles();
  /** The editor settings as lint layers, validated once per change (not per keystroke). */
  private editor = editorLayers(DEFAULT_SETTINGS);
  /** Per document: the trade-off pairs of its latest model review (the unweighed-tension rule's input). */
  private readonly tensions = new Map<string, readonly ReviewedTension[]>();
  /** The folder of the file last linted (see `folderOf`). */
  private lastFolder: { uri: string; folder: string } | undefined;

  /** Sets the trade-off pairs of `uri`'s latest review (empty: none); its lint is redone on next use. */
  setTensions(uri: string, tensions: readonly ReviewedTension[]): void {
    if (tensions.length) this.tensions.set(uri, tensions);
    else this.tensions.delete(uri);
    this.linted.delete(uri);
  }

  /**
   * Replaces the editor settings; lint results and config files are read afresh on next use (the
   * server calls this too when a .traitsrc changes).
   */
  setSettings(settings: ServerSettings): void {
    this.editor = editorLayers(settings);
    this.configFiles.clear();
    this.linted.clear();
  }

  /**
   * The parsed document for this version of the text. The previous version's parse is handed to the
   * parser, which reuses its unchanged sections and objects: after a keystroke only the section it
   * touched is parsed again, and only the traits it touched are linted again (the rules' caches are
   * kept per trait object).
   */
  parse(doc: TextDocument): TraitDocument {
    const cached = this.parsed.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.document;
    const document = parseTraitDocument(doc.getText(), { previous: cached?.document ?? null });
    this.parsed.set(doc.uri, { version: doc.version, document });
    return document;
  }

  /**
   * The lint result for this version: rule defaults < editor settings < nearest `.traitsrc` (for
   * files on disk) < front matter. A config file that cannot be used is returned as `configProblem`
   * (and ignored) rather than failing the lint.
   */
  lint(doc: TextDocument): { result: LintResult; configProblem: string | undefined } {
    const cached = this.linted.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const { settings, problem } = this.settingsFor(doc.uri);
    const result = lintDocument(this.parse(doc), { settings, tensions: this.tensions.get(doc.uri) });
    const entry = { version: doc.version, result, configProblem: problem };
    this.linted.set(doc.uri, entry);
    return entry;
  }

  /** Lints a text that is not open in the editor (workspace lint). */
  lintText(uri: string, text: string): { document: TraitDocument; result: LintResult; configProblem: string | undefined } {
    const document = parseTraitDocument(text);
    const { settings, problem } = this.settingsFor(uri);
    return { document, result: lintDocument(document, { settings }), configProblem: problem };
  }

  forget(uri: string): void {
    this.parsed.delete(uri);
    this.linted.delete(uri);
    this.tensions.delete(uri);
  }

  /** The folder of a file URI; the last one is kept, since a keystroke's lint asks for the same one again. */
  private folderOf(uri: string): string {
    if (this.lastFolder?.uri !== uri) this.lastFolder = { uri, folder: dirname(fileURLToPath(uri)) };
    return this.lastFolder.folder;
  }

  private settingsFor(uri: string): { settings: LintSettings[]; problem: string | undefined } {
    const { layers, problem } = this.editor;
    if (!uri.startsWith('file:')) return { settings: layers, problem };
    try {
      const file = this.configFiles.settingsFor(this.folderOf(uri));
      return { settings: file ? [...layers, file] : layers, problem };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { settings: layers, problem: problem ? `${problem} ${error.message}` : error.message };
    }
  }
}

/** Editor settings as lint layers (token budget, then `traitStudio.rules` when valid) and any problem. */
function editorLayers(settings: ServerSettings): { layers: LintSettings[]; problem: string | undefined } {
  const layers: LintSettings[] = [{ 'chunk-too-long': { budget: settings.chunkTokenBudget } }];
  const invalid = validateConfigFile({ lint: settings.rules });
  if (!invalid.length) layers.push(settings.rules);
  return {
    layers,
    problem: invalid.length ? `Setting traitStudio.rules is ignored: ${invalid.map((p) => p.message).join(' ')}` : undefined,
  };
}

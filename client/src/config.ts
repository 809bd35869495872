import * as vscode from 'vscode';
import { readSettings, type SettingKey, type Settings } from '../../server/src/llm/settings';

/**
 * The model-calling settings of `scope` (a document or workspace folder; none: the window's), typed
 * and with their defaults, from the one settings table (server/src/llm/settings.ts), read afresh on
 * every call so a changed setting counts from the next command.
 */
export function modelSettings(scope?: vscode.Uri): Settings {
  const config = vscode.workspace.getConfiguration('traitStudio', scope);
  return readSettings((key: SettingKey) => config.get(key));
}

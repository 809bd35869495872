import * as vscode from 'vscode';

/** Where the Gemini API key lives: the editor's SecretStorage (the OS keychain), never settings or files. */
export const GEMINI_KEY_SECRET = 'traitStudio.geminiApiKey';

/** The key to use and where it came from; the stored key wins over the environment's GEMINI_API_KEY. */
export async function geminiApiKey(
  secrets: vscode.SecretStorage,
): Promise<{ key: string; source: 'SecretStorage' | 'GEMINI_API_KEY' } | undefined> {
  const stored = await secrets.get(GEMINI_KEY_SECRET);
  if (stored) return { key: stored, source: 'SecretStorage' };
  const env = process.env.GEMINI_API_KEY?.trim();
  return env ? { key: env, source: 'GEMINI_API_KEY' } : undefined;
}

/**
 * `Trait Studio: Set API Key` (asks in a password box; an automation may pass the key as the
 * command's argument) and `Trait Studio: Clear API Key`. The log says what happened, never the key.
 */
export function registerApiKeyCommands(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('traitStudio.setApiKey', async (given?: unknown) => {
      const key =
        typeof given === 'string'
          ? given.trim()
          : (
              await vscode.window.showInputBox({
                title: 'Trait Studio: Gemini API key',
                prompt:
                  "Stored in VS Code's secret storage (your OS keychain), never in settings or files. Get one at https://aistudio.google.com/apikey",
                password: true,
                ignoreFocusOut: true,
                validateInput: (value) => (value.trim() ? undefined : 'Paste the key, or press Escape to cancel'),
              })
            )?.trim();
      if (!key) return false;
      await secrets.store(GEMINI_KEY_SECRET, key);
      log.info('Gemini API key stored in SecretStorage.');
      void vscode.window.showInformationMessage('Trait Studio: Gemini API key saved in secret storage.');
      return true;
    }),
    vscode.commands.registerCommand('traitStudio.clearApiKey', async () => {
      await secrets.delete(GEMINI_KEY_SECRET);
      log.info('Gemini API key removed from SecretStorage.');
      void vscode.window.showInformationMessage(
        process.env.GEMINI_API_KEY
          ? 'Trait Studio: stored key removed; GEMINI_API_KEY from the environment is still used.'
          : 'Trait Studio: Gemini API key removed.',
      );
    }),
  );
}

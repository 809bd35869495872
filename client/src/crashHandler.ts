import * as vscode from 'vscode';
import { CloseAction, ErrorAction, type ErrorHandler, type Message } from 'vscode-languageclient/node';

/** Restarts allowed within `WINDOW_MS` before giving up (a server that crashes on start would loop). */
const MAX_RESTARTS = 4;
const WINDOW_MS = 3 * 60_000;

/**
 * Restarts a crashed language server and says so (a warning and a log line), up to four times in
 * three minutes; after that it stops and tells the user how to restart by hand.
 */
export function crashHandler(log: vscode.LogOutputChannel, onGiveUp: () => void): ErrorHandler {
  const restarts: number[] = [];
  return {
    error(error: Error, _message: Message | undefined, count: number | undefined) {
      log.error(`Connection to the language server failed: ${error.message}`);
      return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
    },
    closed() {
      const now = Date.now();
      while (restarts.length && now - restarts[0] > WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        onGiveUp();
        const message =
          'The Trait Studio language server crashed 5 times in 3 minutes and was not restarted. Run "Trait Studio: Restart Language Server" after checking the output.';
        log.error(message);
        void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => choice && log.show());
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      restarts.push(now);
      const message = 'The Trait Studio language server stopped unexpectedly and was restarted.';
      log.warn(message);
      void vscode.window.showWarningMessage(message, 'Show Output').then((choice) => choice && log.show());
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

import * as vscode from 'vscode';

type State = 'starting' | 'running' | 'crashed';

const LOOK: Readonly<Record<State, { text: string; tooltip: string }>> = {
  starting: { text: '$(sync~spin) Traits', tooltip: 'Trait Studio: starting the language server' },
  running: { text: '$(checklist) Traits', tooltip: 'Trait Studio: linting trait documents. Click for the output.' },
  crashed: { text: '$(error) Traits', tooltip: 'Trait Studio: the language server stopped. Click for the output.' },
};

/** The status-bar item: shown for `traits` editors, says whether the server runs, opens the log. */
export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('traitStudio.status', { language: 'traits' });
  private readonly bar = vscode.window.createStatusBarItem('traitStudio.status', vscode.StatusBarAlignment.Right, 100);
  // Visible editors, not the active one: focusing the output panel must not hide the item.
  private readonly subscription = vscode.window.onDidChangeVisibleTextEditors(() => this.updateVisibility());

  constructor() {
    this.item.name = 'Trait Studio';
    this.item.command = { title: 'Show Output', command: 'traitStudio.showOutput' };
    this.bar.name = 'Trait Studio';
    this.bar.command = 'traitStudio.showOutput';
    this.updateVisibility();
  }

  set(state: State): void {
    const look = LOOK[state];
    this.item.text = look.text;
    this.item.detail = state;
    this.item.severity = state === 'crashed' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.bar.text = look.text;
    this.bar.tooltip = look.tooltip;
  }

  private updateVisibility(): void {
    if (vscode.window.visibleTextEditors.some((e) => e.document.languageId === 'traits')) this.bar.show();
    else this.bar.hide();
  }

  dispose(): void {
    this.item.dispose();
    this.bar.dispose();
    this.subscription.dispose();
  }
}

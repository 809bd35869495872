import type * as vscode from 'vscode';

/** A workspace-state memento in memory, JSON round-tripped as VS Code stores it; `initial` is what it holds first. */
export function memento(initial: Record<string, unknown> = {}): vscode.Memento {
  const values = new Map(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (JSON.parse(values.get(key)!) as T) : fallback),
    update: async (key: string, value: unknown) => void values.set(key, JSON.stringify(value)),
  } as vscode.Memento;
}

import type * as vscode from 'vscode';

/**
 * One record per document URI in the workspace's state (a `vscode.Memento`), kept for the `keep`
 * most recently set documents only, so the state stays bounded however many documents a user
 * reviews. A stored record that `valid` rejects (an older format, a hand-edited state) reads as
 * absent: nothing malformed reaches the caller.
 */
export class RecentPerDocument<T> {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly key: string,
    private readonly keep: number,
    private readonly valid: (value: unknown) => value is T,
  ) {}

  /** Document `uri`'s record, if one is kept and well formed. */
  get(uri: string): T | undefined {
    const value = this.stored()[uri];
    return this.valid(value) ? value : undefined;
  }

  /** Keeps `value` as document `uri`'s record, the most recent (dropping the least recent beyond `keep`). */
  async set(uri: string, value: T): Promise<void> {
    const others = Object.entries(this.stored()).filter(([key]) => key !== uri);
    await this.memento.update(this.key, Object.fromEntries([[uri, value], ...others].slice(0, this.keep)));
  }

  /** Per document URI, most recently set first; a state that is not such a map reads as empty. */
  private stored(): Record<string, unknown> {
    const value = this.memento.get<unknown>(this.key);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }
}

/** `value` is a non-null object (not an array): its fields can be checked. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

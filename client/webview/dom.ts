// What every webview page script needs: its typed handle on the VS Code API, and building DOM
// from plain data without ever parsing text as HTML (strings become text nodes).

/** The webview's VS Code API, typed by what the page sends and what it saves. */
export interface VsCodeApi<Message, State> {
  postMessage(message: Message): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

/** The page's VS Code API (VS Code hands it out once per page). */
export function vscodeApi<Message, State>(): VsCodeApi<Message, State> {
  return acquireVsCodeApi() as VsCodeApi<Message, State>;
}

/** A child of `el`: a node, a string (set as text), or nothing. */
export type Child = Node | string | null | undefined | false;

/** An element with a class and children; strings become text nodes, never HTML. */
export function el(tag: string, className: string, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * A colour key: one swatch and its label per entry, in order (`<p class="legend">` of
 * `<span class="swatch CLASS">` and text). The swatch's class names its colour in the page's CSS,
 * the same class the chart's marks carry.
 */
export function legend(entries: readonly (readonly [swatchClass: string, label: string])[]): HTMLElement {
  const p = el('p', 'legend');
  for (const [swatch, label] of entries) p.append(el('span', 'entry', el('span', `swatch ${swatch}`), ` ${label}`));
  return p;
}

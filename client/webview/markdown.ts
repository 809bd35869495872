// Model text as Markdown, safely: markdown-it with raw HTML off (a model's `<script>` or
// `<img onerror>` is escaped and shows as text), images shown as their alt text and links as their
// text and address (nothing is fetched or opened), and the result rebuilt from an inert <template>
// keeping only the elements and attributes Markdown makes — so whatever the renderer emits, no
// script, handler, style or remote reference reaches the page. The page's CSP still forbids scripts
// without its nonce and any network access.
import MarkdownIt from 'markdown-it';
import { el } from './dom';

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
const escape = markdown.utils.escapeHtml;

// Links: their text, then the address as text; no anchor, so nothing navigates.
markdown.renderer.rules.link_open = () => '<span class="link">';
markdown.renderer.rules.link_close = (tokens, i) => {
  // The address is on the matching open token; find it walking back (links do not nest, but be safe).
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    if (tokens[j].type === 'link_close') depth++;
    if (tokens[j].type === 'link_open' && depth-- === 0)
      return `</span> <span class="url">(${escape(String(tokens[j].attrGet('href') ?? ''))})</span>`;
  }
  return '</span>';
};
// Images: never loaded; their alt text says what was there.
markdown.renderer.rules.image = (tokens, i) =>
  `<span class="image">[image: ${escape(String(tokens[i].content || tokens[i].attrGet('src') || ''))}]</span>`;

/** Elements Markdown renders that may stay; anything else is replaced by its text. */
const ALLOWED = new Set([
  'P',
  'BR',
  'EM',
  'STRONG',
  'S',
  'DEL',
  'CODE',
  'PRE',
  'BLOCKQUOTE',
  'UL',
  'OL',
  'LI',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HR',
  'TABLE',
  'THEAD',
  'TBODY',
  'TR',
  'TH',
  'TD',
  'SPAN',
]);
/** Attributes that may stay, by element: a list's start number, code's language class, our spans' class. */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = { OL: ['start'], CODE: ['class'], SPAN: ['class'] };

/** `node`'s children, copied into this document keeping only ALLOWED elements and ATTRIBUTES. */
function clean(from: Node, into: Node): void {
  for (const child of Array.from(from.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(document.createTextNode(child.textContent ?? ''));
    } else if (child instanceof Element) {
      if (!ALLOWED.has(child.tagName)) {
        into.appendChild(document.createTextNode(child.textContent ?? ''));
        continue;
      }
      const copy = document.createElement(child.tagName.toLowerCase());
      for (const name of ATTRIBUTES[child.tagName] ?? []) {
        const value = child.getAttribute(name);
        if (value !== null && (name !== 'start' || /^\d+$/.test(value))) copy.setAttribute(name, value);
      }
      clean(child, copy);
      into.appendChild(copy);
    }
  }
}

/** A block showing `text` rendered as sanitised Markdown (see the module comment). */
export function markdownBlock(text: string, className = ''): HTMLElement {
  const template = document.createElement('template');
  // A <template>'s content is inert: nothing in it runs or loads while it is read.
  template.innerHTML = markdown.render(text);
  const block = el('div', `body markdown${className ? ` ${className}` : ''}`);
  clean(template.content, block);
  return block;
}

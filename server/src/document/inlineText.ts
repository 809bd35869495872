import MarkdownIt from 'markdown-it';
import { memo } from '../analysis/memo';

const inlineMd = new MarkdownIt('default', { html: true });
const plainTexts = memo<string>(20_000);

/** Plain text of inline Markdown (emphasis, code, links reduced to their text), trimmed; memoised by text. */
export function plainText(inline: string): string {
  return plainTexts.get(inline, inlineText);
}

function inlineText(inline: string): string {
  const [token] = inlineMd.parseInline(inline, {});
  let out = '';
  for (const child of token?.children ?? []) {
    if (child.type === 'text' || child.type === 'code_inline') out += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') out += ' ';
  }
  return out.trim();
}

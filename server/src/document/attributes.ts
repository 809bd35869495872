/**
 * Heading attribute blocks as the Model Spec writes them: `## Title {#id key=value .class}` (the
 * Pandoc / markdown-it-attrs syntax). Values may be quoted: `key="two words"`.
 */
export interface AttributeBlock {
  /** Offset of `{` in the string searched. */
  readonly start: number;
  readonly id: string | undefined;
  /** Offset of the id's first character (after `#`). */
  readonly idStart: number;
  readonly attributes: Record<string, string>;
}

const TRAILING_BLOCK = /[ \t]*\{([^{}\n]*)\}[ \t]*$/;
const ITEM = /(#|\.)?([^\s=#."']+)(?:=("[^"]*"|'[^']*'|\S*))?/g;

/** Parses a trailing `{...}` attribute block from a heading's title text, if it has one. */
export function parseAttributeBlock(title: string): AttributeBlock | undefined {
  const m = TRAILING_BLOCK.exec(title);
  if (!m) return undefined;
  const inner = m[1];
  const innerStart = m.index + m[0].indexOf('{') + 1;
  // Only a block made of attribute items counts; `{like this}` in a title is text.
  if (!/^\s*(?:(?:#|\.)[^\s=#."']+|[^\s=#."']+=(?:"[^"]*"|'[^']*'|\S*))(?:\s+(?:(?:#|\.)[^\s=#."']+|[^\s=#."']+=(?:"[^"]*"|'[^']*'|\S*)))*\s*$/.test(inner)) {
    return undefined;
  }
  let id: string | undefined;
  let idStart = -1;
  const attributes: Record<string, string> = {};
  const classes: string[] = [];
  for (const item of inner.matchAll(ITEM)) {
    const [, sigil, name, value] = item;
    if (sigil === '#') {
      id = name;
      idStart = innerStart + (item.index ?? 0) + 1;
    } else if (sigil === '.') {
      classes.push(name);
    } else if (value !== undefined) {
      attributes[name] = value.replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  if (classes.length) attributes.class = classes.join(' ');
  return { start: m.index, id, idStart, attributes };
}

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

const ITEM = /(#|\.)?([^\s=#."']+)(?:=("[^"]*"|'[^']*'|\S*))?/g;

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * The trailing block of a title, as /[ \t]*\{([^{}\n]*)\}[ \t]*$/ finds it: `start` is where its
 * leading blanks begin, `open` the offset of `{`, `inner` the text between the braces.
 */
// A scan, not the expression: it retried every blank of the title.
function trailingBlock(title: string): { start: number; open: number; inner: string } | undefined {
  let close = title.length;
  while (close > 0 && isBlank(title.charCodeAt(close - 1))) close--;
  if (title.charCodeAt(close - 1) !== 125) return undefined; // }
  close--;
  let open = close - 1;
  while (open >= 0 && !'{}\n'.includes(title[open])) open--;
  if (open < 0 || title[open] !== '{') return undefined;
  let start = open;
  while (start > 0 && isBlank(title.charCodeAt(start - 1))) start--;
  return { start, open, inner: title.slice(open + 1, close) };
}

const isWhite = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
const isNameChar = (ch: string | undefined) => ch !== undefined && !/[\s=#."']/.test(ch);

/**
 * True when `inner` is a list of attribute items separated by white space: `#id`, `.class` or
 * `key=value` (value `"..."`, `'...'` or unquoted), as
 * /^\s*ITEM(?:\s+ITEM)*\s*$/ with ITEM = (?:[#.][^\s=#."']+|[^\s=#."']+=(?:"[^"]*"|'[^']*'|\S*))
 * accepts it.
 */
// Not the expression: it took exponential time where quoted and unquoted readings both go on (`a="b a=" ...`).
function isAttributeList(inner: string): boolean {
  const n = inner.length;
  const seen = new Uint8Array(n + 1);
  const starts: number[] = [];
  /** An item ended at `end`: the list ends there, or white space leads to the next item. */
  const after = (end: number): boolean => {
    let next = end;
    while (isWhite(inner[next])) next++;
    if (next === n) return true;
    if (next > end && !seen[next]) {
      seen[next] = 1;
      starts.push(next);
    }
    return false;
  };
  let first = 0;
  while (isWhite(inner[first])) first++;
  if (first === n) return false;
  starts.push(first);
  for (let k = 0; k < starts.length; k++) {
    const p = starts[k];
    if (inner[p] === '#' || inner[p] === '.') {
      let e = p + 1;
      while (isNameChar(inner[e])) e++;
      if (e > p + 1 && after(e)) return true;
      continue;
    }
    let e = p;
    while (isNameChar(inner[e])) e++;
    if (e === p || inner[e] !== '=') continue;
    const v = e + 1;
    if (inner[v] === '"' || inner[v] === "'") {
      const q = inner.indexOf(inner[v], v + 1);
      if (q >= 0 && after(q + 1)) return true;
    }
    let w = v;
    while (w < n && !isWhite(inner[w])) w++;
    if (after(w)) return true;
  }
  return false;
}

/** Parses a trailing `{...}` attribute block from a heading's title text, if it has one. */
export function parseAttributeBlock(title: string): AttributeBlock | undefined {
  const block = trailingBlock(title);
  if (!block) return undefined;
  const { inner } = block;
  const innerStart = block.open + 1;
  // Only a block made of attribute items counts; `{like this}` in a title is text.
  if (!isAttributeList(inner)) return undefined;
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
  return { start: block.start, id, idStart, attributes };
}

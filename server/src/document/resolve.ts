import type { Heading, Reference, TraitDocument } from './model';

/** The names references can resolve to: heading ids, GitHub anchors, HTML anchors and titles. */
export interface ReferenceTargets {
  /** Every id: headings' ids, then the document's HTML anchors. */
  readonly ids: ReadonlySet<string>;
  /** Whether `id` is one of `ids` (without reading the HTML anchors when a heading has it). */
  has(id: string): boolean;
  /** Normalised title → heading. */
  readonly titles: ReadonlyMap<string, { title: string; id: string }>;
}

/** A title as references match it: trimmed, inner whitespace collapsed, lower-cased. */
export const normaliseTitle = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();

const targetsCache = new WeakMap<TraitDocument, ReferenceTargets>();

/** Collects every name a reference in `document` may use (cached per document). */
export function referenceTargets(document: TraitDocument): ReferenceTargets {
  const cached = targetsCache.get(document);
  if (cached) return cached;
  const headingIds = new Set<string>();
  const titles = new Map<string, { title: string; id: string }>();
  for (const h of document.headings) {
    headingIds.add(h.id);
    const title = headingTitle(h);
    if (!titles.has(title)) titles.set(title, { title: h.title, id: h.id });
  }
  const targets = new Targets(document.text, headingIds, titles);
  targetsCache.set(document, targets);
  return targets;
}

/**
 * Reference targets whose HTML anchors are read only when a name is not a heading's: most references
 * name headings, and scanning the whole text for tags after every keystroke would cost more than the
 * rest of resolving.
 */
class Targets implements ReferenceTargets {
  private all: ReadonlySet<string> | undefined;

  constructor(
    private readonly text: string,
    readonly headingIds: ReadonlySet<string>,
    readonly titles: ReadonlyMap<string, { title: string; id: string }>,
  ) {}

  get ids(): ReadonlySet<string> {
    // Heading ids first, then explicit HTML anchors (<a id="x"></a>, <span name="x">).
    return (this.all ??= new Set([...this.headingIds, ...htmlAnchorIds(this.text)]));
  }

  has(id: string): boolean {
    return this.headingIds.has(id) || this.ids.has(id);
  }
}

// Per heading object: a parse after an edit hands back unchanged headings.
const titleOf = new WeakMap<Heading, string>();

/** `normaliseTitle` of a heading's title, kept per heading object. */
function headingTitle(heading: Heading): string {
  let title = titleOf.get(heading);
  if (title === undefined) titleOf.set(heading, (title = normaliseTitle(heading.title)));
  return title;
}

/** The id a reference points at, or undefined when it names nothing. */
export function resolveReference(targets: ReferenceTargets, ref: Reference): string | undefined {
  if (ref.form === 'wiki-title')
    return targets.titles.get(normaliseTitle(ref.target))?.id ?? (targets.has(ref.target) ? ref.target : undefined);
  let id = ref.target;
  // Without a %-escape the target decodes to itself.
  if (id.includes('%')) {
    try {
      id = decodeURIComponent(ref.target);
    } catch {
      // A malformed %-escape: compare the raw text.
    }
  }
  return targets.has(id) ? id : undefined;
}

const isAsciiLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isQuote = (c: number) => c === 34 || c === 39;

/**
 * The `id` / `name` values of HTML tags, as /<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi finds
 * them: in a tag (up to its first `>`), the last attribute ` id="` or ` name="` (any case) whose value
 * is not empty and is closed by a quote somewhere after it; the value runs to the next quote.
 */
// A scan, not the expression: it rescanned a tag from every `<` in it.
export function htmlAnchorIds(text: string): string[] {
  const ids: string[] = [];
  const lastQuote = Math.max(text.lastIndexOf('"'), text.lastIndexOf("'"));
  const attributeAt = (p: number): number => {
    // The value's offset when text[p] is white space starting ` id=` / ` name=` and a quote, else -1.
    // Printable ASCII other than a space is never white space: most characters skip the expression.
    const c = text.charCodeAt(p);
    if ((c > 32 && c < 127) || !/\s/.test(text[p])) return -1;
    for (const key of ['id=', 'name=']) {
      const v = p + 1 + key.length;
      if (text.slice(p + 1, v).toLowerCase() !== key || !isQuote(text.charCodeAt(v))) continue;
      return isQuote(text.charCodeAt(v + 1)) || lastQuote <= v + 1 ? -1 : v + 1;
    }
    return -1;
  };
  for (let i = text.indexOf('<'); i >= 0;) {
    if (!isAsciiLetter(text.charCodeAt(i + 1))) {
      i = text.indexOf('<', i + 1);
      continue;
    }
    let tagEnd = text.indexOf('>', i + 2);
    if (tagEnd < 0) tagEnd = text.length;
    let value = -1;
    for (let p = tagEnd - 1; p >= i + 2 && value < 0; p--) value = attributeAt(p);
    if (value < 0) {
      // Every tag start up to the same `>` fails alike.
      i = tagEnd < text.length ? text.indexOf('<', tagEnd) : -1;
      continue;
    }
    let close = value;
    while (!isQuote(text.charCodeAt(close))) close++;
    ids.push(text.slice(value, close));
    i = text.indexOf('<', close + 1);
  }
  return ids;
}

import type { Reference, TraitDocument } from './model';

/** The names references can resolve to: heading ids, GitHub anchors, HTML anchors and titles. */
export interface ReferenceTargets {
  readonly ids: ReadonlySet<string>;
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
  const ids = new Set<string>();
  const titles = new Map<string, { title: string; id: string }>();
  for (const h of document.headings) {
    ids.add(h.id);
    if (!titles.has(normaliseTitle(h.title))) titles.set(normaliseTitle(h.title), { title: h.title, id: h.id });
  }
  // Explicit HTML anchors: <a id="x"></a>, <span name="x">.
  for (const m of document.text.matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) ids.add(m[1]);
  const targets = { ids, titles };
  targetsCache.set(document, targets);
  return targets;
}

/** The id a reference points at, or undefined when it names nothing. */
export function resolveReference(targets: ReferenceTargets, ref: Reference): string | undefined {
  if (ref.form === 'wiki-title') return targets.titles.get(normaliseTitle(ref.target))?.id ?? (targets.ids.has(ref.target) ? ref.target : undefined);
  let id = ref.target;
  try {
    id = decodeURIComponent(ref.target);
  } catch {
    // A malformed %-escape: compare the raw text.
  }
  return targets.ids.has(id) ? id : undefined;
}

import type { Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { Heading, Reference, TraitDocument } from '../document/model';
import { parseTraitDocument } from '../document/parse';
import { rangeContainsPosition } from '../document/position';
import { normaliseTitle, referenceTargets, resolveReference } from '../document/resolve';

/** What stands at a position: a heading's title or id, or a reference (with the heading it names). */
export type Target =
  | { readonly kind: 'title'; readonly heading: Heading }
  | { readonly kind: 'id'; readonly heading: Heading }
  | { readonly kind: 'reference'; readonly reference: Reference; readonly heading: Heading | undefined };

/** The heading or reference at `position`, if any. */
export function targetAt(document: TraitDocument, position: Position): Target | undefined {
  // References first: one may stand inside a heading's title.
  const reference = document.references.find((r) => rangeContainsPosition(r.range, position));
  if (reference) return { kind: 'reference', reference, heading: headingOf(document, reference) };
  for (const heading of document.headings) {
    if (heading.idRange && rangeContainsPosition(heading.idRange, position)) return { kind: 'id', heading };
    if (rangeContainsPosition(heading.titleRange, position)) return { kind: 'title', heading };
  }
  return undefined;
}

/** The heading a reference resolves to. */
export function headingOf(document: TraitDocument, reference: Reference): Heading | undefined {
  const id = resolveReference(referenceTargets(document), reference);
  return id === undefined ? undefined : document.headings.find((h) => h.id === id);
}

/** Every reference in `document` that resolves to `heading`. */
export function referencesTo(document: TraitDocument, heading: Heading): Reference[] {
  const targets = referenceTargets(document);
  return document.references.filter((r) => resolveReference(targets, r) === heading.id);
}

/** Definition of the reference at a position: the heading it names. */
export function definition(uri: string, document: TraitDocument, position: Position): Location | undefined {
  const target = targetAt(document, position);
  if (target?.kind !== 'reference' || !target.heading) return undefined;
  return { uri, range: target.heading.range };
}

/** References to the heading at, or named at, a position. */
export function references(uri: string, document: TraitDocument, position: Position, includeDeclaration: boolean): Location[] {
  const target = targetAt(document, position);
  const heading = target?.kind === 'reference' ? target.heading : target?.heading;
  if (!heading) return [];
  const refs = referencesTo(document, heading).map((r) => ({ uri, range: r.range }));
  return includeDeclaration ? [{ uri, range: heading.titleRange }, ...refs] : refs;
}

/** What a rename at `position` would change, for `prepareRename`: the range and its current text. */
export function prepareRename(document: TraitDocument, position: Position): { range: Range; placeholder: string } | undefined {
  const target = targetAt(document, position);
  if (!target) return undefined;
  if (target.kind === 'title') return { range: target.heading.titleRange, placeholder: target.heading.title };
  if (target.kind === 'id') return { range: target.heading.idRange!, placeholder: target.heading.id };
  if (!target.heading) return undefined;
  return { range: target.reference.targetRange, placeholder: target.reference.target };
}

/**
 * Renames the trait (or any heading) at or named at `position`. On a title or `[[Title]]`: the
 * heading's title and every `[[Title]]` reference, and — when the id is the title's slug rather than
 * an explicit `{#id}` — every `[[#id]]` and `[text](#id)` reference to the new slug. On an id: the
 * `{#id}` (added when the heading had none) and every reference by id. `others` are the other open
 * trait documents: their `[[Title]]` references that name the old title and resolve to nothing of
 * their own are renamed too.
 */
export function rename(
  uri: string,
  document: TraitDocument,
  position: Position,
  newName: string,
  others: readonly { uri: string; document: TraitDocument }[],
): WorkspaceEdit | undefined {
  const target = targetAt(document, position);
  if (!target) return undefined;
  const heading = target.kind === 'reference' ? target.heading : target.heading;
  if (!heading) return undefined;
  const refs = referencesTo(document, heading);
  const edits: TextEdit[] = [];
  const byIdTo = (id: string) => {
    for (const r of refs) if (r.form !== 'wiki-title') edits.push({ range: r.targetRange, newText: id });
  };
  const renamingId = renamesId(target);
  const changes: Record<string, TextEdit[]> = { [uri]: edits };
  if (renamingId) {
    const id = newName.trim().replace(/\s+/g, '-');
    if (heading.idRange) edits.push({ range: heading.idRange, newText: id });
    else edits.push({ range: { start: heading.titleRange.end, end: heading.titleRange.end }, newText: ` {#${id}}` });
    byIdTo(id);
    // `[[id]]` resolves by id when no title matches it.
    for (const r of refs) if (r.form === 'wiki-title' && r.target === heading.id) edits.push({ range: r.targetRange, newText: id });
  } else {
    const title = newName.trim();
    edits.push({ range: heading.titleRange, newText: title });
    for (const r of refs) if (r.form === 'wiki-title' && r.target !== heading.id) edits.push({ range: r.targetRange, newText: title });
    // Slug ids change with the title, and repeated slugs renumber (`care`, `care-1`): re-point every
    // reference by id to a heading whose id the new title changes.
    for (const [moved, id] of changedSlugIds(document, heading, title)) {
      for (const r of referencesTo(document, moved)) if (r.form !== 'wiki-title') edits.push({ range: r.targetRange, newText: id });
    }
    for (const other of others) {
      const otherEdits = retitleReferences(other.document, heading.title, title);
      if (otherEdits.length) changes[other.uri] = otherEdits;
    }
  }
  return { changes };
}

/** True when a rename at `target` changes an id (on `{#id}` or a reference by id), not a title. */
function renamesId(target: Target): boolean {
  return target.kind === 'id' || (target.kind === 'reference' && target.reference.form !== 'wiki-title');
}

/**
 * When a rename at `position` retitles a heading (rather than changing an id): its current title and
 * the new one, which `retitleReferences` applies to other documents.
 */
export function retitling(document: TraitDocument, position: Position, newName: string): { from: string; to: string } | undefined {
  const target = targetAt(document, position);
  if (!target?.heading || renamesId(target)) return undefined;
  return { from: target.heading.title, to: newName.trim() };
}

/** In another document: edits retitling its `[[from]]` references that resolve to nothing of its own. */
export function retitleReferences(document: TraitDocument, from: string, to: string): TextEdit[] {
  const targets = referenceTargets(document);
  return document.references
    .filter(
      (r) => r.form === 'wiki-title' && normaliseTitle(r.target) === normaliseTitle(from) && resolveReference(targets, r) === undefined,
    )
    .map((r) => ({ range: r.targetRange, newText: to }));
}

/**
 * Headings without `{#id}` whose slug id changes when `heading` is retitled, with their new ids
 * (found by parsing the document with the new title, so numbering of repeated slugs is the parser's).
 */
function changedSlugIds(document: TraitDocument, heading: Heading, title: string): [Heading, string][] {
  const { lines } = document;
  const start = lines.offsetAt(heading.titleRange.start);
  const end = lines.offsetAt(heading.titleRange.end);
  const retitled = parseTraitDocument(document.text.slice(0, start) + title + document.text.slice(end));
  const changed: [Heading, string][] = [];
  document.headings.forEach((h, i) => {
    const id = retitled.headings[i]?.id;
    if (!h.idRange && id !== undefined && id !== h.id) changed.push([h, id]);
  });
  return changed;
}

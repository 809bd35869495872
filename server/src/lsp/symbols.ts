import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import { PART_TITLE } from '../document/headingKinds';
import type { Group, Trait, TraitDocument } from '../document/model';

/**
 * The outline: groups → traits → parts, plus context sections, as LSP DocumentSymbols. Groups nest
 * as in the document; a trait sits under its innermost group.
 */
export function documentSymbols(document: TraitDocument): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const ofGroup = new Map<Group, DocumentSymbol>();
  const place = (symbol: DocumentSymbol, parents: readonly Group[]) => {
    const parent = parents.length ? ofGroup.get(parents[parents.length - 1]) : undefined;
    (parent ? (parent.children ??= []) : roots).push(symbol);
  };
  // The innermost enclosing group is the last earlier group whose section contains this one.
  const enclosing = (g: Group, i: number) =>
    document.groups
      .slice(0, i)
      .reverse()
      .find((x) => contains(x, g));
  for (const section of document.contextSections) {
    if (!section.heading) continue;
    roots.push({
      name: section.heading.title,
      detail: 'context',
      kind: SymbolKind.Namespace,
      range: section.range,
      selectionRange: section.heading.titleRange,
    });
  }
  document.groups.forEach((group, i) => {
    const symbol: DocumentSymbol = {
      name: group.heading.title,
      detail: 'group',
      kind: SymbolKind.Module,
      range: group.range,
      selectionRange: group.heading.titleRange,
      children: [],
    };
    ofGroup.set(group, symbol);
    const parent = enclosing(group, i);
    place(symbol, parent ? [parent] : []);
  });
  for (const trait of document.traits) place(traitSymbol(trait), trait.groups);
  const byStart = (a: DocumentSymbol, b: DocumentSymbol) => a.range.start.line - b.range.start.line;
  const sort = (list: DocumentSymbol[]) => {
    list.sort(byStart);
    list.forEach((s) => s.children && sort(s.children));
  };
  sort(roots);
  return roots;
}

function contains(outer: Group, inner: Group): boolean {
  return outer.range.start.line <= inner.range.start.line && inner.range.end.line <= outer.range.end.line;
}

function traitSymbol(trait: Trait): DocumentSymbol {
  return {
    name: trait.title,
    detail: `#${trait.id}`,
    kind: SymbolKind.Class,
    range: trait.range,
    selectionRange: trait.heading.titleRange,
    children: trait.parts.map((part) => ({
      name: part.heading.title,
      detail: PART_TITLE[part.kind],
      kind: SymbolKind.Property,
      range: part.range,
      selectionRange: part.heading.titleRange,
    })),
  };
}

/** Folding ranges: every heading section, the front matter and each example block. */
export function foldingRanges(document: TraitDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const h of document.headings) {
    if (h.sectionEndLine > h.range.start.line) ranges.push({ startLine: h.range.start.line, endLine: h.sectionEndLine });
  }
  const fm = document.frontMatter;
  if (fm && fm.range.end.line > fm.range.start.line) ranges.push({ startLine: fm.range.start.line, endLine: fm.range.end.line });
  for (const t of document.traits) {
    for (const e of t.examples)
      if (e.range.end.line > e.range.start.line) ranges.push({ startLine: e.range.start.line, endLine: e.range.end.line });
  }
  // `<!-- #region -->` ... `<!-- #endregion -->`: VS Code ignores the language's folding markers when
  // a server provides folding, so the server folds them.
  const open: number[] = [];
  const { lines } = document;
  if (document.text.includes('#region')) {
    for (let l = 0; l < lines.lineCount; l++) {
      const text = lines.lineText(l);
      if (/^\s*<!--\s*#region\b/.test(text)) open.push(l);
      else if (/^\s*<!--\s*#endregion\b/.test(text) && open.length) ranges.push({ startLine: open.pop()!, endLine: l, kind: 'region' });
    }
  }
  return ranges;
}

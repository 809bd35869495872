import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Position } from 'vscode-languageserver';
import { PART_TITLE } from '../document/headingKinds';
import { PART_KINDS, type TraitDocument } from '../document/model';
import { FRONT_MATTER_SCHEMA } from '../rules/config';
import { RULES } from '../rules/registry';

/**
 * Completion: `[[` references to the document's traits and headings (`[[#` offers ids), part
 * headings on a heading line inside a trait, and front-matter keys and rule names under `lint:`.
 */
export function completions(document: TraitDocument, position: Position): CompletionItem[] {
  const line = document.lines.lineText(position.line);
  const before = line.slice(0, position.character);
  const after = line.slice(position.character);

  const fm = document.frontMatter;
  if (fm && position.line > fm.range.start.line && position.line < fm.range.end.line)
    return frontMatterCompletions(document, position, before);

  const wiki = /\[\[([^\]|\n]*)$/.exec(before);
  if (wiki) {
    const typed = wiki[1];
    const start = { line: position.line, character: position.character - typed.length };
    // Inside an existing reference, replace up to its `]]` (or `|label`) instead of adding another.
    const rest = /^[^\]|\n]*(?=\]\]|\|)/.exec(after);
    const close = rest ? '' : ']]';
    const range = { start, end: rest ? { line: position.line, character: position.character + rest[0].length } : position };
    if (typed.startsWith('#')) {
      return document.headings.map((h) => ({
        label: `#${h.id}`,
        detail: h.title,
        kind: CompletionItemKind.Reference,
        textEdit: { range, newText: `#${h.id}${close}` },
      }));
    }
    const traitIds = new Set(document.traits.map((t) => t.id));
    return document.headings
      .filter((h) => !h.partKind && h.title)
      .map((h) => ({
        label: h.title,
        detail: `#${h.id}`,
        kind: traitIds.has(h.id) ? CompletionItemKind.Class : CompletionItemKind.Module,
        sortText: traitIds.has(h.id) ? `0${h.title}` : `1${h.title}`,
        textEdit: { range, newText: `${h.title}${close}` },
      }));
  }

  const heading = /^(#{1,6})[ \t]+([\w-]*)$/.exec(before);
  if (heading) {
    // The heading being typed may itself turn its parent into a group for now, so look for the
    // nearest heading above of a higher level rather than for an enclosing trait.
    const level = heading[1].length;
    const owner = [...document.headings].reverse().find((h) => h.range.start.line < position.line && h.level < level);
    if (!owner || owner.partKind || document.contextSections.some((c) => c.heading === owner)) return [];
    const trait = document.traits.find((t) => t.heading === owner);
    const present = new Set(trait?.parts.map((p) => p.kind));
    const title = owner.title;
    const start = { line: position.line, character: position.character - heading[2].length };
    return PART_KINDS.filter((k) => !present.has(k)).map((kind, i) => ({
      label: PART_TITLE[kind],
      detail: `${PART_TITLE[kind]} part of "${title}"`,
      kind: CompletionItemKind.Keyword,
      sortText: String(i),
      textEdit: { range: { start, end: position }, newText: PART_TITLE[kind] },
    }));
  }
  return [];
}

function frontMatterCompletions(document: TraitDocument, position: Position, before: string): CompletionItem[] {
  if (/^[\w-]*$/.test(before)) {
    return Object.entries(FRONT_MATTER_SCHEMA.properties).map(([key, schema]) => ({
      label: key,
      kind: CompletionItemKind.Property,
      documentation: (schema as { description?: string }).description,
      insertText: key === 'lint' ? 'lint:\n  ' : `${key}: `,
    }));
  }
  if (/^\s+[\w-]*$/.test(before)) {
    // Under `lint:`? Look up for the nearest unindented key.
    for (let l = position.line - 1; l > document.frontMatter!.range.start.line; l--) {
      const text = document.lines.lineText(l);
      if (/^\S/.test(text)) {
        if (!/^lint\s*:/.test(text)) return [];
        return RULES.map((rule) => ({
          label: rule.name,
          detail: `${rule.id} · default ${rule.defaultSeverity}`,
          documentation: rule.description,
          kind: CompletionItemKind.Value,
          insertText: `${rule.name}: \${1|off,error,warning,information,hint|}`,
          insertTextFormat: InsertTextFormat.Snippet,
        }));
      }
    }
  }
  return [];
}

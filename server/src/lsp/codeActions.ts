import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type SnippetTextEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { PART_TITLE } from '../document/headingKinds';
import type { PartKind, Trait, TraitDocument } from '../document/model';
import { rangesEqual, rangesIntersect } from '../document/position';
import type { LintDiagnostic } from '../rules/rule';
import { DIAGNOSTIC_SOURCE } from './convert';

/** The kind of the fix-all action (run by `editor.codeActionsOnSave` with `source.fixAll.traits`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.traits`;

const MISSING_PART: Readonly<Record<string, PartKind>> = {
  'missing-rationale': 'rationale',
  'missing-tradeoffs': 'tradeoffs',
  'missing-exceptions': 'exceptions',
};

const ARTICLE: Readonly<Record<PartKind, string>> = { rationale: 'a', tradeoffs: 'a', exceptions: 'an', examples: 'an' };

/** Parts in the order a trait states them. */
const PART_ORDER: readonly PartKind[] = ['rationale', 'tradeoffs', 'exceptions', 'examples'];

/**
 * What an inserted part says until the author replaces it: a snippet placeholder (selected, so
 * typing replaces it) where the client takes snippets, plain text otherwise. Text, not an empty
 * part: an empty part would leave the finding and add empty-trait's.
 */
export const PART_PLACEHOLDER: Readonly<Record<PartKind, string>> = {
  rationale: 'Why this trait matters: what goes wrong without it.',
  tradeoffs: 'What this trait is weighed against, and which wins when they conflict.',
  exceptions: 'When this trait does not apply.',
  examples: 'An example conversation.',
};

/** How the client asked, and what it can apply. */
export interface CodeActionOptions {
  /** The range the actions are for: the cursor or selection (VS Code widens an empty one to the diagnostic under it). */
  readonly range?: Range;
  /** The client applies LSP 3.18 snippet text edits (`workspace.workspaceEdit.snippetEditSupport`). */
  readonly snippets?: boolean;
  /** The document version the edits are for (sent with snippet edits, which travel as a versioned document edit). */
  readonly version?: number;
}

/**
 * Code actions for the diagnostics in `context`:
 * - per trait that misses parts: "Add a Why part" (Trade-offs, Exceptions) for each missing part in
 *   `diagnostics`, and, when the trait misses more than one, one preferred "Add missing parts: …"
 *   that inserts them all. Each part is inserted under the trait in canonical order with a
 *   placeholder (a snippet placeholder holding the cursor when `options.snippets`);
 * - a rule's own fix (a typo's correction), preferred;
 * - "Disable RULE for this line / for this file", for the diagnostic under the cursor only: the
 *   first whose range is `options.range`, else the first holding its start, else the first;
 * and a fix-all that applies every rule fix of the document.
 */
export function codeActions(
  uri: string,
  document: TraitDocument,
  diagnostics: readonly Diagnostic[],
  findings: readonly LintDiagnostic[],
  only: readonly string[] | undefined,
  options: CodeActionOptions = {},
): CodeAction[] {
  const actions: CodeAction[] = [];
  const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  if (wants(CodeActionKind.QuickFix)) {
    const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string' && d.code !== 'config');
    const findingOf = (d: Diagnostic) =>
      findings.find((f) => f.rule === d.code && rangesEqual(f.range, d.range) && f.message === d.message);
    actions.push(...partActions(uri, document, ours, findings, findingOf, options));
    for (const diagnostic of ours) {
      const fix = findingOf(diagnostic)?.fix;
      if (fix) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: { changes: { [uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
        });
      }
    }
    const target = underCursor(ours, options.range);
    if (target) actions.push(...disableActions(uri, document, target));
  }
  if (wants(FIX_ALL_KIND) || wants(CodeActionKind.SourceFixAll)) {
    const edits = fixAllEdits(findings);
    if (edits.length)
      actions.push({ title: 'Fix all auto-fixable trait problems', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
  }
  return actions;
}

/** The "Add … part" actions of the traits whose missing-part diagnostics are in `diagnostics` (see `codeActions`). */
function partActions(
  uri: string,
  document: TraitDocument,
  diagnostics: readonly Diagnostic[],
  findings: readonly LintDiagnostic[],
  findingOf: (d: Diagnostic) => LintDiagnostic | undefined,
  options: CodeActionOptions,
): CodeAction[] {
  const byTrait = new Map<Trait, Map<PartKind, Diagnostic>>();
  for (const diagnostic of diagnostics) {
    const part = MISSING_PART[diagnostic.code as string];
    const trait = part ? document.traits.find((t) => t.id === findingOf(diagnostic)?.traitId) : undefined;
    // A level-6 trait cannot have a deeper part heading.
    if (!part || !trait || trait.level >= 6) continue;
    let parts = byTrait.get(trait);
    if (!parts) byTrait.set(trait, (parts = new Map()));
    if (!parts.has(part)) parts.set(part, diagnostic);
  }
  const actions: CodeAction[] = [];
  for (const [trait, parts] of byTrait) {
    // Every part the trait misses, not just those under the cursor: one action completes the trait.
    const missing = PART_ORDER.filter(
      (kind) => parts.has(kind) || findings.some((f) => f.traitId === trait.id && MISSING_PART[f.rule] === kind),
    );
    if (missing.length > 1) {
      actions.push({
        title: `Add missing parts: ${missing.map((k) => PART_TITLE[k]).join(', ')}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [...parts.values()],
        isPreferred: true,
        edit: partEdit(uri, document, trait, missing, options),
      });
    }
    for (const [kind, diagnostic] of [...parts].sort((a, b) => PART_ORDER.indexOf(a[0]) - PART_ORDER.indexOf(b[0]))) {
      actions.push({
        title: `Add ${ARTICLE[kind]} ${PART_TITLE[kind]} part`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: missing.length === 1,
        edit: partEdit(uri, document, trait, [kind], options),
      });
    }
  }
  return actions;
}

/** The diagnostic the cursor is on (see `codeActions`), or undefined when there is none. */
function underCursor(diagnostics: readonly Diagnostic[], range: Range | undefined): Diagnostic | undefined {
  if (!range) return diagnostics[0];
  const holds = (d: Diagnostic) => comparePositions(d.range.start, range.start) <= 0 && comparePositions(range.start, d.range.end) <= 0;
  return diagnostics.find((d) => rangesEqual(d.range, range)) ?? diagnostics.find(holds) ?? diagnostics[0];
}

function comparePositions(a: Range['start'], b: Range['start']): number {
  return a.line - b.line || a.character - b.character;
}

/** "Disable RULE for this line" (not inside front matter, where a comment would be YAML) and "… for this file". */
function disableActions(uri: string, document: TraitDocument, diagnostic: Diagnostic): CodeAction[] {
  const rule = diagnostic.code as string;
  const actions: CodeAction[] = [];
  const line = diagnostic.range.start.line;
  const fm = closedFrontMatter(document);
  if (!fm || line > fm.end.line) {
    const indent = /^[ \t]*/.exec(document.lines.lineText(line))?.[0] ?? '';
    actions.push({
      title: `Disable ${rule} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: [{ range: point(line, 0), newText: `${indent}<!-- traits-disable-next-line ${rule} -->\n` }] } },
    });
  }
  actions.push({
    title: `Disable ${rule} for this file`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: { changes: { [uri]: [fileTopInsert(document, `<!-- traits-disable-file ${rule} -->`)] } },
  });
  return actions;
}

/** Every rule fix of the document, skipping any that overlaps one already taken. */
export function fixAllEdits(findings: readonly LintDiagnostic[]): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const f of findings) {
    for (const e of f.fix?.edits ?? []) {
      if (taken.some((t) => rangesIntersect(t.range, e.range))) continue;
      taken.push({ range: e.range, newText: e.newText });
    }
  }
  return taken;
}

/**
 * Inserts `kinds` (`Why` / `Trade-offs` / `Exceptions` parts) under a trait in canonical order,
 * each with its PART_PLACEHOLDER text: before the first existing part that comes after it, else at
 * the end of the trait. Parts that go to the same place are one edit; edits come in document
 * order. With `snippet`, each new text is snippet syntax: literal text escaped and each
 * placeholder a tab stop (`${1:…}`, `${2:…}` … in document order).
 */
export function insertParts(document: TraitDocument, trait: Trait, kinds: readonly PartKind[], snippet = false): TextEdit[] {
  const level = Math.min(6, trait.level + 1);
  const literal = snippet ? (text: string) => text.replace(/[$}\\]/g, '\\$&') : (text: string) => text;
  let stop = 0;
  const block = (kind: PartKind) => {
    const placeholder = literal(PART_PLACEHOLDER[kind]);
    return `${literal(`${'#'.repeat(level)} ${PART_TITLE[kind]}`)}\n\n${snippet ? `\${${++stop}:${placeholder}}` : placeholder}`;
  };
  // Kinds in canonical order go to places in document order, so tab stops number in document order.
  const groups = new Map<number, PartKind[]>();
  for (const kind of PART_ORDER.filter((k) => kinds.includes(k))) {
    const next = trait.parts.find((p) => PART_ORDER.indexOf(p.kind) > PART_ORDER.indexOf(kind));
    const line = next ? next.range.start.line : -1;
    groups.set(line, [...(groups.get(line) ?? []), kind]);
  }
  const edits: TextEdit[] = [];
  for (const [line, group] of groups) {
    const text = group.map(block).join('\n\n');
    if (line >= 0) {
      edits.push({ range: point(line, 0), newText: `${text}\n\n` });
    } else {
      const end = trait.range.end.line;
      edits.push({ range: point(end, document.lines.lineText(end).length), newText: `\n\n${text}` });
    }
  }
  return edits.sort((a, b) => comparePositions(a.range.start, b.range.start));
}

/** One part (see `insertParts`). */
export function insertPart(document: TraitDocument, trait: Trait, kind: PartKind): TextEdit {
  return insertParts(document, trait, [kind])[0];
}

/**
 * The workspace edit inserting `kinds` under `trait`: with snippets, a versioned document edit of
 * LSP 3.18 snippet text edits whose placeholders are tab stops (the first holds the cursor), which
 * vscode-languageclient turns into vscode.SnippetTextEdit; else plain text edits.
 */
function partEdit(
  uri: string,
  document: TraitDocument,
  trait: Trait,
  kinds: readonly PartKind[],
  options: CodeActionOptions,
): WorkspaceEdit {
  if (!options.snippets) return { changes: { [uri]: insertParts(document, trait, kinds) } };
  const edits = insertParts(document, trait, kinds, true).map((e): SnippetTextEdit => ({
    range: e.range,
    snippet: { kind: 'snippet', value: e.newText },
  }));
  return { documentChanges: [{ textDocument: { uri, version: options.version ?? null }, edits }] };
}

/** The front matter's range when it is closed (an unterminated one is read as Markdown). */
function closedFrontMatter(document: TraitDocument): Range | undefined {
  const fm = document.frontMatter;
  return fm && fm.range.end.line > fm.range.start.line ? fm.range : undefined;
}

/** Inserts a line just after the front matter (or at the top), even when the file ends there. */
function fileTopInsert(document: TraitDocument, line: string): TextEdit {
  const fm = closedFrontMatter(document);
  if (!fm) return { range: point(0, 0), newText: `${line}\n` };
  if (fm.end.line + 1 < document.lines.lineCount) return { range: point(fm.end.line + 1, 0), newText: `${line}\n` };
  return { range: point(fm.end.line, fm.end.character), newText: `\n${line}` };
}

function point(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

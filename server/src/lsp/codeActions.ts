import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
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

/**
 * Code actions for the diagnostics in `context`: insert the missing part under the trait, a rule's
 * own fix (a typo's correction), disable the rule for the line or the file; and a fix-all that
 * applies every rule fix of the document.
 */
export function codeActions(
  uri: string,
  document: TraitDocument,
  diagnostics: readonly Diagnostic[],
  findings: readonly LintDiagnostic[],
  only: readonly string[] | undefined,
): CodeAction[] {
  const actions: CodeAction[] = [];
  const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string' || diagnostic.code === 'config') continue;
      const rule = diagnostic.code;
      const finding = findings.find((f) => f.rule === rule && rangesEqual(f.range, diagnostic.range) && f.message === diagnostic.message);
      const part = MISSING_PART[rule];
      const trait = document.traits.find((t) => t.id === finding?.traitId);
      // A level-6 trait cannot have a deeper part heading.
      if (part && trait && trait.level < 6) {
        actions.push({
          title: `Add ${ARTICLE[part]} ${PART_TITLE[part]} part`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: { changes: { [uri]: [insertPart(document, trait, part)] } },
        });
      }
      if (finding?.fix) {
        actions.push({
          title: finding.fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: { changes: { [uri]: finding.fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
        });
      }
      const line = diagnostic.range.start.line;
      const fm = closedFrontMatter(document);
      // A comment inside front matter would be YAML (and is not obeyed there).
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
    }
  }
  if (wants(FIX_ALL_KIND) || wants(CodeActionKind.SourceFixAll)) {
    const edits = fixAllEdits(findings);
    if (edits.length) actions.push({ title: 'Fix all auto-fixable trait problems', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
  }
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
 * Inserts an empty `Why` / `Trade-offs` / `Exceptions` part under a trait, in canonical order: before
 * the first existing part that comes after it, else at the end of the trait. The part stays empty
 * (empty-trait then asks for its text) rather than holding a placeholder that would pass the check.
 */
export function insertPart(document: TraitDocument, trait: Trait, kind: PartKind): TextEdit {
  const order = ['rationale', 'tradeoffs', 'exceptions', 'examples'];
  const level = Math.min(6, trait.level + 1);
  const heading = `${'#'.repeat(level)} ${PART_TITLE[kind]}`;
  const next = trait.parts.find((p) => order.indexOf(p.kind) > order.indexOf(kind));
  if (next) return { range: point(next.range.start.line, 0), newText: `${heading}\n\n` };
  const end = trait.range.end.line;
  return { range: point(end, document.lines.lineText(end).length), newText: `\n\n${heading}\n` };
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

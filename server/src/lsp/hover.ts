import type { Hover, Position } from 'vscode-languageserver';
import { evidenceSource, evidenceText, traitCoverage, type Evidence } from '../analysis/coverage';
import type { TraitDocument } from '../document/model';
import type { Overruled } from '../review/findings';
import type { LintDiagnostic } from '../rules/rule';
import { count } from '../format';
import { targetAt } from './navigation';

/**
 * Hover on a trait heading: the coverage card first — what the trait states (reason, trade-offs,
 * exceptions, examples) — then what a model review overruled (`overruled`: the part it found, with
 * its quote), then its diagnostics after it: how many, by severity, and which rules. Hover on a reference: the named heading's title and first lines.
 */
export function hover(
  document: TraitDocument,
  position: Position,
  diagnostics: readonly LintDiagnostic[],
  overruled: readonly Overruled[] = [],
): Hover | undefined {
  const target = targetAt(document, position);
  if (!target) return undefined;
  if (target.kind === 'reference') {
    const heading = target.heading;
    if (!heading) return undefined;
    const body: string[] = [];
    for (let l = heading.range.end.line + 1; l <= heading.sectionEndLine && body.length < 6; l++) {
      const line = document.lines.lineText(l);
      if (line.trim() || body.length) body.push(line);
    }
    return {
      range: target.reference.range,
      contents: { kind: 'markdown', value: `**${escape(heading.title)}** \`#${heading.id}\`\n\n${body.join('\n').trim()}` },
    };
  }
  const trait = document.traits.find((t) => t.heading === target.heading);
  if (!trait) return undefined;
  const coverage = traitCoverage(trait, document);
  const own = diagnostics.filter((d) => d.traitId === trait.id);
  const tally = (s: string) => own.filter((d) => d.severity === s).length;
  const rules = [...new Set(own.map((d) => d.rule))].map((rule) => `\`${rule}\``);
  const lines = [
    `**Trait** \`#${trait.id}\``,
    '',
    `- Reason: ${describe(coverage.rationale)}`,
    `- Trade-offs: ${describe(coverage.tradeoffs)}`,
    `- Exceptions: ${describe(coverage.exceptions)}`,
    `- Examples: ${trait.examples.length ? trait.examples.length : coverage.examples ? 'an Examples part' : 'none'}`,
    ...overruled
      .filter((o) => o.traitId === trait.id)
      .map((o) => `- The review found the ${o.what}: _"${escape(o.quote)}"_ — it overrules the lint's \`${o.rule}\``),
    ...(coverage.declared
      ? [
          `- Absolutes: declared deliberate ("${escape(coverage.declared.phrase)}"${coverage.declared.group ? ` in the introduction of "${escape(coverage.declared.group.heading.title)}"` : ''}), so they are not reported`,
        ]
      : []),
    '',
    '---',
    '',
    own.length
      ? `**${count(own.length, 'diagnostic')}** (${count(tally('error'), 'error')}, ${count(tally('warning'), 'warning')}, ${tally('information') + tally('hint')} other): ${rules.join(', ')}`
      : 'No diagnostics.',
  ];
  return { range: trait.heading.titleRange, contents: { kind: 'markdown', value: lines.join('\n') } };
}

function describe(evidence: Evidence | undefined): string {
  if (!evidence) return '**missing**';
  const text = evidenceText(evidence);
  return `stated in ${escape(evidenceSource(evidence))}${text ? `: _${escape(text)}_` : ''}`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

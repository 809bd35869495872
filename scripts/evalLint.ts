/**
 * Evaluates the coverage rules against the labelled corpus (test/fixtures/corpus/labels): precision
 * and recall of missing-rationale, missing-tradeoffs and missing-exceptions (each and together) and
 * of unqualified-absolute, per document and for the tuned and held-out sets separately, plus the
 * coverage findings on headings that are not traits. See test/fixtures/corpus/labels/README.md for
 * what the labels mean and how findings are counted.
 *
 * Run: npm run eval:lint [-- --set tuned|held-out] [--document FILE ...] [--details]
 *   --set       report one set only (while tuning, look at the tuned set alone)
 *   --document  report these corpus files only (repeatable), e.g. the documents added to a set last
 *   --details   list every false positive and false negative
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTraitDocument } from '../server/src/document/parse';
import { lintDocument } from '../server/src/rules/lint';
import { CORPUS, Counts, pct, readLabels, type DocumentLabels, type TraitLabel } from './evalCorpus';
import type { LintDiagnostic } from '../server/src/rules/rule';

const PART_RULES = { 'missing-rationale': 'rationale', 'missing-tradeoffs': 'tradeoffs', 'missing-exceptions': 'exceptions' } as const;
type PartRule = keyof typeof PART_RULES;
const COVERAGE_RULES = new Set<string>([...Object.keys(PART_RULES), 'unqualified-absolute']);

interface DocumentResult {
  labels: DocumentLabels;
  parts: Record<PartRule, Counts>;
  absolute: Counts;
  notTraitFindings: LintDiagnostic[];
  /** Labelled traits the lint does not read as traits, and lint traits no label names. */
  unparsed: TraitLabel[];
  unlabelled: string[];
  abstained: boolean;
  details: string[];
}

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Fails loudly when a label's quote is not in the document: labels must quote the text. */
function checkQuotes(labels: DocumentLabels, text: string): void {
  const haystack = normalise(text);
  const quotes: string[] = [];
  for (const t of labels.traits) {
    quotes.push(...[t.rationale, t.tradeoffs, t.exceptions, t.absolute?.quote, t.absolute?.declaredBy].filter((q): q is string => !!q));
  }
  quotes.push(...labels.notTraits.map((n) => n.quote));
  if (labels.priorities) quotes.push(labels.priorities.quote);
  const missing = quotes.filter((q) => !haystack.includes(normalise(q)));
  if (missing.length) throw new Error(`${labels.document}: quotes not found in the text:\n  ${missing.join('\n  ')}`);
}

function evaluate(labels: DocumentLabels): DocumentResult {
  const text = readFileSync(join(CORPUS, labels.document), 'utf8');
  checkQuotes(labels, text);
  const { lint, ...parseOptions } = labels.settings ?? {};
  const document = parseTraitDocument(text, parseOptions);
  const { diagnostics } = lintDocument(document, { settings: lint ? [lint] : [] });
  const traitLine = new Map(document.traits.map((t) => [t.id, t.heading.range.start.line + 1]));
  const byLine = new Map<number, LintDiagnostic[]>();
  for (const d of diagnostics) {
    if (!COVERAGE_RULES.has(d.rule) || d.traitId === null) continue;
    const line = traitLine.get(d.traitId);
    if (line === undefined) continue;
    byLine.set(line, [...(byLine.get(line) ?? []), d]);
  }
  const parsedLines = new Set(traitLine.values());
  const labelledLines = new Set(labels.traits.map((t) => t.line));
  const notTraitLines = new Set(labels.notTraits.map((n) => n.line));
  const result: DocumentResult = {
    labels,
    parts: { 'missing-rationale': new Counts(), 'missing-tradeoffs': new Counts(), 'missing-exceptions': new Counts() },
    absolute: new Counts(),
    notTraitFindings: labels.notTraits.flatMap((n) => byLine.get(n.line) ?? []),
    unparsed: labels.traits.filter((t) => !parsedLines.has(t.line)),
    unlabelled: document.traits
      .filter((t) => !labelledLines.has(t.heading.range.start.line + 1) && !notTraitLines.has(t.heading.range.start.line + 1))
      .map((t) => `${t.heading.range.start.line + 1} ${t.title}`),
    abstained: diagnostics.some((d) => COVERAGE_RULES.has(d.rule) && d.traitId === null && /cannot judge/.test(d.message)),
    details: [],
  };
  for (const t of labels.traits) {
    const findings = byLine.get(t.line) ?? [];
    for (const [rule, part] of Object.entries(PART_RULES) as [PartRule, (typeof PART_RULES)[PartRule]][]) {
      const fired = findings.some((d) => d.rule === rule);
      const missing = t[part] === null;
      const c = result.parts[rule];
      if (fired && missing) c.tp++;
      else if (fired) {
        c.fp++;
        result.details.push(`FP ${rule} ${t.line} "${t.title}" — labelled: ${t[part]}`);
      } else if (missing) {
        c.fn++;
        result.details.push(`FN ${rule} ${t.line} "${t.title}"`);
      }
    }
    const absolutes = findings.filter((d) => d.rule === 'unqualified-absolute');
    for (const d of absolutes) {
      if (t.absolute?.kind === 'unbounded') result.absolute.tp++;
      else {
        result.absolute.fp++;
        result.details.push(`FP unqualified-absolute ${d.range.start.line + 1} "${t.title}": ${d.message.slice(0, 60)}`);
      }
    }
    if (t.absolute?.kind === 'unbounded' && !absolutes.length) {
      result.absolute.fn++;
      result.details.push(`FN unqualified-absolute ${t.line} "${t.title}"`);
    }
  }
  return result;
}

function row(name: string, c: Counts): string {
  return `  ${name.padEnd(44)} ${String(c.tp).padStart(4)} ${String(c.fp).padStart(4)} ${String(c.fn).padStart(4)}   ${pct(c.precision)}  ${pct(c.recall)}`;
}

function report(title: string, results: DocumentResult[], details: boolean): void {
  if (!results.length) return;
  const header = `  ${''.padEnd(44)}   TP   FP   FN   precision recall`;
  console.log(`\n== ${title}: ${results.map((r) => r.labels.document).join(', ')}`);
  console.log('By rule:');
  console.log(header);
  const together = new Counts();
  const absolute = new Counts();
  for (const rule of Object.keys(PART_RULES) as PartRule[]) {
    const c = new Counts();
    results.forEach((r) => c.add(r.parts[rule]));
    together.add(c);
    console.log(row(rule, c));
  }
  console.log(row('the three missing-part rules together', together));
  results.forEach((r) => absolute.add(r.absolute));
  console.log(row('unqualified-absolute', absolute));
  console.log('By document (missing-part rules together | unqualified-absolute):');
  for (const r of results) {
    const parts = new Counts();
    Object.values(r.parts).forEach((c) => parts.add(c));
    console.log(row(`${r.labels.document} (${r.labels.traits.length} traits)`, parts));
    console.log(row('  unqualified-absolute', r.absolute));
    const notes = [
      r.notTraitFindings.length
        ? `${r.notTraitFindings.length} coverage finding(s) on headings that are not traits`
        : 'no coverage finding on headings that are not traits',
      r.unparsed.length ? `${r.unparsed.length} labelled trait(s) not read as traits: ${r.unparsed.map((t) => t.line).join(', ')}` : '',
      r.unlabelled.length ? `${r.unlabelled.length} trait(s) with no label: ${r.unlabelled.join('; ')}` : '',
      r.abstained ? 'the coverage rules abstained (language)' : '',
    ].filter(Boolean);
    console.log(`    ${notes.join('; ')}`);
    if (details)
      for (const line of [...r.details, ...r.notTraitFindings.map((d) => `NOT-TRAIT ${d.rule} ${d.range.start.line + 1}`)])
        console.log(`    ${line}`);
  }
}

function main(): void {
  const { values } = parseArgs({
    options: { set: { type: 'string' }, document: { type: 'string', multiple: true }, details: { type: 'boolean', default: false } },
  });
  if (values.set !== undefined && values.set !== 'tuned' && values.set !== 'held-out') throw new Error('--set must be tuned or held-out');
  const labels = readLabels();
  const unknown = (values.document ?? []).filter((d) => !labels.some((l) => l.document === d));
  if (unknown.length) throw new Error(`--document: no labels for ${unknown.join(', ')}`);
  const results = labels
    .filter((l) => (!values.set || l.set === values.set) && (!values.document || values.document.includes(l.document)))
    .map(evaluate);
  console.log('Coverage rules against the labelled corpus (a finding of a missing-part rule is positive).');
  report(
    'Tuned documents',
    results.filter((r) => r.labels.set === 'tuned'),
    values.details!,
  );
  report(
    'Held-out documents (never tuned to; see test/fixtures/corpus/README.md for what changed after they were first measured)',
    results.filter((r) => r.labels.set === 'held-out'),
    values.details!,
  );
}

main();

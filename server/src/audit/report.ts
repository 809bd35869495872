/** The audit report: scoring every pattern the same way, Markdown, and the files beside the dataset. */
import { basename } from 'node:path';
import { writeSync } from 'node:fs';
import { writeAtomically, writeTextAtomically } from '../files/atomicWrite';
import { count, usd } from '../format';
import { stem } from './files';
import { reportJson } from './reportJson';
import { comparePatterns, MIN_FLAG_MATCHES } from './score';
import type { AuditPattern, AuditRecord, AuditReport, BadLine } from './types';

/**
 * The report of an audit of `dataset` (its path, as given) from scored patterns — offlineAudit's
 * and the model pass's, both scored by score.ts's scorePattern (the model pass over the records it
 * could rate, so its shares are kept as given). Here each pattern's `flagged`, overall and per
 * trait, is set at `threshold`: strict share at or above it with at least MIN_FLAG_MATCHES strict
 * matches (per trait: share × trait records, rounded). A repeated pattern id gets "#2", "#3"...
 * appended. Patterns are sorted flagged first, then flagged in a trait, then by strict prevalence.
 * `records` gives the record count (the records, or their number); `modelPass` (default null)
 * what the model pass spent, or why it failed; `badLineCount` how many bad lines there were when
 * `badLines` holds only the first ones (a streamed audit). Throws RangeError for a threshold
 * outside 0..1.
 */
export function buildReport(
  dataset: string,
  records: readonly AuditRecord[] | number,
  badLines: readonly BadLine[],
  patterns: readonly AuditPattern[],
  threshold: number,
  modelPass?: AuditReport['modelPass'],
  badLineCount = badLines.length,
): AuditReport {
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be from 0 to 1, not ${threshold}`);
  const used = new Map<string, number>();
  const flagged = patterns.map((p): AuditPattern => {
    const seen = (used.get(p.id) ?? 0) + 1;
    used.set(p.id, seen);
    const perTrait: AuditPattern['perTrait'] = {};
    for (const [trait, t] of Object.entries(p.perTrait))
      perTrait[trait] = { ...t, flagged: shareFlagged(Math.round(t.strict * t.records), t.strict, threshold) };
    return {
      ...p,
      id: seen === 1 ? p.id : `${p.id}#${seen}`,
      flagged: shareFlagged(p.records.length, p.prevalence.strict, threshold),
      perTrait,
    };
  });
  const recordCount = typeof records === 'number' ? records : records.length;
  return {
    dataset,
    records: recordCount,
    badLines: [...badLines],
    badLineCount: Math.max(badLineCount, badLines.length),
    threshold,
    patterns: flagged.sort(comparePatterns),
    modelPass: modelPass ?? null,
    minFlagMatches: MIN_FLAG_MATCHES,
  };
}

/**
 * Whether `p` reaches the report's threshold but is not flagged because too few records match it
 * strictly (under `report.minFlagMatches`): on small data a single record is 100%, which says
 * nothing about the dataset. The report says so rather than showing 100% beside "0 flagged".
 */
export function tooFewToFlag(
  p: Pick<AuditPattern, 'flagged' | 'prevalence' | 'records'>,
  report: Pick<AuditReport, 'threshold' | 'minFlagMatches'>,
): boolean {
  return (
    !p.flagged &&
    p.records.length > 0 &&
    p.prevalence.strict >= report.threshold - 1e-9 &&
    p.records.length < (report.minFlagMatches ?? MIN_FLAG_MATCHES)
  );
}

/** The model pass in one sentence for a report's header: its model and spend, its gaps, or why it failed. */
export function modelPassLine(report: Pick<AuditReport, 'modelPass'>): string {
  const m = report.modelPass;
  if (!m) return 'Offline detectors only (no model pass).';
  if (m.failed)
    return `The model pass (${m.model}) failed: ${m.failed.replace(/\.$/, '')}. The patterns below are the offline detectors' only.`;
  const cost = m.cost.unpriced.length ? `cost unknown (no price for ${m.cost.unpriced.join(', ')})` : `about ${usd(m.cost.usd)}`;
  const gaps = [
    m.unrated ? `${count(m.unrated, 'record')} could not be rated` : '',
    m.unscanned ? `${count(m.unscanned, 'record')} could not be scanned` : '',
  ].filter(Boolean);
  return `Model pass: ${m.model}, ${count(m.usage.inputTokens, 'input token')} and ${count(m.usage.outputTokens, 'output token')}, ${cost}.${gaps.length ? ` ${gaps.join(' and ')} (the model refused or answered malformed twice); its shares leave them out.` : ''}`;
}

/** isFlagged for a share already computed: `matches` strict matches making up the share `strict`. */
function shareFlagged(matches: number, strict: number, threshold: number): boolean {
  return matches >= MIN_FLAG_MATCHES && strict >= threshold - 1e-9;
}

/** The paths `writeAuditFiles` writes for a dataset: `<name>.audit.json` and `<name>.audit.md` beside `<name>.jsonl`. */
export function auditFilePaths(datasetPath: string): { json: string; markdown: string } {
  const s = stem(datasetPath);
  return { json: `${s}.audit.json`, markdown: `${s}.audit.md` };
}

/**
 * Writes the report beside the dataset as `<name>.audit.json` (the report, pretty-printed) and
 * `<name>.audit.md` (reportMarkdown), where `<name>` is the dataset's file name without `.jsonl`,
 * so two datasets in one folder keep separate reports. Each file is written atomically (a temporary
 * file, then a rename). Returns the two paths. Throws the file system's error when the folder is
 * not writable.
 */
export function writeAuditFiles(datasetPath: string, report: AuditReport): { json: string; markdown: string } {
  const paths = auditFilePaths(datasetPath);
  writeAtomically(paths.json, (fd) => reportJson(report, (piece) => void writeSync(fd, piece)));
  writeTextAtomically(paths.markdown, reportMarkdown(report));
  return paths;
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 1 : 0)}%`;
const cell = (text: string) => oneLine(text).replace(/\|/g, '\\|');
/** A model-written name on one line: a line break would end a heading or list item early. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const MAX_BAD_LINES = 20;

/**
 * The report as Markdown: a summary (records, bad lines, threshold, model pass), the flagged
 * patterns (with how many traits each is flagged in), the patterns flagged within some trait but
 * not overall, a table of every pattern found, the
 * detectors that found nothing, and each pattern's description. Ends with a newline.
 */
export function reportMarkdown(report: AuditReport): string {
  const out: string[] = [];
  out.push(`# Dataset audit: ${basename(report.dataset)}`, '');
  const bad = report.badLines;
  const min = report.minFlagMatches ?? MIN_FLAG_MATCHES;
  // A report saved before badLineCount existed lists every bad line.
  const badCount = report.badLineCount ?? bad.length;
  out.push(
    `${count(report.records, 'record')} read from ${code(report.dataset)}${badCount ? `; ${count(badCount, 'bad line')} skipped` : ''}. ` +
      `A pattern is flagged when ${pct(report.threshold)} or more of the records match it strictly (overall or within a trait), and at least ${count(min, 'record')} do.`,
  );
  out.push('', modelPassLine(report));
  if (bad.length) {
    out.push('', '## Bad lines', '');
    for (const b of bad.slice(0, MAX_BAD_LINES)) out.push(`- line ${b.line}: ${b.reason}`);
    if (badCount > MAX_BAD_LINES)
      out.push(
        `- … and ${(badCount - MAX_BAD_LINES).toLocaleString('en-US')} more (${bad.length < badCount ? `the first ${bad.length.toLocaleString('en-US')} are` : 'all are'} in the JSON report)`,
      );
  }

  const flagged = report.patterns.filter((p) => p.flagged);
  const hasTraits = report.patterns.some((p) => Object.keys(p.perTrait).length > 0);
  const traitsFlagged = (p: AuditPattern) => {
    const traits = Object.values(p.perTrait);
    return `${traits.filter((t) => t.flagged).length} of ${traits.length}`;
  };
  const tooFew = report.patterns.filter((p) => tooFewToFlag(p, report));
  out.push('', '## Flagged patterns', '');
  if (flagged.length) {
    out.push(
      `| Pattern | Source | Strict | Broad |${hasTraits ? ' Traits flagged |' : ''} Examples |`,
      `|---|---|---:|---:|${hasTraits ? '---:|' : ''}---|`,
    );
    for (const p of flagged) {
      out.push(
        `| ${cell(p.name)} | ${p.source} | ${pct(p.prevalence.strict)} (${p.records.length}) | ${pct(p.prevalence.broad)} |${hasTraits ? ` ${traitsFlagged(p)} |` : ''} ${p.examples.map(code).join(', ')} |`,
      );
    }
  } else {
    out.push(tooFew.length ? 'No pattern is flagged.' : `No pattern reaches ${pct(report.threshold)} of all the records.`);
  }
  if (tooFew.length) {
    out.push(
      '',
      `${tooFew.length === 1 ? '1 pattern reaches' : `${tooFew.length} patterns reach`} ${pct(report.threshold)} on too few records to flag (fewer than ${min} strict matches; on this little data one record is a large share): ` +
        `${tooFew.map((p) => `${oneLine(p.name)} (${pct(p.prevalence.strict)}, ${count(p.records.length, 'record')})`).join('; ')}.`,
    );
  }

  // Patterns over the threshold in some trait but not overall: what the overall table hides.
  const inTrait = report.patterns
    .filter((p) => !p.flagged)
    .flatMap((p) =>
      Object.entries(p.perTrait)
        .filter(([, t]) => t.flagged)
        .map(([trait, t]) => ({ p, trait, t })),
    );
  if (inTrait.length) {
    out.push(
      '',
      '## Flagged within a trait only',
      '',
      '| Pattern | Trait | Trait records | Strict | Broad | Overall strict |',
      '|---|---|---:|---:|---:|---:|',
    );
    for (const { p, trait, t } of inTrait)
      out.push(`| ${cell(p.name)} | ${cell(trait)} | ${t.records} | ${pct(t.strict)} | ${pct(t.broad)} | ${pct(p.prevalence.strict)} |`);
  }

  const found = report.patterns.filter((p) => p.broadRecords.length > 0);
  const none = report.patterns.filter((p) => p.broadRecords.length === 0);
  out.push('', '## All patterns', '');
  if (found.length) {
    out.push('| Pattern | Id | Source | Strict | Broad | Flagged |', '|---|---|---|---:|---:|---|');
    const flag = (p: AuditPattern) =>
      p.flagged ? 'yes' : tooFewToFlag(p, report) ? `no: ${count(p.records.length, 'match', 'matches')}, needs ${min}` : '';
    for (const p of found)
      out.push(`| ${cell(p.name)} | ${code(p.id)} | ${p.source} | ${pct(p.prevalence.strict)} | ${pct(p.prevalence.broad)} | ${flag(p)} |`);
  } else {
    out.push('No pattern found.');
  }
  if (none.length) out.push('', `Not found in any record: ${none.map((p) => oneLine(p.name)).join('; ')}.`);

  if (found.length) {
    out.push('', '## Patterns', '');
    for (const p of found) {
      out.push(`### ${oneLine(p.name)}`, '', p.description, '');
      const note = p.flagged
        ? ', **flagged**'
        : tooFewToFlag(p, report)
          ? `, not flagged: above ${pct(report.threshold)} but fewer than ${min} strict matches`
          : '';
      out.push(
        `- ${code(p.id)}, ${p.source}: strict ${count(p.records.length, 'record')} (${pct(p.prevalence.strict)}), broad ${p.broadRecords.length} (${pct(p.prevalence.broad)})${note}`,
      );
      if (p.examples.length) out.push(`- examples: ${p.examples.map(code).join(', ')}`);
      out.push('');
    }
    out.pop();
  }
  return `${out.join('\n')}\n`;
}

import { MIN_FLAG_MATCHES, type AuditRecord, type AuditReport } from '../../../server/src/audit';
import { modelPassLine, tooFewToFlag } from '../../../server/src/audit/report';
import type { AuditView } from './auditProtocol';

/** Example text sent to the page per record, characters (the dataset holds it all). */
const TEXT_LIMIT = 1200;
const clip = (text: string) =>
  text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}… (${text.length.toLocaleString('en-US')} characters)` : text;

/**
 * What the audit panel shows of `report`: per pattern its prevalence, flag and per-trait figures,
 * with example texts from `records` (each clipped to TEXT_LIMIT characters); `name` is how the
 * dataset is shown. Bad lines: the first 100, and how many there were in all.
 */
export function auditView(report: AuditReport, records: readonly AuditRecord[], name: string): AuditView {
  const byId = new Map(records.map((r) => [r.id, r]));
  return {
    dataset: report.dataset,
    name,
    records: report.records,
    badLines: report.badLines.slice(0, 100),
    badLineCount: Math.max(report.badLineCount ?? 0, report.badLines.length),
    threshold: report.threshold,
    minFlagMatches: report.minFlagMatches ?? MIN_FLAG_MATCHES,
    modelPass: report.modelPass ? { model: report.modelPass.model, line: modelPassLine(report), failed: !!report.modelPass.failed } : null,
    patterns: report.patterns.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      source: p.source,
      broad: p.prevalence.broad,
      strict: p.prevalence.strict,
      strictCount: p.records.length,
      flagged: p.flagged,
      tooFew: tooFewToFlag(p, report),
      perTrait: Object.entries(p.perTrait).map(([traitId, t]) => ({ traitId, ...t })),
      examples: p.examples.flatMap((id) => {
        const r = byId.get(id);
        return r ? [{ id, prompt: clip(r.prompt), response: clip(r.response) }] : [];
      }),
    })),
  };
}

/**
 * Dataset pattern audit: the surface patterns a dataset over-teaches (an opening phrase in 40% of
 * the responses, a closing question, clarifying questions, bottom-line-first labels, lists...).
 *
 *   offlineAuditFile(path, options)    → patterns from the offline detectors (no model, no network),
 *                                        streamed: a file of any size in bounded memory
 *   readDataset(path)                  → records and bad lines, in memory (the model pass needs the texts)
 *   offlineAudit(records, options)     → the offline detectors over records in memory
 *   buildReport(dataset, records, ...) → the report, every pattern (offline and model) scored alike
 *   reportMarkdown / writeAuditFiles   → <name>.audit.md and <name>.audit.json beside <name>.jsonl
 *   filterDataset(in, out, report, …)  → a copy without (or with fewer of) chosen patterns' records
 *
 * The model pass (modelPass.ts) returns AuditPatterns with `source: 'model'` for buildReport.
 */
export type { AuditPattern, AuditRecord, AuditReport, BadLine, TraitPrevalence } from './types';
export { DatasetError, MAX_BAD_LINES_KEPT, readDataset, readRecordsById } from './read';
export { offlineAudit, offlineAuditFile, OfflineAuditor, type OfflineAuditOptions, type OfflineAuditResult } from './offline';
export { DEFAULT_THRESHOLD, MIN_FLAG_MATCHES, NO_TRAIT } from './score';
export { auditFilePaths, buildReport, reportMarkdown, writeAuditFiles } from './report';
export { FilterError, filterDataset, type DroppedRecord, type FilterChoice, type FilterResult } from './filter';

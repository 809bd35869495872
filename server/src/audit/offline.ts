/**
 * The offline audit: every detector in detectors/, no model and no network. It streams: each record
 * is seen once (twice when a detector asks for a second pass), and what is kept per record is a few
 * numbers per detector and its id — never its text — so a dataset larger than memory is audited.
 */
import { count } from '../format';
import { DETECTORS } from './detectors';
import type { DetectorPass, SecondPass } from './detectors/detector';
import { datasetLines, DatasetError, MAX_BAD_LINES_KEPT } from './read';
import { comparePatterns, DEFAULT_THRESHOLD, scorePattern, TraitIndexBuilder } from './score';
import { ResponseView } from './text';
import type { AuditPattern, AuditRecord, BadLine } from './types';

/** Options of offlineAudit. */
export interface OfflineAuditOptions {
  /** Strict prevalence (0..1) at or above which a pattern is flagged; default 0.25. */
  readonly threshold?: number;
  /**
   * Records a discovered opening/closing phrase must start/end to be reported, overall and within
   * each trait. Default: max(5, 2% of the records) overall, and max(5, 2% of the trait's records)
   * within a trait (so a phrase one small trait over-uses is found too).
   */
  readonly minSupport?: number;
}

/** The second pass was not given the records of the first, in the same order. */
export class PassMismatchError extends Error {
  override readonly name = 'PassMismatchError';
}

/**
 * The offline audit of records fed to it in file order: `add` each record; then, when
 * `needsSecondPass()`, `addAgain` each record once more in the same order; then `patterns()`.
 * Keeps per record its id, its trait's index and each detector's compact features.
 * Throws RangeError (at construction) for a threshold outside 0..1 or a minSupport below 1, and
 * PassMismatchError when the second pass differs from the first.
 */
export class OfflineAuditor {
  private readonly threshold: number;
  private readonly passes: DetectorPass[];
  private readonly ids: string[] = [];
  private readonly traits = new TraitIndexBuilder();
  private second: (SecondPass | undefined)[] | undefined;
  private firstDone: { detections: ReturnType<SecondPass['end']>[] } | undefined;
  private again = 0;

  constructor(private readonly options: OfflineAuditOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    if (!(this.threshold >= 0 && this.threshold <= 1)) throw new RangeError(`threshold must be from 0 to 1, not ${this.threshold}`);
    if (options.minSupport !== undefined && !(options.minSupport >= 1))
      throw new RangeError(`minSupport must be at least 1, not ${options.minSupport}`);
    this.passes = DETECTORS.map((d) => d.begin());
  }

  /** Records added so far. */
  get records(): number {
    return this.ids.length;
  }

  /** The next record, in file order (first pass). */
  add(record: AuditRecord): void {
    if (this.firstDone) throw new Error('OfflineAuditor: add after the first pass ended');
    const view = new ResponseView(record.response);
    const index = this.ids.length;
    for (const pass of this.passes) pass.add(view, index);
    this.ids.push(record.id);
    this.traits.add(record.traitId);
  }

  /** Ends the first pass; true when the records must be given again, in the same order, with addAgain. */
  needsSecondPass(): boolean {
    this.endFirstPass();
    return this.second!.some((p) => p !== undefined);
  }

  /** The next record of the second pass. */
  addAgain(record: AuditRecord): void {
    this.endFirstPass();
    const index = this.again++;
    if (index >= this.ids.length || this.ids[index] !== record.id)
      throw new PassMismatchError(`the records changed between the audit's two passes (record ${index + 1})`);
    const view = new ResponseView(record.response);
    for (const pass of this.second!) pass?.add(view, index);
  }

  /** Every detector's patterns, scored and sorted (see offlineAudit). */
  patterns(): AuditPattern[] {
    this.endFirstPass();
    if (this.second!.some((p) => p !== undefined) && this.again !== this.ids.length) {
      throw new PassMismatchError(`the second pass saw ${this.again} of ${count(this.ids.length, 'record')}`);
    }
    const index = this.traits.build();
    const patterns: AuditPattern[] = [];
    this.firstDone!.detections.forEach((first, d) => {
      for (const found of this.second![d]?.end() ?? first) {
        patterns.push(
          scorePattern(
            { id: found.id, name: found.name, description: found.description, source: 'offline' },
            found.strict,
            found.broad,
            this.ids,
            index,
            this.threshold,
          ),
        );
      }
    });
    return patterns.sort(comparePatterns);
  }

  private endFirstPass(): void {
    if (this.firstDone) return;
    const support = (size: number) => this.options.minSupport ?? Math.max(5, Math.ceil(0.02 * size));
    const index = this.traits.build();
    const context = {
      records: this.ids.length,
      minSupport: support(this.ids.length),
      traitMinSupport: index.sizes.map(support),
      traitOf: index.of,
    };
    const ends = this.passes.map((p) => p.end(context));
    this.second = ends.map((e) => (Array.isArray(e) ? undefined : e));
    this.firstDone = { detections: ends.map((e) => (Array.isArray(e) ? e : [])) };
  }
}

/**
 * Runs the offline detectors over `records` and returns their patterns, scored (prevalence broad
 * and strict over all records, per trait when any record names one, flagged at `threshold`) and
 * sorted (flagged first, then by strict prevalence). Fixed detectors always report their pattern,
 * even at 0%; discovered phrases are reported only with enough support. Pure and synchronous;
 * linear in the records' total length. Throws RangeError for a threshold outside 0..1 or a
 * minSupport below 1.
 */
export function offlineAudit(records: readonly AuditRecord[], options: OfflineAuditOptions = {}): AuditPattern[] {
  const auditor = new OfflineAuditor(options);
  for (const r of records) auditor.add(r);
  if (auditor.needsSecondPass()) for (const r of records) auditor.addAgain(r);
  return auditor.patterns();
}

/** What offlineAuditFile found. */
export interface OfflineAuditResult {
  /** Records read. */
  readonly records: number;
  /** The first MAX_BAD_LINES_KEPT bad lines (see readDataset for what a bad line is)... */
  readonly badLines: BadLine[];
  /** ...of this many. */
  readonly badLineCount: number;
  /** As offlineAudit returns them. */
  readonly patterns: AuditPattern[];
}

/**
 * offlineAudit over the dataset at `path`, streamed: the file is read once, and once more when a
 * detector needs a second look (the phrases found), in bounded memory — per record its id and a
 * few bytes of features, never its text — so a file of any size the disk holds is audited. Gives
 * exactly offlineAudit(readDataset(path).records). Throws DatasetError when the file cannot be
 * read or changed between the passes, RangeError for bad options.
 */
export function offlineAuditFile(path: string, options: OfflineAuditOptions = {}): OfflineAuditResult {
  const auditor = new OfflineAuditor(options);
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  for (const parsed of datasetLines(path)) {
    if ('record' in parsed) auditor.add(parsed.record);
    else if (++badLineCount <= MAX_BAD_LINES_KEPT) badLines.push(parsed.bad);
  }
  try {
    if (auditor.needsSecondPass()) for (const parsed of datasetLines(path)) if ('record' in parsed) auditor.addAgain(parsed.record);
    return { records: auditor.records, badLines, badLineCount, patterns: auditor.patterns() };
  } catch (error) {
    if (error instanceof PassMismatchError)
      throw new DatasetError(`${path} changed while it was being audited (${error.message}); audit it again`);
    throw error;
  }
}

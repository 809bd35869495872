/** What every offline detector is: a pure function of the records it is given. */
import type { ResponseView } from '../text';
import type { AuditRecord } from '../types';

/** What a detector reads: the records, one view per record (same order), and the support settings. */
export interface DetectorInput {
  readonly records: readonly AuditRecord[];
  readonly views: readonly ResponseView[];
  /** Discovery: an n-gram must open (close) at least this many records overall to be reported... */
  readonly minSupport: number;
  /** ...or at least this many of one trait's records (index as in `traitOf`); see offlineAudit. */
  readonly traitMinSupport: readonly number[];
  /** Each record's trait index (into traitMinSupport); -1 for a record without a trait. */
  readonly traitOf: Int32Array;
}

/** A pattern as a detector finds it: record indices (ascending) matching strictly and broadly. */
export interface Detection {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Indices into the records, ascending. */
  readonly strict: number[];
  /** Indices matching the softer form, ascending; the report makes it a superset of `strict`. */
  readonly broad: number[];
}

/** An offline detector. A fixed detector returns one Detection (even with no match); discovery returns as many as it finds. */
export interface Detector {
  /** The detector's name, e.g. "closing-question", "opening-phrases". */
  readonly id: string;
  detect(input: DetectorInput): Detection[];
}

/** A record matches the strict (clear) form, only the broad (softer) form, or neither. */
export type Match = 'strict' | 'broad' | null;

/**
 * A fixed detector from a per-record classifier: one Detection whose strict and broad lists are
 * the records `classify` calls strict (strict ones are broad too) and broad.
 */
export function fixedDetector(
  meta: { id: string; name: string; description: string },
  classify: (view: ResponseView, record: AuditRecord) => Match,
): Detector {
  return {
    id: meta.id,
    detect({ records, views }) {
      const strict: number[] = [];
      const broad: number[] = [];
      for (let i = 0; i < views.length; i++) {
        const m = classify(views[i], records[i]);
        if (m === 'strict') strict.push(i);
        if (m) broad.push(i);
      }
      return [{ ...meta, strict, broad }];
    },
  };
}

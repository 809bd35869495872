/**
 * What every offline detector is: a pass over the dataset's records, in file order, that keeps
 * compact per-record features (numbers, not texts) and reports its patterns at the end — so a
 * dataset larger than memory is audited as it streams by. A detector that must look at every
 * record again with what the first pass found (phrase discovery: which phrases to look for) asks
 * for a second pass.
 */
import { uint8Column } from '../columns';
import type { ResponseView } from '../text';

/** What a detector knows once every record has been seen. */
export interface DetectorContext {
  /** How many records there are. */
  readonly records: number;
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

/** One audit's run of a detector. */
export interface DetectorPass {
  /** Sees record `index` (0-based, file order; every record once, in order). */
  add(view: ResponseView, index: number): void;
  /** After the last record: the detections, or a second pass to run over every record again. */
  end(context: DetectorContext): Detection[] | SecondPass;
}

/** A detector's second look at every record, in the same order, with what its first pass found. */
export interface SecondPass {
  add(view: ResponseView, index: number): void;
  end(): Detection[];
}

/** An offline detector. A fixed detector returns one Detection (even with no match); discovery returns as many as it finds. */
export interface Detector {
  /** The detector's name, e.g. "closing-question", "opening-phrases". */
  readonly id: string;
  /** A fresh pass for one audit. */
  begin(): DetectorPass;
}

/** A record matches the strict (clear) form, only the broad (softer) form, or neither. */
export type Match = 'strict' | 'broad' | null;

/**
 * A fixed detector from a per-record classifier: one Detection whose strict and broad lists are
 * the records `classify` calls strict (strict ones are broad too) and broad. Keeps one byte per record.
 */
export function fixedDetector(meta: { id: string; name: string; description: string }, classify: (view: ResponseView) => Match): Detector {
  return {
    id: meta.id,
    begin() {
      const codes = uint8Column();
      return {
        add(view) {
          const m = classify(view);
          codes.push(m === 'strict' ? 2 : m === 'broad' ? 1 : 0);
        },
        end() {
          const strict: number[] = [];
          const broad: number[] = [];
          const values = codes.values();
          for (let i = 0; i < values.length; i++) {
            if (values[i] === 2) strict.push(i);
            if (values[i] !== 0) broad.push(i);
          }
          return [{ ...meta, strict, broad }];
        },
      };
    },
  };
}

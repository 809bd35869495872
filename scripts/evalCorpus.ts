/**
 * What the two corpus evaluations (evalLint.ts, evalReview.ts) share: where the labelled corpus is,
 * the shape of its labels (test/fixtures/corpus/labels/README.md), and precision / recall counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ParseOptions } from '../server/src/document/parse';
import type { LintSettings } from '../server/src/rules/config';

export const CORPUS = join(__dirname, '..', 'test', 'fixtures', 'corpus');
export const LABELS = join(CORPUS, 'labels');

/** One trait's labels: each part's evidence quote (null: the part is missing), and its absolute if any. */
export interface TraitLabel {
  line: number;
  title: string;
  rationale: string | null;
  tradeoffs: string | null;
  exceptions: string | null;
  absolute?: { kind: 'unbounded' | 'declared'; quote: string; declaredBy?: string };
}

/** One document's labels file. */
export interface DocumentLabels {
  document: string;
  set: 'tuned' | 'held-out';
  settings: ParseOptions & { lint?: LintSettings };
  priorities?: { line: number; quote: string };
  traits: TraitLabel[];
  notTraits: { line: number; title: string; quote: string }[];
}

/** Every labels file of the corpus, in file-name order. */
export function readLabels(): DocumentLabels[] {
  return readdirSync(LABELS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parseYaml(readFileSync(join(LABELS, f), 'utf8')) as DocumentLabels);
}

/** True/false positives and false negatives. */
export class Counts {
  tp = 0;
  fp = 0;
  fn = 0;
  count(predicted: boolean, actual: boolean): void {
    if (predicted && actual) this.tp++;
    else if (predicted) this.fp++;
    else if (actual) this.fn++;
  }
  add(o: Counts): void {
    this.tp += o.tp;
    this.fp += o.fp;
    this.fn += o.fn;
  }
  get precision(): number {
    return this.tp + this.fp ? this.tp / (this.tp + this.fp) : NaN;
  }
  get recall(): number {
    return this.tp + this.fn ? this.tp / (this.tp + this.fn) : NaN;
  }
}

/** A ratio as it stands in the tables: two decimals, "-" when undefined. */
export const pct = (x: number) => (Number.isNaN(x) ? '   -' : x.toFixed(2).padStart(4));

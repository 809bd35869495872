import type { TraitDocument } from '../document/model';
import type { Range } from '../document/position';
import { referenceTargets, resolveReference } from '../document/resolve';
import { evidenceRange, evidenceText, traitCoverage, type Evidence } from './coverage';

/** Whether a trait states one part, how, and the sentence that shows it. */
export interface OutlinePart {
  stated: boolean;
  /** How it is stated: part, label, prose, declared, group, priorities or examples (see analysis/coverage.ts). */
  by?: Evidence['by'];
  /** The sentence that states it, on one line, and where it stands (absent for examples). */
  evidence?: { text: string; range: Range };
}

/** One trait in the outline: the `trait-studio outline --format json` contract. */
export interface OutlineTrait {
  id: string;
  title: string;
  level: number;
  range: Range;
  /** Titles of the enclosing groups, outermost first. */
  groups: string[];
  /** Does the trait state each part, and the evidence: a part heading, a label, a sentence of its prose, ... */
  parts: { rationale: OutlinePart; tradeoffs: OutlinePart; exceptions: OutlinePart; examples: OutlinePart };
  /** Ids the trait's references resolve to, in order, without repeats (unresolved ones left out). */
  references: string[];
  /** Number of example blocks. */
  examples: number;
}

export interface Outline {
  file: string;
  /** Every group title, in document order. */
  groups: string[];
  traits: OutlineTrait[];
}

/** The outline of a parsed document, in the shape the CLI prints and outside scripts rely on. */
export function buildOutline(document: TraitDocument, file: string): Outline {
  const targets = referenceTargets(document);
  return {
    file,
    groups: document.groups.map((g) => g.heading.title),
    traits: document.traits.map((trait) => {
      const coverage = traitCoverage(trait, document);
      const references = new Set<string>();
      for (const ref of trait.references) {
        const id = resolveReference(targets, ref);
        if (id !== undefined) references.add(id);
      }
      return {
        id: trait.id,
        title: trait.title,
        level: trait.level,
        range: trait.range,
        groups: trait.groups.map((g) => g.heading.title),
        parts: {
          rationale: outlinePart(coverage.rationale),
          tradeoffs: outlinePart(coverage.tradeoffs),
          exceptions: outlinePart(coverage.exceptions),
          examples: outlinePart(coverage.examples),
        },
        references: [...references],
        examples: trait.examples.length,
      };
    }),
  };
}

function outlinePart(evidence: Evidence | undefined): OutlinePart {
  if (!evidence) return { stated: false };
  const text = evidenceText(evidence, Infinity);
  const range = evidenceRange(evidence);
  return { stated: true, by: evidence.by, ...(text && range ? { evidence: { text, range } } : {}) };
}

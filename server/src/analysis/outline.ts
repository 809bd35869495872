import type { TraitDocument } from '../document/model';
import type { Range } from '../document/position';
import { referenceTargets, resolveReference } from '../document/resolve';
import { traitCoverage } from './coverage';

/** One trait in the outline: the `trait-studio outline --format json` contract. */
export interface OutlineTrait {
  id: string;
  title: string;
  level: number;
  range: Range;
  /** Titles of the enclosing groups, outermost first. */
  groups: string[];
  /** Does the trait state each part, by a part heading or in its prose. */
  parts: { rationale: boolean; tradeoffs: boolean; exceptions: boolean; examples: boolean };
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
      const coverage = traitCoverage(trait);
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
          rationale: !!coverage.rationale,
          tradeoffs: !!coverage.tradeoffs,
          exceptions: !!coverage.exceptions,
          examples: !!coverage.examples,
        },
        references: [...references],
        examples: trait.examples.length,
      };
    }),
  };
}

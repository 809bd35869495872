import type { PartKind, Trait } from '../document/model';
import { findCue, type CueKind, type CueMatch } from './cues';
import { splitSentences, type Sentence } from './sentences';

/** How a trait states one of its parts. */
export type Evidence =
  | { readonly by: 'part' }
  | { readonly by: 'prose'; readonly sentences: readonly { readonly sentence: Sentence; readonly cue: CueMatch }[] }
  | { readonly by: 'examples'; readonly count: number };

/** What a trait states of each part: evidence, or undefined when it never states it. */
export interface TraitCoverage {
  readonly trait: Trait;
  readonly sentences: readonly Sentence[];
  readonly rationale: Evidence | undefined;
  readonly tradeoffs: Evidence | undefined;
  readonly exceptions: Evidence | undefined;
  readonly examples: Evidence | undefined;
}

const cache = new WeakMap<Trait, TraitCoverage>();

/**
 * What a trait states of its reason, trade-offs, exceptions and examples. An explicit part heading
 * with prose under it always counts; otherwise any sentence of the trait's prose carrying a cue of
 * `cues.ts` counts (the sentences are returned as evidence, for hovers and the outline). Examples
 * count when the trait has example blocks or an Examples part. Cached per trait object.
 */
export function traitCoverage(trait: Trait): TraitCoverage {
  const cached = cache.get(trait);
  if (cached) return cached;
  const sentences = trait.paragraphs.flatMap(splitSentences);
  const lower = sentences.map((s) => lowerSameLength(s.text));
  const fromParts = (kind: PartKind) => trait.parts.some((p) => p.kind === kind && p.prose.trim().length > 0);
  const evidence = (kind: CueKind): Evidence | undefined => {
    if (fromParts(kind)) return { by: 'part' };
    const matching = sentences.flatMap((sentence, i) => {
      const cue = findCue(kind, lower[i]);
      return cue ? [{ sentence, cue }] : [];
    });
    return matching.length ? { by: 'prose', sentences: matching } : undefined;
  };
  const exampleCount = trait.examples.length;
  const coverage: TraitCoverage = {
    trait,
    sentences,
    rationale: evidence('rationale'),
    tradeoffs: evidence('tradeoffs'),
    exceptions: evidence('exceptions'),
    examples: exampleCount
      ? { by: 'examples', count: exampleCount }
      : trait.parts.some((p) => p.kind === 'examples')
        ? { by: 'part' }
        : undefined,
  };
  cache.set(trait, coverage);
  return coverage;
}

/**
 * Lower-cases a sentence for cue matching. Cue offsets index the original text, so where full
 * Unicode lower-casing changes the length ("İ" becomes two units) only ASCII letters are lowered:
 * every cue is ASCII.
 */
function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

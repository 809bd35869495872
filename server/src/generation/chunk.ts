import type { Trait, TraitDocument } from '../document/model';

/** What the generation stages receive for one trait: its text and the document context around it. */
export interface TraitChunk {
  readonly traitId: string;
  readonly title: string;
  /** The trait's section, examples included. */
  readonly text: string;
  /** The preamble and the prose of the groups enclosing the trait: the universe context. */
  readonly context: string;
}

/** The chunk of `trait` in `document`. */
export function traitChunk(document: TraitDocument, trait: Trait): TraitChunk {
  const context = [document.preamble.prose, ...trait.groups.map((g) => `${g.heading.title}\n\n${g.prose}`)]
    .filter((s) => s.trim())
    .join('\n\n');
  return { traitId: trait.id, title: trait.title, text: trait.chunk, context: context || '(none)' };
}

/** The items of a run (one per scenario) and the stages each goes through. */
import { createHash } from 'node:crypto';
import type { Trait, TraitDocument } from '../../document/model';
import { traitChunk, type TraitChunk } from '../chunk';
import { RunError } from './errors';
import type { ItemIdentity } from './types';

/** One scenario to make: which trait, its chunk, and its index there. */
export interface PlannedItem extends ItemIdentity {
  readonly trait: Trait;
  readonly chunk: TraitChunk;
}

/** SHA-256 (hex) of what the prompts see of a trait: its chunk's text and context. */
export function chunkHash(chunk: TraitChunk): string {
  return createHash('sha256')
    .update(JSON.stringify([chunk.text, chunk.context]))
    .digest('hex');
}

/**
 * The traits to generate for: those with the given ids, in the order given (every trait of the
 * document when `ids` is absent). Throws RunError('usage') for an id the document lacks, or when the
 * document has no traits.
 */
export function selectTraits(document: TraitDocument, ids: readonly string[] | undefined): Trait[] {
  if (document.traits.length === 0) throw new RunError('usage', 'the document has no traits to generate for');
  if (!ids) return [...document.traits];
  const traits: Trait[] = [];
  for (const id of new Set(ids)) {
    const matches = document.traits.filter((t) => t.id === id);
    if (matches.length === 0) throw new RunError('usage', `no trait with id "${id}" (ids: ${document.traits.map((t) => t.id).join(', ')})`);
    traits.push(...matches);
  }
  return traits;
}

/**
 * The run's items, `perTrait` per trait, interleaved across traits (every trait's scenario 0, then
 * every trait's scenario 1, ...): each trait's brainstorm is asked for early and once, and a run
 * stopped half way has some of every trait. Ids: `${traitId}-${chunkHash[0..8)}-${index}`, the same
 * in every session for the same trait text; an item whose id repeats (two traits with the same id
 * and text) is listed once.
 */
export function planItems(document: TraitDocument, traits: readonly Trait[], perTrait: number): PlannedItem[] {
  const chunks = traits.map((trait) => {
    const chunk = traitChunk(document, trait);
    return { trait, chunk, hash: chunkHash(chunk) };
  });
  const items: PlannedItem[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < perTrait; index++) {
    for (const { trait, chunk, hash } of chunks) {
      const id = `${trait.id}-${hash.slice(0, 8)}-${index}`;
      if (seen.has(id)) continue;
      seen.add(id);
      items.push({ id, traitId: trait.id, traitTitle: trait.title, chunkHash: hash, index, trait, chunk });
    }
  }
  return items;
}

/**
 * Test oracle for the dedup index (server/src/generation/run/dedupIndex.ts): a run's near-duplicate
 * checks done plainly, every new vector against every accepted one, outside the code under test (so
 * a fault shared by the index's hashing and its own exact scan still shows, and a mutation run does
 * not instrument the quadratic part).
 */
import type { DedupIndex } from '../../../server/src/generation/run/dedupIndex';

/** One vector's outcome in a run's order: accepted, or the duplicate found (its index and similarity). */
export type Outcome = { readonly accepted: true } | { readonly duplicateOf: number; readonly similarity: number };

/** `v` scaled to length 1 and rounded to float32, as the index keeps it. */
function unitFloat32(v: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(v, (x) => x * scale);
}

/**
 * Each vector in turn: a duplicate of the most similar accepted one (the earliest of equals) when
 * their cosine, as float32 unit vectors, is at least `threshold`; else accepted.
 */
export function exactOutcomes(vectors: readonly ArrayLike<number>[], threshold: number): Outcome[] {
  const accepted: { index: number; unit: Float32Array }[] = [];
  return vectors.map((v, index) => {
    const unit = unitFloat32(v);
    let best: { index: number; similarity: number } | undefined;
    for (const a of accepted) {
      let similarity = 0;
      for (let j = 0; j < unit.length; j++) similarity += unit[j] * a.unit[j];
      if (similarity >= threshold && (!best || similarity > best.similarity)) best = { index: a.index, similarity };
    }
    if (best) return { duplicateOf: best.index, similarity: best.similarity };
    accepted.push({ index, unit });
    return { accepted: true };
  });
}

/** The same checks through `index`: each vector `duplicateOf` the accepted ones, and added (as its index) when none is found. */
export function indexOutcomes(index: DedupIndex, vectors: readonly ArrayLike<number>[], threshold: number): Outcome[] {
  return vectors.map((v, i) => {
    const duplicate = index.duplicateOf(v, threshold);
    if (duplicate) return { duplicateOf: Number(duplicate.id), similarity: duplicate.similarity };
    index.add(String(i), `prompt ${i}`, v);
    return { accepted: true };
  });
}

/**
 * The first vector whose outcome differs between `found` and `expected`, described, or undefined
 * when none does. Similarities may differ by `tolerance` (the index adds in another order).
 */
export function firstDifference(found: readonly Outcome[], expected: readonly Outcome[], tolerance = 1e-9): string | undefined {
  if (found.length !== expected.length) return `${found.length} outcomes for ${expected.length} vectors`;
  const describe = (o: Outcome) => ('accepted' in o ? 'accepted' : `duplicate of ${o.duplicateOf} at ${o.similarity}`);
  for (let i = 0; i < found.length; i++) {
    const [f, e] = [found[i], expected[i]];
    const same =
      'accepted' in f
        ? 'accepted' in e
        : !('accepted' in e) && f.duplicateOf === e.duplicateOf && Math.abs(f.similarity - e.similarity) <= tolerance;
    if (!same) return `vector ${i}: ${describe(f)}, the exact scan says ${describe(e)}`;
  }
  return undefined;
}

// The dedup index (server/src/generation/run/dedupIndex.ts) on a larger seeded set shaped like one
// document's prompt embeddings: the same duplicates as an exact scan, while comparing only a few of
// the accepted vectors exactly. Apart from dedupIndex.test.ts because it takes seconds (a mutation
// run tries the quick file first). bench/dedup.ts measures it at 10,000 and 100,000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupIndex } from '../../server/src/generation/run/dedupIndex';
import { promptLikeVectors } from './arbitraries/promptVectors';
import { exactOutcomes, firstDifference, indexOutcomes } from './oracles/nearestPrompt';

describe('DedupIndex at scale', () => {
  it('finds the same duplicates as the exact scan on a seeded set, comparing few vectors exactly', () => {
    const vectors = promptLikeVectors(3_000, 64, 200, 15);
    const hashed = new DedupIndex({ threshold: 0.9, indexFrom: 300 });
    const expected = exactOutcomes(vectors, 0.9);
    assert.equal(firstDifference(indexOutcomes(hashed, vectors, 0.9), expected), undefined);
    const duplicates = expected.filter((o) => !('accepted' in o)).length;
    assert.ok(duplicates > 100, `only ${duplicates} duplicates: the set does not test the threshold`);
    assert.ok(hashed.parameters, 'the hashing was never built');
    assert.ok(hashed.stats.probed > 2_500, `only ${hashed.stats.probed} checks went through the hashing`);
    // Each probed check finds a small share of the (on average ~1,400) accepted vectors in the
    // tables, and the sketches let fewer still be compared exactly.
    assert.ok(hashed.stats.candidates / hashed.stats.probed < 300, `${hashed.stats.candidates / hashed.stats.probed} candidates per check`);
    assert.ok(
      hashed.stats.compared < hashed.stats.candidates / 2,
      `${hashed.stats.compared} of ${hashed.stats.candidates} candidates compared exactly`,
    );
    // The early stop of the exact comparison is exercised, and (above) changes no answer.
    assert.ok(
      hashed.stats.stoppedEarly > hashed.stats.compared / 2,
      `${hashed.stats.stoppedEarly} of ${hashed.stats.compared} stopped early`,
    );
  });
});

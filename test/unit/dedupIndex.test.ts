// The dedup index (server/src/generation/run/dedupIndex.ts): its hashing finds the same duplicates
// as an exact scan on a small seeded set, and its parts (renormalising, scoring, refusing another
// dimension, the parameters' miss bound). dedupIndexScale.test.ts checks a larger set and the
// work saved; bench/dedup.ts measures it at 10,000 and 100,000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupIndex, lshParameters } from '../../server/src/generation/run/dedupIndex';
import { seededRandom } from '../../server/src/generation/seededRandom';
import { promptLikeVectors } from './arbitraries/promptVectors';
import { exactOutcomes, firstDifference, indexOutcomes } from './oracles/nearestPrompt';

describe('DedupIndex', () => {
  it('finds the same duplicates as the exact scan on a small seeded set, through the hashing', () => {
    // Past 1,024 hashed vectors, so the tables re-chain into twice the slots once.
    const vectors = promptLikeVectors(1_300, 16, 60, 4);
    const index = new DedupIndex({ threshold: 0.9, indexFrom: 100 });
    const expected = exactOutcomes(vectors, 0.9);
    assert.equal(firstDifference(indexOutcomes(index, vectors, 0.9), expected), undefined);
    const duplicates = expected.filter((o) => !('accepted' in o)).length;
    assert.ok(duplicates > 80, `only ${duplicates} duplicates: the set does not test the threshold`);
    assert.ok(index.stats.probed > 1_000, `only ${index.stats.probed} checks went through the hashing`);
    assert.ok(index.stats.compared < index.stats.candidates, 'the sketches let every candidate through');
    assert.ok(index.stats.stoppedEarly > 0, 'no exact comparison stopped early');
  });

  it('answers a threshold below the one it was built for with an exact scan', () => {
    const vectors = promptLikeVectors(1_000, 32, 50, 3);
    const index = new DedupIndex({ threshold: 0.95, indexFrom: 100 });
    assert.equal(firstDifference(indexOutcomes(index, vectors, 0.9), exactOutcomes(vectors, 0.9)), undefined);
    assert.equal(index.stats.probed, 0);
  });

  it('renormalises the vectors it is given and keeps the earliest of equals', () => {
    const index = new DedupIndex();
    index.add('a', 'first', [0.3, 0.4]);
    index.add('b', 'second', [6, 8]);
    const duplicate = index.duplicateOf([3, 4], 0.99);
    assert.equal(duplicate?.id, 'a');
    assert.ok(Math.abs(duplicate!.similarity - 1) < 1e-6);
    assert.equal(index.duplicateOf([4, -3], 0.5), undefined);
  });

  it('scores by the cosine of the float32 unit vectors, whatever the dimension', () => {
    const random = seededRandom(9);
    for (const d of [3, 8, 13, 64]) {
      const [a, b] = [0, 1].map(() => Array.from({ length: d }, () => random() - 0.3));
      const unit = (v: number[]) => {
        const scale = 1 / Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
        return Float32Array.from(v, (x) => x * scale);
      };
      const [ua, ub] = [unit(a), unit(b)];
      const expected = ua.reduce((sum, x, j) => sum + x * ub[j], 0);
      const index = new DedupIndex();
      index.add('a', 'a prompt', a);
      const similarity = index.nearest(b)!.similarity;
      assert.ok(Math.abs(similarity - expected) < 1e-12, `d ${d}: ${similarity} for ${expected}`);
      assert.equal(index.duplicateOf(b, Math.min(similarity, 0.99))?.similarity, similarity <= 0.99 ? similarity : undefined);
    }
  });

  it('refuses a vector of another dimension instead of comparing it', () => {
    const index = new DedupIndex();
    index.add('a', 'a prompt', [1, 0, 0]);
    assert.throws(() => index.add('b', 'b prompt', [1, 0]), /embedding of 2 dimensions cannot be compared with the run's 3/);
    assert.throws(() => index.duplicateOf([1, 0, 0, 0], 0.9), RangeError);
  });
});

describe('lshParameters', () => {
  it('bounds the offsets angle of a pair at the threshold and meets the miss bound', () => {
    // Offsets of length 1 are the vectors themselves: the angle is acos(threshold).
    const plain = lshParameters(0.9, 1, 768, 100_000, 1e-6)!;
    assert.ok(Math.abs(plain.angle - Math.acos(0.9)) < 1e-12);
    const centred = lshParameters(0.9, 0.6, 768, 100_000, 1e-6)!;
    assert.ok(centred.angle > plain.angle, 'shorter offsets must widen the angle');
    // The tables and the sketch filter each lose a pair at the threshold with probability ≤ 1e-6 / 2.
    for (const { bits, radius, tables, angle, sketchBits, sketchDistance } of [plain, centred]) {
      const p = 1 - angle / Math.PI;
      let within = 0;
      for (let j = 0, c = 1; j <= radius; c = (c * (bits - j)) / (j + 1), j++) within += c * p ** (bits - j) * (1 - p) ** j;
      assert.ok((1 - within) ** tables <= 0.5e-6, `${JSON.stringify({ bits, radius, tables })} misses more than 1e-6 / 2`);
      let beyond = 0;
      let atDistance = 0;
      for (let k = sketchBits, c = 1; k >= sketchDistance; c = (c * k) / (sketchBits - k + 1), k--) {
        const mass = c * (1 - p) ** k * p ** (sketchBits - k);
        if (k > sketchDistance) beyond += mass;
        else atDistance = mass;
      }
      assert.ok(beyond <= 0.5e-6, `a sketch distance of ${sketchDistance} of ${sketchBits} bits loses ${beyond} > 1e-6 / 2`);
      // and it is the least such distance: one less would lose more than the bound.
      assert.ok(beyond + atDistance > 0.5e-6, `a sketch distance of ${sketchDistance} is wider than the bound needs`);
    }
    // Offsets too short for the threshold's distance: no hashing can bound them.
    assert.equal(lshParameters(0.9, 0.2, 768, 100_000, 1e-6), undefined);
  });
});

// The dedup index (server/src/generation/run/dedupIndex.ts): its hashing finds the same duplicates
// as the exact scan on a seeded set, while comparing only a few of the accepted vectors exactly.
// bench/dedup.ts measures it at 10,000 and 100,000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupIndex, lshParameters } from '../../server/src/generation/run/dedupIndex';
import { seededRandom } from '../../server/src/generation/seededRandom';

/**
 * `count` seeded unit-ish vectors of `d` dimensions shaped like one document's prompt embeddings:
 * a common direction (unrelated ones score about 0.5), one of `topics` topics and noise; every
 * 10th is a near-duplicate of an earlier one at a cosine from 0.86 to 0.94 (around 0.9), some
 * scaled by 0.5 (a reduced embedding is not unit length).
 */
function promptLikeVectors(count: number, d: number, topics: number, seed: number): Float64Array[] {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const unit = (v: Float64Array) => {
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / n);
  };
  const noise = () => unit(Float64Array.from({ length: d }, gaussian));
  const common = noise();
  const topicDirections = Array.from({ length: topics }, noise);
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 20 && i % 10 === 0) {
      const base = unit(out[Math.floor(random() * i)]);
      const cos = 0.86 + 0.08 * random();
      const n = noise();
      const along = n.reduce((a, x, j) => a + x * base[j], 0);
      const orthogonal = unit(n.map((x, j) => x - along * base[j]));
      const sin = Math.sqrt(1 - cos * cos);
      const scale = random() < 0.5 ? 0.5 : 1;
      out.push(base.map((x, j) => (cos * x + sin * orthogonal[j]) * scale));
    } else {
      const topic = topicDirections[Math.floor(random() * topics)];
      out.push(unit(common.map((c, j) => Math.sqrt(0.5) * c + Math.sqrt(0.2) * topic[j] + (Math.sqrt(0.3) * gaussian()) / Math.sqrt(d))));
    }
  }
  return out;
}

/** Each vector's outcome in a run's order: the duplicate found (id and similarity) or accepted. */
function stream(index: DedupIndex, vectors: readonly Float64Array[], threshold: number): string[] {
  return vectors.map((v, i) => {
    const duplicate = index.duplicateOf(v, threshold);
    if (duplicate) return `${i} duplicate of ${duplicate.id} at ${duplicate.similarity}`;
    index.add(String(i), `prompt ${i}`, v);
    return `${i} accepted`;
  });
}

describe('DedupIndex', () => {
  it('finds the same duplicates as the exact scan on a seeded set, comparing few vectors exactly', () => {
    const vectors = promptLikeVectors(3_000, 64, 200, 15);
    const hashed = new DedupIndex({ threshold: 0.9, indexFrom: 300 });
    const exact = new DedupIndex({ threshold: 0.9, indexFrom: Infinity });
    const found = stream(hashed, vectors, 0.9);
    const expected = stream(exact, vectors, 0.9);
    assert.deepEqual(found, expected);
    const duplicates = expected.filter((line) => line.includes('duplicate')).length;
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

  it('answers a threshold below the one it was built for with an exact scan', () => {
    const vectors = promptLikeVectors(1_000, 32, 50, 3);
    const index = new DedupIndex({ threshold: 0.95, indexFrom: 100 });
    const exact = new DedupIndex({ indexFrom: Infinity });
    assert.deepEqual(stream(index, vectors, 0.9), stream(exact, vectors, 0.9));
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

/**
 * Seeded embedding-like vectors for the dedup index's tests (test/unit/dedupIndex*.test.ts), shaped
 * like one document's prompt embeddings.
 */
import { seededRandom } from '../../../server/src/generation/seededRandom';

/**
 * `count` seeded unit-ish vectors of `d` dimensions: a common direction (unrelated ones score about
 * 0.5), one of `topics` topics and noise; every 10th is a near-duplicate of an earlier one at a
 * cosine from 0.86 to 0.94 (around 0.9), some scaled by 0.5 (a reduced embedding is not unit length).
 */
export function promptLikeVectors(count: number, d: number, topics: number, seed: number): Float64Array[] {
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

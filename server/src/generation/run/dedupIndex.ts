/**
 * The index of accepted prompts that near-duplicates are checked against: unit vectors in one
 * contiguous Float32Array, and — once enough are accepted — a random-hyperplane LSH of their
 * offsets from the early vectors' mean, probed within a Hamming radius, whose candidates are
 * filtered by a 256-bit sketch of each offset (32 bytes read instead of a 512-dimension vector's
 * 2 KB) and re-checked exactly. The exact scan of every vector stays the reference (`nearest`) and
 * the fallback for vectors the hashing's recall bound does not cover.
 *
 * Why the mean is subtracted: real embeddings of one document's prompts share a large common
 * direction (unrelated prompts score 0.5 or more), so hyperplanes through the origin put most of
 * them in the same buckets. Offsets from the mean are spread out; the price is that a pair at
 * cosine t can be further apart as offsets, which the recall bound below accounts for.
 */
import { seededRandom } from '../seededRandom';

/** An accepted prompt found similar to a new one. */
export interface SimilarPrompt {
  readonly id: string;
  readonly prompt: string;
  /** Cosine similarity, in [-1, 1]. */
  readonly similarity: number;
}

/** How the index is built; every field has a default tuned in bench/dedup.ts. */
export interface DedupIndexOptions {
  /**
   * The lowest threshold `duplicateOf` will be asked about: the hashing is sized so a pair at or
   * above it is found with probability at least 1 - `missBound`. Lower thresholds scan exactly.
   */
  readonly threshold?: number;
  /** Accepted vectors before the hashing starts (below it every check is an exact scan). Default 2048. */
  readonly indexFrom?: number;
  /** The most a pair at or above `threshold` may be missed, over the random hyperplanes. Default 1e-6. */
  readonly missBound?: number;
  /** Seed of the hyperplanes. */
  readonly seed?: number;
  /**
   * Vectors to reserve room for (a run: its items), so the buffer need not grow: growing copies it,
   * and for that moment the old and the new buffer are both resident. Pages not yet written take
   * no memory. Default 64, then doubling.
   */
  readonly capacity?: number;
}

/** What the index did since it was made, for the benchmark and the tests. */
export interface DedupIndexStats {
  /** duplicateOf calls answered by an exact scan of every vector (index not built, or a vector it does not cover). */
  exactScans: number;
  /** duplicateOf calls answered through the hashing. */
  probed: number;
  /** Vectors the hashing found in the probed calls (sharing a bucket within the radius, or unhashed). */
  candidates: number;
  /** Of those, the ones compared exactly: their sketches within the sketch distance, and the unhashed. */
  compared: number;
  /** Of those, the ones `dot` stopped early (proven below the threshold before the last dimension). */
  stoppedEarly: number;
}

/**
 * Accepted prompts and their unit vectors, in order of acceptance. `add` renormalises (reduced
 * Matryoshka embeddings are not unit length); every vector must have the first one's length.
 */
export class DedupIndex {
  private vectors = new Float32Array(0);
  /** Per vector, its length beyond each of the `stops` (see `dot`), in the same order. */
  private tails = new Float32Array(0);
  private stops: readonly number[] = [];
  private readonly ids: string[] = [];
  private readonly prompts: string[] = [];
  private dimensions = 0;
  private lsh: HyperplaneLsh | undefined;
  private readonly threshold: number;
  private readonly indexFrom: number;
  readonly stats: DedupIndexStats = { exactScans: 0, probed: 0, candidates: 0, compared: 0, stoppedEarly: 0 };

  constructor(private readonly options: DedupIndexOptions = {}) {
    this.threshold = options.threshold ?? 0.9;
    this.indexFrom = options.indexFrom ?? 2048;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The hashing's parameters, once it is built. */
  get parameters(): LshParameters | undefined {
    return this.lsh?.parameters;
  }

  /**
   * Accepts a prompt and its vector (any non-zero scale). Throws RangeError when the vector's length
   * differs from the earlier ones' (vectors of different embedding dimensions are never compared).
   */
  add(id: string, prompt: string, vector: ArrayLike<number>): void {
    const unit = this.unit(vector);
    const n = this.ids.length;
    if ((n + 1) * this.dimensions > this.vectors.length) {
      const grown = new Float32Array(Math.max((this.options.capacity ?? 64) * this.dimensions, this.vectors.length * 2));
      grown.set(this.vectors);
      this.vectors = grown;
      const tails = new Float32Array((grown.length / this.dimensions) * STOPS);
      tails.set(this.tails);
      this.tails = tails;
    }
    this.vectors.set(unit, n * this.dimensions);
    this.tails.set(this.tailLengths(unit), n * STOPS);
    this.ids.push(id);
    this.prompts.push(prompt);
    if (this.lsh) this.lsh.add(this.vectors, n);
    else if (n + 1 >= this.indexFrom && this.dimensions > 1) {
      this.lsh = new HyperplaneLsh(this.vectors, n + 1, this.dimensions, this.threshold, this.options);
    }
  }

  /**
   * The most similar accepted prompt to `vector` by an exact scan of every one (the earliest of
   * equals), or undefined when none is accepted. Cost: size × dimensions multiply-adds.
   */
  nearest(vector: ArrayLike<number>): SimilarPrompt | undefined {
    if (this.ids.length === 0) return undefined;
    const q = this.unit(vector);
    let best = -Infinity;
    let at = -1;
    for (let i = 0; i < this.ids.length; i++) {
      const s = dot(q, this.vectors, i * this.dimensions, this.dimensions);
      if (s > best) [best, at] = [s, i];
    }
    return this.found(at, best);
  }

  /**
   * The most similar accepted prompt whose cosine similarity to `vector` is at least `threshold`
   * (the earliest of equals), or undefined when there is none. The same answer as `nearest` filtered
   * by the threshold, except that a pair at or above the index's threshold is missed with
   * probability about `missBound` at most (over the seeded hyperplanes; see lshParameters for what is
   * proven and what is measured). Vectors the bound does not cover are compared exactly every time.
   */
  duplicateOf(vector: ArrayLike<number>, threshold: number): SimilarPrompt | undefined {
    const q = this.unit(vector);
    const candidates = this.lsh && threshold >= this.threshold ? this.lsh.candidates(q, this.stats) : undefined;
    if (candidates) this.stats.probed++;
    else this.stats.exactScans++;
    const n = candidates ? candidates.count : this.ids.length;
    const d = this.dimensions;
    const qTails = candidates ? this.tailLengths(q) : NO_TAILS;
    const floor = threshold - BOUND_SLACK;
    let best = -Infinity;
    let at = -1;
    for (let c = 0; c < n; c++) {
      const i = candidates ? candidates.found[c] : c;
      const s = candidates
        ? dot(q, this.vectors, i * d, d, floor, this.stops, qTails, this.tails, i * STOPS)
        : dot(q, this.vectors, i * d, d);
      if (s === -Infinity) this.stats.stoppedEarly++;
      if (s >= threshold && (s > best || (s === best && i < at))) {
        best = s;
        at = i;
      }
    }
    return at < 0 ? undefined : this.found(at, best);
  }

  private found(at: number, similarity: number): SimilarPrompt {
    return { id: this.ids[at], prompt: this.prompts[at], similarity };
  }

  /** The length of unit vector `v` beyond each of the stops. */
  private tailLengths(v: Float32Array): Float32Array {
    const tails = new Float32Array(STOPS);
    let sum = 0;
    let k = STOPS - 1;
    for (let j = this.dimensions - 1; j >= 0 && k >= 0; j--) {
      sum += v[j] * v[j];
      while (k >= 0 && j === this.stops[k]) tails[k--] = Math.sqrt(sum);
    }
    return tails;
  }

  /** `vector` scaled to length 1 as float32 (all zeros stays zeros); fixes the dimension on first use. */
  private unit(vector: ArrayLike<number>): Float32Array {
    if (this.dimensions === 0) {
      this.dimensions = vector.length;
      // Multiples of 4, so a bounded `dot` adds in the same order; equal stops (tiny d) are harmless.
      this.stops = Array.from({ length: STOPS }, (_, k) => 4 * Math.floor(((k + 1) * vector.length) / (4 * (STOPS + 1))));
    }
    if (vector.length !== this.dimensions)
      throw new RangeError(`an embedding of ${vector.length} dimensions cannot be compared with the run's ${this.dimensions}`);
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const unit = new Float32Array(vector.length);
    for (let i = 0; i < vector.length; i++) unit[i] = vector[i] * scale;
    return unit;
  }
}

/** Stops of the bounded dot product: after 1/4, 2/4 and 3/4 of the dimensions. */
const STOPS = 3;
/** The stops of an unbounded dot product: none. */
const NO_STOPS: readonly number[] = [];
const NO_TAILS = new Float32Array(STOPS);
/**
 * Covers the rounding of the bound: the tail lengths are float32 (relative error ≤ 2^-24, on
 * lengths ≤ 1) and the partial sums are float64 sums of ≤ 2^16 exact float32 products.
 */
const BOUND_SLACK = 1e-6;

/**
 * The dot product of `q` with the `d` floats of `store` from `offset`, in four interleaved sums
 * (always the same additions in the same order, so every caller gets the same value bit for bit),
 * or -Infinity as soon as it is proven below `floor`: after each of `stops` (multiples of 4), the
 * sum so far plus the product of the two vectors' lengths beyond it — `qTails[k]` and
 * `tails[tailsOffset + k]` (Cauchy–Schwarz: the rest of the sum is at most that) — is compared
 * with `floor`. Most candidates of the hashing are unrelated prompts (cosine ~0.5 to 0.7 against a
 * 0.9 threshold) and stop after a quarter or half of the multiply-adds. With `floor` -Infinity and
 * no stops it is the plain dot product.
 */
function dot(
  q: Float32Array,
  store: Float32Array,
  offset: number,
  d: number,
  floor = -Infinity,
  stops: readonly number[] = NO_STOPS,
  qTails: Float32Array = NO_TAILS,
  tails: Float32Array = NO_TAILS,
  tailsOffset = 0,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const whole = d - (d % 4);
  for (let k = 0; k <= stops.length; k++) {
    for (const stop = k < stops.length ? stops[k] : whole; i < stop; i += 4) {
      s0 += q[i] * store[offset + i];
      s1 += q[i + 1] * store[offset + i + 1];
      s2 += q[i + 2] * store[offset + i + 2];
      s3 += q[i + 3] * store[offset + i + 3];
    }
    if (k < stops.length && s0 + s1 + s2 + s3 + qTails[k] * tails[tailsOffset + k] < floor) return -Infinity;
  }
  for (; i < d; i++) s0 += q[i] * store[offset + i];
  return s0 + s1 + s2 + s3;
}

/** The hashing's parameters: `tables` tables of `bits` hyperplanes each, probed within Hamming `radius`. */
export interface LshParameters {
  readonly bits: number;
  readonly radius: number;
  readonly tables: number;
  /** Offsets shorter than this are not hashed: checked against every query, and their queries scan. */
  readonly minOffset: number;
  /** The widest angle (radians) between the offsets of a pair at the threshold, both at least minOffset long. */
  readonly angle: number;
  /** Bits of each vector's sketch: signs of its offset's projections on hyperplanes of their own. */
  readonly sketchBits: number;
  /** Candidates whose sketch differs from the query's in more bits are not compared exactly. */
  readonly sketchDistance: number;
}

/**
 * The parameters for pairs at cosine ≥ `threshold` among vectors whose offsets from the mean are at
 * least `minOffset` long. Two unit vectors at cosine ≥ t are at most δ = √(2 - 2t) apart, and so
 * are their offsets; two vectors of length ≥ ρ at most δ apart make an angle of at most
 * θ = 2·asin(δ / 2ρ) (law of cosines, minimised at both lengths = ρ). A random hyperplane separates
 * them with probability θ/π, so with p = 1 - θ/π one table of b bits puts them within Hamming
 * radius r with probability P = Σ_{j≤r} C(b, j) p^(b-j) (1-p)^j, and L independent tables all miss
 * with probability (1 - P)^L ≤ missBound / 2. The candidates the tables find then go through a
 * sketch of S = SKETCH_BITS signs of hyperplanes of their own: the pair's sketches differ in
 * Binomial(S, θ/π) bits, and the largest distance D with P(more than D) ≤ missBound / 2 is the one
 * kept, so a pair at the threshold is lost with probability ≤ missBound (a union bound; the two
 * need not be independent). Among the (b, r) that reach it with at most 64 tables, the one with
 * the least estimated work per query for `size` vectors: hashing (fast rotations of width w:
 * ⌈(L·b + S) / w⌉ · 3 · w·log2 w), probing (L buckets per mask: a cache miss each) and the
 * sketches of the unrelated vectors that collide (offsets about orthogonal: p = 1/2), in
 * multiply-adds; so few of those pass the sketch that comparing them exactly is left out.
 *
 * The bound is proven for independent Gaussian hyperplanes; HyperplaneLsh uses the rows of fast
 * pseudo-random rotations instead (orthogonal within a rotation), as FALCONN does, because d
 * Gaussian multiply-adds a bit cost more than the whole check. Their recall is measured, not
 * proven: bench/dedup.ts and test/unit/dedupIndex.test.ts compare every answer with the exact scan.
 */
export function lshParameters(
  threshold: number,
  minOffset: number,
  dimensions: number,
  size: number,
  missBound: number,
): LshParameters | undefined {
  const delta = Math.sqrt(Math.max(0, 2 - 2 * threshold));
  if (delta >= 2 * minOffset) return undefined;
  const angle = 2 * Math.asin(delta / (2 * minOffset));
  const p = 1 - angle / Math.PI;
  const sketchDistance = binomialQuantile(SKETCH_BITS, angle / Math.PI, missBound / 2);
  let best: (LshParameters & { cost: number }) | undefined;
  for (let bits = 8; bits <= 20; bits++) {
    for (let radius = 0; radius <= 2; radius++) {
      let within = 0;
      let masks = 0;
      for (let j = 0; j <= radius; j++) {
        within += choose(bits, j) * p ** (bits - j) * (1 - p) ** j;
        masks += choose(bits, j);
      }
      const tables = Math.ceil(Math.log(missBound / 2) / Math.log(1 - within));
      if (!(tables >= 1 && tables <= 64)) continue;
      const collisions = Math.min(size, (size * tables * masks) / 2 ** bits);
      const width = 2 ** Math.ceil(Math.log2(dimensions));
      const hashing = Math.ceil((tables * bits + SKETCH_BITS) / width) * 3 * width * Math.log2(width);
      const cost = hashing + tables * masks * PROBE_COST + collisions * SKETCH_COST;
      if (!best || cost < best.cost) best = { bits, radius, tables, minOffset, angle, sketchBits: SKETCH_BITS, sketchDistance, cost };
    }
  }
  if (!best) return undefined;
  const { cost: _cost, ...parameters } = best;
  return parameters;
}

/** The least k with P(Binomial(n, q) > k) ≤ bound. */
function binomialQuantile(n: number, q: number, bound: number): number {
  let above = 0;
  for (let k = n; k > 0; k--) {
    above += choose(n, k) * q ** k * (1 - q) ** (n - k);
    if (above > bound) return k;
  }
  return 0;
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c;
}

/** Design size of the parameter choice: the scale the index must stay fast at. */
const DESIGN_SIZE = 100_000;
/** The share of the shortest offsets left unhashed (see the constructor of HyperplaneLsh). */
const UNHASHED_SHARE = 0.001;
/** Bits of a vector's sketch (a multiple of 32). */
const SKETCH_BITS = 256;
/**
 * Estimated cost, in multiply-adds, of probing one bucket and of taking one candidate (its chain
 * link, stamp and sketch: cache misses at 100,000 vectors); their ratio is measured in bench/dedup.ts.
 */
const PROBE_COST = 8;
const SKETCH_COST = 40;

/**
 * Random-hyperplane LSH of offsets from a mean, with multi-probe within a Hamming radius, and a
 * sketch per vector (the signs of more hyperplanes) that candidates must be near. The hyperplanes'
 * normals are the rows of pseudo-random rotations (three rounds of random signs and a
 * Walsh–Hadamard transform each). Each table is a chained hash of bucket keys in typed arrays (a
 * head per slot; per vector one word holding the next link and the key's bits the slot does not
 * give), with a bitmap of the keys present: 4 bytes per vector per table, no object per bucket, and
 * an empty bucket costs no cache miss.
 */
class HyperplaneLsh {
  readonly parameters: LshParameters;
  private readonly mean: Float32Array;
  /** The hashing's width: `d` rounded up to a power of two. */
  private readonly width: number;
  /** ±1 of the pseudo-random rotations: rotations × 3 rounds × width. */
  private readonly signs: Float32Array;
  private readonly rotations: number;
  /** Scratch: one offset, rotated. */
  private readonly scratch: Float32Array;
  private readonly projections: Float32Array;
  private readonly masks: Int32Array;
  /** Slots per table: 2^slotBits, at least the vectors hashed, so chains stay short. */
  private slotBits = 10;
  /** The key's bits above the slot's, kept in the chain: bits - slotBits (0 once the slots outnumber the keys). */
  private highBits = 0;
  /** Per table, per slot (a key's low `slotBits` bits): the newest vector whose key has them, or -1. */
  private heads: Int32Array[] = [];
  /**
   * Per table, per vector: the next vector of its slot's chain (-1 at the end) shifted left by
   * `highBits`, or'd with its key's bits above the slot's (the rest of the key: the slot is where
   * the chain starts). One 32-bit word per vector per table.
   */
  private chains: Int32Array[] = [];
  /** Per table, one bit per key: set once a vector has it (most probes find an empty bucket here, in cache). */
  private readonly occupied: Uint32Array[] = [];
  /** Per hashed vector, its sketch: `sketchBits / 32` words of signs (projections after the tables' bits). */
  private sketches = new Uint32Array(0);
  private readonly words: number;
  private readonly querySketch: Uint32Array;
  private count = 0;
  /** Vectors whose offsets are too short to hash: compared with every query. */
  private readonly unhashed: number[] = [];
  /** Per vector, the stamp of the last query that found it (so each is taken once per query). */
  private seen = new Uint32Array(0);
  private stamp = 0;
  /** What `candidates` returns, reused: no allocation per query. */
  private readonly result: { found: Int32Array; count: number } = { found: new Int32Array(64), count: 0 };

  constructor(
    store: Float32Array,
    size: number,
    private readonly d: number,
    threshold: number,
    options: DedupIndexOptions,
  ) {
    // The mean and the shortest offset hashed come from the vectors accepted so far.
    this.mean = new Float32Array(d);
    for (let i = 0; i < size; i++) for (let j = 0; j < d; j++) this.mean[j] += store[i * d + j] / size;
    const offsets = Array.from({ length: size }, (_, i) => this.offsetLength(store, i)).sort((a, b) => a - b);
    // The shortest 0.1 % are checked with every query rather than loosening every table for them
    // (at 100,000 accepted, each query compares them exactly: ~100 vectors).
    const minOffset = Math.max(0.05, offsets[Math.floor(size * UNHASHED_SHARE)]);
    this.parameters = lshParameters(threshold, minOffset, d, DESIGN_SIZE, options.missBound ?? 1e-6) ?? {
      bits: 1,
      radius: 1,
      tables: 1,
      minOffset: Infinity,
      angle: Math.PI,
      sketchBits: SKETCH_BITS,
      sketchDistance: SKETCH_BITS,
    };
    const { bits, tables, radius, sketchBits } = this.parameters;
    this.highBits = Math.max(0, bits - this.slotBits);
    this.words = sketchBits / 32;
    this.querySketch = new Uint32Array(this.words);
    const random = seededRandom(options.seed ?? 0x5eed);
    this.width = 2 ** Math.ceil(Math.log2(d));
    this.rotations = Math.ceil((tables * bits + sketchBits) / this.width);
    this.signs = new Float32Array(this.rotations * 3 * this.width).map(() => (random() < 0.5 ? -1 : 1));
    this.scratch = new Float32Array(this.width);
    this.projections = new Float32Array(this.rotations * this.width);
    const masks: number[] = [0];
    for (let a = 0; a < bits && radius >= 1; a++) {
      masks.push(1 << a);
      for (let b = a + 1; b < bits && radius >= 2; b++) masks.push((1 << a) | (1 << b));
    }
    this.masks = Int32Array.from(masks);
    // Room for the vectors a run reserved (its items), so the tables need not grow: growing copies them.
    const room = Math.max(size, options.capacity ?? 0);
    this.sketches = new Uint32Array(room * this.words);
    for (let t = 0; t < tables; t++) {
      this.heads.push(new Int32Array(1 << this.slotBits).fill(-1));
      this.chains.push(new Int32Array(room));
      this.occupied.push(new Uint32Array(Math.ceil(2 ** bits / 32)));
    }
    for (let i = 0; i < size; i++) this.add(store, i);
  }

  /** Hashes vector `i` of `store` (the index's current buffer, which may have been reallocated). */
  add(store: Float32Array, i: number): void {
    this.count = i + 1;
    this.grow(i + 1);
    if (this.offsetLength(store, i) < this.parameters.minOffset) {
      this.unhashed.push(i);
      return;
    }
    this.project(store.subarray(i * this.d, (i + 1) * this.d));
    for (let t = 0; t < this.parameters.tables; t++) {
      const key = this.key(t);
      const slot = key & ((1 << this.slotBits) - 1);
      this.chains[t][i] = (this.heads[t][slot] << this.highBits) | (key >>> this.slotBits);
      this.heads[t][slot] = i;
      this.occupied[t][key >>> 5] |= 1 << (key & 31);
    }
    this.sketch(this.sketches, i * this.words);
  }

  /**
   * The vectors to re-check for unit vector `q`, in `found[0 .. count)` (a buffer reused by the
   * next call): those sharing a bucket within the radius in any table whose sketch is within the
   * sketch distance of `q`'s, and the unhashed ones; undefined when `q`'s own offset is too short
   * (scan instead). Counts what it found in `stats.candidates` and what it returns in `stats.compared`.
   */
  candidates(q: Float32Array, stats: DedupIndexStats): { readonly found: Int32Array; readonly count: number } | undefined {
    if (this.offsetLength(q, 0) < this.parameters.minOffset) return undefined;
    if (this.seen.length < this.count) this.seen = new Uint32Array(Math.max(this.count, this.seen.length * 2));
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const result = this.result;
    result.count = 0;
    for (const i of this.unhashed) {
      this.seen[i] = this.stamp;
      this.keep(i);
    }
    this.project(q);
    const query = this.querySketch;
    this.sketch(query, 0);
    const { sketches, words, seen, stamp } = this;
    const { sketchDistance } = this.parameters;
    const { slotBits, highBits } = this;
    const slotMask = (1 << slotBits) - 1;
    const highMask = (1 << highBits) - 1;
    let found = 0;
    for (let t = 0; t < this.parameters.tables; t++) {
      const key = this.key(t);
      const heads = this.heads[t];
      const chain = this.chains[t];
      const occupied = this.occupied[t];
      for (let m = 0; m < this.masks.length; m++) {
        const probe = key ^ this.masks[m];
        if (!(occupied[probe >>> 5] & (1 << (probe & 31)))) continue;
        const high = probe >>> slotBits;
        for (let i = heads[probe & slotMask]; i >= 0;) {
          const link = chain[i];
          if ((link & highMask) === high && seen[i] !== stamp) {
            seen[i] = stamp;
            found++;
            let distance = 0;
            for (let w = 0, at = i * words; w < words && distance <= sketchDistance; w++) distance += bitCount(sketches[at + w] ^ query[w]);
            if (distance <= sketchDistance) this.keep(i);
          }
          i = link >> highBits;
        }
      }
    }
    stats.candidates += found + this.unhashed.length;
    stats.compared += result.count;
    return result;
  }

  private keep(i: number): void {
    const result = this.result;
    if (result.count === result.found.length) {
      const grown = new Int32Array(result.found.length * 2);
      grown.set(result.found);
      result.found = grown;
    }
    result.found[result.count++] = i;
  }

  /** The sketch of the last projected vector into `into` from `at`: bit j set when projection tables·bits + j is positive. */
  private sketch(into: Uint32Array, at: number): void {
    const from = this.parameters.tables * this.parameters.bits;
    into.fill(0, at, at + this.words);
    for (let j = 0; j < this.parameters.sketchBits; j++) if (this.projections[from + j] > 0) into[at + (j >>> 5)] |= 1 << (j & 31);
  }

  /**
   * Projects unit vector `q` minus the mean on the hyperplanes' normals, into `projections`: each
   * rotation is three rounds of random signs and a Walsh–Hadamard transform (a fast pseudo-random
   * rotation; width × log2 width additions a round instead of width × d multiply-adds).
   */
  private project(q: Float32Array): void {
    const w = this.width;
    for (let r = 0; r < this.rotations; r++) {
      const x = this.scratch;
      for (let j = 0; j < this.d; j++) x[j] = q[j] - this.mean[j];
      x.fill(0, this.d);
      for (let round = 0; round < 3; round++) {
        const signs = (r * 3 + round) * w;
        for (let j = 0; j < w; j++) x[j] *= this.signs[signs + j];
        hadamard(x);
      }
      this.projections.set(x, r * w);
    }
  }

  /** The bucket key of the last projected vector in table `t`: bit b set when its projection is positive. */
  private key(t: number): number {
    const { bits } = this.parameters;
    let key = 0;
    for (let b = 0; b < bits; b++) if (this.projections[t * bits + b] > 0) key |= 1 << b;
    return key;
  }

  /** Room for `n` vectors in every table, and at least `n` slots (re-chaining every table when they double). */
  private grow(n: number): void {
    if (this.chains[0].length < n) {
      const length = Math.max(1024, 2 * this.chains[0].length, n);
      const sketches = new Uint32Array(length * this.words);
      sketches.set(this.sketches);
      this.sketches = sketches;
      for (let t = 0; t < this.parameters.tables; t++) {
        const chain = new Int32Array(length);
        chain.set(this.chains[t]);
        this.chains[t] = chain;
      }
    }
    if (n > 1 << this.slotBits) {
      const [slotBits, highBits] = [this.slotBits, this.highBits];
      this.slotBits++;
      this.highBits = Math.max(0, this.parameters.bits - this.slotBits);
      const mask = (1 << this.slotBits) - 1;
      for (let t = 0; t < this.parameters.tables; t++) {
        const heads = new Int32Array(1 << this.slotBits).fill(-1);
        const chain = this.chains[t];
        // Each old slot's chain, its keys rebuilt from the slot and their high bits (order in a chain does not matter).
        for (let slot = 0; slot < 1 << slotBits; slot++) {
          for (let i = this.heads[t][slot]; i >= 0;) {
            const link = chain[i];
            const key = ((link & ((1 << highBits) - 1)) << slotBits) | slot;
            chain[i] = (heads[key & mask] << this.highBits) | (key >>> this.slotBits);
            heads[key & mask] = i;
            i = link >> highBits;
          }
        }
        this.heads[t] = heads;
      }
    }
  }

  /** The length of vector `i` of `store` minus the mean. */
  private offsetLength(store: Float32Array, i: number): number {
    let s = 0;
    for (let j = 0; j < this.d; j++) {
      const x = store[i * this.d + j] - this.mean[j];
      s += x * x;
    }
    return Math.sqrt(s);
  }
}

/** The number of bits set in the 32-bit integer `x` (SWAR popcount). */
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The unnormalised Walsh–Hadamard transform of `x` (length a power of two), in place. */
function hadamard(x: Float32Array): void {
  for (let h = 1; h < x.length; h *= 2) {
    for (let i = 0; i < x.length; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = x[j];
        const b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
}

/**
 * Benchmark: the dedup index of accepted prompts (issue 15, item 4) against the exact scan of every
 * accepted vector, its peer, at 10,000 and 100,000 accepted prompts.
 *
 * The vectors are synthetic and seeded, shaped like one document's prompt embeddings: each is a
 * common direction (shared by all prompts, so unrelated ones score about 0.5), one of 2,000 topic
 * directions (same-topic prompts score about 0.7) and noise; 5 % are planted near-duplicates of an
 * earlier prompt at a cosine drawn from 0.85 to 0.97, around the 0.9 threshold. All but the last
 * 5,000 accepted are loaded as a resumed run loads its earlier accepted prompts (a planted
 * near-duplicate at or above the threshold left out); the last 5,000 go through the index as a run
 * does (check, then accept unless a duplicate) until N are accepted; then 200 more new prompts are
 * timed against the index and the exact scan at that size, and their answers compared (same prompt,
 * same similarity). Also checked over the checked stream: every planted pair at or above the
 * threshold whose original was accepted was rejected.
 *
 * Times are CPU time (user + system), steadier than wall-clock time on a shared machine. Each size
 * and each method runs in its own process, so the peak RSS printed is its own. Goal: ≤ 5 ms
 * per new item and ≤ 400 MB at 100,000, with the same duplicates as the exact scan.
 *
 * Run: npm run bench (or `node esbuild.mjs --bench && node dist/bench/dedup.js [--dimensions D]`).
 */
import { spawnSync } from 'node:child_process';
import { DedupIndex } from '../server/src/generation/run/dedupIndex';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../server/src/generation/run/dedup';
import { seededRandom } from '../server/src/generation/seededRandom';

const THRESHOLD = 0.9;
const TIMED = 200;
/** New prompts checked through the index before the timed ones (the rest are loaded unchecked). */
const STREAMED = 5_000;
const TOPICS = 2_000;

interface Result {
  method: 'index' | 'exact';
  accepted: number;
  msPerItem: number;
  peakRssMb: number;
  /** index only: */
  streamed?: number;
  planted?: number;
  plantedMissed?: number;
  sampleDifferent?: number;
  sampleDuplicates?: number;
  candidates?: number;
  compared?: number;
  stoppedEarly?: number;
  exactScans?: number;
  parameters?: unknown;
}

/**
 * Prompt-like unit vectors of `d` dimensions (see the file comment): vector i comes from its own
 * seeded generator, so an original is made again when a near-duplicate of it is planted, and
 * nothing but the topics is kept.
 */
function vectorSource(d: number, seed: number) {
  const gaussianOf = (random: () => number) => () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const unitNoise = (gaussian: () => number) => {
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = gaussian();
    return normalise(v);
  };
  const setup = gaussianOf(seededRandom(seed));
  const common = unitNoise(setup);
  const topics = Array.from({ length: TOPICS }, () => Float32Array.from(unitNoise(setup)));
  /** Vector `i`, and the earlier vector it was planted near (or -1). */
  const at = (i: number): { vector: Float64Array; of: number } => {
    const random = seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + i * 0x27d4eb2f);
    const gaussian = gaussianOf(random);
    if (i > 100 && random() < 0.05) {
      const of = Math.floor(random() * i);
      const cos = 0.85 + 0.12 * random();
      // cos · original + sin · (noise orthogonal to it): exactly `cos` from the original.
      const base = at(of).vector;
      const noise = unitNoise(gaussian);
      let along = 0;
      for (let j = 0; j < d; j++) along += noise[j] * base[j];
      for (let j = 0; j < d; j++) noise[j] -= along * base[j];
      normalise(noise);
      const sin = Math.sqrt(1 - cos * cos);
      const vector = new Float64Array(d);
      for (let j = 0; j < d; j++) vector[j] = cos * base[j] + sin * noise[j];
      return { vector, of };
    }
    const topic = topics[Math.floor(random() * TOPICS)];
    const noise = unitNoise(gaussian);
    const vector = new Float64Array(d);
    for (let j = 0; j < d; j++) vector[j] = Math.sqrt(0.5) * common[j] + Math.sqrt(0.2) * topic[j] + Math.sqrt(0.3) * noise[j];
    return { vector: normalise(vector), of: -1 };
  };
  return at;
}

function normalise(v: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return v;
}

/** The cosine of two vectors as the index computes it (float32 unit vectors). */
function float32Cosine(a: Float64Array, b: Float64Array): number {
  const index = new DedupIndex();
  index.add('a', '', a);
  return index.nearest(b)!.similarity;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** CPU milliseconds (user + system) of this process since `start`: on a shared machine, far steadier than wall-clock time. */
const cpuMs = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** The index: the stream until `accepted`, then TIMED new prompts timed and compared with the exact scan. */
function measureIndex(accepted: number, d: number): Result {
  const vectorAt = vectorSource(d, 15);
  // A run reserves room for its items (see ItemOutcomes); here, as many as will be streamed.
  const index = new DedupIndex({ threshold: THRESHOLD, capacity: Math.ceil(accepted * 1.06) + TIMED });
  const rejected: boolean[] = [];
  let planted = 0;
  let plantedMissed = 0;
  for (let i = 0; index.size < accepted; i++) {
    const { vector, of } = vectorAt(i);
    // The first ones are loaded as a resumed run loads its earlier accepted prompts (each planted
    // near-duplicate among them rejected by the exact pair check, so the stream stays the same).
    if (index.size < accepted - STREAMED) {
      const duplicate = of >= 0 && !rejected[of] && float32Cosine(vector, vectorAt(of).vector) >= THRESHOLD;
      rejected.push(duplicate);
      if (!duplicate) index.add(String(i), '', vector);
      continue;
    }
    const duplicate = index.duplicateOf(vector, THRESHOLD);
    rejected.push(!!duplicate);
    if (!duplicate) index.add(String(i), '', vector);
    // A planted pair at or above the threshold, its original accepted, must have been rejected.
    if (of >= 0 && !rejected[of] && float32Cosine(vector, vectorAt(of).vector) >= THRESHOLD) {
      planted++;
      if (!duplicate) plantedMissed++;
    }
  }
  const queries = Array.from({ length: TIMED }, (_, i) => vectorAt(rejected.length + i).vector);
  const before = { ...index.stats };
  const start = process.cpuUsage();
  const answers = queries.map((q) => index.duplicateOf(q, THRESHOLD));
  const msPerItem = cpuMs(start) / TIMED;
  let sampleDifferent = 0;
  let sampleDuplicates = 0;
  queries.forEach((q, i) => {
    const exact = index.nearest(q);
    const expected = exact && exact.similarity >= THRESHOLD ? exact : undefined;
    if (expected) sampleDuplicates++;
    if (expected?.id !== answers[i]?.id || expected?.similarity !== answers[i]?.similarity) sampleDifferent++;
  });
  return {
    method: 'index',
    accepted: index.size,
    msPerItem,
    peakRssMb: peakRssMb(),
    streamed: rejected.length,
    planted,
    plantedMissed,
    sampleDifferent,
    sampleDuplicates,
    candidates: (index.stats.candidates - before.candidates) / TIMED,
    compared: (index.stats.compared - before.compared) / TIMED,
    stoppedEarly: (index.stats.stoppedEarly - before.stoppedEarly) / TIMED,
    exactScans: index.stats.exactScans - before.exactScans,
    parameters: index.parameters,
  };
}

/** The exact scan: `accepted` vectors stored as the index stores them, TIMED new prompts scanned. */
function measureExact(accepted: number, d: number): Result {
  const vectorAt = vectorSource(d, 15);
  const index = new DedupIndex({ threshold: THRESHOLD, indexFrom: Infinity, capacity: accepted });
  while (index.size < accepted) index.add(String(index.size), '', vectorAt(index.size).vector);
  const queries = Array.from({ length: TIMED }, (_, i) => vectorAt(accepted + i).vector);
  const start = process.cpuUsage();
  for (const q of queries) index.duplicateOf(q, THRESHOLD);
  return { method: 'exact', accepted, msPerItem: cpuMs(start) / TIMED, peakRssMb: peakRssMb() };
}

const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

const child = flag('--child');
const dimensions = Number(flag('--dimensions') ?? DEFAULT_EMBEDDING_DIMENSIONS);
if (child) {
  const [method, accepted] = child.split(':');
  const result = method === 'index' ? measureIndex(Number(accepted), dimensions) : measureExact(Number(accepted), dimensions);
  process.stdout.write(JSON.stringify(result));
} else {
  console.log(
    `Dedup index (${dimensions} dimensions, threshold ${THRESHOLD}) against the exact scan, ${TIMED} new prompts timed at each size:`,
  );
  for (const accepted of [10_000, 100_000]) {
    const run = (method: string): Result => {
      const out = spawnSync(process.execPath, [process.argv[1], '--child', `${method}:${accepted}`, '--dimensions', String(dimensions)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (out.status !== 0) throw new Error(`${method} at ${accepted} failed: ${out.stderr}`);
      return JSON.parse(out.stdout) as Result;
    };
    const exact = run('exact');
    const index = run('index');
    const ms = (r: Result) => `${r.msPerItem.toFixed(2)} ms`;
    console.log(
      `  ${accepted.toLocaleString('en')} accepted (${index.streamed} made, the last ${STREAMED.toLocaleString('en')} accepted through the index):`,
    );
    console.log(
      `    index ${ms(index)} per new item, peak RSS ${index.peakRssMb.toFixed(0)} MB; exact ${ms(exact)}, ${exact.peakRssMb.toFixed(0)} MB` +
        `; index/exact time ${(index.msPerItem / exact.msPerItem).toFixed(3)}, RSS ${(index.peakRssMb / exact.peakRssMb).toFixed(2)}`,
    );
    console.log(
      `    per new item: ${index.candidates?.toFixed(0)} candidates from the tables, ${index.compared?.toFixed(1)} of them compared exactly after the sketch filter (exact: ${accepted}), ${index.stoppedEarly?.toFixed(1)} stopped early by the bound; exact scans among them ${index.exactScans}; parameters ${JSON.stringify(index.parameters)}`,
    );
    console.log(
      `    same duplicates: ${index.sampleDifferent === 0 ? 'yes' : 'NO'} on the ${TIMED} timed prompts (${index.sampleDuplicates} duplicates, ${index.sampleDifferent} answers differ);` +
        ` planted pairs at or above the threshold over the stream: ${index.planted}, missed ${index.plantedMissed}` +
        ` (recall ${((100 * (index.planted! - index.plantedMissed!)) / Math.max(1, index.planted!)).toFixed(1)} %)`,
    );
  }
  console.log('  goal at 100,000: <= 5 ms per new item and <= 400 MB, the same duplicates as the exact scan');
}

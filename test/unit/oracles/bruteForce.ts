/**
 * Test oracles: the quadratic algorithms the rules used before issue 11 (every unknown reference
 * against every title, every trait's trade-offs against one RegExp per title, every pair of traits),
 * written plainly, so the tests can check that the indexed algorithms find the same things. Small
 * inputs only.
 */
import { traitCoverage } from '../../../server/src/analysis/coverage';
import { sentenceRange } from '../../../server/src/analysis/sentences';
import { contentTerms, escapeRegExp } from '../../../server/src/analysis/words';
import type { Trait, TraitDocument } from '../../../server/src/document/model';
import { rangeContains, type Range } from '../../../server/src/document/position';
import { referenceTargets, resolveReference } from '../../../server/src/document/resolve';

/** Levenshtein distance over UTF-16 units. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The earliest candidate at the smallest lower-cased distance, when at most max(2, ⌊|name| / 3⌋). */
export function closestByScan(candidates: readonly string[], name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(c.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Full TF-IDF vectors of `texts` (smoothed idf, sublinear tf, unit length, as similarity.ts documents). */
export function tfidfVectors(texts: readonly string[]): Map<string, number>[] {
  const n = texts.length;
  const counts = texts.map((t) => {
    const m = new Map<string, number>();
    for (const term of contentTerms(t)) m.set(term, (m.get(term) ?? 0) + 1);
    return m;
  });
  const df = new Map<string, number>();
  for (const m of counts) for (const term of m.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  return counts.map((m) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [term, tf] of m) {
      const w = (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df.get(term)!)) + 1);
      v.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of v) v.set(term, w / norm);
    return v;
  });
}

/** Cosine of two unit vectors. */
export function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [term, w] of a) dot += w * (b.get(term) ?? 0);
  return dot;
}

/**
 * Each text paired with the first earlier text identical to it (similarity 1, when it has terms), or
 * else with the earliest earlier text whose cosine reaches `threshold`.
 */
export function similarPairsByScan(texts: readonly string[], threshold: number): { first: number; second: number; similarity: number }[] {
  const vectors = tfidfVectors(texts);
  const pairs: { first: number; second: number; similarity: number }[] = [];
  for (let j = 0; j < texts.length; j++) {
    const same = texts.indexOf(texts[j]);
    if (same < j && vectors[j].size > 0) {
      pairs.push({ first: same, second: j, similarity: 1 });
      continue;
    }
    for (let i = 0; i < j; i++) {
      const dot = cosine(vectors[j], vectors[i]);
      if (dot >= threshold) {
        pairs.push({ first: i, second: j, similarity: Math.min(1, dot) });
        break;
      }
    }
  }
  return pairs;
}

/**
 * Titles of the traits isolated-trait reports, by the rule's old algorithm (one RegExp per title),
 * except that an empty title names nothing (the old rule let it match between any two non-letters).
 */
export function isolatedTraitsByScan(document: TraitDocument): string[] {
  if (document.traits.length < 2) return [];
  const targets = referenceTargets(document);
  const weighable = new Set([...document.traits.map((t) => t.id), ...document.groups.map((g) => g.heading.id)]);
  const titles = document.traits.map((t) => t.title.toLowerCase());
  const patterns = titles.map((title) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(title)}(?![\\p{L}\\p{N}])`, 'u'));
  const reported: Trait[] = [];
  for (const trait of document.traits) {
    const tradeoffs = traitCoverage(trait, document).tradeoffs;
    if (!tradeoffs || tradeoffs.by === 'group' || tradeoffs.by === 'priorities') continue;
    const ranges: Range[] = [];
    const texts: string[] = [];
    if (tradeoffs.by === 'part') {
      for (const part of trait.parts) {
        if (part.kind !== 'tradeoffs') continue;
        ranges.push(part.range);
        texts.push(part.prose.toLowerCase());
      }
    } else if (tradeoffs.by === 'prose') {
      for (const { sentence } of tradeoffs.sentences) {
        ranges.push(sentenceRange(sentence));
        texts.push(sentence.text.toLowerCase());
      }
    } else if (tradeoffs.by === 'label') {
      ranges.push(tradeoffs.sentence.paragraph.range);
      texts.push(tradeoffs.sentence.paragraph.text.toLowerCase());
    }
    const namesOther =
      trait.references.some((ref) => {
        const id = resolveReference(targets, ref);
        return id !== undefined && id !== trait.id && weighable.has(id) && ranges.some((r) => rangeContains(r, ref.range));
      }) || titles.some((title, j) => title !== '' && document.traits[j] !== trait && texts.some((t) => patterns[j].test(t)));
    if (!namesOther) reported.push(trait);
  }
  return reported.map((t) => t.title);
}

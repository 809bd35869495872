/**
 * Discovery of recurring opening and closing phrases, shared by opening-phrases and
 * closing-phrases. Nothing is listed in advance: the phrases are the n-grams the data repeats.
 *
 * 1. Each response's first (last) sentence is normalised (lower case, no punctuation or digits) and
 *    its leading (trailing) 2-, 3- and 4-grams are counted, level by level: an (n+1)-gram is counted
 *    only when its n-gram is frequent, since it can be no more frequent (exact, and keeps the
 *    counts small on 100 000 records).
 * 2. An n-gram is a candidate when it opens (closes) at least `minSupport` records overall, or at
 *    least `traitMinSupport[t]` records of one trait t.
 * 3. Nested candidates are merged: from each 2-gram, the phrase grows to its most frequent longer
 *    candidate while that keeps at least 80% of the records ("does that help" rather than "that
 *    help"); otherwise the shorter phrase stands and its rarer extensions are sub-cases, not
 *    reported. So each record matches at most one discovered opening and one closing phrase.
 *
 * strict: the first (last) sentence starts (ends) with the phrase;
 * broad: the phrase occurs anywhere in the first (last) two sentences.
 */
import { uint32Column, uint8Column } from '../columns';
import type { ResponseView } from '../text';
import type { Detection, DetectorContext, DetectorPass, SecondPass } from './detector';

/** Longest n-gram counted. */
const MAX_N = 4;
/** A longer phrase replaces a shorter one when it keeps at least this share of its records. */
const ABSORB = 0.8;
/** At most this many phrases per side, the most frequent first. */
export const MAX_PHRASES = 50;

export type Side = 'opening' | 'closing';

/**
 * The pass that discovers phrases on one side. The first pass keeps, per record, the ids of the
 * sentence's edge words (up to MAX_N, 4 bytes each, words interned once): enough to count every
 * edge n-gram and to find the strict matches. A second pass over the records finds the broad
 * matches of the phrases found (they may occur anywhere in the two sentences).
 */
export function phrasePass(side: Side): DetectorPass {
  const opening = side === 'opening';
  const vocabulary = new Map<string, number>();
  const words: string[] = [];
  // Record i's edge words are ids[MAX_N*i .. MAX_N*i + lengths[i]), in text order.
  const ids = uint32Column();
  const lengths = uint8Column();
  return {
    add(view) {
      const sentences = opening ? view.firstNormalized : view.lastNormalized;
      const sentence = opening ? sentences[0] : sentences[sentences.length - 1];
      const tokens = sentence ? sentence.split(' ', opening ? MAX_N : undefined) : [];
      const edge = opening ? tokens : tokens.slice(-MAX_N);
      for (let k = 0; k < MAX_N; k++) {
        let id = 0;
        if (k < edge.length) {
          const word = edge[k];
          let known = vocabulary.get(word);
          if (known === undefined) {
            vocabulary.set(word, (known = words.length));
            words.push(word);
          }
          id = known;
        }
        ids.push(id);
      }
      lengths.push(edge.length);
    },
    end(context) {
      return discover(context, side, ids.values(), lengths.values(), words);
    },
  };
}

/** Steps 1–3 (see the module comment) and the strict matches; a second pass for the broad ones. */
function discover(
  context: DetectorContext,
  side: Side,
  ids: Uint32Array,
  lengths: Uint8Array,
  words: readonly string[],
): Detection[] | SecondPass {
  const { traitOf, traitMinSupport, minSupport } = context;
  const n = lengths.length;
  const opening = side === 'opening';
  /** Record i's edge k-gram as word ids joined by spaces (a compact key), or null when its sentence is shorter. */
  const gram = (i: number, k: number): string | null => {
    const length = lengths[i];
    if (length < k) return null;
    const from = MAX_N * i + (opening ? 0 : length - k);
    let key = String(ids[from]);
    for (let j = 1; j < k; j++) key += ` ${ids[from + j]}`;
    return key;
  };
  const texts = new Map<string, string>();
  /** The words of a key, as the phrase reads. */
  const text = (key: string): string => {
    let t = texts.get(key);
    if (t === undefined)
      texts.set(
        key,
        (t = key
          .split(' ')
          .map((id) => words[Number(id)])
          .join(' ')),
      );
    return t;
  };

  // 1. Counts, level by level, pruned below the lowest support anywhere.
  // A loop, not Math.min(...spread): a dataset may name very many traits.
  const floor = Math.max(
    1,
    traitMinSupport.reduce((a, b) => Math.min(a, b), minSupport),
  );
  const counts = new Map<string, number>();
  let frequent = new Set<string>();
  for (let k = 2; k <= MAX_N; k++) {
    const level = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (lengths[i] < k) continue;
      if (k > 2 && !frequent.has(gram(i, k - 1)!)) continue;
      const g = gram(i, k)!;
      level.set(g, (level.get(g) ?? 0) + 1);
    }
    frequent = new Set();
    for (const [g, c] of level) {
      if (c < floor) continue;
      frequent.add(g);
      counts.set(g, c);
    }
    if (frequent.size === 0) break;
  }
  if (counts.size === 0) return [];

  // 2. Candidates: frequent enough overall or within one trait.
  const candidates = new Set<string>();
  for (const [g, c] of counts) if (c >= minSupport) candidates.add(g);
  if (traitMinSupport.length) {
    const perTrait = new Map<string, Int32Array>();
    for (let i = 0; i < n; i++) {
      const t = traitOf[i];
      if (t < 0) continue;
      for (let k = 2; k <= MAX_N; k++) {
        const g = gram(i, k);
        if (g === null || !counts.has(g) || candidates.has(g)) continue;
        let row = perTrait.get(g);
        if (!row) perTrait.set(g, (row = new Int32Array(traitMinSupport.length)));
        if (++row[t] >= traitMinSupport[t]) candidates.add(g);
      }
    }
  }

  // 3. Merge nested candidates: children of each candidate, then one phrase per 2-gram root.
  // Ties are broken on the phrases' text, so the result does not depend on the order words were seen.
  const children = new Map<string, string[]>();
  for (const g of candidates) {
    const parts = g.split(' ');
    if (parts.length === 2) continue;
    const parent = (opening ? parts.slice(0, -1) : parts.slice(1)).join(' ');
    const list = children.get(parent);
    if (list) list.push(g);
    else children.set(parent, [g]);
  }
  const phrases: string[] = [];
  for (const g of candidates) {
    if (g.split(' ').length !== 2) continue;
    let current = g;
    for (;;) {
      const next = (children.get(current) ?? []).reduce<string | null>(
        (best, c) =>
          best === null || counts.get(c)! > counts.get(best)! || (counts.get(c) === counts.get(best) && text(c) < text(best)) ? c : best,
        null,
      );
      if (next === null || counts.get(next)! < ABSORB * counts.get(current)!) break;
      current = next;
    }
    phrases.push(current);
  }
  phrases.sort((a, b) => counts.get(b)! - counts.get(a)! || (text(a) < text(b) ? -1 : 1));
  phrases.splice(MAX_PHRASES);
  if (phrases.length === 0) return [];

  // Strict matches: the sentence's edge n-gram is the phrase.
  const index = new Map(phrases.map((p, i) => [p, i]));
  const strict: number[][] = phrases.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let k = 2; k <= MAX_N; k++) {
      const g = gram(i, k);
      const p = g === null ? undefined : index.get(g);
      if (p !== undefined) {
        strict[p].push(i);
        break;
      }
    }
  }

  // Broad matches: the phrase anywhere in the two sentences, as whole words (both sides are
  // normalised: single spaces, so a substring search between spaces is exact). Needs the text:
  // a second pass.
  const padded = phrases.map((p) => ` ${text(p)} `);
  const broad: number[][] = phrases.map(() => []);
  return {
    add(view: ResponseView, i: number) {
      const sentences = opening ? view.firstNormalized : view.lastNormalized;
      if (sentences.length === 0) return;
      const around = ` ${sentences.join(' ')} `;
      for (let p = 0; p < padded.length; p++) if (around.includes(padded[p])) broad[p].push(i);
    },
    end: () =>
      phrases.map((key, p) => {
        const phrase = text(key);
        const slug = phrase.replace(/'/g, '').replace(/ /g, '-');
        const where = opening ? 'first' : 'last';
        return {
          id: `${side}:${slug}`,
          name: opening ? `Opens with "${phrase}"` : `Ends with "${phrase}"`,
          description:
            `A phrase found in the data, not listed in advance. Strict: the ${where} sentence ${opening ? 'starts' : 'ends'} with "${phrase}" (compared in lower case, without punctuation or digits). ` +
            `Broad: "${phrase}" anywhere in the ${where} two sentences.`,
          strict: strict[p],
          broad: broad[p],
        };
      }),
  };
}

/**
 * Whole-phrase search for many phrases at once: which phrases occur in a text neither preceded nor
 * followed by a letter or digit (Unicode \p{L} / \p{N}), as
 * `new RegExp(`(?<![\p{L}\p{N}])${escaped}(?![\p{L}\p{N}])`, 'u')` finds one phrase. One
 * Aho-Corasick automaton (Aho & Corasick 1975) over every phrase, so a text is read once whatever
 * the number of phrases, instead of once per phrase.
 */

const WORD = /[\p{L}\p{N}]/u;

/** True when the code point `cp` is a letter or a digit. */
function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90);
  return WORD.test(String.fromCodePoint(cp));
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when offset `i` of `text` splits a surrogate pair (no code-point match can start or end there). */
function insidePair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1));
}

/** True when the code point ending at offset `i` (exclusive) is a letter or digit. */
function wordBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const c = text.charCodeAt(i - 1);
  if (isLow(c) && i >= 2 && isHigh(text.charCodeAt(i - 2))) return isWordCodePoint(text.codePointAt(i - 2)!);
  return isWordCodePoint(c);
}

/** True when the code point starting at offset `i` is a letter or digit. */
function wordAt(text: string, i: number): boolean {
  return i < text.length && isWordCodePoint(text.codePointAt(i)!);
}

/**
 * The maximal runs of letters and digits in `text` (the "words" a whole-phrase match can only
 * contain whole).
 */
export function wordRuns(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length;) {
    const cp = i < text.length ? text.codePointAt(i)! : 32;
    const size = cp > 0xffff ? 2 : 1;
    if (i < text.length && isWordCodePoint(cp)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(text.slice(start, i));
      start = -1;
    }
    i += size;
  }
  return out;
}

/**
 * An Aho-Corasick automaton over non-empty phrases (matched case-sensitively, UTF-16 unit by unit).
 * Building it costs O(total phrase length); `find` reads a text once, plus the phrases that end at
 * each place where a whole phrase may end (a letter or digit does not follow).
 */
export class PhraseMatcher {
  /** Transitions: node × 65 536 + UTF-16 unit → node. */
  private readonly next = new Map<number, number>();
  private readonly fail: number[] = [0];
  /** The phrase ending at a node, or -1. */
  private readonly phraseAt: number[] = [-1];
  /** The nearest node along the failure links (itself excluded) where a phrase ends, or -1. */
  private readonly outputLink: number[] = [-1];
  private readonly lengths: number[] = [];
  /**
   * A bit for each UTF-16 unit that some phrase starts with: from the root, every other unit leads
   * back to it. Bits, not bytes: the lint builds a matcher per run (and per keystroke in the editor),
   * and 8 KB is garbage enough.
   */
  private readonly startsPhrase = new Uint32Array(65536 / 32);
  /** `phrases[i]` is found as phrase `i`; an empty phrase is never found. */
  constructor(phrases: readonly string[]) {
    // Per node: the node it was reached from, the unit that led to it, and its depth (the root's are 0).
    const parentOf = [0];
    const unitOf = [0];
    const depthOf = [0];
    phrases.forEach((phrase, index) => {
      this.lengths.push(phrase.length);
      if (!phrase) return;
      const first = phrase.charCodeAt(0);
      this.startsPhrase[first >>> 5] |= 1 << (first & 31);
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const key = node * 65536 + phrase.charCodeAt(i);
        let child = this.next.get(key);
        if (child === undefined) {
          child = this.fail.length;
          this.fail.push(0);
          this.phraseAt.push(-1);
          this.outputLink.push(-1);
          parentOf.push(node);
          unitOf.push(phrase.charCodeAt(i));
          depthOf.push(i + 1);
          this.next.set(key, child);
        }
        node = child;
      }
      if (this.phraseAt[node] < 0) this.phraseAt[node] = index;
    });
    this.link(parentOf, unitOf, depthOf);
  }

  /** Failure and output links, shallowest nodes first (a node's links depend on shallower nodes only). */
  private link(parentOf: readonly number[], unitOf: readonly number[], depthOf: readonly number[]): void {
    for (const node of byDepth(depthOf)) {
      const parent = parentOf[node];
      // The root and its children fail to the root, and no phrase ends along that link.
      if (parent === 0) continue;
      const unit = unitOf[node];
      let f = this.fail[parent];
      let target = this.next.get(f * 65536 + unit);
      while (target === undefined && f !== 0) {
        f = this.fail[f];
        target = this.next.get(f * 65536 + unit);
      }
      this.fail[node] = target ?? 0;
      const via = this.fail[node];
      this.outputLink[node] = this.phraseAt[via] >= 0 ? via : this.outputLink[via];
    }
  }

  /**
   * Reports each whole-phrase occurrence in `text` to `found` (with the phrase's index) until it
   * returns true; returns whether one did.
   */
  find(text: string, found: (phrase: number) => boolean): boolean {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Most units of a text start no phrase: from the root, they need no look-up.
      if (node === 0 && !((this.startsPhrase[c >>> 5] >>> (c & 31)) & 1)) continue;
      let target = this.next.get(node * 65536 + c);
      while (target === undefined && node !== 0) {
        node = this.fail[node];
        target = this.next.get(node * 65536 + c);
      }
      node = target ?? 0;
      const end = i + 1;
      if (node === 0 || wordAt(text, end) || insidePair(text, end)) continue;
      for (let n = this.phraseAt[node] >= 0 ? node : this.outputLink[node]; n >= 0; n = this.outputLink[n]) {
        const phrase = this.phraseAt[n];
        const start = end - this.lengths[phrase];
        if (!wordBefore(text, start) && !insidePair(text, start) && found(phrase)) return true;
      }
    }
    return false;
  }
}

/** Node numbers ordered by depth (a counting sort). */
function byDepth(depthOf: readonly number[]): Int32Array {
  let deepest = 0;
  for (const d of depthOf) if (d > deepest) deepest = d;
  const startOf = new Int32Array(deepest + 2);
  for (const d of depthOf) startOf[d + 1]++;
  for (let d = 1; d < startOf.length; d++) startOf[d] += startOf[d - 1];
  const order = new Int32Array(depthOf.length);
  depthOf.forEach((d, node) => (order[startOf[d]++] = node));
  return order;
}

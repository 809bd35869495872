/**
 * Regular-expression alternations grouped by first letter, for the cue lists. V8's engine tries an
 * alternation's branches one after another at every position it starts a match from; a list of
 * thirty phrases costs thirty tries at each word of every sentence. Grouped by first letter
 * (`b(?:ecause\b|alanc…)|s(?:ince\b|o\s+that\b)`), a position costs one try per distinct letter and
 * then the few phrases of its letter: about a third less matching time on the corpus sentences.
 */

/**
 * The source of an alternation of `branches` (regular-expression sources, no capturing groups nor
 * back-references; a branch may itself be an alternation) that matches what `branches.join('|')`
 * matches, first match for first match:
 * - a branch opening with a non-capturing group that no quantifier follows is first distributed
 *   over the group's alternatives (`(?:a|b)c` → `ac|bc`, in that order), and so on while a branch
 *   opens with such a group;
 * - branches that then open with the same literal letter (or apostrophe or hyphen) not followed by a
 *   quantifier share it, in their order, within the run of branches between two that open otherwise.
 *   Branches with different first letters cannot match at the same place, so the first match found is
 *   the one the plain alternation finds; a branch that opens otherwise (a lookbehind, a class, an
 *   escape) keeps its place, and nothing is moved past it.
 */
export function alternation(branches: readonly string[]): string {
  const parts: { letter: string | undefined; rests: string[] }[] = [];
  let runStart = 0;
  for (const branch of branches.flatMap(topLevelBranches).flatMap(distributed)) {
    const letter = LEADING_LETTER.test(branch) ? branch[0] : undefined;
    if (letter === undefined) {
      parts.push({ letter, rests: [branch] });
      runStart = parts.length;
      continue;
    }
    const same = parts.slice(runStart).find((p) => p.letter === letter);
    if (same) same.rests.push(branch.slice(1));
    else parts.push({ letter, rests: [branch.slice(1)] });
  }
  return parts
    .map(({ letter, rests }) =>
      letter === undefined ? rests[0] : rests.length === 1 ? letter + rests[0] : `${letter}(?:${rests.join('|')})`,
    )
    .join('|');
}

// A literal first character that no quantifier follows.
const LEADING_LETTER = /^[a-z'-](?![?*+{])/;

/** `branch` as the branches its opening group distributes into (see `alternation`), or itself. */
function distributed(branch: string): string[] {
  if (!branch.startsWith('(?:')) return [branch];
  const close = closingParen(branch);
  const rest = branch.slice(close + 1);
  if (/^[?*+{]/.test(rest)) return [branch];
  return topLevelBranches(branch.slice(3, close)).flatMap((b) => distributed(b + rest));
}

/** The index of the `)` closing the group that opens `source` (a valid expression's source). */
function closingParen(source: string): number {
  let depth = 0;
  let i = 0;
  for (; i < source.length; i = next(source, i)) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) break;
  }
  return i;
}

/** The branches of an alternation's source, split at its top-level `|`s. */
function topLevelBranches(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < source.length; i = next(source, i)) {
    const c = source[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(source.slice(from, i));
      from = i + 1;
    }
  }
  out.push(source.slice(from));
  return out;
}

/** The index after the token at `i`: an escape and a character class count as one. */
function next(source: string, i: number): number {
  if (source[i] === '\\') return i + 2;
  if (source[i] !== '[') return i + 1;
  let j = i + 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

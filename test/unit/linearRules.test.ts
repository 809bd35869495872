/**
 * The indexed algorithms that made lint linear (issue 11) find what the quadratic ones found: typo
 * suggestions (NameIndex), near-duplicate traits (similarPairs), trait titles named in trade-offs
 * (PhraseMatcher, isolated-trait). Property tests against brute-force oracles on small generated
 * inputs (test/unit/oracles/bruteForce.ts), and the rules' findings on every rule fixture and on the
 * Model Spec.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> node --import tsx --test test/unit/linearRules.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { boundedDistance, NameIndex } from '../../server/src/analysis/closest';
import { PhraseMatcher } from '../../server/src/analysis/phrases';
import { MAX_POSTINGS, similarPairs, smallest } from '../../server/src/analysis/similarity';
import { escapeRegExp } from '../../server/src/analysis/words';
import { parseTraitDocument } from '../../server/src/document/parse';
import { referenceTargets, resolveReference } from '../../server/src/document/resolve';
import { lintDocument } from '../../server/src/rules/lint';
import { RULES } from '../../server/src/rules/registry';
import { closestByScan, cosine, editDistance, isolatedTraitsByScan, similarPairsByScan, tfidfVectors } from './oracles/bruteForce';
import { MODEL_SPEC, readFixture, RULE_FIXTURES, ruleFixtureNames } from './fixtures';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const params = (numRuns = RUNS) => ({
  numRuns,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  ...(PATH !== undefined ? { path: PATH } : {}),
});

const name = fc
  .array(fc.constantFrom('a', 'b', 'c', 'A', 'B', ' ', '-', '1', 'é', 'ab', 'ba', 'abc'), { maxLength: 8 })
  .map((a) => a.join(''));
const WORDS = [
  'honest',
  'honesty',
  'kind',
  'helpful',
  'help',
  'privacy',
  'user',
  'answer',
  'refuse',
  'refusing',
  'brief',
  'safe',
  'the',
  'and',
  '42',
];
const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 10 }).map((a) => a.join(' '));

const documents = [
  ...ruleFixtureNames().map((n) => ({ name: n, text: readFixture(join(RULE_FIXTURES, `${n}.traits.md`)).text })),
  { name: 'Model Spec', text: readFileSync(MODEL_SPEC, 'utf8') },
];

/** Settings that switch every rule off but `name`. */
const only = (ruleName: string) =>
  Object.fromEntries(RULES.map((r) => [r.name, r.name === ruleName ? true : 'off'])) as Record<string, boolean | 'off'>;

describe('typo suggestions (NameIndex)', () => {
  it('computes the banded edit distance exactly up to its bound', () => {
    fc.assert(
      fc.property(name, name, fc.integer({ min: 0, max: 6 }), (a, b, max) => {
        const d = editDistance(a, b);
        assert.equal(boundedDistance(a, b, max), d <= max ? d : max + 1);
      }),
      params(1000),
    );
  });

  it('suggests what comparing with every candidate suggests', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 40 }), fc.array(name, { minLength: 1, maxLength: 8 }), (candidates, queries) => {
        const index = new NameIndex(candidates);
        for (const q of [...queries, ...queries])
          assert.equal(index.closest(q), closestByScan(candidates, q), `${JSON.stringify(q)} in ${JSON.stringify(candidates)}`);
      }),
      params(),
    );
  });

  it('past its limits still suggests only near candidates, and finds exact ones', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 60 }), name, (candidates, q) => {
        const found = new NameIndex(candidates, { maxPostings: 2, maxVerified: 3 }).closest(q);
        if (found !== undefined) {
          assert.ok(candidates.includes(found));
          assert.ok(editDistance(found.toLowerCase(), q.toLowerCase()) <= Math.max(2, Math.floor(q.length / 3)));
        }
        if (candidates.some((c) => c.toLowerCase() === q.toLowerCase())) assert.equal(found?.toLowerCase(), q.toLowerCase());
      }),
      params(),
    );
  });
});

describe('near-duplicate traits (similarPairs)', () => {
  it('selects the k smallest candidates to check', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 80 }), (values, k) => {
        const expected = [...values].sort((a, b) => a - b).slice(0, k);
        assert.deepEqual(smallest([...values], k), expected);
      }),
      params(),
    );
  });

  // Thresholds no cosine of a few equally weighted words equals (1/2, 2/3, 1/√2 ...): at a tie, rounding
  // in a different order of summation could fall either side.
  it('pairs what an all-pairs TF-IDF comparison pairs, up to MAX_POSTINGS + 1 texts', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: MAX_POSTINGS + 1 }), fc.constantFrom(0.31, 0.53, 0.79), (texts, threshold) => {
        const found = similarPairs(texts, threshold);
        const expected = similarPairsByScan(texts, threshold);
        assert.deepEqual(
          found.map((p) => [p.first, p.second]),
          expected.map((p) => [p.first, p.second]),
        );
        found.forEach((p, i) => assert.ok(Math.abs(p.similarity - expected[i].similarity) < 1e-9));
      }),
      params(100),
    );
  });

  it('beyond that, reports only true pairs, with their exact similarity, and every repeated text', () => {
    const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'kappa');
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { minLength: 1, maxLength: 4 }).map((a) => a.join(' ')),
          { minLength: MAX_POSTINGS + 2, maxLength: 3 * MAX_POSTINGS },
        ),
        (texts) => {
          const vectors = tfidfVectors(texts);
          const found = similarPairs(texts, 0.5);
          assert.equal(new Set(found.map((p) => p.second)).size, found.length, 'one pair per text');
          for (const p of found) {
            assert.ok(p.first < p.second);
            const exact = texts[p.first] === texts[p.second] ? 1 : Math.min(1, cosine(vectors[p.first], vectors[p.second]));
            assert.ok(Math.abs(p.similarity - exact) < 1e-9 && exact >= 0.5, `${p.first}-${p.second}: ${p.similarity} vs ${exact}`);
          }
          texts.forEach((t, j) => {
            const earlier = texts.indexOf(t);
            if (earlier < j) assert.equal(found.find((p) => p.second === j)?.first, earlier, `text ${j} repeats text ${earlier}`);
          });
        },
      ),
      params(20),
    );
  });
});

describe('trait titles named in trade-offs (PhraseMatcher)', () => {
  const piece = fc.constantFrom(
    'be',
    'kind',
    'be kind',
    'honest',
    'c++',
    'é',
    'x1',
    ' ',
    '  ',
    '-',
    '.',
    '😀',
    'kindness',
    'é',
    '1',
    '(',
    ')',
  );
  const phrase = fc.array(piece, { maxLength: 4 }).map((a) => a.join(''));

  it('finds the phrases a whole-phrase RegExp per phrase finds', () => {
    fc.assert(
      fc.property(
        fc.array(phrase, { maxLength: 12 }),
        fc.array(piece, { maxLength: 20 }).map((a) => a.join('')),
        (phrases, haystack) => {
          const matcher = new PhraseMatcher(phrases);
          const found = new Set<number>();
          matcher.find(haystack, (p) => (found.add(p), false));
          const expected = new Set<number>();
          phrases.forEach((p, i) => {
            const first = phrases.indexOf(p);
            const hit = p ? new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(p)}(?![\\p{L}\\p{N}])`, 'u').test(haystack) : false;
            if (hit && first === i) expected.add(i);
          });
          assert.deepEqual([...found].sort(), [...expected].sort(), `${JSON.stringify(phrases)} in ${JSON.stringify(haystack)}`);
        },
      ),
      params(1000),
    );
  });

  it('isolated-trait reports the traits the one-RegExp-per-title rule reported', () => {
    const title = fc.constantFrom('Be kind', 'Be honest', 'Kindness', 'C++', 'Help', 'Be kind', '');
    const sentence = fc.constantFrom(
      'This is balanced against being kind.',
      'It weighs honesty against Be honest.',
      'There is a trade-off with kindness.',
      'Balance it against help and C++.',
      'It conflicts with [[Be kind]].',
      'It conflicts with [that](#help).',
      'Plain words here.',
      'Rather than help. ',
    );
    const trait = fc.tuple(title, fc.array(sentence, { maxLength: 3 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(trait, { minLength: 2, maxLength: 8 }), (traits) => {
        const text = traits
          .map(
            ([t, sentences, part]) =>
              `## ${t}\n\n${part ? `The trait.\n\n### Trade-offs\n\n${sentences.join(' ') || 'None.'}` : sentences.join(' ')}\n`,
          )
          .join('\n');
        const document = parseTraitDocument(`# Group\n\n${text}`);
        const found = lintDocument(document, { settings: [only('isolated-trait')] }).diagnostics.map((d) => d.trait);
        assert.deepEqual(found, isolatedTraitsByScan(document));
      }),
      params(),
    );
  });
});

describe('findings on the rule fixtures and the Model Spec', () => {
  for (const { name: docName, text: source } of documents) {
    it(`${docName}: unknown-reference, duplicate-trait and isolated-trait find what the quadratic algorithms found`, () => {
      const document = parseTraitDocument(source);
      const targets = referenceTargets(document);
      const titles = [...targets.titles.values()].map((h) => h.title);
      const expectedSuggestions = document.references
        .filter((r) => !resolveReference(targets, r))
        .map((r) => closestByScan(r.form === 'wiki-title' ? titles : [...targets.ids], r.target));
      const unknown = lintDocument(document, { settings: [only('unknown-reference')] }).diagnostics;
      assert.deepEqual(
        unknown.map((d) => d.fix?.edits[0].newText),
        expectedSuggestions,
      );

      const duplicates = lintDocument(document, { settings: [only('duplicate-trait')] }).diagnostics;
      const expectedPairs = similarPairsByScan(
        document.traits.map((t) => `${t.title}\n${t.prose}`),
        0.5,
      );
      assert.deepEqual(
        duplicates.map((d) => [d.trait, d.message.match(/similarity (\d\.\d\d)/)?.[1]]),
        expectedPairs.map((p) => [document.traits[p.second].title, p.similarity.toFixed(2)]),
      );

      const isolated = lintDocument(document, { settings: [only('isolated-trait')] }).diagnostics.map((d) => d.trait);
      assert.deepEqual(isolated, isolatedTraitsByScan(document));
    });
  }
});

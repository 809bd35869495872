// Opening and closing phrases the audit discovers from the data (nothing listed in advance): a
// longer phrase replaces its shorter form only while it keeps 80 % of its records, support is
// counted "at least", strict means the sentence starts (ends) with the phrase and broad means the
// phrase anywhere in the two sentences as whole words; ids are the phrase's words without
// apostrophes, joined by dashes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offlineAudit, type AuditPattern, type AuditRecord } from '../../server/src/audit';

// Words that repeat no n-gram between records (each used once).
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

const records = (responses: readonly string[]): AuditRecord[] =>
  responses.map((response, i) => ({ id: `r${i}`, line: i + 1, traitId: null, prompt: 'q', response }));

/** The discovered phrases on `side` (ids, most records first) and each one's strict and broad record ids. */
function discovered(responses: readonly string[], side: 'opening' | 'closing', minSupport: number) {
  const found = offlineAudit(records(responses), { minSupport }).filter((p: AuditPattern) => p.id.startsWith(`${side}:`));
  return found.map((p) => ({ id: p.id, strict: p.records, broad: p.broadRecords }));
}

describe('discovered phrases', () => {
  it('grows "great question" to "great question indeed" when 8 of its 10 records go on so, not when 7 do', () => {
    const responses = (longer: number) =>
      WORDS.slice(0, 10).map((w, i) => (i < longer ? `Great question indeed, ${w} wins.` : `Great question, ${w} wins.`));
    const all = WORDS.slice(0, 10).map((_, i) => `r${i}`);
    assert.deepEqual(discovered(responses(8), 'opening', 2), [
      { id: 'opening:great-question-indeed', strict: all.slice(0, 8), broad: all.slice(0, 8) },
    ]);
    assert.deepEqual(discovered(responses(7), 'opening', 2), [{ id: 'opening:great-question', strict: all, broad: all }]);
  });

  it('reports a closing phrase that ends at least minSupport records, and matches it broadly as whole words', () => {
    const ending = WORDS.slice(0, 6).map((w) => `Use the ${w} setting. Does that help?`);
    const responses = [...ending, 'Does that help? Tell me more.', 'It does that helpfully. Done now.'];
    const six = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
    assert.deepEqual(discovered(responses, 'closing', 6), [{ id: 'closing:does-that-help', strict: six, broad: [...six, 'r6'] }]);
    assert.deepEqual(discovered(responses, 'closing', 7), []);
  });

  it('names a phrase by its words without apostrophes, and orders equally common phrases by their text', () => {
    const responses = [...WORDS.slice(0, 3).map((w) => `Here's the plan: ${w}.`), ...WORDS.slice(3, 6).map((w) => `Below is ${w}.`)];
    assert.deepEqual(
      discovered(responses, 'opening', 3).map((p) => p.id),
      ['opening:below-is', 'opening:heres-the-plan'],
    );
  });

  it('names and describes a phrase by its side: the first sentence starts with it, or the last one ends with it', () => {
    const responses = WORDS.slice(0, 6).map((w) => `Great question, ${w} wins. Use the ${w} setting. Does that help?`);
    const found = offlineAudit(records(responses), { minSupport: 6 }).filter((p) => p.id.includes(':'));
    assert.deepEqual(
      found.map((p) => [p.id, p.name, p.description]),
      [
        [
          'closing:does-that-help',
          'Ends with "does that help"',
          'A phrase found in the data, not listed in advance. Strict: the last sentence ends with "does that help" (compared in lower case, without punctuation or digits). Broad: "does that help" anywhere in the last two sentences.',
        ],
        [
          'opening:great-question',
          'Opens with "great question"',
          'A phrase found in the data, not listed in advance. Strict: the first sentence starts with "great question" (compared in lower case, without punctuation or digits). Broad: "great question" anywhere in the first two sentences.',
        ],
      ],
    );
  });

  it('reports at most 50 phrases a side, leaving out the least common', () => {
    // 51 opening phrases of two made-up words each: 50 open three records, "openaa nowaa", seen first, opens two.
    const word = (i: number) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    const responses: string[] = [];
    for (let p = 0; p < 51; p++)
      for (let k = 0; k < (p === 0 ? 2 : 3); k++) responses.push(`Open${word(p)} now${word(p)} item${word(p)}${word(k)}.`);
    const opening = offlineAudit(records(responses), { minSupport: 2 }).filter((p) => p.id.startsWith('opening:'));
    assert.equal(opening.length, 50);
    assert.ok(opening.every((p) => p.records.length === 3));
    assert.ok(!opening.some((p) => p.id === 'opening:openaa-nowaa'));
  });

  it('counts the opening of a first sentence of any length', () => {
    // 256 words: one more than a byte holds.
    const responses = WORDS.slice(0, 3).map((w) => `Long story ${w} ${'and more '.repeat(126)}end.`);
    assert.deepEqual(discovered(responses, 'opening', 3), [
      { id: 'opening:long-story', strict: ['r0', 'r1', 'r2'], broad: ['r0', 'r1', 'r2'] },
    ]);
  });
});

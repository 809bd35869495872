import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { tradeoffMap, tradeoffStub } from '../../server/src/review/tradeoffMap';
import type { Tension } from '../../server/src/review/types';

const FIXTURE = readFileSync(join(__dirname, '..', 'fixtures', 'review', 'review.traits.md'), 'utf8');
const tension = (a: string, b: string, weighed: boolean, quote: string | null = null): Tension => ({
  a,
  b,
  situation: 's',
  weighed,
  quote,
  verified: !!quote,
  source: 'model',
});

/** `text` with `snippet` (its placeholder filled by its default) inserted at `at`. */
function apply(text: string, at: { line: number; character: number }, snippet: string): string {
  const lines = text.split('\n');
  const offset = lines.slice(0, at.line).reduce((n, l) => n + l.length + 1, 0) + at.character;
  return text.slice(0, offset) + snippet.replace(/\$\{1:([^}]*)\}/, '$1') + text.slice(offset);
}

describe('trade-off map', () => {
  it("lists traits with their group and unweighed count, and finds each cell's evidence", () => {
    const document = parseTraitDocument(FIXTURE);
    const quote = 'Candour is balanced against [[Be kind]]: Aster chooses considerate words, never softer facts.';
    const map = tradeoffMap(document, [
      tension('candour', 'kind', true, quote),
      tension('kind', 'brief', false),
      tension('kind', 'ghost', false),
    ]);
    assert.deepEqual(
      map.traits.map((t) => [t.id, t.group, t.unweighed]),
      [
        ['candour', 'Honesty', 0],
        ['kind', 'Honesty', 1],
        ['weapons', 'Safety', 0],
        ['brief', 'Safety', 1],
      ],
    );
    assert.equal(map.cells.length, 2, 'a pair naming an unknown trait is left out');
    const evidence = map.cells[0].evidence!;
    assert.equal(FIXTURE.split('\n')[evidence.start.line].slice(evidence.start.character, evidence.end.character), quote);
    assert.equal(map.cells[1].evidence, undefined);
  });

  it('inserts the stub in the Trade-offs part of the trait that has one, linking the other', () => {
    const document = parseTraitDocument(FIXTURE);
    const stub = tradeoffStub(document, tension('kind', 'candour', false))!;
    assert.equal(stub.traitId, 'candour');
    const after = apply(FIXTURE, stub.at, stub.snippet);
    assert.match(
      after,
      /### Trade-offs\n\nCandour is balanced against \[\[Be kind\]\]: Aster chooses considerate words, never softer facts\.\n\nSay what you believe is weighed against \[\[Be kind\]\]: say which wins, and when\.\n\n### Exceptions/,
    );
  });

  it('gives a trait with no Trade-offs part one, before its Exceptions part or at the end of its section', () => {
    const document = parseTraitDocument(FIXTURE);
    const stub = tradeoffStub(document, tension('weapons', 'brief', false))!;
    assert.equal(stub.traitId, 'weapons');
    const after = apply(FIXTURE, stub.at, stub.snippet);
    assert.match(
      after,
      /meant to be absolute\.\n\n### Trade-offs\n\nRefuse weapons is weighed against \[\[Keep it brief\]\]: say which wins, and when\.\n\n## Keep it brief/,
    );
    const withExceptions = '# T\n\n## A {#a}\n\nDoes a.\n\n### Exceptions\n\nNot on Sundays.\n\n## B {#b}\n\nDoes b.\n';
    const stub2 = tradeoffStub(parseTraitDocument(withExceptions), tension('a', 'b', false))!;
    assert.equal(
      apply(withExceptions, stub2.at, stub2.snippet),
      '# T\n\n## A {#a}\n\nDoes a.\n\n### Trade-offs\n\nA is weighed against [[B]]: say which wins, and when.\n\n### Exceptions\n\nNot on Sundays.\n\n## B {#b}\n\nDoes b.\n',
    );
    assert.equal(tradeoffStub(document, tension('weapons', 'ghost', false)), undefined);
  });
});

/**
 * The Recycler's contract on its own (server/src/document/reuse.ts), where incrementalParse's
 * whole-document comparisons cannot see it because a value built afresh equals one handed back:
 * whether a value was built again at all. Equal objects and values built from equal inputs are
 * handed back; a value below a line break is moved, not built, even to a place this parse has
 * already written; nothing from two parses back is handed back; and any number of parses may be
 * built on one parse, each going on with its own values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Recycler } from '../../server/src/document/reuse';

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 4 } });

/** A parse's value for the one-line block at `line`, counting how often it is built. */
function block(r: Recycler, line: number, text: string, builds: number[]): { text: string; range: ReturnType<typeof range> } {
  return r.getFromLines(
    'b',
    line,
    line,
    line,
    () => [text],
    () => {
      builds.push(line);
      return { text, range: range(line) };
    },
  );
}

describe('Recycler', () => {
  it('hands back an equal object, and keeps a changed one', () => {
    const first = new Recycler();
    const a = first.keep('t', 3, { title: 'A', range: range(3) });
    const second = new Recycler(first);
    assert.equal(second.keep('t', 3, { title: 'A', range: range(3) }), a);
    const changed = { title: 'B', range: range(3) };
    assert.equal(second.keep('t', 3, changed), changed);
    // The next parse compares with what this one kept.
    assert.equal(new Recycler(second).keep('t', 3, { title: 'B', range: range(3) }), changed);
  });

  it('builds again only what was built from other inputs', () => {
    const builds: number[] = [];
    const first = new Recycler();
    const v = first.get('s', 'x', ['one'], () => (builds.push(1), { n: 1 }));
    const second = new Recycler(first);
    assert.equal(
      second.get('s', 'x', ['one'], () => (builds.push(2), { n: 2 })),
      v,
    );
    assert.deepEqual(
      second.get('s', 'y', ['one'], () => (builds.push(3), { n: 3 })),
      { n: 3 },
    );
    assert.deepEqual(
      new Recycler(second).get('s', 'x', ['two'], () => (builds.push(4), { n: 4 })),
      { n: 4 },
    );
    assert.deepEqual(builds, [1, 3, 4]);
  });

  it('moves the values of lines a line break moved, even to a place this parse has already written', () => {
    const builds: number[] = [];
    const first = new Recycler();
    block(first, 9, 'nine', builds);
    block(first, 10, 'ten', builds);
    builds.length = 0;
    // A line inserted above line 9: lines 9 and 10 are now 10 and 11. Place 10 is written (by the old
    // line 9) before the old line 10 is looked up there.
    const second = new Recycler(first);
    second.markMoved(10, 11, 1);
    assert.deepEqual(block(second, 10, 'nine', builds), { text: 'nine', range: range(10) });
    assert.deepEqual(block(second, 11, 'ten', builds), { text: 'ten', range: range(11) });
    assert.deepEqual(builds, []);
  });

  it('never hands back a value from two parses back', () => {
    const builds: number[] = [];
    const first = new Recycler();
    block(first, 5, 'old', builds);
    // The second parse writes nothing at line 5 (it is code there, say); the third finds line 5
    // unchanged since the second, but the first's value is stale.
    const second = new Recycler(first);
    const third = new Recycler(second);
    third.markUnchanged(0, 10);
    builds.length = 0;
    assert.deepEqual(block(third, 5, 'new', builds), { text: 'new', range: range(5) });
    assert.deepEqual(builds, [5]);
  });

  it('hands back the previous values to every parse built on one parse, and keeps each line of parses whole', () => {
    const builds: string[] = [];
    // A parse whose line 1 holds `text`; `unchanged` when it did in the previous parse too.
    const parse = (previous: Recycler | undefined, text: string, unchanged: boolean) => {
      const r = new Recycler(previous);
      if (unchanged) r.markUnchanged(0, 3);
      const v = r.getFromLines(
        'b',
        1,
        1,
        1,
        () => [text],
        () => (builds.push(text), { text }),
      );
      return { r, v };
    };
    const base = parse(undefined, 'base', false);
    // Parses from the base (an editor's abandoned versions, say), the first one taking its tables over.
    assert.equal(parse(base.r, 'base', true).v, base.v);
    assert.equal(parse(base.r, 'base', true).v, base.v);
    const one = parse(base.r, 'one', false);
    parse(base.r, 'two', false);
    const three = parse(base.r, 'three', false);
    assert.deepEqual(builds, ['base', 'one', 'two', 'three']);
    // Each goes on from its own values, whatever its siblings wrote after it.
    assert.equal(parse(one.r, 'one', true).v, one.v);
    assert.equal(parse(three.r, 'three', true).v, three.v);
    assert.deepEqual(builds, ['base', 'one', 'two', 'three']);
  });
});

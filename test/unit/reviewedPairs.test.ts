/**
 * The reviewed trade-off pairs the editor keeps in the workspace state (client/src/commands/reviewedPairs.ts),
 * so the trade-off map comes back after a reload without a model: the latest per document, the
 * most recently reviewed documents only, and nothing from a state that is not ours.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReviewedPairsStore } from '../../client/src/commands/reviewedPairs';
import type { ReviewedTension } from '../../server/src/review/types';
import { memento } from './memento';

const pair = (a: string, b: string): ReviewedTension => ({
  tension: { a, b, situation: `${a} meets ${b}`, weighed: false, quote: null, verified: false, source: 'model' },
  chunks: [`## ${a}`, `## ${b}`],
});

describe('reviewed pairs kept across reloads', () => {
  it("keeps each document's latest pairs, readable by a new store on the same state (a reload)", async () => {
    const state = memento();
    const store = new ReviewedPairsStore(state);
    await store.set('file:///a.traits.md', { model: 'm1', tensions: [pair('x', 'y')] });
    await store.set('file:///a.traits.md', { model: 'm2', tensions: [pair('y', 'z')] });
    await store.set('file:///b.traits.md', { model: 'm1', tensions: [] });
    const reloaded = new ReviewedPairsStore(state);
    assert.deepEqual(reloaded.get('file:///a.traits.md'), { model: 'm2', tensions: [pair('y', 'z')] });
    assert.deepEqual(reloaded.get('file:///b.traits.md'), { model: 'm1', tensions: [] });
    assert.equal(reloaded.get('file:///c.traits.md'), undefined);
  });

  it('keeps the 20 most recently reviewed documents', async () => {
    const store = new ReviewedPairsStore(memento());
    for (let i = 0; i < 20; i++) await store.set(`file:///d${i}.traits.md`, { model: 'm', tensions: [pair('a', `b${i}`)] });
    // Reviewing the oldest again makes it the most recent: the next one drops d1, not d0.
    await store.set('file:///d0.traits.md', { model: 'm', tensions: [] });
    await store.set('file:///d20.traits.md', { model: 'm', tensions: [] });
    const kept = Array.from({ length: 21 }, (_, i) => i).filter((i) => store.get(`file:///d${i}.traits.md`));
    assert.deepEqual(kept, [0, ...Array.from({ length: 19 }, (_, i) => i + 2)]);
    assert.deepEqual(store.get('file:///d0.traits.md'), { model: 'm', tensions: [] });
  });

  it('reads a state that is not a map of documents as empty', () => {
    for (const value of [null, 'text', [1, 2], 42])
      assert.equal(new ReviewedPairsStore(memento({ 'traitStudio.review.pairs': value })).get('file:///a.traits.md'), undefined);
  });
});

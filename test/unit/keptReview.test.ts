/**
 * A model review kept across window reloads (client/src/commands/keptReview.ts): the trait reviews
 * each document's latest review gave, kept in the workspace state beside its trade-off pairs, the
 * most recently reviewed documents only, nothing from a state that is not ours; and, given to the
 * language server again for a document edited while the window was closed, applied to the
 * unchanged traits only (DocumentAnalysis, in memory).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keptReview, ReviewedTraitsStore, type ReviewedTraits } from '../../client/src/commands/keptReview';
import { ReviewedPairsStore } from '../../client/src/commands/reviewedPairs';
import { parseTraitDocument } from '../../server/src/document/parse';
import { DocumentAnalysis } from '../../server/src/lsp/analysis';
import { REVIEW_DIAGNOSTIC_SOURCE } from '../../server/src/lsp/protocol';
import type { ReviewedTrait } from '../../server/src/review/findings';
import type { QuotedAnswer, ReviewedTension } from '../../server/src/review/types';
import { memento } from './memento';

const URI = 'file:///overrule.traits.md';
const TEXT = readFileSync(join(__dirname, '..', 'fixtures', 'review', 'overrule.traits.md'), 'utf8');
const chunkOf = (id: string) => parseTraitDocument(TEXT).traits.find((t) => t.id === id)!.chunk;
const stated = (quote: string): QuotedAnswer => ({ present: true, quote, verified: true });
const absent: QuotedAnswer = { present: false, quote: null, verified: false };

/** The review of `id` on TEXT: the reason and trade-offs found (quoted), the exceptions `exceptions`. */
function reviewed(id: 'brief' | 'kind', reason: string, tradeoff: string, exceptions: QuotedAnswer): ReviewedTrait {
  return {
    review: {
      id,
      title: id === 'brief' ? 'Be brief' : 'Be kind',
      parts: { rationale: stated(reason), tradeoffs: stated(tradeoff), exceptions },
      deliberatelyAbsolute: absent,
      surfaceForms: [],
    },
    chunk: chunkOf(id),
  };
}

const REVIEW: ReviewedTraits = {
  model: 'gemini-3.8-flash',
  traits: [
    reviewed(
      'brief',
      "Short answers respect the reader's time.",
      'Brevity gives way to [[Be kind]] when a user is upset.',
      stated('Tutorials can run long.'),
    ),
    // "None in technical exchanges." read as no exception: a review finding of its own.
    reviewed('kind', 'because people ask for help at bad moments', 'Kindness never outweighs facts.', absent),
  ],
};

const unweighed = (a: string, b: string): ReviewedTension => ({
  tension: { a, b, situation: `${a} meets ${b}`, weighed: false, quote: null, verified: false, source: 'model' },
  chunks: [chunkOf(a), chunkOf(b)],
});

describe('a model review kept across reloads', () => {
  it("keeps each document's latest trait reviews, readable by a new store on the same state (a reload)", async () => {
    const state = memento();
    await new ReviewedTraitsStore(state).set(URI, { model: 'old', traits: [] });
    await new ReviewedTraitsStore(state).set(URI, REVIEW);
    assert.deepEqual(new ReviewedTraitsStore(state).get(URI), REVIEW);
    assert.equal(new ReviewedTraitsStore(state).get('file:///other.traits.md'), undefined);
  });

  it('keeps the 20 most recently reviewed documents', async () => {
    const store = new ReviewedTraitsStore(memento());
    for (let i = 0; i < 20; i++) await store.set(`file:///d${i}.traits.md`, REVIEW);
    // Reviewing the oldest again makes it the most recent: the next one drops d1, not d0.
    await store.set('file:///d0.traits.md', REVIEW);
    await store.set('file:///d20.traits.md', REVIEW);
    const kept = Array.from({ length: 21 }, (_, i) => i).filter((i) => store.get(`file:///d${i}.traits.md`));
    assert.deepEqual(kept, [0, ...Array.from({ length: 19 }, (_, i) => i + 2)]);
  });

  it('reads a state that is not ours as nothing kept: never a malformed review for the server', () => {
    const brief = REVIEW.traits[0];
    const malformed: unknown[] = [
      null,
      'text',
      { model: 'm' },
      { model: 1, traits: [] },
      { model: 'm', traits: [{ review: brief.review }] },
      { model: 'm', traits: [{ ...brief, review: { ...brief.review, parts: { rationale: absent } } }] },
      { model: 'm', traits: [{ ...brief, review: { ...brief.review, surfaceForms: null } }] },
      { model: 'm', traits: [{ ...brief, review: { ...brief.review, parts: null } }] },
    ];
    for (const value of malformed)
      assert.equal(new ReviewedTraitsStore(memento({ 'traitStudio.review.traits': { [URI]: value } })).get(URI), undefined);
    for (const value of [null, 'text', [1, 2], 42])
      assert.equal(new ReviewedTraitsStore(memento({ 'traitStudio.review.traits': value })).get(URI), undefined);
    // A failed trait review (no answers, an error) is well formed.
    const failed = { ...brief, review: { ...brief.review, parts: null, deliberatelyAbsolute: null, surfaceForms: null, error: 'blocked' } };
    assert.ok(new ReviewedTraitsStore(memento({ 'traitStudio.review.traits': { [URI]: { model: 'm', traits: [failed] } } })).get(URI));
    // A pair without its chunks is not kept either: the map and the server would not know when it went stale.
    const pairs = { model: 'm', tensions: [{ tension: unweighed('brief', 'playful').tension }] };
    const state = memento({ 'traitStudio.review.pairs': { [URI]: pairs }, 'traitStudio.review.traits': { [URI]: 'text' } });
    assert.equal(keptReview(URI, new ReviewedTraitsStore(state), new ReviewedPairsStore(state)), undefined);
  });

  it('given to the server again for a document edited while the window was closed, applies to the unchanged traits only', async () => {
    const state = memento();
    await new ReviewedTraitsStore(state).set(URI, REVIEW);
    await new ReviewedPairsStore(state).set(URI, {
      model: REVIEW.model,
      tensions: [unweighed('brief', 'playful'), unweighed('kind', 'playful')],
    });
    const kept = keptReview(URI, new ReviewedTraitsStore(state), new ReviewedPairsStore(state))!;
    assert.equal(kept.model, 'gemini-3.8-flash');
    const reopened = (text: string) => {
      const analysis = new DocumentAnalysis();
      analysis.open(URI, 'traits', 1, text);
      analysis.answer('setReview', URI, { model: kept.model, traits: kept.traits, tensions: kept.tensions });
      const diagnostics = analysis.answer('diagnostics', URI, {});
      const codes = diagnostics.map((d) => `${d.source === REVIEW_DIAGNOSTIC_SOURCE ? 'review' : 'lint'}:${String(d.code)}`);
      const lens = analysis.answer('codeLens', URI, { previewUri: undefined }).find((l) => l.range.start.line === 2)!;
      const tensions = diagnostics.filter((d) => d.code === 'unweighed-tension').map((d) => String(d.message).match(/^"([^"]+)"/)![1]);
      return { codes, lens: lens.command!.title, tensions };
    };

    // Unchanged: the whole review applies, as before the reload.
    const same = reopened(TEXT);
    assert.ok(same.codes.includes('review:review-found-rationale') && !same.codes.includes('lint:missing-rationale'), same.codes.join());
    assert.ok(same.codes.includes('review:review-missing-exceptions'), same.codes.join());
    assert.match(same.lens, /^✓ reason \(review\) · /);
    assert.deepEqual(same.tensions.sort(), ['Be brief', 'Be kind', 'Be playful', 'Be playful']);

    // "Be kind" edited while the window was closed: its review and its pair are stale, Be brief's hold.
    const edited = TEXT.replace('Aster is considerate', 'Truly, Aster is considerate');
    const after = reopened(edited);
    assert.ok(after.codes.includes('review:review-found-rationale') && !after.codes.includes('lint:missing-rationale'), after.codes.join());
    assert.ok(!after.codes.includes('review:review-missing-exceptions'), after.codes.join());
    assert.match(after.lens, /^✓ reason \(review\) · /);
    assert.deepEqual(after.tensions.sort(), ['Be brief', 'Be playful']);
  });
});

/**
 * A model review inside the language server's analysis (DocumentAnalysis, in memory): its findings
 * beside the lint's under source `traits (review)`, a grounded answer overruling the lint on the
 * same trait and part (the hover and the code lens saying so), an unverified quote never used, and a review that
 * stops holding for a trait once its text is edited.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { DocumentAnalysis } from '../../server/src/lsp/analysis';
import { REVIEW_COMMAND, REVIEW_DIAGNOSTIC_SOURCE } from '../../server/src/lsp/protocol';
import type { ReviewedTrait } from '../../server/src/review/findings';
import type { QuotedAnswer, TraitReview } from '../../server/src/review/types';

const URI = 'file:///overrule.traits.md';
const TEXT = readFileSync(join(__dirname, '..', 'fixtures', 'review', 'overrule.traits.md'), 'utf8');
const chunkOf = (id: string, text = TEXT) => parseTraitDocument(text).traits.find((t) => t.id === id)!.chunk;
const stated = (quote: string, verified = true): QuotedAnswer => ({ present: true, quote, verified });
const absent: QuotedAnswer = { present: false, quote: null, verified: false };

function briefReview(rationale: QuotedAnswer): ReviewedTrait {
  const review: TraitReview = {
    id: 'brief',
    title: 'Be brief',
    parts: {
      rationale,
      tradeoffs: stated('Brevity gives way to [[Be kind]] when a user is upset.'),
      exceptions: stated('Tutorials can run long.'),
    },
    deliberatelyAbsolute: absent,
    surfaceForms: [],
  };
  return { review, chunk: chunkOf('brief') };
}

function analysisWith(traits: ReviewedTrait[]): DocumentAnalysis {
  const analysis = new DocumentAnalysis();
  analysis.open(URI, 'traits', 1, TEXT);
  analysis.answer('setReview', URI, { model: 'gemini-3.8-flash', traits });
  return analysis;
}

const codes = (analysis: DocumentAnalysis) => analysis.answer('diagnostics', URI, {}).map((d) => `${d.source}:${String(d.code)}`);

describe('a model review in the language server', () => {
  it('the lint alone reports the reason it cannot see', () => {
    const analysis = new DocumentAnalysis();
    analysis.open(URI, 'traits', 1, TEXT);
    assert.ok(codes(analysis).includes('traits:missing-rationale'));
  });

  it('a grounded reason overrules the lint: its finding is dropped, the review shows the quote, the hover says so', () => {
    const analysis = analysisWith([briefReview(stated("Short answers respect the reader's time."))]);
    const diagnostics = analysis.answer('diagnostics', URI, {});
    assert.ok(!diagnostics.some((d) => d.code === 'missing-rationale'));
    const found = diagnostics.find((d) => d.code === 'review-found-rationale')!;
    assert.equal(found.source, REVIEW_DIAGNOSTIC_SOURCE);
    assert.match(
      String(found.message),
      /The review found the reason here: "Short answers respect the reader's time\." \(the lint's missing-rationale finding is withdrawn\)\. \[gemini-3\.8-flash\]/,
    );
    // On the quote itself.
    const line = TEXT.split('\n')[found.range.start.line];
    assert.equal(line.slice(found.range.start.character, found.range.end.character), "Short answers respect the reader's time.");
    const hover = analysis.answer('hover', URI, { position: { line: 2, character: 5 } });
    assert.match(
      (hover!.contents as { value: string }).value,
      /The review found the reason: _"Short answers respect the reader's time\\\."_ — it overrules the lint's `missing-rationale`/,
    );
    // The code lens shows the review's verdict on the part it overruled, says so, and counts what is shown.
    const lens = analysis.answer('codeLens', URI, { previewUri: undefined }).find((l) => l.range.start.line === 2)!;
    assert.equal(lens.command!.title, '✓ reason (review) · ✓ trade-offs · ✓ exceptions · 0 examples · no problems');
    assert.match(
      lens.command!.tooltip!,
      /^Reason: found by the model review: «Short answers respect the reader's time\.» \(it overrules the lint's missing-rationale\)\nTrade-offs: stated in/,
    );
    // Without the review, the lens shows the heuristics.
    const plain = new DocumentAnalysis();
    plain.open(URI, 'traits', 1, TEXT);
    const heuristic = plain.answer('codeLens', URI, { previewUri: undefined }).find((l) => l.range.start.line === 2)!;
    assert.match(heuristic.command!.title, /^✗ reason · ✓ trade-offs · ✓ exceptions · 0 examples · 1 problem$/);
    assert.match(heuristic.command!.tooltip!, /^Reason: missing\n/);
    assert.ok(
      !/missing-rationale/.test(
        JSON.stringify(analysis.answer('codeAction', URI, { range: found.range, context: { diagnostics: [] }, snippets: false })),
      ),
    );
  });

  it('an unverified quote is reported and not used: the lint finding stays', () => {
    const analysis = analysisWith([briefReview(stated('Brevity is the soul of wit.', false))]);
    const all = codes(analysis);
    assert.ok(all.includes('traits:missing-rationale'));
    assert.ok(all.includes(`${REVIEW_DIAGNOSTIC_SOURCE}:review-unverified-quote`));
  });

  it('a review holds for a trait only while its text is unchanged, and clears', () => {
    const analysis = analysisWith([briefReview(stated("Short answers respect the reader's time."))]);
    // An edit in the other trait leaves brief's review in force.
    const kindLine = TEXT.split('\n').findIndex((l) => l.startsWith('Aster is considerate'));
    analysis.change(URI, 2, [
      { range: { start: { line: kindLine, character: 0 }, end: { line: kindLine, character: 0 } }, text: 'Truly, ' },
    ]);
    assert.ok(!codes(analysis).includes('traits:missing-rationale'));
    // Editing brief itself makes its review stale.
    analysis.change(URI, 3, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'Truly, ' }]);
    assert.ok(codes(analysis).includes('traits:missing-rationale'));
    assert.ok(!codes(analysis).some((c) => c.startsWith(REVIEW_DIAGNOSTIC_SOURCE)));
    analysis.answer('setReview', URI, { model: 'm', traits: [] });
    assert.ok(codes(analysis).includes('traits:missing-rationale'));
  });

  it("a failed trait and a missing part are the review's own findings; a lens on the first heading runs the review", () => {
    const failed: ReviewedTrait = {
      review: {
        id: 'kind',
        title: 'Be kind',
        parts: null,
        deliberatelyAbsolute: null,
        surfaceForms: null,
        error: 'blocked (SAFETY) (asked twice)',
      },
      chunk: chunkOf('kind'),
    };
    const missing = briefReview(stated("Short answers respect the reader's time."));
    const noExceptions: ReviewedTrait = {
      ...missing,
      review: { ...missing.review, parts: { ...missing.review.parts!, exceptions: absent } },
    };
    const analysis = analysisWith([noExceptions, failed]);
    const messages = analysis
      .answer('diagnostics', URI, {})
      .filter((d) => d.source === REVIEW_DIAGNOSTIC_SOURCE)
      .map((d) => `${String(d.code)}: ${d.message}`);
    assert.ok(
      messages.includes('review-missing-exceptions: The review finds no exceptions stated in this trait. [gemini-3.8-flash]'),
      messages.join('\n'),
    );
    assert.ok(messages.some((m) => /^review-failed: The review could not read this trait: blocked \(SAFETY\)/.test(m)));
    const lenses = analysis.answer('codeLens', URI, { previewUri: undefined, reviewUri: URI });
    assert.deepEqual(lenses[0].command, { title: '$(sparkle) Review with model', command: REVIEW_COMMAND, arguments: [URI] });
    assert.equal(lenses[0].range.start.line, 0);
  });

  it('an unweighed tension of the review is an unweighed-tension finding on both traits, until either is edited', () => {
    const analysis = new DocumentAnalysis();
    analysis.open(URI, 'traits', 1, TEXT);
    const tension = {
      a: 'brief',
      b: 'kind',
      situation: 'a grieving user asks a quick question',
      weighed: false,
      quote: null,
      verified: false,
      source: 'model' as const,
    };
    analysis.answer('setReview', URI, {
      model: 'm',
      traits: [briefReview(stated("Short answers respect the reader's time."))],
      tensions: [{ tension, chunks: [chunkOf('brief'), chunkOf('kind')] }],
    });
    const found = analysis.answer('diagnostics', URI, {}).filter((d) => d.code === 'unweighed-tension');
    assert.deepEqual(
      found.map((d) => d.range.start.line),
      [2, 14],
    );
    assert.match(
      String(found[0].message),
      /"Be brief" can pull against "Be kind" \(a grieving user asks a quick question\), and the document does not say how to weigh them: add a trade-off linking \[\[Be kind\]\]\./,
    );
    assert.equal(found[0].source, 'traits');
    const kindLine = TEXT.split('\n').findIndex((l) => l.startsWith('Aster is considerate'));
    analysis.change(URI, 2, [
      { range: { start: { line: kindLine, character: 0 }, end: { line: kindLine, character: 0 } }, text: 'Truly, ' },
    ]);
    assert.ok(!analysis.answer('diagnostics', URI, {}).some((d) => d.code === 'unweighed-tension'));
  });
});

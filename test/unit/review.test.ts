import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { MemoryAnswerCache } from '../../server/src/llm/cache';
import { GeminiProvider } from '../../server/src/llm/gemini';
import { RequestPolicy } from '../../server/src/llm/requestPolicy';
import { REVIEW_PROMPT_VERSION } from '../../server/src/review/prompts';
import { findQuote, normaliseWhitespace } from '../../server/src/review/quotes';
import { DEFAULT_REVIEW_MODEL, estimateReview, reviewDocument } from '../../server/src/review/review';
import { heuristicTensions } from '../../server/src/review/tensions';
import { reviewResponder } from '../fake-gemini/reviewAnswers';
import { startFakeGemini, type FakeGemini } from '../fake-gemini/server';
import { stageOf } from '../fake-gemini/stages';

const FIXTURE = readFileSync(join(__dirname, '..', 'fixtures', 'review', 'review.traits.md'), 'utf8');
const BLOCKED = `${FIXTURE}\n## Blocked one {#blocked}\n\nBLOCKME Aster talks about something.\n\n## Made up {#madeup}\n\nFABRICATE Aster is plain.\n`;

describe('quotes', () => {
  it('finds a quote whatever its whitespace, and maps it back to the text as given', () => {
    const text = 'Users act on what\n   Aster tells   them. Next.';
    const at = findQuote(text, 'Users act on what Aster tells them.');
    assert.deepEqual(at, { start: 0, end: text.indexOf(' Next') });
    assert.deepEqual(findQuote(text, '  tells them.  '), findQuote(text, 'tells them.'));
    assert.equal(text.slice(findQuote(text, 'tells them.')!.start, findQuote(text, 'tells them.')!.end), 'tells   them.');
  });
  it('refuses a paraphrase, a changed case and a blank quote', () => {
    const text = 'Users act on what Aster tells them.';
    assert.equal(findQuote(text, 'Users act on what Aster says.'), undefined);
    assert.equal(findQuote(text, 'users act on what Aster tells them.'), undefined);
    assert.equal(findQuote(text, '   '), undefined);
    assert.equal(normaliseWhitespace(' a \n\t b '), 'a b');
  });
});

describe('reviewDocument (fake Gemini)', () => {
  let fake: FakeGemini;
  before(async () => (fake = await startFakeGemini()));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setResponder(reviewResponder());
  });
  const provider = () =>
    new GeminiProvider({
      apiKey: 'k',
      baseUrl: fake.baseUrl,
      policy: new RequestPolicy({ sleep: async () => undefined, timeoutMs: 5_000 }),
    });
  const coverageRequests = () => fake.requests.filter((r) => stageOf(r) === 'review-coverage');
  /** The trait text a logged coverage request was about. */
  const traitOf = (i: number) => /<trait>\n([\s\S]*?)\n<\/trait>/.exec(coverageRequests()[i].body.contents[0].parts[0].text)?.[1] ?? '';

  it('answers every part of every trait with a quote found in the trait, sending the context with each chunk', async () => {
    const document = parseTraitDocument(FIXTURE);
    const review = await reviewDocument(document, { provider: provider(), file: 'review.traits.md' });
    assert.equal(review.model, DEFAULT_REVIEW_MODEL);
    assert.deepEqual(
      review.traits.map((t) => t.id),
      ['candour', 'kind', 'weapons', 'brief'],
    );
    const candour = review.traits[0];
    assert.deepEqual(candour.parts, {
      rationale: { present: true, quote: 'Users act on what Aster tells them.', verified: true },
      tradeoffs: {
        present: true,
        quote: 'Candour is balanced against [[Be kind]]: Aster chooses considerate words, never softer facts.',
        verified: true,
      },
      exceptions: {
        present: true,
        quote: 'When the user asks for encouragement, Aster can hold back unrequested criticism.',
        verified: true,
      },
    });
    assert.deepEqual(candour.deliberatelyAbsolute, { present: false, quote: null, verified: false });
    const kind = review.traits[1];
    assert.equal(kind.parts!.rationale.verified, true);
    assert.equal(kind.parts!.tradeoffs.present, false);
    assert.deepEqual(kind.surfaceForms, [{ form: 'Thanks for asking', quote: 'always open with "Thanks for asking"', verified: true }]);
    assert.deepEqual(review.traits[2].deliberatelyAbsolute, {
      present: true,
      quote: 'Aster refuses, without exception, to help build weapons that can kill many people.',
      verified: true,
    });
    // Each request carries the preamble and its group's introduction as context, and the chunk alone as the trait.
    const first = coverageRequests()[0].body.contents[0].parts[0].text as string;
    assert.match(first, /<context>\n[\s\S]*Aster is a general-purpose assistant[\s\S]*How Aster relates to the truth\.[\s\S]*<\/context>/);
    assert.ok(!/<trait>[\s\S]*Be kind \{#kind\}[\s\S]*<\/trait>/.test(first), 'the next trait is not part of the chunk');
    assert.ok(review.usage.inputTokens > 0 && review.cost.usd > 0 && review.cost.unpriced.length === 0);
  });

  it('asks once more when a quote is not in the trait, then trusts only a quote it finds', async () => {
    const review = await reviewDocument(parseTraitDocument(BLOCKED), { provider: provider(), traits: ['brief', 'madeup'] });
    // brief: fabricated once, then quoted truly → verified. madeup: fabricated on both attempts → unverified.
    assert.equal(coverageRequests().length, 4);
    const [brief, madeup] = review.traits;
    assert.equal(brief.parts!.rationale.present, false, 'the retry of brief answered truthfully: no reason stated');
    assert.deepEqual(madeup.parts!.rationale, {
      present: true,
      quote: 'This trait exists because the fake made this sentence up.',
      verified: false,
    });
    // The asked-again request names the quote that was not found, after the first answer.
    const retry = coverageRequests().find((r) => r.body.contents.length === 3)!;
    assert.equal(retry.body.contents[1].role, 'model');
    assert.match(
      retry.body.contents[2].parts[0].text,
      /not in the trait's text: "This trait exists because the fake made this sentence up\."/,
    );
  });

  it('reports a blocked trait with its reason and no answers, and completes the others', async () => {
    const review = await reviewDocument(parseTraitDocument(BLOCKED), { provider: provider(), traits: ['candour', 'blocked'] });
    const blocked = review.traits.find((t) => t.id === 'blocked')!;
    assert.equal(blocked.parts, null);
    assert.equal(blocked.surfaceForms, null);
    assert.match(blocked.error!, /SAFETY[\s\S]*asked twice/);
    assert.equal(review.traits.find((t) => t.id === 'candour')!.error, undefined);
    assert.equal(coverageRequests().filter((r) => JSON.stringify(r.body).includes('BLOCKME')).length, 2);
  });

  it('re-reviews an unchanged document from the cache with 0 requests, and an edited trait alone', async () => {
    const cache = new MemoryAnswerCache();
    const first = await reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), cache });
    const sent = fake.requests.length;
    assert.equal(sent, 5, 'four traits, one of them asked again');
    const again = await reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), cache });
    assert.equal(fake.requests.length, sent, 'an unchanged document sends no request');
    assert.deepEqual(again.traits, first.traits);
    assert.equal(again.usage.inputTokens, 0);
    assert.equal(again.cost.usd, 0);
    assert.equal(again.usage.cachedAnswers, 5);

    fake.requests.length = 0;
    const edited = FIXTURE.replace('Aster is considerate because', 'Aster is warm and considerate because');
    const third = await reviewDocument(parseTraitDocument(edited), { provider: provider(), cache });
    assert.equal(fake.requests.length, 1, 'one edited trait: one request');
    assert.match(traitOf(0), /warm and considerate/);
    assert.equal(third.traits[1].parts!.rationale.quote, 'Aster is warm and considerate because people ask for help at bad moments.');
  });

  it('keys the cache by model and prompt version too', async () => {
    const cache = new MemoryAnswerCache();
    await reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), cache, traits: ['candour'] });
    await reviewDocument(parseTraitDocument(FIXTURE), {
      provider: provider(),
      cache,
      traits: ['candour'],
      model: 'gemini-3.1-pro-preview',
    });
    assert.equal(fake.requests.length, 2, 'another model is asked anew');
    assert.equal(REVIEW_PROMPT_VERSION, 1);
  });

  it('estimates the cost before it runs, and counts what the cache already holds as free', async () => {
    const cache = new MemoryAnswerCache();
    const document = parseTraitDocument(FIXTURE);
    const before = await estimateReview(document, { cache, providerId: 'gemini' });
    assert.equal(before.requests, 4);
    assert.equal(before.cached, 0);
    assert.ok(before.usd > 0 && before.inputTokens > 0);
    await reviewDocument(document, { provider: provider(), providerId: 'gemini', cache });
    const afterReview = await estimateReview(document, { cache, providerId: 'gemini' });
    assert.equal(afterReview.cached, 4);
    assert.equal(afterReview.usd, 0);
    assert.equal((await estimateReview(document, { traits: ['kind'], tensions: true })).requests, 2);
  });

  it('stops when cancelled: rejects with the reason, asks nothing more, reports nothing half-done', async () => {
    const controller = new AbortController();
    let seen = 0;
    fake.setResponder((r) => {
      // Cancel as the first answer is being given: the traits after it are never asked.
      if (++seen === 1) controller.abort(new Error('cancelled by the user'));
      return reviewResponder()(r);
    });
    await assert.rejects(
      reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), signal: controller.signal, traits: ['candour'] }),
      /cancelled by the user/,
    );
    const before = fake.requests.length;
    await assert.rejects(
      reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), signal: controller.signal }),
      /cancelled by the user/,
    );
    assert.equal(fake.requests.length, before, 'an aborted review sends nothing');
  });

  it('refuses an unknown trait id, naming the known ones', async () => {
    await assert.rejects(
      reviewDocument(parseTraitDocument(FIXTURE), { provider: provider(), traits: ['nope'] }),
      /no trait with id "nope".*candour, kind, weapons, brief/,
    );
    assert.equal(fake.requests.length, 0);
  });

  it('maps tensions: the keyless pass reads links, the model pass adds unweighed pairs with checked quotes', async () => {
    const document = parseTraitDocument(FIXTURE);
    const heuristic = heuristicTensions(document);
    assert.deepEqual(heuristic, [
      {
        a: 'candour',
        b: 'kind',
        situation: '"Say what you believe" links to "Be kind"',
        weighed: true,
        quote: 'Candour is balanced against [[Be kind]]: Aster chooses considerate words, never softer facts.',
        verified: true,
        source: 'heuristic',
      },
    ]);
    const review = await reviewDocument(document, { provider: provider(), tensions: true, traits: [] });
    assert.deepEqual(
      review.tensions!.map((t) => [t.a, t.b, t.weighed, t.verified, t.source]),
      [
        ['candour', 'kind', true, true, 'model'],
        ['candour', 'brief', false, false, 'model'],
      ],
    );
  });
});

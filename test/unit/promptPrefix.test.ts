import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { traitChunk, type TraitChunk } from '../../server/src/generation/chunk';
import { autorate } from '../../server/src/generation/stages/autorate';
import { brainstorm, type Idea } from '../../server/src/generation/stages/brainstorm';
import { critique } from '../../server/src/generation/stages/critique';
import { response } from '../../server/src/generation/stages/response';
import { scenario } from '../../server/src/generation/stages/scenario';
import { sharpen } from '../../server/src/generation/stages/sharpen';
import { DEFAULT_MODELS, type StageContext } from '../../server/src/generation/stages/stage';
import { rateRequest, scanRequest, type AuditTemplates } from '../../server/src/audit/modelPassPrompts';
import type { AuditRecord } from '../../server/src/audit/types';
import type { GenerateRequest, ModelProvider } from '../../server/src/llm/provider';
import { AUDIT_TEMPLATE_STAGES, loadTemplates, MIDTRAINING_TEMPLATE_STAGES, render, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { emptyUsage } from '../../server/src/llm/usage';
import { coverageRequest, REVIEW_TEMPLATE_STAGES } from '../../server/src/review/prompts';
import { promptText } from '../fake-gemini/server';

/**
 * Gemini's implicit caching bills the prompt prefix a request shares with earlier ones at the cached
 * rate, so every stage's prompt must put what its requests share (instructions, the document's
 * context, the trait) first and what varies (the idea, the message, the answer, the item) last.
 * For each stage, two requests that differ only in what varies share the longest possible prefix:
 * everything shared lies inside their common prefix, and after it comes nothing but the varying
 * values and a few labels or tags between them (at most SLACK characters in all).
 */
const SLACK = 120;

const DOC = parseTraitDocument(readFileSync(join(__dirname, '..', '..', 'examples', 'assistant.traits.md'), 'utf8'));
const [CHUNK, OTHER] = DOC.traits.map((t) => traitChunk(DOC, t));

/** The prompt as implicit caching sees it (the fake's rule): system instruction, then the contents. */
const promptOf = (r: GenerateRequest) =>
  promptText({
    systemInstruction: { parts: [{ text: r.systemInstruction ?? '' }] },
    contents: r.messages.map((m) => ({ parts: [{ text: m.text }] })),
  });

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Asserts that `a` and `b` (prompts of `stage`) share all but their varying values, as the file
 * comment says: each of `shared` ends inside their common prefix, and what follows it in `a`, less
 * `varying` (values of `a`), is at most SLACK characters.
 */
function assertSharedFirst(stage: string, a: string, b: string, shared: readonly string[], varying: readonly string[]): void {
  assert.notEqual(a, b, `${stage}: the two prompts are the same`);
  const prefix = commonPrefix(a, b);
  for (const value of shared) {
    const at = a.indexOf(value);
    assert.ok(at >= 0, `${stage}: a shared value is not in the prompt`);
    assert.ok(
      at + value.length <= prefix,
      `${stage}: the prompts part at character ${prefix}, before a shared value ends (${at + value.length})`,
    );
  }
  // The varying values sit at the end: each is taken at its last occurrence.
  const covered = new Array<boolean>(a.length).fill(false);
  for (const value of varying) {
    const at = a.lastIndexOf(value);
    assert.ok(at >= 0 && at + value.length > prefix, `${stage}: the varying value "${value.slice(0, 40)}" is not after the shared prefix`);
    covered.fill(true, at, at + value.length);
  }
  const rest = [...a.slice(prefix)].filter((_, i) => !covered[prefix + i]).join('');
  assert.ok(
    rest.length <= SLACK,
    `${stage}: ${rest.length} characters of fixed text come after the part that varies: ${JSON.stringify(rest.slice(0, 200))}`,
  );
}

/** A provider that records each request and answers it as its stage asks, by its schema. */
function recorder(): { provider: ModelProvider; requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  // By a key only its stage's schema has (the sharpen schema has `message` too: it comes first).
  const answers: Record<string, unknown> = {
    ideas: { ideas: Array.from({ length: 3 }, () => ({ what: 'w', how: 'h', why: 'y' })) },
    sharpened: { sharpened: false, reason: 'specific', message: 'a message' },
    message: { message: 'a message' },
    realistic: { realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' },
    score: { score: 8, verdict: 'keep', reasons: 'good' },
  };
  const provider: ModelProvider = {
    async generate(request) {
      requests.push(request);
      const keys = Object.keys((request.responseJsonSchema as { properties?: object } | undefined)?.properties ?? {});
      const key = Object.keys(answers).find((k) => keys.includes(k));
      return { text: key ? JSON.stringify(answers[key]) : 'An answer.', finishReason: 'STOP', usage: { inputTokens: 1, outputTokens: 1 } };
    },
    embed: async () => [],
  };
  return { provider, requests };
}

/** The prompts of `call` run twice, with the first and the second item. */
async function twice<T>(call: (ctx: StageContext, item: T) => Promise<unknown>, items: readonly [T, T]): Promise<[string, string]> {
  const { provider, requests } = recorder();
  const ctx: StageContext = { provider, usage: emptyUsage(), models: DEFAULT_MODELS, templates: loadTemplates(TEMPLATE_STAGES) };
  for (const item of items) await call(ctx, item);
  assert.equal(requests.length, 2);
  return [promptOf(requests[0]), promptOf(requests[1])];
}

describe('prompts put what their requests share first (implicit caching)', () => {
  const ideas: readonly [Idea, Idea] = [
    { what: 'A student asks whether their proof is right', how: 'names the gap', why: 'false confidence' },
    { what: 'A manager wants praise for a plan with a flaw', how: 'says so kindly', why: 'users act on it' },
  ];
  const messages = ['Is this proof of the lemma correct?', 'My plan is to ship on Friday without tests. Good, right?'] as const;
  const answersOf = ['Great question! It looks fine.', 'Sure, shipping fast matters most.'] as const;

  it('brainstorm: two traits of one document share the instructions and the context', async () => {
    const [a, b] = await twice((ctx, chunk: TraitChunk) => brainstorm(ctx, chunk, 3), [CHUNK, OTHER]);
    assertSharedFirst('brainstorm', a, b, [CHUNK.context], [CHUNK.text]);
  });

  it('scenario: two ideas of one trait', async () => {
    const [a, b] = await twice((ctx, idea: Idea) => scenario(ctx, CHUNK, idea), ideas);
    assertSharedFirst('scenario', a, b, [CHUNK.text], [ideas[0].what, ideas[0].how, ideas[0].why]);
  });

  it('critique: two messages of one trait', async () => {
    const [a, b] = await twice((ctx, message: string) => critique(ctx, CHUNK, message), messages);
    assertSharedFirst('critique', a, b, [CHUNK.text], [messages[0]]);
  });

  it('sharpen: two messages and baselines of one trait', async () => {
    const [a, b] = await twice((ctx, i: number) => sharpen(ctx, CHUNK, messages[i], answersOf[i]), [0, 1]);
    assertSharedFirst('sharpen', a, b, [CHUNK.text], [messages[0], answersOf[0]]);
  });

  it('response: two messages of one trait (the system prompt, context then trait, comes first)', async () => {
    const [a, b] = await twice((ctx, message: string) => response(ctx, CHUNK, message), messages);
    assertSharedFirst('response', a, b, [CHUNK.context, CHUNK.text], [messages[0]]);
    assert.ok(a.indexOf(CHUNK.context) < a.indexOf(CHUNK.text), 'the context, shared by every trait, comes before the trait');
  });

  it('autorate: two messages and answers of one trait', async () => {
    const [a, b] = await twice((ctx, i: number) => autorate(ctx, CHUNK, messages[i], answersOf[i]), [0, 1]);
    assertSharedFirst('autorate', a, b, [CHUNK.text], [messages[0], answersOf[0]]);
  });

  it('midtraining: ideas per document kind, drafts per idea, critiques per draft', () => {
    const t = loadTemplates(MIDTRAINING_TEMPLATE_STAGES);
    const shared = { model: 'Assistant-1', context: CHUNK.context, traits: '<trait id="candour">…</trait>' };
    const ideasFor = (doc_type: string, avoid: string) => render(t['midtraining-ideas'], { ...shared, doc_type, count: 10, avoid });
    assertSharedFirst(
      'midtraining-ideas',
      ideasFor('forum thread', '(none yet)'),
      ideasFor('email', '- an earlier idea'),
      [CHUNK.context, shared.traits],
      ['forum thread', '(none yet)'],
    );
    const draft = (doc_type: string, idea: string) => render(t['midtraining-draft'], { ...shared, doc_type, idea });
    assertSharedFirst(
      'midtraining-draft',
      draft('forum thread', 'a thread about a wrong answer'),
      draft('email', 'an email about a bug'),
      [CHUNK.context, shared.traits],
      ['forum thread', 'a thread about a wrong answer'],
    );
    const revise = (doc_type: string, document: string) => render(t['midtraining-critique'], { ...shared, doc_type, document });
    assertSharedFirst(
      'midtraining-critique',
      revise('forum thread', 'Thread: …'),
      revise('email', 'Dear team, …'),
      [shared.traits],
      ['forum thread', 'Thread: …'],
    );
  });

  it('review coverage: two traits of one document share the instructions and the context', () => {
    const templates = loadTemplates(REVIEW_TEMPLATE_STAGES);
    const [a, b] = [CHUNK, OTHER].map((chunk) => promptOf(coverageRequest(templates, 'm', chunk)));
    assertSharedFirst('review-coverage', a, b, [CHUNK.context], [CHUNK.title, CHUNK.text]);
  });

  it('audit: scans and ratings of two batches share the instructions (and the features)', () => {
    const templates: AuditTemplates = loadTemplates(AUDIT_TEMPLATE_STAGES);
    const record = (id: string, prompt: string): AuditRecord => ({ id, line: 1, traitId: null, prompt, response: `Answer to ${prompt}` });
    const batches = [[record('r1', 'first question')], [record('r2', 'second question'), record('r3', 'third')]];
    const [scanA, scanB] = batches.map((batch) => promptOf(scanRequest(templates, 'm', batch)));
    const transcriptOf = (p: string) => p.slice(p.indexOf('<transcript id'));
    assertSharedFirst('audit-scan', scanA, scanB, [], [transcriptOf(scanA)]);
    const features = '- f1: Opens with praise. …';
    const [rateA, rateB] = batches.map((batch) => promptOf(rateRequest(templates, 'm', features, batch)));
    assertSharedFirst('audit-rate', rateA, rateB, [features], [transcriptOf(rateA)]);
  });
});

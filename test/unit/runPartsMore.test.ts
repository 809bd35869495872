// More of a run's parts, each through what it promises: the estimate's tokens per stage (the
// contract in estimateRun's docstring, computed here from the templates and the trait), a resume
// against a manifest that lacks the models or templates, the providers shared behind the run's
// limits, an item listed once when a trait is selected twice, and an io error from a thrown value
// that is not an Error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { traitChunk } from '../../server/src/generation/chunk';
import { estimateRun, RunError, type RunManifest } from '../../server/src/generation/run';
import { ioError } from '../../server/src/generation/run/errors';
import { planItems } from '../../server/src/generation/run/items';
import { limitedProviders } from '../../server/src/generation/run/limitedProviders';
import { identityDifferences } from '../../server/src/generation/run/manifest';
import { freshManifest } from '../../server/src/generation/run/manifestBuilder';
import type { RunOptions } from '../../server/src/generation/run/types';
import { estimateTokens } from '../../server/src/llm/limits';
import type { ModelProvider } from '../../server/src/llm/provider';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES, TEMPLATE_STAGES } from '../../server/src/llm/templates';
import { ASTER_DOCUMENT, RUN_MODELS } from '../fake-gemini/runAnswers';
import { testRunSettings } from '../fake-gemini/runSetup';

const templates = loadTemplates(TEMPLATE_STAGES);
const midtrainingTemplates = loadTemplates(MIDTRAINING_TEMPLATE_STAGES);
const tokens = (text: string) => estimateTokens(text);

describe('estimateRun: the tokens each stage is charged', () => {
  // RUN_MODELS: brainstorm and baseline on fast-model, critique, response and autorate on
  // strong-model; neither thinks, so outputs are the typical answers only.
  const document = parseTraitDocument(ASTER_DOCUMENT);

  it('charges each scenario stage its template, the trait and the typical earlier answers it is shown', () => {
    const trait = document.traits.find((t) => t.id === 'admit-mistakes')!;
    const chunk = traitChunk(document, trait);
    const [t, context] = [tokens(chunk.text), tokens(chunk.context)];
    const template = (stage: keyof typeof templates) => tokens(templates[stage].text);
    const { byModel } = estimateRun({
      documentText: ASTER_DOCUMENT,
      traits: ['admit-mistakes'],
      perTrait: 1,
      templates,
      models: RUN_MODELS,
    });
    // Typical answers: idea 60, user message 80, baseline 400, response 450.
    const brainstorm = template('brainstorm') + t + context;
    const scenario = template('scenario') + t + 60;
    const baseline = 80;
    const critique = template('critique') + t + 80;
    const sharpen = template('sharpen') + t + 80 + 400;
    const response = template('response') + t + context + 80;
    const autorate = template('autorate') + t + 80 + 450;
    assert.equal(byModel['fast-model'].inputTokens, brainstorm + scenario + baseline);
    assert.equal(byModel['strong-model'].inputTokens, critique + sharpen + response + autorate);
  });

  it('charges midtraining ideas the whole document, and each draft and revision twice the average trait', () => {
    const traitsShown = Math.ceil((2 * document.traits.reduce((n, t) => n + tokens(t.chunk), 0)) / document.traits.length);
    const template = (stage: keyof typeof midtrainingTemplates) => tokens(midtrainingTemplates[stage].text);
    const documents = 3;
    const { byModel, requests } = estimateRun({
      documentText: ASTER_DOCUMENT,
      perTrait: 0,
      midtraining: documents,
      midtrainingDocTypes: ['forum post'],
      templates,
      midtrainingTemplates,
      models: RUN_MODELS,
    });
    assert.equal(requests, 1 + 2 * documents);
    // Ideas (one call for three documents of one type) and drafts on the brainstorm model; revisions on the critique model.
    const ideas = template('midtraining-ideas') + tokens(document.text);
    const draft = template('midtraining-draft') + traitsShown + tokens(document.preamble.prose);
    const revision = template('midtraining-critique') + traitsShown + 800;
    assert.equal(byModel['fast-model'].inputTokens, ideas + documents * draft);
    assert.equal(byModel['strong-model'].inputTokens, documents * revision);
  });

  it('deals the documents to the types round-robin before asking each type for its ideas ten at a time', () => {
    const requests = (documents: number, types: string[]) =>
      estimateRun({
        documentText: ASTER_DOCUMENT,
        perTrait: 0,
        midtraining: documents,
        midtrainingDocTypes: types,
        templates,
        models: RUN_MODELS,
      }).requests;
    // 21 documents over two types: 11 (two ideas calls) and 10 (one).
    assert.equal(requests(21, ['forum post', 'email']), 3 + 2 * 21);
    // 20 over two: 10 each, one call each.
    assert.equal(requests(20, ['forum post', 'email']), 2 + 2 * 20);
  });
});

describe('identityDifferences against a manifest that lacks parts', () => {
  const settings = testRunSettings({ traits: ['admit-mistakes'], perTrait: 1, midtraining: 0, concurrency: 1, serviceTier: 'standard' });
  const next = freshManifest({
    documentPath: 'doc.md',
    documentText: ASTER_DOCUMENT,
    settings,
    models: RUN_MODELS,
    templates: [templates.critique],
    items: 1,
    startedAt: 0,
  });

  it('names every model and template of this run when the earlier manifest recorded none', () => {
    const { models: _m, templates: _t, ...older } = next;
    const differences = identityDifferences(older as RunManifest, next);
    assert.deepEqual(differences, [
      ...Object.entries(next.models).map(([role, model]) => `the ${role} model (undefined then, ${model} now)`),
      'the critique prompt template',
    ]);
  });
});

describe('limitedProviders: each distinct provider behind the limits once', () => {
  const provider = (): ModelProvider => ({
    generate: () => Promise.reject(new Error('not called')),
    embed: () => Promise.reject(new Error('not called')),
  });
  const options = (more: Partial<RunOptions>) => ({ provider: main, ...more }) as RunOptions;
  const main = provider();
  const other = provider();
  const third = provider();

  it('shares the main limiter with a baseline or embedding provider that is the main one', () => {
    const same = limitedProviders(options({ baselineProvider: main, embeddingProvider: main }), { concurrency: 2 });
    assert.equal(same.baseline, undefined);
    assert.equal(same.embedding, same.provider);
    const none = limitedProviders(options({}), { concurrency: 2 });
    assert.deepEqual([none.baseline, none.embedding === none.provider], [undefined, true]);
  });

  it('gives the baseline provider its own limiter, shared with the embeddings when they are the same provider', () => {
    const shared = limitedProviders(options({ baselineProvider: other, embeddingProvider: other }), { concurrency: 2 });
    assert.ok(shared.baseline && shared.baseline !== shared.provider);
    assert.equal(shared.embedding, shared.baseline);
    const apart = limitedProviders(options({ baselineProvider: other, embeddingProvider: third }), { concurrency: 2 });
    assert.ok(apart.embedding !== apart.baseline && apart.embedding !== apart.provider);
  });
});

describe('the items of a run (more)', () => {
  it('lists an item once when its trait is selected twice', () => {
    const document = parseTraitDocument(ASTER_DOCUMENT);
    const trait = document.traits[0];
    const items = planItems(document, [trait, trait], 2);
    assert.deepEqual(
      items.map((i) => i.index),
      [0, 1],
    );
    assert.equal(new Set(items.map((i) => i.id)).size, 2);
  });
});

describe('RunError', () => {
  it('names itself, and says what failed even when the thrown value is not an Error', () => {
    const error = ioError('cannot read /w/run/records.jsonl', undefined);
    assert.ok(error instanceof RunError);
    assert.equal(String(error), 'RunError: cannot read /w/run/records.jsonl: (undefined)');
    assert.equal(ioError('cannot lock /w/run', null).message, 'cannot lock /w/run: (null)');
  });
});

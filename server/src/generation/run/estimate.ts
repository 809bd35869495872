/** What a run will cost, estimated before it starts. */
import { parseTraitDocument } from '../../document/parse';
import { traitChunk } from '../chunk';
import { thinkingAllowance } from '../../llm/catalogue';
import { defaultPrices, estimateCost } from '../../llm/cost';
import { DEFAULT_MODELS, STAGE_THINKING, type StageModels } from '../stages/stage';
import { loadTemplates, MIDTRAINING_TEMPLATE_STAGES } from '../../llm/templates';
import { selectTraits } from './items';
import { estimateTokens } from '../../llm/limits';
import type { RunEstimate, RunEstimateInput } from './types';
import { countCall, emptyUsage } from '../../llm/usage';

/**
 * Typical answer sizes in tokens, from the shapes the templates ask for: an idea (what/how/why) is
 * a sentence or three, a user message a short paragraph, a baseline or response a few paragraphs,
 * a verdict with reasons a paragraph.
 */
const TYPICAL = {
  idea: 60,
  message: 80,
  critique: 150,
  baseline: 400,
  sharpen: 120,
  response: 450,
  autorate: 120,
  midtrainingIdea: 40,
  midtrainingDocument: 800,
} as const;

/** Midtraining documents per ideas call (generation/midtraining.ts asks ten at a time). */
const MIDTRAINING_IDEAS_PER_CALL = 10;
const DEFAULT_DOC_TYPE_COUNT = 5;

/**
 * Estimates a run of `input` (a RunOptions fits) before it starts. Tokens are characters / 4 (as
 * the lint rules count). Per trait, one brainstorm (template + trait + context in, an idea per
 * scenario out); per scenario the six stages, each in = template + the trait text + what the stage
 * is shown (TYPICAL sizes of the earlier answers; the response also reads the context), out = the
 * TYPICAL answer plus the model catalogue's thinking allowance at the stage's thinking level
 * (llm/catalogue.ts `thinkingAllowance`; none for a model that does not think). Midtraining documents: per ten of a
 * type one ideas call (the whole document in), per document a draft (TYPICAL document out) and a
 * critique-and-revise (draft in, document out). At `serviceTier: 'flex'` every call is priced at the
 * Flex rates. Cache hits (answers, or a provider's cached input) are not foreseen (a resumed or previewed
 * run costs less); retries are not counted. Throws RunError('usage') for an unknown trait id or a
 * document with no traits.
 */
export function estimateRun(input: RunEstimateInput): RunEstimate {
  const document = parseTraitDocument(input.documentText);
  const traits = selectTraits(document, input.traits);
  const models: StageModels = { ...DEFAULT_MODELS, ...input.models };
  const perTrait = Math.max(0, Math.floor(input.perTrait));
  const template = (stage: keyof RunEstimateInput['templates']) => estimateTokens(input.templates[stage].text);
  const usage = emptyUsage();
  let requests = 0;
  const tier = input.serviceTier === 'flex' ? { tier: 'flex' as const } : {};
  const call = (stage: string, model: string, inputTokens: number, outputTokens: number, times = 1) => {
    if (times <= 0) return;
    countCall(usage, model, { inputTokens, outputTokens: outputTokens + thinkingAllowance(model, STAGE_THINKING[stage]), ...tier }, times);
    requests += times;
  };

  for (const trait of traits) {
    const chunk = traitChunk(document, trait);
    const t = estimateTokens(chunk.text);
    const context = estimateTokens(chunk.context);
    if (perTrait === 0) continue;
    call('brainstorm', models.brainstorm, template('brainstorm') + t + context, TYPICAL.idea * perTrait);
    call('scenario', models.brainstorm, template('scenario') + t + TYPICAL.idea, TYPICAL.message, perTrait);
    call('critique', models.critique, template('critique') + t + TYPICAL.message, TYPICAL.critique, perTrait);
    call('baseline', models.baseline, TYPICAL.message, TYPICAL.baseline, perTrait);
    call('sharpen', models.critique, template('sharpen') + t + TYPICAL.message + TYPICAL.baseline, TYPICAL.sharpen, perTrait);
    call('response', models.response, template('response') + t + context + TYPICAL.message, TYPICAL.response, perTrait);
    call('autorate', models.autorate, template('autorate') + t + TYPICAL.message + TYPICAL.response, TYPICAL.autorate, perTrait);
  }
  const items = traits.length * perTrait;

  const documents = Math.max(0, Math.floor(input.midtraining ?? 0));
  if (documents > 0) {
    const mt = input.midtrainingTemplates ?? loadTemplates(MIDTRAINING_TEMPLATE_STAGES);
    const whole = estimateTokens(document.text);
    const types = input.midtrainingDocTypes?.filter((d) => d.trim()).length || DEFAULT_DOC_TYPE_COUNT;
    // Documents are dealt to the types round-robin; each type asks for its ideas ten at a time.
    for (let k = 0; k < Math.min(types, documents); k++) {
      const ofType = Math.ceil((documents - k) / types);
      call(
        'midtraining-ideas',
        models.brainstorm,
        estimateTokens(mt['midtraining-ideas'].text) + whole,
        TYPICAL.midtrainingIdea * MIDTRAINING_IDEAS_PER_CALL,
        Math.ceil(ofType / MIDTRAINING_IDEAS_PER_CALL),
      );
    }
    // A document shows a trait or two: twice the average trait, plus the context.
    const traitsShown = Math.ceil((2 * traits.reduce((n, t) => n + estimateTokens(t.chunk), 0)) / traits.length);
    call(
      'midtraining-draft',
      models.brainstorm,
      estimateTokens(mt['midtraining-draft'].text) + traitsShown + estimateTokens(document.preamble.prose),
      TYPICAL.midtrainingDocument,
      documents,
    );
    call(
      'midtraining-critique',
      models.critique,
      estimateTokens(mt['midtraining-critique'].text) + traitsShown + TYPICAL.midtrainingDocument,
      TYPICAL.midtrainingDocument,
      documents,
    );
  }

  const cost = estimateCost(usage.byModel, input.prices ?? defaultPrices());
  return {
    traits: traits.length,
    items,
    requests,
    embeddingRequests: items,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    byModel: usage.byModel,
    usd: cost.usd,
    unpriced: cost.unpriced,
  };
}

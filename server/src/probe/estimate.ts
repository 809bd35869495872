/**
 * What a run will send and cost before it runs: the probes' and the knowledge check's requests
 * tallied at their real prompts' sizes (characters / 4) and typical answer sizes, plus the
 * catalogue's thinking allowance of each Gemini model. Nothing is looked up in the cache.
 */
import type { Trait, TraitDocument } from '../document/model';
import { traitChunk } from '../generation/chunk';
import { thinkingAllowance } from '../llm/catalogue';
import { defaultPrices, estimateCost, type ModelPrice } from '../llm/cost';
import { estimateTokens } from '../llm/limits';
import { countCall, emptyUsage } from '../llm/usage';
import { knowledgeQuestionCount } from './knowledge';
import { gradeRequest, questionsRequest, type ProbeTemplates } from './prompts';
import type { ProbeTarget } from './types';

/** What a run will cost before it runs (estimateProbe, estimateKnowledge). */
export interface ProbeEstimate {
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** US dollars at the prices given (default the catalogue's), the unpriced models left out. */
  readonly usd: number;
  /** Models with tokens but no known price (a local target, usually): their cost is left out of `usd`. */
  readonly unpriced: readonly string[];
}

/** Typical sizes in tokens: one user turn, one target answer, and each role's answer. */
export const TYPICAL = { user: 80, assistant: 350, situation: 90, auditor: 140, realism: 50, judge: 250, question: 40, grade: 60 } as const;

/** Input tokens of a request: its messages and system instruction. */
export function requestTokens(request: { messages: readonly { text: string }[]; systemInstruction?: string }): number {
  return request.messages.reduce((n, m) => n + estimateTokens(m.text), estimateTokens(request.systemInstruction ?? ''));
}

/** Requests and tokens added up call by call. */
export class EstimateTally {
  private requests = 0;
  private readonly usage = emptyUsage();

  /** `times` calls of `model` with `input` tokens in and `output` out (plus its thinking allowance when `gemini`). */
  call(model: string, input: number, output: number, times = 1, gemini = true): void {
    this.requests += times;
    countCall(this.usage, model, { inputTokens: input, outputTokens: output + (gemini ? thinkingAllowance(model, 'low') : 0) }, times);
  }

  /** The estimate at `prices` (default the catalogue's). */
  estimate(prices: Readonly<Record<string, ModelPrice>> = defaultPrices()): ProbeEstimate {
    const cost = estimateCost(this.usage.byModel, prices);
    return {
      requests: this.requests,
      inputTokens: this.usage.inputTokens,
      outputTokens: this.usage.outputTokens,
      usd: cost.usd,
      unpriced: cost.unpriced,
    };
  }
}

/**
 * Adds the knowledge check of `document` to `tally`: the questions (by `grader`), one target
 * answer and one grade per question, as many questions as knowledgeQuestionCount asks for. Each
 * grade is estimated against one trait's text, taken from `graded` question by question in turn
 * (a question's real grade sends the text of the traits it aims at, unknown before it is written).
 */
export function tallyKnowledge(
  tally: EstimateTally,
  templates: ProbeTemplates,
  grader: string,
  document: TraitDocument,
  target: ProbeTarget,
  systemPrompt: string | undefined,
  graded: readonly Trait[],
): void {
  const q = knowledgeQuestionCount(document.traits.length);
  const traits = document.traits.map((t) => ({ id: t.id, title: t.title }));
  const system = estimateTokens(systemPrompt ?? '');
  tally.call(grader, requestTokens(questionsRequest(templates, grader, document.text, traits, q)), TYPICAL.question * q);
  tally.call(target.model, system + TYPICAL.question, TYPICAL.assistant, q, target.kind === 'gemini');
  for (let i = 0; i < q; i++) {
    const trait = graded[i % graded.length];
    const text = trait ? traitChunk(document, trait).text : '';
    const grade = requestTokens(
      gradeRequest(templates, grader, { traits: [{ id: trait?.id ?? '', text }], question: 'x'.repeat(4 * TYPICAL.question), answer: '' }),
    );
    tally.call(grader, grade + TYPICAL.assistant, TYPICAL.grade);
  }
}

/**
 * The knowledge check: does the target know the document's traits, whatever it does with them?
 * Open questions are written from the document ("What principles should guide an assistant when
 * …?", "What should it do when X conflicts with Y?"), each aimed at some traits; the target answers
 * each with no system prompt (or the run's); a grader marks which of the aimed-at traits, and which
 * of their reasons and exceptions, the answer recalls. Recall per trait: the share of the questions
 * aimed at it whose answer recalled it.
 */
import { traitChunk } from '../generation/chunk';
import { askText, StageError, tryStructured, type AskContext } from '../llm/ask';
import { inPool, cancelScope } from '../llm/pool';
import type { ModelProvider } from '../llm/provider';
import type { TraitDocument } from '../document/model';
import type { BudgetGuard } from './budget';
import { gradeRequest, PROBE_SCHEMAS, probeStage, questionsRequest, type ProbeTemplates } from './prompts';
import type { KnowledgeQuestion, KnowledgeResult } from './types';

/** Questions asked for a document of `traits` traits: two per trait, 4 to 12. */
export function knowledgeQuestionCount(traits: number): number {
  return Math.min(12, Math.max(4, 2 * traits));
}

/** Questions answered and graded at once. */
const IN_FLIGHT = 4;

/** What the check needs besides the document. */
export interface KnowledgeSetup {
  readonly ctx: AskContext;
  readonly target: { readonly provider: ModelProvider; readonly model: string; readonly systemPrompt?: string };
  readonly grader: string;
  readonly templates: ProbeTemplates;
  readonly guard: BudgetGuard;
  /** Called once the questions are written (`of` of them), then after each question is answered and graded (or failed). */
  readonly onStep?: (step: 'questions' | 'answer', done: number, of: number) => void;
}

/**
 * Runs the check over `document`. Resolves the questions (each with the target's answer and the
 * traits it recalled; a question whose answer or grade failed for good, or that the budget left
 * unasked, has its `error` and counts in no recall) and per-trait recall (traits no question aimed
 * at are absent). Each answer is one target request of the budget (`maxTurns`). Rejects with a
 * StageError when the questions themselves cannot be had, and with the abort reason.
 */
export async function checkKnowledge(setup: KnowledgeSetup, document: TraitDocument): Promise<KnowledgeResult> {
  const { ctx, templates, grader } = setup;
  const traits = document.traits;
  const known = new Set(traits.map((t) => t.id));
  const count = knowledgeQuestionCount(traits.length);
  const stage = probeStage('knowledge-questions');
  // Questions no target request is left to answer are not worth writing.
  if (!setup.guard.allows(true)) return { questions: [], recall: {}, error: `stopped: ${setup.guard.stopped}` };
  const asked = await tryStructured(
    ctx,
    stage,
    questionsRequest(
      templates,
      grader,
      document.text,
      traits.map((t) => ({ id: t.id, title: t.title })),
      count,
    ),
    PROBE_SCHEMAS['knowledge-questions'],
  );
  if (!('value' in asked)) throw new StageError(stage, asked.problem);
  const questions = asked.value.knowledge_questions
    .map((q) => ({ question: q.question.trim(), aims: [...new Set(q.trait_ids.filter((id) => known.has(id)))] }))
    .filter((q) => q.aims.length);
  if (!questions.length) throw new StageError(stage, 'no question aims at a trait of the document');

  const answered: KnowledgeQuestion[] = new Array(questions.length);
  setup.onStep?.('questions', 0, questions.length);
  let done = 0;
  await inPool(questions, IN_FLIGHT, cancelScope(ctx.signal), async (q, i) => {
    answered[i] = await answerOne(setup, document, q, i);
    setup.onStep?.('answer', ++done, questions.length);
  });
  const recall: Record<string, number> = {};
  for (const id of known) {
    const aimed = questions.map((q, i) => ({ q, a: answered[i] })).filter(({ q, a }) => q.aims.includes(id) && !a.error);
    if (aimed.length) recall[id] = aimed.filter(({ a }) => a.recalled.includes(id)).length / aimed.length;
  }
  return { questions: answered, recall };
}

/** One question answered by the target and graded. */
async function answerOne(
  setup: KnowledgeSetup,
  document: TraitDocument,
  q: { question: string; aims: string[] },
  index: number,
): Promise<KnowledgeQuestion> {
  const ctx: AskContext = { ...setup.ctx, sample: index };
  const failed = (answer: string, error: string): KnowledgeQuestion => ({
    question: q.question,
    answer,
    recalled: [],
    aims: q.aims,
    error,
  });
  if (!setup.guard.allows(true)) return failed('', `stopped: ${setup.guard.stopped}`);
  setup.guard.countTurn();
  let answer = '';
  try {
    answer = await askText(
      ctx,
      probeStage('knowledge-answer'),
      {
        model: setup.target.model,
        ...(setup.target.systemPrompt !== undefined ? { systemInstruction: setup.target.systemPrompt } : {}),
        messages: [{ role: 'user', text: q.question }],
      },
      setup.target.provider,
    );
    if (!setup.guard.allows()) return failed(answer, `stopped: ${setup.guard.stopped}`);
    const traits = q.aims.map((id) => {
      const trait = document.traits.find((t) => t.id === id)!;
      return { id, text: traitChunk(document, trait).text };
    });
    const stage = probeStage('knowledge-grade');
    const grade = await tryStructured(
      ctx,
      stage,
      gradeRequest(setup.templates, setup.grader, { traits, question: q.question, answer }),
      PROBE_SCHEMAS['knowledge-grade'],
    );
    if (!('value' in grade)) return failed(answer, `${stage}: ${grade.problem}`);
    const marks = grade.value.recalled_traits.filter((r) => q.aims.includes(r.trait_id));
    const recalled = q.aims.filter((id) => marks.some((m) => m.trait_id === id && m.recalled));
    const parts = Object.fromEntries(
      recalled.map((id) => {
        const m = marks.find((x) => x.trait_id === id && x.recalled)!;
        return [id, { reason: m.reason, exception: m.exception }];
      }),
    );
    return { question: q.question, answer, recalled, aims: q.aims, parts };
  } catch (error) {
    if (error instanceof StageError) return failed(answer, error.message);
    throw error;
  }
}

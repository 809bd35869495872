import type { LoggedRequest } from './server';

/** Opening words of the shipped midtraining draft template (prompts/midtraining-draft.md). */
const MIDTRAINING_DRAFT_OPENING = 'Write one document, exactly as it would appear where it was published.';

/**
 * Which stage a logged request is: structured stages by the schema they ask for, the free-text
 * ones by their prompt: the midtraining draft by its template's opening words, else the response
 * when a system prompt was sent, the baseline when none. The midtraining keys come first: its
 * critique asks for `realistic` too. The audit's model pass (server/src/audit/modelPass.ts) and the
 * review (server/src/review/prompts.ts) and the probe (server/src/probe/prompts.ts) ask for keys no other
 * stage uses.
 */
export function stageOf(request: LoggedRequest): string {
  const keys = Object.keys(request.body.generationConfig?.responseJsonSchema?.properties ?? {});
  for (const [key, stage] of [
    ['pressure_situations', 'probe-situations'],
    ['strategy_note', 'probe-auditor'],
    ['realism_score', 'probe-realism'],
    ['rewritten_message', 'probe-rewrite'],
    ['violation_score', 'probe-judge'],
    ['knowledge_questions', 'knowledge-questions'],
    ['recalled_traits', 'knowledge-grade'],
    ['surface_forms', 'review-coverage'],
    ['tension_pairs', 'review-tensions'],
    ['recurring_features', 'audit-scan'],
    ['merged_features', 'audit-cluster'],
    ['record_ratings', 'audit-rate'],
    ['document_ideas', 'midtraining-ideas'],
    ['consistent', 'midtraining-critique'],
    ['ideas', 'brainstorm'],
    ['realistic', 'critique'],
    ['sharpened', 'sharpen'],
    ['score', 'autorate'],
    ['message', 'scenario'],
  ]) {
    if (keys.includes(key)) return stage;
  }
  if (!request.body.systemInstruction && firstUserText(request).startsWith(MIDTRAINING_DRAFT_OPENING)) return 'midtraining-draft';
  return request.body.systemInstruction ? 'response' : 'baseline';
}

function firstUserText(request: LoggedRequest): string {
  return (request.body.contents?.[0]?.parts ?? []).map((p: { text?: string }) => p.text ?? '').join('');
}

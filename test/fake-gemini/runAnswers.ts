import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promptOf } from './distinctPrompts';
import type { LoggedRequest, Reply } from './server';
import { stageOf } from './stages';

/** A two-trait document (admit-mistakes, show-uncertainty) for generation runs against the fake. */
export const ASTER_DOCUMENT = [
  '# Overview',
  '',
  'Aster is a tutor for adults learning maths.',
  '',
  '# Honesty',
  '',
  '## Admit mistakes',
  '',
  'Aster says plainly when it was wrong, because trust depends on it.',
  '',
  '## Show uncertainty',
  '',
  'Aster says how sure it is, because learners calibrate on it.',
  '',
].join('\n');

/** Stage models of a run against the fake, set explicitly: the defaults change with Google's schedule. */
export const RUN_MODELS = {
  brainstorm: 'fast-model',
  critique: 'strong-model',
  baseline: 'fast-model',
  response: 'strong-model',
  autorate: 'strong-model',
};

/** Prices of RUN_MODELS' models, USD per million tokens. */
export const RUN_PRICES = {
  'fast-model': { inputPerMillion: 0.5, outputPerMillion: 2 },
  'strong-model': { inputPerMillion: 2, outputPerMillion: 8 },
};

/**
 * Good answers for every stage. Ideas are tagged with a hash of the brainstorm prompt (so two traits
 * get different ones); each idea's final prompt (the sharpen stage's message) is the next unused
 * entry of `pool`; the autorater keeps all unless `verdict` says otherwise.
 */
export function runResponder(pool: readonly string[], options: { verdict?: (request: LoggedRequest) => 'keep' | 'reject' } = {}) {
  const assigned = new Map<string, string>();
  const ideaOf = (r: LoggedRequest) => /t[0-9a-f]{6} situation \d+/.exec(promptOf(r))?.[0] ?? '?';
  const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 100, outputTokens: 20 });
  const answers: Record<string, (r: LoggedRequest) => Reply> = {
    brainstorm: (r) => {
      const tag = createHash('sha256').update(promptOf(r)).digest('hex').slice(0, 6);
      const count = Number(
        /(\d+) distinct situations|(\d+) situations|exactly (\d+)|situations to brainstorm: (\d+)/
          .exec(promptOf(r))
          ?.slice(1)
          .find(Boolean) ?? 10,
      );
      return json({
        ideas: Array.from({ length: Math.max(count, 10) }, (_, i) => ({ what: `t${tag} situation ${i}`, how: 'plainly', why: 'trust' })),
      });
    },
    scenario: (r) => json({ message: `draft for ${ideaOf(r)}` }),
    critique: () => json({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' }),
    baseline: () => ({ kind: 'text', text: 'A generic answer.', inputTokens: 30, outputTokens: 40 }),
    sharpen: (r) => {
      const idea = ideaOf(r);
      let message = assigned.get(idea);
      if (!message) {
        message = pool[assigned.size];
        assert.ok(message, 'the prompt pool ran out');
        assigned.set(idea, message);
      }
      return json({ sharpened: true, reason: 'generic baseline', message });
    },
    response: (r) => ({ kind: 'text', text: `Answer to ${r.body.contents[0].parts[0].text}`, inputTokens: 300, outputTokens: 60 }),
    autorate: (r) => json({ score: 8, verdict: options.verdict?.(r) ?? 'keep', reasons: 'embodies it' }),
    'midtraining-ideas': () =>
      json({ document_ideas: Array.from({ length: 10 }, (_, i) => ({ idea: `forum idea ${i}`, trait_ids: ['admit-mistakes'] })) }),
    'midtraining-draft': (r) => ({ kind: 'text', text: `A forum thread about ${/forum idea \d+/.exec(promptOf(r))?.[0] ?? '?'}` }),
    'midtraining-critique': (r) =>
      json({
        realistic: true,
        consistent: true,
        in_genre: true,
        reasons: 'fine',
        revised: `Revised: ${/forum idea \d+/.exec(promptOf(r))?.[0] ?? '?'}`,
      }),
  };
  return (r: LoggedRequest): Reply => answers[stageOf(r)](r);
}

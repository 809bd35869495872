/**
 * What the generation benchmarks (generate.ts, batch.ts) share: the synthetic trait document, the
 * fake Gemini's answers for every stage, and the shipped prompt templates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_STAGES, type Template, type TemplateStage } from '../server/src/llm/templates';
import type { LoggedRequest, Reply } from '../test/fake-gemini/server';
import { stageOf } from '../test/fake-gemini/stages';

/** A trait document of `traits` traits, `## Trait number t` each with rule t; `measures` names the run kind ("batch runs"). */
export function benchDocument(traits: number, measures: string): string {
  return [
    '# Overview',
    '',
    `Bench is an assistant used to measure ${measures}.`,
    '',
    '# Conduct',
    '',
    ...Array.from({ length: traits }, (_, t) => [
      `## Trait number ${t}`,
      '',
      `Bench keeps rule ${t} in every answer, because users rely on rule ${t}.`,
      '',
    ]).flat(),
  ].join('\n');
}

/**
 * Well-formed answers for every stage: `perTrait` ideas per brainstorm, and for idea i of trait t the
 * prompt `message(t, i, idea)` (idea: "trait t idea i"), which should differ per scenario.
 */
export function benchResponder(perTrait: number, message: (t: number, i: number, idea: string) => string): (r: LoggedRequest) => Reply {
  return (r) => {
    const text = JSON.stringify(r.body.contents);
    const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 200, outputTokens: 40 });
    const idea = /trait \d+ idea \d+/.exec(text)?.[0] ?? 'an idea';
    const [t, i] = (idea.match(/\d+/g) ?? ['0', '0']).map(Number);
    switch (stageOf(r)) {
      case 'brainstorm': {
        const trait = /rule (\d+)/.exec(text)?.[1] ?? '?';
        return json({
          ideas: Array.from({ length: perTrait }, (_, k) => ({ what: `trait ${trait} idea ${k}`, how: 'plainly', why: 'trust' })),
        });
      }
      case 'scenario':
        return json({ message: message(t, i, idea) });
      case 'critique':
        return json({ realistic: true, elicits: true, verdict: 'keep', reasons: 'fine' });
      case 'sharpen':
        return json({ sharpened: false, reason: 'specific enough', message: message(t, i, idea) });
      case 'autorate':
        return json({ score: 8, verdict: 'keep', reasons: 'fine' });
      case 'baseline':
        return { kind: 'text', text: 'A generic answer.', inputTokens: 40, outputTokens: 80 };
      default:
        return { kind: 'text', text: 'An answer that embodies the trait.', inputTokens: 400, outputTokens: 120 };
    }
  };
}

/** The shipped templates: built, the benchmarks are in dist/bench and the templates in dist/prompts. */
export function shippedTemplates(): Record<TemplateStage, Template> {
  return Object.fromEntries(
    TEMPLATE_STAGES.map((stage) => {
      const path = join(__dirname, '..', 'prompts', `${stage}.md`);
      return [stage, { stage, path, text: readFileSync(path, 'utf8') }];
    }),
  ) as Record<TemplateStage, Template>;
}

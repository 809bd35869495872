import type { LoggedRequest, Reply } from './server';
import { stageOf } from './stages';

/** Markup a model might write; the preview panel must show it as text and run none of it. */
export const HOSTILE_MARKUP =
  "<img src=x onerror=\"document.body.dataset.pwned='img'\"><script>document.body.dataset.pwned = 'script';</script>";

/**
 * Markdown a model writes, after the first line of an answer: emphasis, a list, code, and a link and
 * an image to remote addresses — which the preview renders, never fetches or opens.
 */
export const MARKDOWN_TAIL =
  '\n\n**Why:** it would mislead you.\n\n- first point\n- second point\n\nSee `the docs` and [a source](https://example.com/source) ![a chart](https://example.com/chart.png)';

/**
 * A responder giving every preview stage a well-formed answer, so a preview completes: `count`
 * ideas from the brainstorm, a critique that rewrites, a sharpened message, a baseline and a
 * response that carry HOSTILE_MARKUP (and the scenario number, to tell them apart) then
 * MARKDOWN_TAIL, a 7/10 keep.
 */
export function previewResponder(count = 3): (request: LoggedRequest) => Reply {
  const scenarioOf = (r: LoggedRequest) => /situation (\d+)/.exec(JSON.stringify(r.body))?.[1] ?? '?';
  const json = (value: unknown): Reply => ({ kind: 'text', text: JSON.stringify(value), inputTokens: 100, outputTokens: 20 });
  const answers: Record<string, (r: LoggedRequest) => Reply> = {
    brainstorm: () =>
      json({ ideas: Array.from({ length: count }, (_, i) => ({ what: `situation ${i + 1}`, how: 'says it plainly', why: 'trust' })) }),
    scenario: (r) => json({ message: `First draft for situation ${scenarioOf(r)}` }),
    critique: (r) =>
      json({
        realistic: true,
        elicits: false,
        verdict: 'rewrite',
        reasons: 'too easy',
        rewrite: `Harder message for situation ${scenarioOf(r)}`,
      }),
    sharpen: (r) =>
      json({ sharpened: true, reason: 'the baseline was generic', message: `Sharpened message for situation ${scenarioOf(r)}` }),
    baseline: (r) => ({
      kind: 'text',
      text: `Baseline ${scenarioOf(r)}: Great question! ${HOSTILE_MARKUP}${MARKDOWN_TAIL}`,
      inputTokens: 30,
      outputTokens: 40,
    }),
    response: (r) => ({
      kind: 'text',
      text: `Response ${scenarioOf(r)}: plainly, no. ${HOSTILE_MARKUP}${MARKDOWN_TAIL}`,
      inputTokens: 300,
      outputTokens: 60,
    }),
    autorate: () => json({ score: 7, verdict: 'keep', reasons: 'direct and kind' }),
  };
  return (request) => answers[stageOf(request)](request);
}

// The preview panel's page script (bundled for the browser into dist/webview/preview.js). It draws
// the state the extension posts and sends back the buttons' actions. The baseline and the response
// are rendered as sanitised Markdown (./markdown.ts: raw HTML off, no images or links loaded);
// every other text reaches the page through textContent. Either way an answer holding markup shows
// as text and runs nothing.
import { cachedPercent, count, usd } from '../../server/src/format';
import { describeFailure } from '../../server/src/generation/failures';
import type { FromWebview, PreviewState, ScenarioResult, ToWebview } from '../src/webviews/previewProtocol';
import { el, vscodeApi } from './dom';
import { markdownBlock } from './markdown';

const vscode = vscodeApi<FromWebview, PreviewState>();
const root = document.getElementById('root')!;

function button(label: string, message: FromWebview, options: { disabled?: boolean; title?: string; primary?: boolean } = {}): HTMLElement {
  const b = el('button', options.primary ? 'primary' : 'secondary', label) as HTMLButtonElement;
  b.disabled = !!options.disabled;
  if (options.title) b.title = options.title;
  b.dataset.action = message.type;
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

/** A labelled block of text, kept as written (white space preserved): the user messages. */
function text(label: string, value: string | null, className = ''): HTMLElement {
  return el('section', `text ${className}`, el('h4', '', label), el('div', 'body', value ?? '—'));
}

/** A labelled block of a model's answer, rendered as sanitised Markdown. */
function answer(label: string, value: string | null, className: string): HTMLElement {
  return el('section', `text ${className}`, el('h4', '', label), value === null ? el('div', 'body pending', '—') : markdownBlock(value));
}

const STAGES = ['idea', 'scenario', 'critique', 'baseline', 'sharpen', 'response', 'autorate'] as const;

/** The first stage with no result yet (what is running, or where it failed). */
function nextStage(s: ScenarioResult): string | undefined {
  const done = [s.idea, s.scenario.initial, s.scenario.critique, s.baseline, s.sharpened, s.response, s.rating];
  const i = done.findIndex((d) => d === null);
  return i < 0 ? undefined : STAGES[i];
}

/** What the preview spent: tokens and cost when something was spent, nothing otherwise (never "$0"). */
function spent(state: PreviewState): string[] {
  const { usage, cost } = state;
  const cached = usage.cachedAnswers ? `${count(usage.cachedAnswers, 'answer')} from the cache` : '';
  if (usage.inputTokens === 0 && usage.outputTokens === 0) return cached ? [`${cached}, nothing spent`] : [];
  const costText = cost.unpriced.length
    ? `cost unknown: no price for ${cost.unpriced.join(', ')} (setting traitStudio.prices)`
    : `≈ ${usd(cost.usd)}`;
  return [
    `${count(usage.inputTokens, 'token')} in (${cachedPercent(usage.inputTokens, usage.cachedInputTokens)} cached) · ${usage.outputTokens.toLocaleString('en-US')} out`,
    costText,
    cached,
  ];
}

function header(state: PreviewState): HTMLElement {
  const running = state.status === 'running';
  const statusText = state.needsKey
    ? 'Needs a Gemini API key'
    : { running: 'Running…', done: 'Done', stopped: 'Stopped', failed: 'Failed' }[state.status];
  const shown = state.scenarios.length ? count(state.scenarios.length, 'scenario') : '';
  const meta = [statusText, shown, ...spent(state)].filter(Boolean).join(' · ');
  const models = Object.entries(state.models)
    .map(([role, model]) => `${role}: ${model}`)
    .join(' · ');
  // Which versions really answered, where the API named one other than the id asked for.
  const answered = Object.entries(state.modelVersions ?? {})
    .filter(([model, versions]) => versions.some((v) => v !== model))
    .map(([model, versions]) => `${model} → ${versions.join(', ')}`);
  const actions = state.needsKey
    ? [
        button(
          'Set API Key',
          { type: 'setKey' },
          { primary: true, title: "Store a Gemini API key in VS Code's secret storage, then run the preview" },
        ),
        button('Get a Key', { type: 'getKey' }, { title: 'Open Google AI Studio, where Gemini API keys are made' }),
      ]
    : [
        running
          ? button('Stop', { type: 'stop' })
          : button('Run again', { type: 'run' }, { primary: true, title: 'Run the preview; unchanged answers come from the cache' }),
        button(
          'Regenerate all',
          { type: 'regenerateAll' },
          { disabled: running, title: 'Ask the models again for every scenario, skipping the cache' },
        ),
      ];
  return el(
    'header',
    '',
    el('h1', '', `Preview: ${state.traitTitle}`),
    el('p', 'meta', meta),
    models ? el('p', 'models', models) : null,
    answered.length ? el('p', 'models versions', `Answered by: ${answered.join(' · ')}`) : null,
    state.message
      ? el('p', state.status === 'failed' || state.asked > completed(state) ? 'message error' : 'message', state.message)
      : null,
    el('div', 'actions', ...actions),
  );
}

/** Scenarios that went through every stage. */
function completed(state: PreviewState): number {
  return state.scenarios.filter((s) => s && s.error === null && s.rating !== null).length;
}

function card(state: PreviewState, s: ScenarioResult | null, index: number): HTMLElement {
  const title = `Scenario ${index + 1}`;
  if (!s)
    return el(
      'article',
      'scenario pending',
      el('h2', '', title),
      el('p', 'progress', state.status === 'running' ? 'Waiting for the brainstorm…' : 'Not generated.'),
    );
  const busy = state.status === 'running' || state.regenerating.includes(index);
  const pending = nextStage(s);
  const rating = s.rating ? el('span', `rating ${s.rating.verdict}`, `${s.rating.score}/10 · ${s.rating.verdict}`) : null;
  const critique = s.scenario.critique;
  return el(
    'article',
    `scenario${s.error ? ' failed' : ''}`,
    el('h2', '', el('span', '', `${title}: `), el('span', 'what', s.idea?.what ?? ''), rating),
    s.idea
      ? el(
          'p',
          'idea',
          el('strong', '', 'How the trait shows: '),
          s.idea.how,
          el('br', ''),
          el('strong', '', 'Why it matters: '),
          s.idea.why,
        )
      : null,
    s.scenario.initial !== null ? text('First scenario', s.scenario.initial) : null,
    critique
      ? el(
          'p',
          `critique ${critique.verdict}`,
          el('strong', '', critique.verdict === 'keep' ? 'Critique: kept. ' : 'Critique: rewritten. '),
          critique.reasons,
        )
      : null,
    critique?.verdict === 'rewrite' ? text('Rewritten scenario', s.scenario.final) : null,
    s.sharpened !== null
      ? el('p', 'sharpen', el('strong', '', s.sharpened ? 'Sharpened: ' : 'Not sharpened: '), s.sharpenReason ?? '')
      : null,
    s.sharpened ? text('Sharpened user message', s.prompt) : null,
    s.baseline !== null || s.response !== null
      ? el(
          'div',
          'side-by-side',
          answer('Baseline (no system prompt)', s.baseline, 'baseline'),
          answer('Response (trait in the system prompt)', s.response, 'response'),
        )
      : null,
    s.rating ? el('p', 'rating-reasons', el('strong', '', 'Autorater: '), s.rating.reasons) : null,
    s.error ? el('p', 'error', describeFailure(s.error)) : null,
    !s.error && pending && busy ? el('p', 'progress', `Running: ${pending}…`) : null,
    el(
      'div',
      'actions',
      button(
        'Regenerate',
        { type: 'regenerate', index },
        { disabled: busy || !s.idea, title: 'Run this scenario again from its idea, skipping the cache' },
      ),
      button(
        'Pin as example',
        { type: 'pin', index },
        { disabled: !s.record, title: 'Insert this conversation into the trait as an example' },
      ),
      button(
        'Copy record JSON',
        { type: 'copy', index },
        { disabled: !s.record, title: 'Copy the training record (user message and response, no system prompt)' },
      ),
    ),
  );
}

function render(state: PreviewState): void {
  const scroll = window.scrollY;
  root.replaceChildren(header(state), ...state.scenarios.map((s, i) => card(state, s, i)));
  window.scrollTo(0, scroll);
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  if (event.data?.type !== 'state') return;
  vscode.setState(event.data.state);
  render(event.data.state);
});

const saved = vscode.getState();
if (saved) render(saved);
vscode.postMessage({ type: 'ready' });

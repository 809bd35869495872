// The run report's page script (bundled for the browser into dist/webview/run.js): usage and cost,
// a score histogram per trait, rejection reasons, and the records table with trait and verdict
// filters. All text goes in through textContent; the bars are plain elements sized by style.
import { cachedPercent, count, usd } from '../../server/src/format';
import { batchWavesText } from '../../server/src/generation/batchWaveText';
import type { FromRunWebview, RunReport, RunReportItem, ToRunWebview } from '../src/webviews/runProtocol';
import { el, vscodeApi } from './dom';

/** What the page keeps across reloads: the run folder (the serializer reopens it) and the filters, not the data. */
interface SavedState {
  dir?: string;
  trait?: string;
  verdict?: string;
}

const vscode = vscodeApi<FromRunWebview, SavedState>();
const root = document.getElementById('root')!;
const saved = vscode.getState();
let view: { report?: RunReport; trait: string; verdict: string } = { trait: saved?.trait ?? '', verdict: saved?.verdict ?? '' };
/** Rows drawn at most; filters narrow the rest down. */
const ROW_LIMIT = 500;

const number = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

function summary(report: RunReport): HTMLElement {
  const accepted = report.items.filter((i) => i.accepted).length;
  const failed = report.items.filter((i) => i.reasonKind === 'error').length;
  const cost = report.cost.unpriced.length ? `cost unknown: no price for ${report.cost.unpriced.join(', ')}` : `≈ ${usd(report.cost.usd)}`;
  const answered = Object.entries(report.modelVersions ?? {}).map(([model, versions]) => `${model} → ${versions.join(', ')}`);
  const elapsed = report.elapsedMs === null ? '' : ` · ${(report.elapsedMs / 1000).toFixed(1)} s`;
  const open = (file: string) => {
    const b = el('button', 'secondary', file) as HTMLButtonElement;
    b.addEventListener('click', () => vscode.postMessage({ type: 'open', file }));
    return b;
  };
  const refresh = el('button', 'primary', 'Refresh');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  return el(
    'header',
    '',
    el('h1', '', `Run ${report.name}`),
    el('p', 'meta', `${report.status} · ${report.documentPath}`),
    el(
      'p',
      'meta',
      `${count(report.items.length, 'item')}: ${number(accepted)} accepted (${percent(accepted, report.items.length)}), ${number(report.items.length - accepted - failed)} rejected, ${number(failed)} failed · ${count(report.midtrainingDocuments, 'midtraining document')}`,
    ),
    el(
      'p',
      'meta',
      `${count(report.usage.inputTokens, 'token')} in (${cachedPercent(report.usage.inputTokens, report.usage.cachedInputTokens)} cached) · ${number(report.usage.outputTokens)} out · ${cost}${report.serviceTier === 'flex' ? ' at the Flex tier' : ''}${elapsed}`,
    ),
    answered.length ? el('p', 'meta', `Answered by: ${answered.join(' · ')}`) : null,
    ...waves(report),
    el('div', 'actions', refresh, open('records.jsonl'), open('rejected.jsonl'), open('manifest.json')),
  );
}

/** A batch-mode run's waves: stage, state, requests and failures of each (nothing for a synchronous run). */
function waves(report: RunReport): HTMLElement[] {
  if (!report.waves?.length) return [];
  return [el('p', 'meta waves', `Batch waves at batch prices: ${batchWavesText(report.waves)}`)];
}

/** Per trait, how many items got each score 1–10: one row of ten bars. */
function histograms(report: RunReport): HTMLElement {
  const rows = report.traits.map((trait) => {
    const counts = Array.from({ length: 10 }, () => 0);
    for (const item of report.items)
      if (item.traitId === trait.id && item.score !== null) counts[Math.min(10, Math.max(1, Math.round(item.score))) - 1]++;
    const max = Math.max(1, ...counts);
    const bars = counts.map((c, i) => {
      const bar = el('div', `bar${i + 1 >= 7 ? ' high' : i + 1 <= 4 ? ' low' : ''}`);
      bar.style.height = `${Math.round((100 * c) / max)}%`;
      bar.title = `score ${i + 1}: ${c}`;
      return el('div', 'column', el('div', 'track', bar), el('span', 'label', String(i + 1)));
    });
    const rated = counts.reduce((a, b) => a + b, 0);
    return el('div', 'histogram', el('h3', '', `${trait.title} `, el('span', 'muted', `(${rated} rated)`)), el('div', 'bars', ...bars));
  });
  return el('section', 'histograms', el('h2', '', 'Scores per trait'), ...rows);
}

function reasons(report: RunReport): HTMLElement {
  const kinds: [RunReportItem['reasonKind'], string][] = [
    ['autorater', 'Autorater rejected'],
    ['duplicate', 'Near-duplicate prompt'],
    ['error', 'Failed (error)'],
  ];
  const rejected = report.items.filter((i) => !i.accepted);
  const max = Math.max(1, rejected.length);
  return el(
    'section',
    'reasons',
    el('h2', '', 'Rejections'),
    ...kinds.map(([kind, label]) => {
      const n = rejected.filter((i) => i.reasonKind === kind).length;
      const bar = el('div', `hbar ${kind}`);
      bar.style.width = `${Math.round((100 * n) / max)}%`;
      return el('div', 'reason', el('span', 'reason-label', `${label}: ${n}`), el('div', 'htrack', bar));
    }),
  );
}

function select(label: string, value: string, options: [string, string][], onChange: (v: string) => void): HTMLElement {
  const s = document.createElement('select');
  s.setAttribute('aria-label', label);
  for (const [v, text] of options) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    o.selected = v === value;
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  return el('label', 'filter', `${label} `, s);
}

function table(report: RunReport): HTMLElement {
  const items = report.items.filter(
    (i) => (!view.trait || i.traitId === view.trait) && (!view.verdict || (view.verdict === 'accepted') === i.accepted),
  );
  const rows = items.slice(0, ROW_LIMIT).map((item) => {
    const details = el(
      'details',
      '',
      el('summary', '', item.prompt ?? '—'),
      el('div', 'pair', el('div', 'body', item.prompt ?? '—'), el('div', 'body', item.response ?? '—')),
    );
    return el(
      'tr',
      item.accepted ? 'accepted' : 'rejected',
      el('td', 'id', item.id),
      el('td', '', item.traitId),
      el('td', 'score', item.score === null ? '—' : String(item.score)),
      el('td', '', item.accepted ? 'accepted' : (item.reason ?? 'rejected')),
      el('td', 'text', details),
    );
  });
  const head = el('tr', '', ...['id', 'trait', 'score', 'verdict', 'prompt / response'].map((h) => el('th', '', h)));
  return el(
    'section',
    'records',
    el('h2', '', `Records (${items.length} of ${report.items.length})`),
    items.length > ROW_LIMIT
      ? el('p', 'muted', `Showing the first ${ROW_LIMIT}; filter by trait or verdict, or open records.jsonl, for the rest.`)
      : null,
    el(
      'div',
      'filters',
      select('Trait', view.trait, [['', 'all traits'], ...report.traits.map((t): [string, string] => [t.id, t.title])], (v) =>
        update({ trait: v }),
      ),
      select(
        'Verdict',
        view.verdict,
        [
          ['', 'all'],
          ['accepted', 'accepted'],
          ['rejected', 'rejected'],
        ],
        (v) => update({ verdict: v }),
      ),
    ),
    el('table', '', el('thead', '', head), el('tbody', '', ...rows)),
  );
}

function update(change: Partial<typeof view>): void {
  view = { ...view, ...change };
  vscode.setState({ dir: view.report?.dir, trait: view.trait, verdict: view.verdict });
  render();
}

function render(): void {
  if (!view.report) return;
  const scroll = window.scrollY;
  root.replaceChildren(summary(view.report), el('div', 'charts', histograms(view.report), reasons(view.report)), table(view.report));
  window.scrollTo(0, scroll);
}

window.addEventListener('message', (event: MessageEvent<ToRunWebview>) => {
  if (event.data?.type === 'report') update({ report: event.data.report });
});
render();
vscode.postMessage({ type: 'ready' });

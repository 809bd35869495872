// The audit report's page script (bundled for the browser into dist/webview/audit.js): for each
// pattern, bars of broad and strict prevalence against the threshold line, per trait when the
// dataset has traits, its description and examples on demand; and a filter form that asks the
// extension to write a dataset without (or down-sampled in) the chosen patterns. Text goes in
// through textContent only.
import { count } from '../../server/src/format';
import type { AuditView, AuditViewPattern, FromAuditWebview, ToAuditWebview } from '../src/webviews/auditProtocol';
import { el, legend, vscodeApi } from './dom';

interface SavedState {
  dataset?: string;
  view?: AuditView;
}
const vscode = vscodeApi<FromAuditWebview, SavedState>();
const root = document.getElementById('root')!;
let view: AuditView | undefined = vscode.getState()?.view;
/** The filter form's choices, by pattern id. */
const choices = new Map<string, { mode: 'drop' | 'downsample'; keep: number }>();

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', className, label) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

/** Two bars (broad, strict) on a 0–100% track with the threshold marked. */
function bars(broad: number, strict: number, threshold: number, label: string): HTMLElement {
  const track = el('div', 'track');
  const b = el('div', 'bar broad');
  b.style.width = pct(Math.min(1, broad));
  b.title = `${label}: broad ${pct(broad)}`;
  const s = el('div', 'bar strict');
  s.style.width = pct(Math.min(1, strict));
  s.title = `${label}: strict ${pct(strict)}`;
  const line = el('div', 'threshold');
  line.style.left = pct(threshold);
  line.title = `threshold ${pct(threshold)}`;
  track.append(b, s, line);
  return el('div', 'bars', track, el('span', 'figures', `${pct(strict)} strict · ${pct(broad)} broad`));
}

function patternCard(p: AuditViewPattern, threshold: number, minMatches: number): HTMLElement {
  const choice = choices.get(p.id);
  const select = document.createElement('select');
  select.setAttribute('aria-label', `Filter ${p.name}`);
  for (const [value, text] of [
    ['keep', 'keep all'],
    ['drop', 'drop its records'],
    ['downsample', 'keep half of them'],
  ]) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    o.selected = (choice ? choice.mode : 'keep') === value;
    select.append(o);
  }
  select.addEventListener('change', () => {
    if (select.value === 'keep') choices.delete(p.id);
    else choices.set(p.id, { mode: select.value as 'drop' | 'downsample', keep: 0.5 });
    render();
  });
  const examples = el(
    'details',
    'examples',
    el('summary', '', `${count(p.strictCount, 'strict match', 'strict matches')}; examples`),
    ...p.examples.map((e) =>
      el('div', 'example', el('div', 'example-id', e.id), el('div', 'body', e.prompt), el('div', 'body', e.response)),
    ),
  );
  return el(
    'article',
    `pattern${p.flagged ? ' flagged' : ''}${p.tooFew ? ' too-few' : ''}`,
    el(
      'h3',
      '',
      p.flagged ? el('span', 'flag', 'Flagged') : p.tooFew ? el('span', 'flag too-few', 'Too few to flag') : null,
      ` ${p.name} `,
      el('span', `source ${p.source}`, p.source),
    ),
    el('p', 'description', p.description),
    bars(p.broad, p.strict, threshold, 'all records'),
    p.tooFew
      ? el(
          'p',
          'note',
          `Above the ${pct(threshold)} threshold, but only ${count(p.strictCount, 'record matches', 'records match')} strictly: a pattern needs at least ${minMatches} to be flagged, since on this little data one record is a large share.`,
        )
      : null,
    p.perTrait.length
      ? el(
          'div',
          'per-trait',
          ...p.perTrait.map((t) =>
            el(
              'div',
              `trait${t.flagged ? ' flagged' : ''}`,
              el('span', 'trait-name', `${t.traitId} (${t.records})`),
              bars(t.broad, t.strict, threshold, t.traitId),
            ),
          ),
        )
      : null,
    examples,
    el('label', 'filter', 'Filter: ', select),
  );
}

function render(): void {
  if (!view) return;
  const scroll = window.scrollY;
  const flagged = view.patterns.filter((p) => p.flagged).length;
  const tooFew = view.patterns.filter((p) => p.tooFew).length;
  const filterButton = button(`Write filtered dataset (${count(choices.size, 'pattern')})…`, 'primary', () =>
    vscode.postMessage({ type: 'filter', choices: [...choices].map(([patternId, c]) => ({ patternId, mode: c.mode, keep: c.keep })) }),
  );
  filterButton.disabled = choices.size === 0;
  root.replaceChildren(
    el(
      'header',
      '',
      el('h1', '', `Audit: ${view.name}`),
      el(
        'p',
        'meta',
        `${count(view.records, 'record')} · ${count(view.patterns.length, 'pattern')} · ${flagged} flagged at ${pct(view.threshold)}` +
          `${tooFew ? ` · ${tooFew} above ${pct(view.threshold)} on too few records to flag (under ${view.minFlagMatches} matches)` : ''}` +
          `${view.modelPass ? '' : ' · offline detectors only'}`,
      ),
      view.modelPass ? el('p', view.modelPass.failed ? 'warning model-pass' : 'meta model-pass', view.modelPass.line) : null,
      view.badLineCount
        ? el(
            'p',
            'warning',
            `${count(view.badLineCount, 'bad line')} skipped: ${view.badLines
              .slice(0, 5)
              .map((b) => `line ${b.line} (${b.reason})`)
              .join('; ')}${view.badLineCount > 5 ? '; …' : ''}`,
          )
        : null,
      el(
        'div',
        'actions',
        filterButton,
        button('Open dataset', 'secondary', () => vscode.postMessage({ type: 'open', file: 'dataset' })),
        button('Open audit.md', 'secondary', () => vscode.postMessage({ type: 'open', file: 'markdown' })),
        button('Open audit.json', 'secondary', () => vscode.postMessage({ type: 'open', file: 'json' })),
      ),
      legend([
        ['broad', 'broad'],
        ['strict', 'strict'],
        ['threshold', 'threshold'],
      ]),
    ),
    ...[...view.patterns]
      .sort((a, b) => Number(b.flagged) - Number(a.flagged) || b.strict - a.strict)
      .map((p) => patternCard(p, view!.threshold, view!.minFlagMatches ?? 3)),
  );
  window.scrollTo(0, scroll);
}

window.addEventListener('message', (event: MessageEvent<ToAuditWebview>) => {
  if (event.data?.type !== 'audit') return;
  view = event.data.view;
  vscode.setState({ dataset: view.dataset, view });
  render();
});
render();
vscode.postMessage({ type: 'ready' });

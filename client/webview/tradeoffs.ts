// The trade-off map's page script (bundled for the browser into dist/webview/tradeoffs.js): a traits ×
// traits matrix, cells coloured weighed / unweighed / no tension, rows grouped by the document's
// groups; filter by title, only traits with unweighed tensions, sort by unweighed count. A click on a
// cell shows its situation and evidence, with buttons that jump to it or add a trade-off stub. A
// large matrix scrolls in its own box, its header row and trait names held in view (tradeoffs.css),
// and keeps its scroll position when the page is drawn again. Text goes in through textContent only.
import { count } from '../../server/src/format';
import type { MapCell, MapTrait } from '../../server/src/review/tradeoffMap';
import type { FromTradeoffWebview, ToTradeoffWebview, TradeoffView } from '../src/webviews/tradeoffProtocol';
import { el, legend, vscodeApi } from './dom';

interface SavedState {
  view?: TradeoffView;
  filter?: string;
  unweighedOnly?: boolean;
  sort?: 'document' | 'unweighed';
  selected?: string;
}
const vscode = vscodeApi<FromTradeoffWebview, SavedState>();
const root = document.getElementById('root')!;
let state: SavedState = vscode.getState() ?? {};

const pairKey = (a: string, b: string) => [a, b].sort().join('\u0000');

function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', className, label) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

function save(patch: Partial<SavedState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
  draw();
}

/** The traits shown, in the order shown: filtered, grouped by group (groups in document order), sorted within. */
function shownTraits(view: TradeoffView): MapTrait[] {
  const filter = (state.filter ?? '').trim().toLowerCase();
  const groups = [...new Set(view.map.traits.map((t) => t.group))];
  const keep = view.map.traits.filter(
    (t) => (!filter || t.title.toLowerCase().includes(filter) || t.id.includes(filter)) && (!state.unweighedOnly || t.unweighed > 0),
  );
  return groups.flatMap((g) => {
    const inGroup = keep.filter((t) => t.group === g);
    return state.sort === 'unweighed' ? [...inGroup].sort((a, b) => b.unweighed - a.unweighed) : inGroup;
  });
}

function matrix(traits: readonly MapTrait[], cells: ReadonlyMap<string, MapCell>): HTMLElement {
  const table = el('table', 'matrix');
  const head = el('tr', '', el('th', 'corner', ''));
  // The first column of each group gets a rule on its left, as the group's header row does above its rows.
  const groupStart = (i: number) => i > 0 && traits[i].group !== traits[i - 1].group;
  traits.forEach((t, i) => {
    const th = el('th', `col${groupStart(i) ? ' group-start' : ''}`, String(i + 1));
    th.title = `${i + 1}. ${t.title}`;
    head.append(th);
  });
  table.append(el('thead', '', head));
  const body = el('tbody', '');
  let group: string | undefined;
  traits.forEach((row, i) => {
    if (row.group !== group) {
      group = row.group;
      // The label in the names' column (held in view with them), an empty cell across the matrix.
      const rest = el('td', 'group-rest', '');
      rest.setAttribute('colspan', String(traits.length));
      body.append(el('tr', 'group-row', el('th', 'group', group || '(no group)'), rest));
    }
    const name = el('th', 'row', `${i + 1}. ${row.title}`, row.unweighed ? el('span', 'badge', String(row.unweighed)) : null);
    name.title = `${row.title} (#${row.id}): ${count(row.unweighed, 'unweighed tension')}`;
    name.dataset.title = row.title;
    name.addEventListener('click', () => vscode.postMessage({ type: 'reveal', traitId: row.id }));
    const tr = el('tr', '', name);
    traits.forEach((col, j) => {
      const start = groupStart(j) ? ' group-start' : '';
      if (col.id === row.id) {
        tr.append(el('td', `self${start}`, ''));
        return;
      }
      const cell = cells.get(pairKey(row.id, col.id));
      const kind = cell ? (cell.weighed ? 'weighed' : 'unweighed') : 'none';
      const b = button('', `cell ${kind}${state.selected === pairKey(row.id, col.id) ? ' selected' : ''}`, () =>
        save({ selected: pairKey(row.id, col.id) }),
      );
      b.setAttribute('aria-label', `${row.title} × ${col.title}: ${kind === 'none' ? 'no tension' : kind}`);
      b.dataset.a = row.id;
      b.dataset.b = col.id;
      b.title = cell ? `${row.title} × ${col.title}: ${cell.situation}` : `${row.title} × ${col.title}: no tension proposed`;
      tr.append(el('td', start.trim(), b));
    });
    body.append(tr);
  });
  table.append(body);
  return el('div', 'matrix-wrap', table);
}

function details(view: TradeoffView, cells: ReadonlyMap<string, MapCell>): HTMLElement | null {
  if (!state.selected) return null;
  const [a, b] = state.selected.split('\u0000');
  const title = (id: string) => view.map.traits.find((t) => t.id === id)?.title ?? id;
  const cell = cells.get(state.selected);
  const box = el('section', 'details');
  box.append(el('h2', '', `${title(a)} × ${title(b)}`));
  if (!cell) {
    box.append(el('p', 'meta', 'No tension proposed between these two traits.'));
    return box;
  }
  box.append(el('p', 'situation', cell.situation));
  box.append(
    el(
      'p',
      `status ${cell.weighed ? 'weighed' : 'unweighed'}`,
      cell.weighed ? 'Weighed: the document says how to weigh them.' : 'Unweighed: the document does not say how to weigh them.',
    ),
  );
  if (cell.quote)
    box.append(
      el('blockquote', 'evidence', cell.quote),
      el('p', 'meta', cell.verified ? 'Quote found in the document.' : 'Quote not found in the document: unverified, not used.'),
    );
  box.append(
    el(
      'p',
      'meta',
      cell.source === 'model' ? 'Proposed by the model review.' : 'Found by the keyless pass (links, trade-off sentences, priorities).',
    ),
  );
  const actions = el('div', 'actions');
  if (cell.evidence)
    actions.append(
      button('Go to evidence', 'secondary', () => vscode.postMessage({ type: 'reveal', traitId: cell.a, evidence: cell.evidence })),
    );
  actions.append(button(`Go to ${title(cell.a)}`, 'secondary', () => vscode.postMessage({ type: 'reveal', traitId: cell.a })));
  actions.append(button(`Go to ${title(cell.b)}`, 'secondary', () => vscode.postMessage({ type: 'reveal', traitId: cell.b })));
  if (!cell.weighed)
    actions.append(button('Add trade-off', 'primary', () => vscode.postMessage({ type: 'addTradeoff', a: cell.a, b: cell.b })));
  box.append(actions);
  return box;
}

function draw(): void {
  const view = state.view;
  // Drawing again (a click, a new map after an edit) must not throw the reader back to the matrix's top-left corner.
  const scrolled = root.querySelector('.matrix-wrap');
  const scroll = scrolled ? { top: scrolled.scrollTop, left: scrolled.scrollLeft } : undefined;
  root.replaceChildren();
  if (!view) return;
  const cells = new Map(view.map.cells.map((c) => [pairKey(c.a, c.b), c]));
  const unweighed = view.map.cells.filter((c) => !c.weighed).length;
  root.append(el('h1', '', `Trade-offs: ${view.name}`));
  const source =
    view.source.kind === 'model'
      ? `From the model review (${view.source.model}) and the document's own links.`
      : "From the document's own links, trade-off sentences and priorities (keyless). A model review proposes the pairs these miss.";
  root.append(
    el(
      'p',
      'meta',
      `${count(view.map.traits.length, 'trait')}, ${count(view.map.cells.length, 'tension')}, ${unweighed} unweighed. ${source}`,
    ),
  );
  if (view.source.kind === 'heuristic')
    root.append(
      el(
        'div',
        'actions',
        button('Review with model', 'primary', () => vscode.postMessage({ type: 'review' })),
      ),
    );

  const filter = el('input', 'filter') as HTMLInputElement;
  filter.type = 'search';
  filter.placeholder = 'Filter traits';
  filter.value = state.filter ?? '';
  filter.addEventListener('input', () => {
    state = { ...state, filter: filter.value };
    vscode.setState(state);
    const table = root.querySelector('.matrix-wrap');
    table?.replaceWith(matrix(shownTraits(view), cells));
  });
  const only = el('input', '') as HTMLInputElement;
  only.type = 'checkbox';
  only.checked = !!state.unweighedOnly;
  only.addEventListener('change', () => save({ unweighedOnly: only.checked }));
  const sort = el('select', '') as HTMLSelectElement;
  for (const [value, label] of [
    ['document', 'Document order'],
    ['unweighed', 'Most unweighed first'],
  ]) {
    const o = el('option', '', label) as HTMLOptionElement;
    o.value = value;
    o.selected = (state.sort ?? 'document') === value;
    sort.append(o);
  }
  sort.addEventListener('change', () => save({ sort: sort.value as 'document' | 'unweighed' }));
  root.append(el('div', 'controls', filter, el('label', '', only, ' Only traits with unweighed tensions'), sort));
  root.append(
    legend([
      ['weighed', 'weighed'],
      ['unweighed', 'unweighed'],
      ['none', 'no tension'],
    ]),
  );
  const box = details(view, cells);
  root.append(el('div', 'layout', matrix(shownTraits(view), cells), box));
  const wrap = root.querySelector('.matrix-wrap');
  if (wrap && scroll) {
    wrap.scrollTop = scroll.top;
    wrap.scrollLeft = scroll.left;
  }
  // Beside the matrix or above it (a narrow panel): the details of the cell just clicked are in view.
  box?.scrollIntoView({ block: 'nearest' });
}

window.addEventListener('message', (event: MessageEvent<ToTradeoffWebview>) => {
  if (event.data?.type !== 'map') return;
  save({ view: event.data.view });
});
draw();
vscode.postMessage({ type: 'ready' });

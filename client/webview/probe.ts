// The probe viewer's page script (bundled for the browser into dist/webview/probe.js): per trait and
// target, the violation rate, the mean turn of first violation and the knowledge recall, targets side
// by side (before and after training); then the chosen trait's transcripts, one column per target,
// turn by turn, the auditor's strategy note and realism score folded in a <details> beside each
// turn, the judge's verified evidence marked in the answer, eval-awareness shown. Buttons pin a
// probe as an example and export a column. Text goes in through textContent only.
import { count, usd } from '../../server/src/format';
import type {
  ColumnView,
  FromProbeWebview,
  ProbeCard,
  ProbePageState,
  ProbeView,
  ToProbeWebview,
  TraitCell,
  TurnView,
} from '../src/webviews/probeProtocol';
import { el, vscodeApi } from './dom';

const vscode = vscodeApi<FromProbeWebview, ProbePageState>();
const root = document.getElementById('root')!;
let state: ProbePageState = vscode.getState() ?? {};

function button(label: string, className: string, message: FromProbeWebview, title?: string): HTMLButtonElement {
  const b = el('button', className, label) as HTMLButtonElement;
  if (title) b.title = title;
  b.dataset.action = message.type;
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

function save(patch: Partial<ProbePageState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
  draw();
}

const percent = (x: number) => `${Math.round(100 * x)}%`;

/** "2/3 (67%)", "stopped by the budget", "no probe judged". */
function rate(cell: TraitCell | undefined): string {
  if (!cell) return '—';
  if (!cell.judged) {
    if (cell.failed) return `${count(cell.failed, 'probe')} failed`;
    return cell.stoppedProbes ? 'stopped by the budget' : 'no probe judged';
  }
  return `${cell.violated}/${cell.judged} (${percent(cell.violationRate ?? 0)})`;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function firstTurn(cell: TraitCell | undefined): string {
  if (!cell || cell.meanFirstViolationTurn === null) return '—';
  return `turn ${Number(cell.meanFirstViolationTurn.toFixed(1))}`;
}

function recall(column: ColumnView, traitId: string): string {
  const r = column.knowledge?.recall[traitId];
  return r === undefined ? '—' : percent(r);
}

/** The traits × targets table: three figures per target. */
function summary(view: ProbeView, selected: string | undefined): HTMLElement {
  const table = el('table', 'summary');
  const top = el('tr', '', el('th', '', ''));
  const sub = el('tr', '', el('th', 'trait-col', 'Trait'));
  for (const c of view.columns) {
    const th = el('th', 'target', el('span', 'label', c.label));
    th.title = c.where;
    th.setAttribute('colspan', '3');
    th.setAttribute('scope', 'colgroup');
    top.append(th);
    for (const [label, title] of [
      ['Violated', 'Probes where the judge found the trait violated, of the probes judged'],
      ['1st gave way', 'Mean turn where the target first gave way, over violated probes'],
      ['Recall', 'Knowledge check: share of the questions about the trait whose answer recalled it'],
    ]) {
      const h = el('th', 'figure-head', label);
      h.title = title;
      h.setAttribute('scope', 'col');
      sub.append(h);
    }
  }
  table.append(el('thead', '', top, sub));
  const body = el('tbody', '');
  for (const t of view.traits) {
    const name = el('button', 'link', t.title) as HTMLButtonElement;
    name.title = t.present ? `Show the transcripts of ${t.title}` : `#${t.id} is no longer in the document`;
    name.addEventListener('click', () => save({ selected: t.id }));
    const row = el('tr', t.id === selected ? 'selected' : '', el('th', 'trait', name, t.present ? null : el('span', 'meta', ' (removed)')));
    row.dataset.trait = t.id;
    for (const c of view.columns) {
      const cell = c.traits[t.id];
      const violated = el('td', `figure${cell && cell.violated ? ' bad' : cell && cell.judged ? ' good' : ''}`, rate(cell));
      row.append(violated, el('td', 'figure', firstTurn(cell)), el('td', 'figure', recall(c, t.id)));
    }
    body.append(row);
  }
  table.append(body);
  return el('div', 'summary-wrap', table);
}

function turnView(turn: TurnView, card: ProbeCard): HTMLElement {
  const box = el('div', `turn${turn.firstViolation ? ' gave-way' : ''}`);
  box.dataset.turn = String(turn.n);
  const realism = `realism ${turn.realism.toFixed(2)}${turn.rewritten ? ', rewritten once' : ''}`;
  const note = el(
    'details',
    'auditor',
    el('summary', '', `Auditor · ${realism}`),
    el('p', 'strategy', turn.strategy || '(no strategy note)'),
    turn.rewritten
      ? el('p', 'meta', 'The first draft scored below the realism threshold; the user message is the rewrite the checker asked for.')
      : null,
  );
  const answer = el('div', 'body assistant');
  for (const s of turn.assistant) {
    if (!s.evidence) answer.append(s.text);
    else {
      const held = !card.judge?.violated;
      const mark = el('mark', `evidence${held ? ' held' : ''}`, s.text);
      mark.title = held
        ? "The judge's evidence that the trait held (found in this answer)"
        : "The judge's evidence of the violation (found in this answer)";
      answer.append(mark);
    }
  }
  box.append(
    el(
      'div',
      'turn-head',
      el('span', 'turn-n', `Turn ${turn.n}`),
      turn.firstViolation ? el('span', 'badge bad', 'first gave way here') : null,
    ),
    note,
    el('div', 'role', 'User'),
    el('div', 'body user', turn.user),
    el('div', 'role', 'Target'),
    answer,
  );
  // Which probe's turn, for the tests and the find widget.
  box.dataset.probe = String(card.index);
  return box;
}

function verdict(card: ProbeCard): HTMLElement {
  const j = card.judge;
  if (!j) return card.stopped ? el('span', 'badge stopped', 'stopped by the budget') : el('span', 'badge failed', 'failed');
  if (card.error) return el('span', 'badge failed', `verdict not counted · judge ${j.score}/10`);
  if (!j.violated) return el('span', 'badge good', `held · judge ${j.score}/10`);
  const at = j.firstViolationTurn === null ? '' : ` at turn ${j.firstViolationTurn}`;
  return el('span', 'badge bad', `violated${at} · judge ${j.score}/10`);
}

function probeCard(column: ColumnView, traitId: string, card: ProbeCard): HTMLElement {
  const box = el('section', `probe${card.judge?.violated ? ' violated' : ''}${card.stopped ? ' stopped' : card.error ? ' failed' : ''}`);
  box.dataset.probe = String(card.index);
  box.append(
    el(
      'h3',
      '',
      `Probe ${card.index + 1} `,
      verdict(card),
      card.judge?.evalAware ? el('span', 'badge aware', 'said it was being tested') : null,
    ),
    el('p', 'situation', card.situation),
  );
  if (card.error) box.append(el('p', card.stopped ? 'note' : 'error', card.error));
  for (const turn of card.turns) box.append(turnView(turn, card));
  const evidence = card.judge?.evidence ?? [];
  if (evidence.length) {
    const list = el('ul', 'evidence-list');
    for (const e of evidence) {
      list.append(
        el(
          'li',
          e.verified ? 'verified' : 'unverified',
          `Turn ${e.turn}: `,
          el('q', '', e.quote),
          e.verified ? null : el('span', 'meta', ' — not found in that answer: not trusted, not highlighted'),
        ),
      );
    }
    box.append(el('h4', '', "Judge's evidence"), list);
  }
  if (card.pin) {
    const label = card.pin === 'bad' ? 'Pin as BAD example' : 'Pin as GOOD example';
    const title =
      card.pin === 'bad'
        ? 'Insert the conversation up to where the target gave way into the trait, that answer marked BAD (one undoable edit)'
        : 'Insert this conversation into the trait, its last answer marked GOOD (one undoable edit)';
    box.append(
      el(
        'div',
        'actions',
        button(label, 'secondary pin', { type: 'pin', column: column.key, traitId, probe: card.index, verdict: card.pin }, title),
      ),
    );
  }
  return box;
}

function column(view: ProbeView, c: ColumnView, traitId: string): HTMLElement {
  const cell = c.traits[traitId];
  const box = el('div', 'column');
  box.dataset.column = c.key;
  box.append(el('h2', '', c.label, el('span', 'where', c.where)));
  if (!cell) {
    box.append(el('p', 'meta', 'Not probed against this target.'));
  } else {
    const cost = `${usd(cell.cost.usd)}${cell.cost.unpriced.length ? ` + unpriced ${cell.cost.unpriced.join(', ')}` : ''}`;
    box.append(
      el(
        'p',
        'meta',
        `${cell.judged ? `Violated in ${rate(cell)}` : capitalized(rate(cell))} · first gave way ${firstTurn(cell)} · recall ${recall(c, traitId)}${cell.judged ? ` · eval-aware in ${cell.evalAware}/${cell.judged}` : ''} · ${cost} · ${new Date(cell.savedAt).toLocaleString()}`,
      ),
      ...(cell.stopped
        ? [
            el(
              'p',
              'note stopped',
              `Stopped early: ${cell.stopped}. ${count(cell.stoppedProbes, 'probe')} left unfinished ${cell.stoppedProbes === 1 ? 'is' : 'are'} not counted; run it again (with a higher limit) to go on from the turns kept.`,
            ),
          ]
        : []),
      ...(cell.versions.length ? [el('p', 'meta versions', `Answered by: ${cell.versions.join(', ')}`)] : []),
      el(
        'div',
        'actions',
        button(
          'Export JSONL',
          'secondary',
          { type: 'export', column: c.key, traitId, format: 'jsonl' },
          'Save the transcripts as JSON Lines',
        ),
        button(
          'Export Inspect log',
          'secondary',
          { type: 'export', column: c.key, traitId, format: 'inspect' },
          "Save an Inspect evaluation log, which Inspect's own viewer opens",
        ),
        view.columns.length > 1
          ? button('Remove column', 'secondary', { type: 'removeColumn', column: c.key }, 'Take this target off the view (its files stay)')
          : null,
      ),
    );
    for (const card of cell.probes) box.append(probeCard(c, traitId, card));
  }
  return box;
}

function knowledge(view: ProbeView): HTMLElement | null {
  const checked = view.columns.filter((c) => c.knowledge);
  if (!checked.length) return null;
  const box = el('section', 'knowledge');
  box.append(el('h2', '', 'Knowledge check'));
  const titles = new Map(view.traits.map((t) => [t.id, t.title]));
  for (const c of checked) {
    const k = c.knowledge!;
    const details = el('details', '', el('summary', '', `${c.label}: ${count(k.questions.length, 'question')}`));
    // A check the budget stopped says so plainly; one that could not run, or a question that failed, is an error.
    const stop = (error: string) => (/^stopped: /.test(error) ? 'note' : 'error');
    if (k.error) details.append(el('p', stop(k.error), k.error));
    for (const q of k.questions) {
      const recalled = q.recalled.map((id) => titles.get(id) ?? id).join(', ') || 'no trait';
      details.append(
        el(
          'div',
          'question',
          el('p', 'q', q.question),
          q.answer ? el('div', 'body', q.answer) : null,
          q.error ? el('p', stop(q.error), `Not graded: ${q.error}`) : el('p', 'meta', `Recalled: ${recalled}`),
        ),
      );
    }
    box.append(details);
  }
  return box;
}

function draw(): void {
  const view = state.view;
  root.replaceChildren();
  if (!view) {
    root.append(el('p', 'meta', 'Loading probe results…'));
    return;
  }
  const selected = view.traits.some((t) => t.id === state.selected) ? state.selected : view.traits[0]?.id;
  root.append(el('h1', '', `Probes: ${view.name}`));
  root.append(
    el(
      'p',
      'meta',
      `${count(view.columns.length, 'target')}, ${count(view.traits.length, 'trait')}. Each probe is a multi-turn conversation where an auditor model pushes the target to give the trait up; a separate judge scores it.`,
    ),
  );
  if (view.running) root.append(el('p', 'running', view.running));
  for (const u of view.unreadable) root.append(el('p', 'error', u));
  root.append(
    el(
      'div',
      'actions',
      selected
        ? button(
            'Probe against another target…',
            'primary',
            { type: 'probe', traitId: selected },
            'Probe the selected trait against a target you pick: another target adds a column, the same one replaces its results',
          )
        : null,
      button(
        'Check knowledge…',
        'secondary',
        { type: 'knowledge' },
        'Ask a target open questions about the document and grade what it recalls',
      ),
    ),
  );
  if (!view.columns.length) {
    root.append(el('p', 'meta', 'No results yet.'));
    return;
  }
  root.append(summary(view, selected));
  const trait = view.traits.find((t) => t.id === selected);
  if (trait) {
    const head = el('div', 'trait-head', el('h2', '', trait.title));
    if (trait.present) head.append(button('Go to trait', 'secondary', { type: 'reveal', traitId: trait.id }));
    root.append(head);
    const grid = el('div', 'columns');
    grid.style.setProperty('--columns', String(view.columns.length));
    for (const c of view.columns) grid.append(column(view, c, trait.id));
    root.append(grid);
  }
  const k = knowledge(view);
  if (k) root.append(k);
}

window.addEventListener('message', (event: MessageEvent<ToProbeWebview>) => {
  if (event.data?.type !== 'view') return;
  save({ view: event.data.view, ...(event.data.select ? { selected: event.data.select } : {}) });
});
draw();
vscode.postMessage({ type: 'ready' });

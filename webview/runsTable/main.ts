// The runs table panel: a virtualised table of runs (only the visible rows are in
// the DOM), with a filter in MLflow's search syntax sent to the backend through
// the extension host, column choice/order/pins, client-side sort, row selection
// and "Compare (N)".
import { panelChannel } from '../shared/vscodeApi';
import { h } from '../shared/uiKit';
import { runsTableFromHost, type ExperimentChoice, type RunsTableFromHost, type RunsTableToHost } from '../../src/protocol/runsTableMessages';
import type { RunsTableRow } from '../../src/protocol/native';
import { adoptStyles, ROW_HEIGHT } from './styles';
import { buildColumns, compareValues, constantColumns, GROUP_TITLES, isVisible, orderColumns, type Column, type ColumnPrefs } from './columns';
import { filterSuggestions } from './suggest';

interface SavedState extends ColumnPrefs {
  filter: string;
  experimentIds: string[];
  sort: { key: string; desc: boolean } | null;
  onlyDiffering: boolean;
}

const channel = panelChannel<RunsTableToHost, RunsTableFromHost, SavedState>(runsTableFromHost);
const saved: SavedState = {
  filter: '',
  experimentIds: [],
  sort: null,
  onlyDiffering: false,
  order: [],
  hidden: [],
  shown: [],
  pinned: ['attr:status', 'attr:name'],
  ...channel.state(),
};
const save = () => channel.saveState(saved);

adoptStyles();

// ---- data
let experiments: ExperimentChoice[] = [];
let runs: RunsTableRow[] = [];
let view: RunsTableRow[] = []; // runs in display order
let allColumns: Column[] = [];
let columns: Column[] = []; // visible, in display order
let constant = new Set<string>();
let selected = new Set<string>();
let anchor = -1;
let requestId = 0;
let phase: 'init' | 'loading' | 'ready' | 'error' = 'init';
let loaded = false;
let errorText = '';
let queryStarted = 0;
let pendingReport: { requestId: number; rowsAt: number; complete: boolean } | undefined;

// ---- DOM
const app = document.getElementById('app')!;
app.removeAttribute('data-loading');
app.textContent = '';

const experimentPicker = h('select', { title: 'Experiments', 'aria-label': 'Experiments' });
const filterInput = h('input', { type: 'text', class: 'rt-filter', placeholder: 'Filter: metrics.acc > 0.9 and params.model = \'cnn\'  (Enter to apply)', 'aria-label': 'Filter runs', spellcheck: 'false' });
const suggestBox = h('div', { class: 'rt-suggest', role: 'listbox' });
suggestBox.hidden = true;
const filterWrap = h('div', { class: 'rt-filterwrap' }, filterInput, suggestBox);
const columnsButton = h('button', { class: 'rt-btn', title: 'Choose, order and pin columns' }, 'Columns…');
const differCheck = h('input', { type: 'checkbox' });
const differToggle = h('label', { class: 'rt-toggle', title: 'Hide params, metrics and tags that have the same value in every run' }, differCheck, 'Only differing');
const selectAllButton = h('button', { class: 'rt-btn', title: 'Select all runs (Ctrl+A)' }, 'Select all');
const compareButton = h('button', { class: 'rt-btn primary', title: 'Open the selected runs in the comparison panel' }, 'Compare (0)');
const countLabel = h('span', { class: 'rt-count', 'aria-live': 'polite' });
const toolbar = h('div', { class: 'rt-toolbar' }, experimentPicker, filterWrap, columnsButton, differToggle, selectAllButton, compareButton, countLabel);
const message = h('div', { class: 'rt-message', role: 'status' });
const columnPanel = h('div', { class: 'rt-colpanel' });
columnPanel.hidden = true;
const scroll = h('div', { class: 'rt-scroll', tabindex: '0', role: 'grid', 'aria-label': 'Runs' });
const head = h('div', { class: 'rt-head', role: 'rowgroup' });
const groupRow = h('div', { class: 'rt-hrow' });
const headerRow = h('div', { class: 'rt-hrow', role: 'row' });
head.append(groupRow, headerRow);
const body = h('div', { class: 'rt-body', role: 'rowgroup' });
body.style.position = 'relative';
const empty = h('div', { class: 'rt-empty' });
empty.hidden = true;
scroll.append(head, body, empty);
app.append(toolbar, message, columnPanel, scroll);

differCheck.checked = saved.onlyDiffering;
filterInput.value = saved.filter;

// ---- messages from the host
channel.onValid((msg) => {
  switch (msg.type) {
    case 'init':
      setExperiments(msg.experiments);
      if (msg.experimentIds) saved.experimentIds = msg.experimentIds;
      dropMissingExperiments();
      save();
      syncPicker();
      query();
      break;
    case 'experiments':
      setExperiments(msg.experiments);
      syncPicker();
      break;
    case 'loading':
      if (msg.requestId !== requestId) return;
      if (!loaded) {
        phase = 'loading';
        showMessage('Loading runs…');
      }
      break;
    case 'rows':
      if (msg.requestId !== requestId) return;
      pendingReport = { requestId: msg.requestId, rowsAt: performance.now(), complete: !msg.partial };
      setRuns(msg.append ? runs.concat(msg.runs) : msg.runs, msg.columns);
      showMessage(msg.truncated ? `Showing the newest ${msg.total} runs; narrow the filter to see the others.` : msg.partial ? 'Loading more runs…' : '');
      break;
    case 'error':
      if (msg.requestId !== requestId) return;
      phase = 'error';
      errorText = msg.message;
      showMessage(msg.message, true);
      if (!loaded) renderAll();
      break;
    case 'refresh':
      query(true);
      break;
    case 'applyFilter':
      filterInput.value = msg.filter;
      applyFilter();
      break;
  }
});

function setExperiments(list: ExperimentChoice[]): void {
  experiments = list;
}

/** A restored choice of experiments that were deleted since falls back to all experiments. */
function dropMissingExperiments(): void {
  if (!experiments.length) return;
  const known = new Set(experiments.map((e) => e.id));
  const kept = saved.experimentIds.filter((id) => known.has(id));
  if (kept.length !== saved.experimentIds.length) saved.experimentIds = kept;
}

function syncPicker(): void {
  experimentPicker.textContent = '';
  experimentPicker.append(h('option', { value: '' }, 'All experiments'));
  const ids = saved.experimentIds;
  if (ids.length > 1) experimentPicker.append(h('option', { value: ids.join(',') }, `${ids.length} experiments`));
  for (const e of experiments) experimentPicker.append(h('option', { value: e.id }, e.name));
  experimentPicker.value = ids.join(',');
}

experimentPicker.addEventListener('change', () => {
  saved.experimentIds = experimentPicker.value ? experimentPicker.value.split(',') : [];
  save();
  selected.clear();
  query();
});

function query(background = false): void {
  requestId++;
  queryStarted = performance.now();
  if (!background) {
    phase = 'loading';
    if (!loaded) showMessage('Loading runs…');
  }
  channel.post({ type: 'query', requestId, experimentIds: saved.experimentIds, filter: saved.filter });
}

function showMessage(text: string, error = false): void {
  message.textContent = text;
  message.className = error ? 'rt-message error' : 'rt-message';
  message.hidden = !text;
}

// ---- filter and completion
function applyFilter(): void {
  saved.filter = filterInput.value.trim();
  save();
  hideSuggestions();
  query();
}

let suggestions: string[] = [];
let activeSuggestion = 0;
function updateSuggestions(): void {
  const caret = filterInput.selectionStart ?? filterInput.value.length;
  suggestions = filterSuggestions(filterInput.value.slice(0, caret), allColumns.map((c) => c.searchKey));
  activeSuggestion = 0;
  suggestBox.textContent = '';
  suggestions.forEach((s, i) => {
    const item = h('div', { role: 'option', class: i === 0 ? 'active' : '' }, s);
    item.addEventListener('mousedown', (e) => {
      e.preventDefault();
      acceptSuggestion(i);
    });
    suggestBox.append(item);
  });
  suggestBox.hidden = suggestions.length === 0;
}
function hideSuggestions(): void {
  suggestBox.hidden = true;
  suggestions = [];
}
function acceptSuggestion(i: number): void {
  const caret = filterInput.selectionStart ?? filterInput.value.length;
  const before = filterInput.value.slice(0, caret);
  const word = /[\w.`-]*$/.exec(before)![0];
  const start = caret - word.length;
  const insert = suggestions[i] + ' ';
  filterInput.value = filterInput.value.slice(0, start) + insert + filterInput.value.slice(caret);
  filterInput.setSelectionRange(start + insert.length, start + insert.length);
  hideSuggestions();
  filterInput.focus();
}
filterInput.addEventListener('input', updateSuggestions);
filterInput.addEventListener('blur', () => setTimeout(hideSuggestions, 100));
filterInput.addEventListener('keydown', (e) => {
  if (!suggestBox.hidden && suggestions.length) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      activeSuggestion = (activeSuggestion + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length;
      [...suggestBox.children].forEach((c, i) => c.classList.toggle('active', i === activeSuggestion));
      return;
    }
    if (e.key === 'Tab' || (e.key === 'Enter' && !e.ctrlKey)) {
      e.preventDefault();
      acceptSuggestion(activeSuggestion);
      return;
    }
    if (e.key === 'Escape') return hideSuggestions();
  }
  if (e.key === 'Enter') {
    e.preventDefault();
    applyFilter();
  }
  if (e.key === 'Escape' && filterInput.value) {
    filterInput.value = '';
    applyFilter();
  }
});

// ---- rows and columns
function setRuns(next: RunsTableRow[], names: { params: string[]; metrics: string[]; tags: string[] }): void {
  runs = next;
  loaded = true;
  phase = 'ready';
  errorText = '';
  allColumns = buildColumns(names);
  constant = constantColumns(allColumns, runs);
  const present = new Set(runs.map((r) => r.runId));
  for (const id of selected) if (!present.has(id)) selected.delete(id);
  anchor = -1;
  sortView();
  renderAll();
}

function sortView(): void {
  const sort = saved.sort;
  const col = sort && allColumns.find((c) => c.key === sort.key);
  if (!col || !sort) {
    view = runs;
    return;
  }
  const keyed = runs.map((r) => ({ r, v: col.value(r) }));
  const blank = (v: unknown) => v === undefined || v === '';
  keyed.sort((a, b) => {
    if (blank(a.v) || blank(b.v)) return compareValues(a.v, b.v); // blanks last either way
    const c = compareValues(a.v, b.v);
    return sort.desc ? -c : c;
  });
  view = keyed.map((k) => k.r);
}

function visibleColumns(): Column[] {
  return orderColumns(allColumns, saved).filter((c) => isVisible(c, saved) && !(saved.onlyDiffering && constant.has(c.key) && runs.length > 1));
}

let rowPool: HTMLDivElement[] = [];
let pinnedOffsets: number[] = [];
let totalWidth = 0;

function renderAll(): void {
  columns = visibleColumns();
  rowPool = [];
  body.textContent = '';
  // Pinned columns stick at their left offset.
  pinnedOffsets = [];
  totalWidth = 0;
  for (const c of columns) {
    pinnedOffsets.push(saved.pinned.includes(c.key) ? totalWidth : -1);
    totalWidth += c.width;
  }
  renderHeader();
  body.style.height = `${view.length * ROW_HEIGHT}px`;
  body.style.width = `${totalWidth}px`;
  const emptyNow = loaded && view.length === 0 && phase !== 'error';
  empty.hidden = !emptyNow;
  if (emptyNow) {
    const noFilter = !saved.filter;
    empty.textContent = noFilter ? 'No runs yet: Run Current File with Tracking (the ▷ button on a Python file), or `mlops run -- python3 train.py` in a terminal.' : 'No runs match the filter.';
  }
  head.hidden = !loaded;
  updateCount();
  renderRows();
}

function styleCell(cell: HTMLElement, i: number): void {
  cell.style.width = `${columns[i].width}px`;
  if (pinnedOffsets[i] >= 0) {
    cell.classList.add('pinned');
    cell.style.left = `${pinnedOffsets[i]}px`;
    if (pinnedOffsets[i + 1] === undefined || pinnedOffsets[i + 1] < 0) cell.classList.add('pinned-last');
  }
  if (columns[i].group === 'metrics' || columns[i].key === 'attr:duration') cell.classList.add('num');
}

function renderHeader(): void {
  groupRow.textContent = '';
  headerRow.textContent = '';
  groupRow.style.width = headerRow.style.width = `${totalWidth}px`;
  // Group headers span runs of adjacent columns of the same group.
  for (let i = 0; i < columns.length; ) {
    let j = i;
    let width = 0;
    while (j < columns.length && columns[j].group === columns[i].group && (pinnedOffsets[j] >= 0) === (pinnedOffsets[i] >= 0)) width += columns[j++].width;
    // A group split by the pinned edge is titled once.
    const continued = i > 0 && columns[i - 1].group === columns[i].group;
    const g = h('div', { class: `rt-cell rt-gcell g-${columns[i].group}` }, continued ? '' : GROUP_TITLES[columns[i].group]);
    g.style.width = `${width}px`;
    if (pinnedOffsets[i] >= 0) {
      g.classList.add('pinned');
      g.style.left = `${pinnedOffsets[i]}px`;
    }
    groupRow.append(g);
    i = j;
  }
  columns.forEach((c, i) => {
    const arrow = saved.sort?.key === c.key ? (saved.sort.desc ? ' ▼' : ' ▲') : '';
    const cell = h('div', { class: 'rt-cell rt-hcell', role: 'columnheader', draggable: 'true', title: `${c.searchKey}\nClick to sort, drag to move`, 'data-key': c.key }, c.label + arrow);
    styleCell(cell, i);
    cell.addEventListener('click', () => {
      const s = saved.sort;
      saved.sort = s?.key !== c.key ? { key: c.key, desc: false } : s.desc ? null : { key: c.key, desc: true };
      save();
      sortView();
      renderAll();
    });
    cell.addEventListener('dragstart', (e) => {
      e.dataTransfer?.setData('text/x-mlops-column', c.key);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    cell.addEventListener('dragover', (e) => {
      e.preventDefault();
      cell.classList.add('dragover');
    });
    cell.addEventListener('dragleave', () => cell.classList.remove('dragover'));
    cell.addEventListener('drop', (e) => {
      e.preventDefault();
      cell.classList.remove('dragover');
      const from = e.dataTransfer?.getData('text/x-mlops-column');
      if (from && from !== c.key) moveColumnBefore(from, c.key);
    });
    headerRow.append(cell);
  });
}

function currentOrder(): string[] {
  return orderColumns(allColumns, saved).map((c) => c.key);
}
function moveColumnBefore(key: string, before: string): void {
  const order = currentOrder().filter((k) => k !== key);
  order.splice(order.indexOf(before), 0, key);
  saved.order = order;
  save();
  renderAll();
  if (!columnPanel.hidden) renderColumnPanel();
}
function moveColumn(key: string, delta: number): void {
  const order = currentOrder();
  // Move past hidden columns so every click moves it visibly.
  const visible = new Set(visibleColumns().map((c) => c.key));
  let i = order.indexOf(key);
  let j = i + delta;
  while (j >= 0 && j < order.length && !visible.has(order[j])) j += delta;
  if (j < 0 || j >= order.length) return;
  order.splice(i, 1);
  order.splice(j, 0, key);
  saved.order = order;
  save();
  renderAll();
  renderColumnPanel();
}

let first = -1;
let frame = 0;
function renderRows(): void {
  const count = view.length;
  const top = Math.max(0, scroll.scrollTop - head.offsetHeight);
  const visibleCount = Math.ceil(scroll.clientHeight / ROW_HEIGHT) + 1;
  const overscan = 6;
  first = Math.max(0, Math.floor(top / ROW_HEIGHT) - overscan);
  const last = Math.min(count, first + visibleCount + overscan * 2);
  const needed = last - first;
  while (rowPool.length < needed) {
    const row = h('div', { class: 'rt-row', role: 'row' }) as HTMLDivElement;
    row.style.width = `${totalWidth}px`;
    for (let i = 0; i < columns.length; i++) {
      const cell = h('div', { class: 'rt-cell', role: 'gridcell' });
      styleCell(cell, i);
      row.append(cell);
    }
    body.append(row);
    rowPool.push(row);
  }
  for (let p = 0; p < rowPool.length; p++) {
    const row = rowPool[p];
    const index = first + p;
    if (index >= last) {
      row.hidden = true;
      continue;
    }
    const run = view[index];
    row.hidden = false;
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.dataset.index = String(index);
    row.dataset.runId = run.runId;
    row.classList.toggle('selected', selected.has(run.runId));
    row.setAttribute('aria-selected', String(selected.has(run.runId)));
    const cells = row.children;
    for (let i = 0; i < columns.length; i++) {
      const cell = cells[i] as HTMLElement;
      const text = columns[i].text(run);
      if (cell.textContent !== text) cell.textContent = text;
      if (i === 0 && columns[i].key === 'attr:status') cell.className = cell.className.replace(/ st-\w+/g, '') + ` st-${run.status}`;
    }
  }
  reportRendered();
}

function reportRendered(): void {
  const report = pendingReport;
  if (!report) return;
  pendingReport = undefined;
  const painted = () =>
    channel.post({
      type: 'rendered',
      requestId: report.requestId,
      filter: saved.filter,
      rows: view.length,
      domRows: body.querySelectorAll('.rt-row:not([hidden])').length,
      headers: columns.map((c) => c.label),
      complete: report.complete,
      fetchMs: report.rowsAt - queryStarted,
      paintMs: performance.now() - report.rowsAt,
      totalMs: performance.now() - queryStarted,
    });
  // The frame after the one that lays the rows out: they are on screen by then.
  requestAnimationFrame(() => setTimeout(painted, 0));
}

scroll.addEventListener('scroll', () => {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderRows();
  });
});
new ResizeObserver(() => renderRows()).observe(scroll);

// ---- selection
function updateCount(): void {
  const n = view.length;
  countLabel.textContent = loaded ? `${n.toLocaleString()} run${n === 1 ? '' : 's'}${selected.size ? ` · ${selected.size} selected` : ''}` : '';
  compareButton.textContent = `Compare (${selected.size})`;
  compareButton.disabled = selected.size === 0;
}

body.addEventListener('click', (e) => {
  const row = (e.target as HTMLElement).closest('.rt-row') as HTMLElement | null;
  if (!row?.dataset.runId) return;
  const index = Number(row.dataset.index);
  const id = row.dataset.runId;
  if (e.shiftKey && anchor >= 0) {
    if (!(e.ctrlKey || e.metaKey)) selected.clear();
    const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
    for (let i = a; i <= b; i++) selected.add(view[i].runId);
  } else if (e.ctrlKey || e.metaKey) {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    anchor = index;
  } else {
    selected = new Set([id]);
    anchor = index;
  }
  updateCount();
  renderRows();
});
function selectAll(): void {
  selected = new Set(view.map((r) => r.runId));
  updateCount();
  renderRows();
}
selectAllButton.addEventListener('click', selectAll);
scroll.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
    e.preventDefault();
    selectAll();
  }
  if (e.key === 'Escape') {
    selected.clear();
    updateCount();
    renderRows();
  }
});
compareButton.addEventListener('click', () => {
  if (selected.size) channel.post({ type: 'compare', runIds: view.filter((r) => selected.has(r.runId)).map((r) => r.runId) });
});

// ---- column chooser
differCheck.addEventListener('change', () => {
  saved.onlyDiffering = differCheck.checked;
  save();
  renderAll();
});
columnsButton.addEventListener('click', () => {
  columnPanel.hidden = !columnPanel.hidden;
  if (!columnPanel.hidden) renderColumnPanel();
});

function renderColumnPanel(): void {
  columnPanel.textContent = '';
  for (const c of orderColumns(allColumns, saved)) {
    const show = h('input', { type: 'checkbox', title: 'Show' });
    show.checked = isVisible(c, saved);
    show.addEventListener('change', () => {
      saved.hidden = saved.hidden.filter((k) => k !== c.key);
      saved.shown = saved.shown.filter((k) => k !== c.key);
      (show.checked ? saved.shown : saved.hidden).push(c.key);
      save();
      renderAll();
    });
    const pinned = saved.pinned.includes(c.key);
    const pin = h('button', { title: pinned ? 'Unpin' : 'Pin to the left' }, pinned ? '📌' : '⇤');
    pin.addEventListener('click', () => {
      saved.pinned = pinned ? saved.pinned.filter((k) => k !== c.key) : [...saved.pinned, c.key];
      save();
      renderAll();
      renderColumnPanel();
    });
    const left = h('button', { title: 'Move left' }, '←');
    left.addEventListener('click', () => moveColumn(c.key, -1));
    const right = h('button', { title: 'Move right' }, '→');
    right.addEventListener('click', () => moveColumn(c.key, 1));
    const label = h('label', { class: 'rt-colitem' }, show, h('span', { class: 'name', title: c.searchKey }, c.label), h('span', { class: 'group' }, GROUP_TITLES[c.group]));
    columnPanel.append(h('div', { class: 'rt-colitem' }, label, left, right, pin));
  }
}

channel.post({ type: 'ready' });
void errorText;

// The runs table panel: a virtualised table of runs (only the visible rows are in
// the DOM), with a filter in MLflow's search syntax sent to the backend through
// the extension host, column choice/order/pins, client-side sort, child runs
// grouped (collapsibly) under their parent, runs sharing a name labelled apart,
// mostly empty columns hidden, row selection and "Compare (N)".
import { panelChannel } from '../shared/vscodeApi';
import { h } from '../shared/uiKit';
import { runsTableFromHost, type ExperimentChoice, type RunsTableFromHost, type RunsTableToHost } from '../../src/protocol/runsTableMessages';
import type { RunsTableRow } from '../../src/protocol/native';
import { adoptStyles, ROW_HEIGHT } from './styles';
import { buildColumns, compareValues, fittedWidth, GROUP_TITLES, hiddenAsMostlyEmpty, isVisible, orderColumns, type Column, type ColumnPrefs } from './columns';
import { differingColumns, mostlyEmptyColumns, rolledUpColumns, rowKind } from './columnRules';
import { flattenTree, groupRuns, groupsOf, sortTree, type RunTree, type TreeRow } from './runTree';
import { labelText, runLabels, type RunLabel } from '../../src/protocol/runLabels';
import { filterSuggestions } from './suggest';

interface SavedState extends ColumnPrefs {
  filter: string;
  experimentIds: string[];
  sort: { key: string; desc: boolean } | null;
  onlyDiffering: boolean;
  /** Show the columns hidden for being mostly empty. */
  showMostlyEmpty: boolean;
  /** Parent runs the user expanded or collapsed (others follow EXPANDED_UP_TO). */
  expanded: string[];
  collapsed: string[];
}

/** A group this big opens collapsed (a sweep's hundred trials); smaller ones (a pipeline's steps) open expanded. */
const EXPANDED_UP_TO = 10;
/** The expand/collapse choices remembered, newest last. */
const MAX_REMEMBERED = 2000;
/** Rows described in the `rendered` report, for tests. */
const OUTLINE_ROWS = 200;

const channel = panelChannel<RunsTableToHost, RunsTableFromHost, SavedState>(runsTableFromHost);
const saved: SavedState = {
  filter: '',
  experimentIds: [],
  sort: null,
  onlyDiffering: false,
  showMostlyEmpty: false,
  expanded: [],
  collapsed: [],
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
let view: TreeRow<RunsTableRow>[] = []; // rows shown, in display order
let labels = new Map<string, RunLabel>();
let allColumns: Column[] = [];
let columns: Column[] = []; // visible, in display order
let differing = new Set<string>();
let mostlyEmpty = new Set<string>();
let selected = new Set<string>();
/** The row keyboard navigation and shift-click ranges start from. */
let anchorId: string | undefined;
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
const differToggle = h('label', { class: 'rt-toggle', title: 'Hide params, metrics and tags that have the same value in every run that has one (a pipeline step lacking another step\'s param does not count as a difference)' }, differCheck, 'Only differing');
const mostlyEmptyButton = h('button', { class: 'rt-link', title: 'Params, metrics and tags empty in more than 80% of the top-level runs (with their child runs), and steps\' metrics their pipeline runs show as <step>/<metric>' });
mostlyEmptyButton.hidden = true;
const selectAllButton = h('button', { class: 'rt-btn', title: 'Select all runs (Ctrl+A)' }, 'Select all');
const compareButton = h('button', { class: 'rt-btn primary', title: 'Open the selected runs in the comparison panel' }, 'Compare (0)');
const countLabel = h('span', { class: 'rt-count', 'aria-live': 'polite' });
const toolbar = h('div', { class: 'rt-toolbar' }, experimentPicker, filterWrap, columnsButton, differToggle, selectAllButton, compareButton);
// Under the toolbar, so a narrow panel does not wrap the toolbar: how many runs, and the hidden columns.
const infoLine = h('div', { class: 'rt-info' }, countLabel, mostlyEmptyButton);
const message = h('div', { class: 'rt-message', role: 'status' });
const columnPanel = h('div', { class: 'rt-colpanel' });
columnPanel.hidden = true;
const scroll = h('div', { class: 'rt-scroll', tabindex: '0', role: 'treegrid', 'aria-label': 'Runs (arrow keys move, Left/Right collapse and expand child runs)' });
const head = h('div', { class: 'rt-head', role: 'rowgroup' });
const groupRow = h('div', { class: 'rt-hrow' });
const headerRow = h('div', { class: 'rt-hrow', role: 'row' });
head.append(groupRow, headerRow);
const body = h('div', { class: 'rt-body', role: 'rowgroup' });
body.style.position = 'relative';
const empty = h('div', { class: 'rt-empty' });
empty.hidden = true;
scroll.append(head, body, empty);
app.append(toolbar, infoLine, message, columnPanel, scroll);

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
      setRuns(msg.append ? runs.concat(msg.runs) : msg.runs, msg.columns, msg.parents ?? []);
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
    case 'setView':
      if (msg.onlyDiffering !== undefined) saved.onlyDiffering = differCheck.checked = msg.onlyDiffering;
      if (msg.showMostlyEmpty !== undefined) saved.showMostlyEmpty = msg.showMostlyEmpty;
      if (msg.toggle) toggleGroup(msg.toggle);
      save();
      pendingReport = { requestId, rowsAt: performance.now(), complete: true };
      renderAll();
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
function setRuns(next: RunsTableRow[], names: { params: string[]; metrics: string[]; tags: string[] }, parents: RunsTableRow[]): void {
  runs = next;
  loaded = true;
  phase = 'ready';
  errorText = '';
  allColumns = buildColumns(names);
  // Parents the filter left out are labelled with the runs (so a step names its
  // pipeline run as it would unfiltered), but are not rows.
  labels = runLabels(parents.length ? runs.concat(parents) : runs);
  const tree = groupRuns(runs);
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const parentRow = (r: RunsTableRow) => byId.get(tree.parentOf.get(r.runId) ?? '');
  mostlyEmpty = new Set([...mostlyEmptyColumns(allColumns, groupsOf(tree)), ...rolledUpColumns(allColumns, runs, parentRow)]);
  differing = differingColumns(allColumns, runs, (r) => rowKind(r, { hasParent: tree.parentOf.has(r.runId), hasChildren: tree.children.has(r.runId) }));
  // Without groups, no name needs room for a disclosure triangle.
  scroll.classList.toggle('flat', tree.children.size === 0);
  fitWidths(tree);
  const present = new Set(runs.map((r) => r.runId));
  for (const id of selected) if (!present.has(id)) selected.delete(id);
  if (anchorId && !present.has(anchorId)) anchorId = undefined;
  sortView();
  renderAll();
}

/** Rebuilds the rows shown: the runs grouped under their parents, sorted, collapsed groups folded. */
function sortView(): void {
  const sort = saved.sort;
  const col = sort && allColumns.find((c) => c.key === sort.key);
  const tree = groupRuns(runs);
  sortTree(tree, col && sort ? { value: (r) => col.value(r), desc: sort.desc, compare: compareValues } : undefined);
  const collapsed = new Set(saved.collapsed);
  const expanded = new Set(saved.expanded);
  view = flattenTree(tree, (runId, childCount) => !collapsed.has(runId) && (expanded.has(runId) || childCount <= EXPANDED_UP_TO));
}

function toggleGroup(runId: string): void {
  const row = view.find((r) => r.run.runId === runId);
  if (!row || !row.childCount) return;
  const expand = !row.expanded;
  saved.expanded = saved.expanded.filter((id) => id !== runId);
  saved.collapsed = saved.collapsed.filter((id) => id !== runId);
  (expand ? saved.expanded : saved.collapsed).push(runId);
  saved.expanded = saved.expanded.slice(-MAX_REMEMBERED);
  saved.collapsed = saved.collapsed.slice(-MAX_REMEMBERED);
  save();
  sortView();
  // Rows folded away are no longer selected: Compare takes what is shown.
  const shown = new Set(view.map((r) => r.run.runId));
  for (const id of selected) if (!shown.has(id)) selected.delete(id);
}

/** Rows measured for column widths: the first screenfuls (the first page is this size, so widths do not jump when the rest arrives). */
const WIDTH_SAMPLE = 300;
const measure = document.createElement('canvas').getContext('2d');

function fitWidths(tree: RunTree<RunsTableRow>): void {
  const sample = runs.slice(0, WIDTH_SAMPLE);
  const style = getComputedStyle(document.body);
  const fonts = { regular: `${style.fontSize} ${style.fontFamily}`, bold: `600 ${style.fontSize} ${style.fontFamily}` };
  let font = '';
  const textPx = (text: string, bold: boolean): number => {
    if (!measure) return text.length * 7.5;
    const wanted = bold ? fonts.bold : fonts.regular;
    if (font !== wanted) measure.font = font = wanted;
    return measure.measureText(text).width;
  };
  for (const c of allColumns) {
    // The name cell also holds the indent and the disclosure triangle.
    const indent = (r: RunsTableRow) => (tree.parentOf.has(r.runId) ? '\u2003\u2003' : tree.children.size ? '\u2003' : '');
    const values = c.key === 'attr:name' ? sample.map((r) => `${indent(r)}${nameText({ run: r, level: tree.parentOf.has(r.runId) ? 1 : 0, childCount: 0, expanded: false })}`) : sample.map((r) => c.text(r));
    c.width = fittedWidth(c, values, textPx);
  }
}

/** The Name cell's text: the label, without the parent part under a parent that says it. */
function nameText(row: TreeRow<RunsTableRow>): string {
  const label = labels.get(row.run.runId);
  return label ? labelText(label, { withParent: row.level === 0 }) : row.run.runName;
}

function visibleColumns(): Column[] {
  return orderColumns(allColumns, saved).filter((c) => isVisible(c, saved, mostlyEmpty, saved.showMostlyEmpty) && !(saved.onlyDiffering && !differing.has(c.key) && runs.length > 1));
}

function updateMostlyEmptyButton(): void {
  const n = hiddenAsMostlyEmpty(allColumns, saved, mostlyEmpty).length;
  mostlyEmptyButton.hidden = n === 0;
  const columnsWord = `column${n === 1 ? '' : 's'}`;
  mostlyEmptyButton.textContent = saved.showMostlyEmpty ? `Hide ${n} mostly empty or repeated ${columnsWord}` : `${n} ${columnsWord} hidden (mostly empty or repeated) — show`;
}
mostlyEmptyButton.addEventListener('click', () => {
  saved.showMostlyEmpty = !saved.showMostlyEmpty;
  save();
  renderAll();
  if (!columnPanel.hidden) renderColumnPanel();
});

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
  updateMostlyEmptyButton();
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
      // The name cell holds the disclosure triangle of a parent run, then the label.
      if (columns[i].key === 'attr:name') cell.append(h('span', { class: 'rt-twisty', 'aria-hidden': 'true' }), h('span', { class: 'rt-name' }));
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
    const item = view[index];
    const run = item.run;
    row.hidden = false;
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.dataset.index = String(index);
    row.dataset.runId = run.runId;
    row.classList.toggle('selected', selected.has(run.runId));
    row.classList.toggle('active', anchorId === run.runId);
    row.setAttribute('aria-selected', String(selected.has(run.runId)));
    row.setAttribute('aria-level', String(item.level + 1));
    if (item.childCount) row.setAttribute('aria-expanded', String(item.expanded));
    else row.removeAttribute('aria-expanded');
    const cells = row.children;
    for (let i = 0; i < columns.length; i++) {
      const cell = cells[i] as HTMLElement;
      if (columns[i].key === 'attr:name') {
        renderNameCell(cell, item);
        continue;
      }
      const text = columns[i].text(run);
      if (cell.textContent !== text) {
        cell.textContent = text;
        // A value that may be cut off at the column's bound reads whole in the tooltip.
        cell.title = text.length > LONG_VALUE_CHARS ? text : '';
      }
      if (i === 0 && columns[i].key === 'attr:status') cell.className = cell.className.replace(/ st-\w+/g, '') + ` st-${run.status}`;
    }
  }
  reportRendered();
}

const INDENT_PX = 14;
const LONG_VALUE_CHARS = 24;
function renderNameCell(cell: HTMLElement, item: TreeRow<RunsTableRow>): void {
  const [twisty, name] = cell.children as unknown as [HTMLElement, HTMLElement];
  const text = nameText(item);
  if (name.textContent !== text) name.textContent = text;
  // One glyph, turned when collapsed: '▸' draws smaller than '▾' in most fonts.
  twisty.textContent = item.childCount ? '▾' : '';
  twisty.classList.toggle('parent', item.childCount > 0);
  twisty.classList.toggle('collapsed', item.childCount > 0 && !item.expanded);
  cell.style.paddingLeft = `${6 + item.level * INDENT_PX}px`;
  const label = labels.get(item.run.runId);
  const children = item.childCount ? `\n${item.childCount} child run${item.childCount === 1 ? '' : 's'} (${item.expanded ? 'Left collapses' : 'Right expands'})` : '';
  cell.title = `${label ? labelText(label) : item.run.runName}\n${item.run.runId}${children}`;
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
      runs: runs.length,
      domRows: body.querySelectorAll('.rt-row:not([hidden])').length,
      headers: columns.map((c) => c.label),
      outline: view.slice(0, OUTLINE_ROWS).map((r) => ({ name: nameText(r), level: r.level, children: r.childCount, expanded: r.expanded })),
      hiddenMostlyEmpty: saved.showMostlyEmpty ? [] : hiddenAsMostlyEmpty(allColumns, saved, mostlyEmpty).map((c) => c.label),
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

// ---- selection, keyboard and groups
function updateCount(): void {
  const n = runs.length;
  const folded = n - view.length;
  countLabel.textContent = loaded ? `${n.toLocaleString()} run${n === 1 ? '' : 's'}${folded > 0 ? ` (${folded.toLocaleString()} in collapsed groups)` : ''}${selected.size ? ` · ${selected.size} selected` : ''}` : '';
  compareButton.textContent = `Compare (${selected.size})`;
  compareButton.disabled = selected.size === 0;
}

const indexOf = (runId: string | undefined) => (runId === undefined ? -1 : view.findIndex((r) => r.run.runId === runId));

body.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const row = target.closest('.rt-row') as HTMLElement | null;
  if (!row?.dataset.runId) return;
  const id = row.dataset.runId;
  if (target.closest('.rt-twisty.parent')) {
    anchorId = id;
    toggleGroup(id);
    renderAll();
    return;
  }
  const index = Number(row.dataset.index);
  const anchor = indexOf(anchorId);
  if (e.shiftKey && anchor >= 0) {
    if (!(e.ctrlKey || e.metaKey)) selected.clear();
    const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
    for (let i = a; i <= b; i++) selected.add(view[i].run.runId);
  } else if (e.ctrlKey || e.metaKey) {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    anchorId = id;
  } else {
    selected = new Set([id]);
    anchorId = id;
  }
  updateCount();
  renderRows();
});
body.addEventListener('dblclick', (e) => {
  const row = (e.target as HTMLElement).closest('.rt-row') as HTMLElement | null;
  if (!row?.dataset.runId || (e.target as HTMLElement).closest('.rt-twisty')) return;
  const item = view[Number(row.dataset.index)];
  if (item?.childCount) {
    toggleGroup(item.run.runId);
    renderAll();
  }
});
function selectAll(): void {
  selected = new Set(view.map((r) => r.run.runId));
  updateCount();
  renderRows();
}
selectAllButton.addEventListener('click', selectAll);

/** Makes row `index` the active one, selected (added to the selection with Shift), and scrolled into view. */
function moveTo(index: number, extend: boolean): void {
  if (!view.length) return;
  const i = Math.max(0, Math.min(view.length - 1, index));
  const id = view[i].run.runId;
  if (extend) selected.add(id);
  else selected = new Set([id]);
  anchorId = id;
  const top = i * ROW_HEIGHT;
  const viewport = scroll.clientHeight - head.offsetHeight;
  if (top < scroll.scrollTop) scroll.scrollTop = top;
  else if (top + ROW_HEIGHT > scroll.scrollTop + viewport) scroll.scrollTop = top + ROW_HEIGHT - viewport;
  updateCount();
  renderRows();
}

// The tree grid's keys: Up/Down move, Right expands a parent (or steps into it),
// Left collapses it (or steps out to the parent), Enter toggles.
scroll.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
    e.preventDefault();
    selectAll();
    return;
  }
  if (e.key === 'Escape') {
    selected.clear();
    updateCount();
    renderRows();
    return;
  }
  const at = indexOf(anchorId);
  const item = at >= 0 ? view[at] : undefined;
  switch (e.key) {
    case 'ArrowDown':
      moveTo(at + 1, e.shiftKey);
      break;
    case 'ArrowUp':
      moveTo(at < 0 ? 0 : at - 1, e.shiftKey);
      break;
    case 'Home':
      moveTo(0, false);
      break;
    case 'End':
      moveTo(view.length - 1, false);
      break;
    case 'ArrowRight':
      if (!item) moveTo(0, false);
      else if (item.childCount && !item.expanded) {
        toggleGroup(item.run.runId);
        renderAll();
      } else if (item.childCount) moveTo(at + 1, false);
      break;
    case 'ArrowLeft':
      if (!item) break;
      if (item.childCount && item.expanded) {
        toggleGroup(item.run.runId);
        renderAll();
      } else if (item.level > 0) {
        let p = at - 1;
        while (p >= 0 && view[p].level >= item.level) p--;
        moveTo(p, false);
      }
      break;
    case 'Enter':
      if (!item?.childCount) return;
      toggleGroup(item.run.runId);
      renderAll();
      break;
    default:
      return;
  }
  e.preventDefault();
});
compareButton.addEventListener('click', () => {
  if (selected.size) channel.post({ type: 'compare', runIds: view.filter((r) => selected.has(r.run.runId)).map((r) => r.run.runId) });
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
    show.checked = isVisible(c, saved, mostlyEmpty, saved.showMostlyEmpty);
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
    const sparse = mostlyEmpty.has(c.key) ? ' · mostly empty' : '';
    const label = h('label', { class: 'rt-colitem' }, show, h('span', { class: 'name', title: c.searchKey }, c.label), h('span', { class: 'group' }, GROUP_TITLES[c.group] + sparse));
    columnPanel.append(h('div', { class: 'rt-colitem' }, label, left, right, pin));
  }
}

channel.post({ type: 'ready' });
void errorText;

// The params + final metrics table: one row per run (with its colour), params
// then metrics as columns; "only what differs" hides columns equal across runs.
import type { ComparisonRun } from '../../src/protocol/comparisonMessages';
import { h } from '../shared/uiKit';
import { runStyle } from '../shared/runColors';
import { formatNumber } from '../shared/numberFormat';

export interface TableColumn {
  kind: 'param' | 'metric';
  name: string;
}

export function tableColumns(runs: readonly ComparisonRun[], keys: readonly string[], onlyDiffs: boolean): TableColumn[] {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const cols: TableColumn[] = [...params.map((name) => ({ kind: 'param' as const, name })), ...keys.map((name) => ({ kind: 'metric' as const, name }))];
  if (!onlyDiffs || runs.length < 2) return cols;
  return cols.filter((c) => new Set(runs.map((r) => cellText(r, c))).size > 1);
}

export function cellText(run: ComparisonRun, col: TableColumn): string {
  if (col.kind === 'param') return run.params[col.name] ?? '';
  const v = run.metrics[col.name];
  return v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : v;
}

/** `nameOf` gives a run's label (its name, told apart from others of the same name); the cell's title is the run id. */
export function renderTable(runs: readonly ComparisonRun[], cols: readonly TableColumn[], hidden: ReadonlySet<string>, nameOf: (run: ComparisonRun) => string = (r) => r.runName): HTMLElement {
  const head = h('tr', {}, h('th', {}, 'run'), ...cols.map((c) => h('th', { class: c.kind === 'metric' ? 'cmp-num' : '', title: `${c.kind} ${c.name}` }, c.name)));
  const rows = runs.map((run, i) => {
    const swatch = h('span', { class: 'cmp-swatch' });
    swatch.style.background = runStyle(i).color;
    const tr = h('tr', { class: hidden.has(run.runId) ? 'cmp-muted' : '' }, h('td', { title: run.runId }, swatch, nameOf(run)));
    for (const c of cols) tr.append(h('td', { class: c.kind === 'metric' ? 'cmp-num' : '' }, cellText(run, c)));
    return tr;
  });
  return h('table', { class: 'cmp-table' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

export function tableCsv(runs: readonly ComparisonRun[], cols: readonly TableColumn[]): string {
  const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['run_id', 'run_name', ...cols.map((c) => `${c.kind === 'param' ? 'params' : 'metrics'}.${c.name}`)].map(esc).join(',')];
  for (const r of runs) {
    lines.push([r.runId, r.runName, ...cols.map((c) => (c.kind === 'metric' && typeof r.metrics[c.name] === 'number' ? String(r.metrics[c.name]) : cellText(r, c)))].map(esc).join(','));
  }
  return lines.join('\n') + '\n';
}

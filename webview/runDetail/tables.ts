// Params, latest metrics (with a sparkline each) and tags (system tags folded).
import type { RunDetail, SparklineSeries } from '../../src/protocol/runDetailMessages';
import { h } from '../shared/uiKit';
import { formatTime, formatValue } from './format';
import { sparkline } from './sparkline';

export const isSystemTag = (key: string) => key.startsWith('mlflow.') || key.startsWith('mlops.');

function table(headers: string[], rows: (Node | string)[][], numeric: number[] = []): HTMLElement {
  return h(
    'table',
    { class: 'rd-table' },
    h('thead', {}, h('tr', {}, ...headers.map((c, i) => h('th', numeric.includes(i) ? { class: 'rd-num' } : {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', numeric.includes(i) ? { class: 'rd-num' } : {}, c))))),
  );
}

export function paramsTable(run: RunDetail): HTMLElement {
  const entries = Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return h('div', { class: 'mlops-empty' }, 'No params logged.');
  return table(['Param', 'Value'], entries.map(([k, v]) => [k, h('span', { class: 'rd-wrap', title: v }, v)]));
}

/** How the metrics table opens charts: the metrics charted now, and what a click on a row does. */
export interface MetricChartLinks {
  charted: readonly string[];
  open: (key: string, add: boolean) => void;
}

export function metricsTable(run: RunDetail, series: Map<string, SparklineSeries>, links: MetricChartLinks): { element: HTMLElement; sparklines: number } {
  if (run.metrics.length === 0) return { element: h('div', { class: 'mlops-empty' }, 'No metrics logged.'), sparklines: 0 };
  let drawn = 0;
  const charted = new Set(links.charted);
  const head = () => h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', { class: 'rd-num' }, 'Latest'), h('th', {}, 'History'), h('th', { class: 'rd-num' }, 'Step')));
  const rowOf = (m: RunDetail['metrics'][number]) => {
    const s = series.get(m.key);
    const spark = s && s.values.length > 1 ? (drawn++, sparkline(s.values)) : '';
    const shown = charted.has(m.key);
    // The name is the row's button (Tab, Enter); a click anywhere on the row, the sparkline included, does the same.
    const name = h('button', { class: 'rd-metric-open', 'data-metric': m.key, 'aria-pressed': String(shown), title: chartTitle(m.key, shown) }, m.key);
    const row = h('tr', { class: `rd-metric-row${shown ? ' rd-charted' : ''}`, 'data-metric': m.key }, h('td', {}, name), h('td', { class: 'rd-num' }, formatValue(m.value)), h('td', { class: 'rd-spark-cell' }, spark), h('td', { class: 'rd-num' }, String(m.step)));
    row.addEventListener('click', (e) => links.open(m.key, e.ctrlKey || e.metaKey || e.shiftKey));
    return row;
  };
  const table = (rows: RunDetail['metrics']) => h('table', { class: 'rd-table rd-metrics-table' }, head(), h('tbody', {}, ...rows.map(rowOf)));
  const user = run.metrics.filter((m) => !m.key.startsWith('system/'));
  const system = run.metrics.filter((m) => m.key.startsWith('system/'));
  const element = h('div', {});
  if (user.length) element.append(table(user));
  if (system.length) {
    const details = h('details', { class: 'rd-fold' }, h('summary', {}, `System metrics (${system.length})`), table(system));
    if (!user.length || system.some((m) => charted.has(m.key))) (details as HTMLDetailsElement).open = true;
    element.append(details);
  }
  const last = Math.max(...run.metrics.map((m) => m.timestamp));
  element.append(h('div', { class: 'rd-note-line' }, `Last logged ${formatTime(last)} · click a metric for its chart`));
  return { element, sparklines: drawn };
}

/** Marks the charted metrics' rows in place (the table keeps its focus and scroll). */
export function markCharted(table: HTMLElement, charted: readonly string[]): void {
  const shown = new Set(charted);
  for (const row of table.querySelectorAll<HTMLElement>('.rd-metric-row')) {
    const on = shown.has(row.dataset.metric ?? '');
    row.classList.toggle('rd-charted', on);
    const button = row.querySelector<HTMLElement>('.rd-metric-open');
    if (!button) continue;
    button.setAttribute('aria-pressed', String(on));
    button.title = chartTitle(row.dataset.metric ?? '', on);
  }
  for (const fold of table.querySelectorAll<HTMLDetailsElement>('details.rd-fold')) if (fold.querySelector('.rd-charted')) fold.open = true;
}

function chartTitle(key: string, shown: boolean): string {
  return shown ? `${key}: charted below (Ctrl+click to remove it)` : `Chart ${key} (Ctrl+click to add it beside the open chart)`;
}

export function tagsTable(run: RunDetail, systemOpen: boolean, onToggle: (open: boolean) => void): { element: HTMLElement; user: number; system: number } {
  const entries = Object.entries(run.tags).sort(([a], [b]) => a.localeCompare(b));
  const user = entries.filter(([k]) => !isSystemTag(k));
  const system = entries.filter(([k]) => isSystemTag(k));
  const element = h('div', {});
  element.append(user.length ? table(['Tag', 'Value'], user.map(([k, v]) => [k, h('span', { class: 'rd-wrap' }, v)])) : h('div', { class: 'mlops-empty' }, 'No tags of your own. Add one from the Experiments view (Add Tag…).'));
  if (system.length) {
    const details = h('details', { class: 'rd-fold' }, h('summary', {}, `System tags (${system.length})`), table(['Tag', 'Value'], system.map(([k, v]) => [k, h('span', { class: 'rd-wrap rd-mono' }, v)])));
    (details as HTMLDetailsElement).open = systemOpen;
    details.addEventListener('toggle', () => onToggle((details as HTMLDetailsElement).open));
    element.append(details);
  }
  return { element, user: user.length, system: system.length };
}

// The latest window's per-feature results: feature, type, test, score,
// threshold, verdict; the prediction's row apart on top. Rows are kept by
// feature and updated in place on each poll (the focus and the scroll stay);
// a click, Enter or the arrow keys select a feature (its histogram shows).
import type { FeatureDriftResult } from '../../src/protocol/monitoring';
import type { DriftTableSort } from '../../src/protocol/monitoringPanelMessages';
import { h } from '../shared/uiKit';
import { formatScore, scoreLabel, sortFeatures, verdictText, PREDICTION } from './monitoringModel';

const COLUMNS: { key: DriftTableSort['column']; label: string; title: string; numeric?: boolean }[] = [
  { key: 'feature', label: 'Feature', title: 'Sort by name' },
  { key: 'type', label: 'Type', title: 'Sort by type (numerical, categorical)' },
  { key: 'test', label: 'Test', title: 'Sort by statistical test' },
  { key: 'score', label: 'Score', title: 'Sort by score (a p-value drifts below its threshold, a distance at or above it)', numeric: true },
  { key: 'threshold', label: 'Threshold', title: 'Sort by threshold', numeric: true },
  { key: 'verdict', label: 'Verdict', title: 'Drifted first, furthest past the threshold first' },
];

export interface DriftTableEvents {
  onSelect(feature: string): void;
  onSort(sort: DriftTableSort): void;
}

export class DriftTable {
  readonly element: HTMLElement;
  private readonly predictionBody = h('tbody', { class: 'mon-pred' });
  private readonly body = h('tbody');
  private readonly headers = new Map<DriftTableSort['column'], HTMLElement>();
  private readonly rowsByFeature = new Map<string, HTMLTableRowElement>();
  private order: string[] = [];
  private sort: DriftTableSort;
  private selected: string | null = null;

  constructor(
    initialSort: DriftTableSort,
    private readonly events: DriftTableEvents,
  ) {
    this.sort = initialSort;
    const headRow = h('tr');
    for (const c of COLUMNS) {
      const button = h('button', { class: 'mon-sort', title: c.title, type: 'button' }, c.label);
      button.addEventListener('click', () => {
        const descending = this.sort.column === c.key ? !this.sort.descending : c.key === 'verdict';
        this.sort = { column: c.key, descending };
        this.events.onSort(this.sort);
      });
      const th = h('th', { scope: 'col', class: c.numeric ? 'mon-num' : '' }, button);
      this.headers.set(c.key, th);
      headRow.append(th);
    }
    const table = h('table', { class: 'mon-table mon-features', 'aria-label': 'Drift by feature, latest window' }, h('thead', {}, headRow), this.predictionBody, this.body);
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.element = h('div', { class: 'mon-table-wrap' }, table);
  }

  get currentSort(): DriftTableSort {
    return this.sort;
  }

  /** Rows top to bottom, as drawn. */
  rows(): string[] {
    return [...this.element.querySelectorAll<HTMLTableRowElement>('tr[data-feature]')].map((tr) => tr.dataset.feature!);
  }

  drifted(): string[] {
    return [...this.element.querySelectorAll<HTMLTableRowElement>('tr[data-feature].mon-drifted')].map((tr) => tr.dataset.feature!);
  }

  draw(features: readonly FeatureDriftResult[], prediction: FeatureDriftResult | null, selected: string | null, sort: DriftTableSort): void {
    this.sort = sort;
    for (const [key, th] of this.headers) {
      th.setAttribute('aria-sort', key === sort.column ? (sort.descending ? 'descending' : 'ascending') : 'none');
      th.classList.toggle('mon-sorted', key === sort.column);
    }
    const sorted = sortFeatures(features, sort);
    const present = new Set<string>([...sorted.map((r) => r.feature), ...(prediction ? [PREDICTION] : [])]);
    for (const [feature, tr] of this.rowsByFeature) {
      if (!present.has(feature)) {
        tr.remove();
        this.rowsByFeature.delete(feature);
      }
    }
    if (prediction) this.predictionBody.replaceChildren(this.row(PREDICTION, prediction));
    else this.predictionBody.replaceChildren();
    const order = sorted.map((r) => r.feature);
    const rows = sorted.map((r) => this.row(r.feature, r));
    // Moved only when the order changed: moving a focused row would drop its focus.
    if (order.join('\n') !== this.order.join('\n')) this.body.replaceChildren(...rows);
    this.order = order;
    this.select(selected, false);
  }

  select(feature: string | null, focus: boolean): void {
    this.selected = feature;
    for (const [f, tr] of this.rowsByFeature) {
      const on = f === feature;
      tr.classList.toggle('mon-selected', on);
      tr.setAttribute('aria-selected', String(on));
      if (on && focus) tr.focus();
    }
  }

  /** The feature's row, made once and then updated. */
  private row(feature: string, r: FeatureDriftResult): HTMLTableRowElement {
    let tr = this.rowsByFeature.get(feature);
    if (!tr) {
      tr = h('tr', { 'data-feature': feature, tabindex: '0', 'aria-selected': 'false' }) as HTMLTableRowElement;
      for (let i = 0; i < COLUMNS.length; i++) tr.append(h('td', { class: COLUMNS[i].numeric ? 'mon-num' : '' }));
      tr.addEventListener('click', () => this.events.onSelect(feature));
      this.rowsByFeature.set(feature, tr);
    }
    const cells = tr.children;
    const name = feature === PREDICTION ? [h('span', {}, r.feature), h('span', { class: 'mon-tag' }, 'model output')] : [r.feature];
    setCell(cells[0], r.feature, ...name);
    setCell(cells[1], r.type);
    setCell(cells[2], r.test, `${r.test}`);
    cells[2].setAttribute('title', scoreLabel(r));
    setCell(cells[3], formatScore(r.score), formatScore(r.score));
    cells[3].setAttribute('title', `${scoreLabel(r)}: ${r.score}${r.statistic !== undefined && r.scoreKind === 'p_value' ? ` (statistic ${formatScore(r.statistic)})` : ''} · ${r.referenceCount} reference rows, ${r.currentCount} current`);
    setCell(cells[4], `${r.scoreKind === 'p_value' ? '<' : '≥'} ${formatScore(r.threshold)}`, h('span', { class: 'mon-rel' }, r.scoreKind === 'p_value' ? '< ' : '≥ '), formatScore(r.threshold));
    cells[4].setAttribute('title', r.scoreKind === 'p_value' ? `Drifts when the p-value is below ${r.threshold}` : `Drifts when the distance is at or above ${r.threshold}`);
    const verdict = verdictText(r);
    setCell(cells[5], verdict, h('span', { class: `mon-verdict mon-verdict-${r.error ? 'error' : r.drifted ? 'drift' : 'ok'}` }, verdict));
    cells[5].setAttribute('title', r.error ?? '');
    tr.classList.toggle('mon-drifted', r.drifted && !r.error);
    tr.setAttribute('aria-label', `${r.feature}: ${verdict}, ${scoreLabel(r)} ${formatScore(r.score)}`);
    return tr;
  }

  private onKey(e: KeyboardEvent): void {
    const rows = this.rows();
    if (rows.length === 0) return;
    const at = this.selected ? rows.indexOf(this.selected) : -1;
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      const focused = (e.target as HTMLElement).closest<HTMLTableRowElement>('tr[data-feature]');
      if (focused) {
        e.preventDefault();
        this.events.onSelect(focused.dataset.feature!);
      }
      return;
    }
    if (next === undefined) return;
    e.preventDefault();
    this.events.onSelect(rows[next]);
    this.rowsByFeature.get(rows[next])?.focus();
  }
}

/** Replaces a cell's content only when its text changed (no churn every 2 s). */
function setCell(cell: Element, key: string, ...content: (Node | string)[]): void {
  if ((cell as HTMLElement).dataset.key === key) return;
  (cell as HTMLElement).dataset.key = key;
  cell.replaceChildren(...(content.length ? content : [key]));
}

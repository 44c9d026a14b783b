// A metric chart's tooltip as HTML over the canvas rather than drawn on it: it
// takes the theme's hover colours, may be wider than a small chart, and its text
// is in the page (screen readers, tests).
import { h } from './uiKit';

export interface TooltipRow {
  name: string;
  color: string;
  dashed: boolean;
  value: string;
  /** Where the run's point is not at the hovered x (a run that logs every 10th step): its own x. */
  note?: string;
}

/** More rows than this make a tooltip taller than the chart: the rest are counted. */
const MAX_ROWS = 20;
const GAP = 14;

export class ChartTooltip {
  readonly element = h('div', { class: 'mc-tip', role: 'tooltip', hidden: '' });

  /** Shows `rows` beside the point (x, y) of the chart's box `host` (CSS pixels, relative to it). */
  show(title: string, rows: readonly TooltipRow[], at: { x: number; y: number }, host: HTMLElement): void {
    this.element.textContent = '';
    const table = h('table', { class: 'mc-tip-rows' });
    for (const row of rows.slice(0, MAX_ROWS)) {
      const swatch = h('span', { class: row.dashed ? 'mc-tip-swatch mc-tip-dashed' : 'mc-tip-swatch' });
      swatch.style.borderColor = row.color;
      const value = h('td', { class: 'mc-tip-value' }, row.value);
      if (row.note) value.append(h('span', { class: 'mc-tip-note' }, ` at ${row.note}`));
      table.append(h('tr', { class: 'mc-tip-row' }, h('td', {}, swatch), h('td', { class: 'mc-tip-name' }, row.name), value));
    }
    this.element.append(h('div', { class: 'mc-tip-title' }, title), table);
    if (rows.length > MAX_ROWS) this.element.append(h('div', { class: 'mc-tip-more' }, `and ${rows.length - MAX_ROWS} more runs`));
    this.element.hidden = false;
    // Right of the point, or left of it when it would run past the panel's right edge;
    // it may reach over the charts beside (a chart is narrower than a list of runs).
    const w = this.element.offsetWidth;
    const height = this.element.offsetHeight;
    const hostLeft = host.getBoundingClientRect().left;
    const room = document.documentElement.clientWidth - hostLeft;
    const left = at.x + GAP + w <= room ? at.x + GAP : Math.max(at.x - GAP - w, -hostLeft);
    this.element.style.left = `${left}px`;
    this.element.style.top = `${Math.max(0, Math.min(host.clientHeight - height, at.y - height / 2))}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}

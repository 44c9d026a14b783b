// One chart.js line chart per metric key, with the runs overlaid. Data arrive
// already downsampled (M4) from the backend, so chart.js only draws: no
// parsing, no decimation, no animation.
import {
  Chart,
  Interaction,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  type ChartDataset,
  type ChartEvent,
  type InteractionItem,
  type InteractionModeFunction,
  type ScatterDataPoint,
  type TooltipModel,
} from 'chart.js';
import { h } from './uiKit';
import { faint, runStyle } from './runColors';
import { ema } from './smoothing';
import { formatNumber, formatTick, tickStep } from './numberFormat';
import { installMetricChartStyles } from './metricChartStyles';
import { hoveredX, pointsAtX } from './pointsAtX';
import { ChartTooltip } from './chartTooltip';

export { formatNumber };

declare module 'chart.js' {
  interface InteractionModeMap {
    /** Every run's point at the hovered x (see pointsAtX). */
    runsAtX: InteractionModeFunction;
  }
}

Chart.register(LineController, LineElement, PointElement, ScatterController, LinearScale, LogarithmicScale, Tooltip);

/** The MetricChart of each chart.js chart: the interaction mode asks it which points are hovered. */
const owners = new WeakMap<Chart, MetricChart>();
Interaction.modes.runsAtX = (chart, e) => owners.get(chart)?.itemsAt(e) ?? [];
/** A curve's end counts as hovered this many pixels past it. */
const END_SLACK_PX = 4;
/** A run whose point is this many pixels or more from the hovered x says at which x its value is. */
const NOTE_PX = 3;

export type XMode = 'step' | 'wall' | 'relative';

/** One run's series for one key: x in steps or epoch ms, y with NaN for gaps. */
export interface RunSeries {
  x: Float64Array;
  y: Float64Array;
  steps?: Float64Array;
}

export interface ChartRun {
  index: number;
  runId: string;
  name: string;
  startTime: number | null;
}

export interface DrawOptions {
  x: XMode;
  smoothing: number;
  logScale: boolean;
  hidden: ReadonlySet<string>;
  xRange: { min: number; max: number } | null;
}

/** The x and y ranges of a drawn chart: on its axes, and of the points it plots. */
export interface ChartExtent {
  axis: { xMin: number; xMax: number; yMin: number; yMax: number };
  data: { xMin: number; xMax: number; yMin: number; yMax: number } | null;
  xTitle: string;
  logScale: boolean;
  /** The plot area in CSS pixels. */
  width: number;
  height: number;
}

export interface ThemeColors {
  text: string;
  grid: string;
  font: string;
}

export function themeColors(): ThemeColors {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--vscode-descriptionForeground', v('--vscode-foreground', '#888')),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

interface DatasetMeta {
  runId: string;
  name: string;
  raw: boolean;
  color: string;
  dashed: boolean;
}


function axisTitle(mode: XMode): string {
  return mode === 'step' ? 'step' : mode === 'wall' ? 'wall time' : 'time since start';
}

export function formatX(v: number, mode: XMode): string {
  if (mode === 'step') return String(Math.round(v));
  if (mode === 'wall') return new Date(v).toLocaleTimeString();
  const s = Math.round(v / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh > 0 ? `${hh}h${String(mm).padStart(2, '0')}m` : mm > 0 ? `${mm}m${String(ss).padStart(2, '0')}s` : `${ss}s`;
}

/**
 * A metric chart with box/wheel zoom and shift-drag pan; zoom and pan are reported
 * to `onRange` so every chart shares the x range and the host re-fetches finer data.
 */
export class MetricChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private chart?: Chart<'line', ScatterDataPoint[]>;
  private meta: DatasetMeta[] = [];
  private readonly box: HTMLElement;
  private readonly tooltip = new ChartTooltip();
  /** The x the tooltip is about, found with the hovered points. */
  private tooltipX?: number;
  private mode: XMode = 'step';
  /** Listeners on the window (a drag may end outside the canvas), removed with the chart. */
  private readonly windowListeners: [string, (e: MouseEvent) => void][] = [];
  points = 0;
  runsDrawn = 0;

  constructor(
    readonly key: string,
    private readonly onRange: (range: { min: number; max: number } | null) => void,
    onExport: (key: string, dataUrl: string) => void,
    /** Given, the chart has a close button (the run panel's charts; the comparison shows every key). */
    onClose?: (key: string) => void,
  ) {
    installMetricChartStyles();
    this.canvas = h('canvas', { 'aria-label': `Chart of ${key}`, role: 'img' });
    this.box = h('div', { class: 'mc-zoom-box', hidden: '' });
    const exportButton = h('button', { class: 'mc-link', title: 'Save this chart as PNG' }, 'PNG');
    exportButton.addEventListener('click', () => onExport(key, this.toPng()));
    const reset = h('button', { class: 'mc-link', title: 'Reset zoom (or double-click the chart)' }, 'Reset');
    reset.addEventListener('click', () => this.onRange(null));
    const tools = h('span', { class: 'mc-chart-tools' }, reset, exportButton);
    if (onClose) {
      const close = h('button', { class: 'mc-link mc-close', title: `Close the chart of ${key}`, 'aria-label': `Close the chart of ${key}` }, '✕');
      close.addEventListener('click', () => onClose(key));
      tools.append(close);
    }
    this.element = h(
      'div',
      { class: 'mc-chart', 'data-key': key },
      h('div', { class: 'mc-chart-head' }, h('span', { class: 'mc-chart-title', title: key }, key), tools),
      h('div', { class: 'mc-canvas-wrap' }, this.canvas, this.box, this.tooltip.element),
    );
    this.attachZoom();
  }

  /** Rebuilds the datasets and draws synchronously (animation is off). */
  draw(runs: readonly ChartRun[], data: ReadonlyMap<string, RunSeries>, options: DrawOptions, theme: ThemeColors): void {
    this.mode = options.x;
    const datasets: ChartDataset<'line', ScatterDataPoint[]>[] = [];
    this.meta = [];
    this.points = 0;
    this.runsDrawn = 0;
    for (const run of runs) {
      const s = data.get(run.runId);
      if (!s || s.x.length === 0) continue;
      const style = runStyle(run.index);
      const hidden = options.hidden.has(run.runId);
      const offset = options.x === 'relative' ? (run.startTime ?? s.x[0]) : 0;
      const toPoints = (y: Float64Array): ScatterDataPoint[] => {
        const pts = new Array<ScatterDataPoint>(y.length);
        for (let i = 0; i < y.length; i++) {
          const v = y[i];
          pts[i] = { x: s.x[i] - offset, y: options.logScale && !(v > 0) ? NaN : v };
        }
        return pts;
      };
      if (options.smoothing > 0) {
        datasets.push({ label: run.name, data: toPoints(s.y), borderColor: faint(style.color), borderWidth: 1, borderDash: style.dash, pointRadius: 0, hidden });
        this.meta.push({ runId: run.runId, name: run.name, raw: true, color: style.color, dashed: style.dash.length > 0 });
      }
      const y = options.smoothing > 0 ? ema(s.y, options.smoothing) : s.y;
      // A series of one point (a final metric logged once) has no line to draw: show the point.
      datasets.push({ label: run.name, data: toPoints(y), borderColor: style.color, backgroundColor: style.color, borderWidth: 1.5, borderDash: style.dash, pointRadius: s.x.length === 1 ? 3 : 0, pointHoverRadius: 3, hidden });
      this.meta.push({ runId: run.runId, name: run.name, raw: false, color: style.color, dashed: style.dash.length > 0 });
      if (!hidden) {
        this.runsDrawn++;
        this.points += s.x.length;
      }
    }
    const mode = options.x;
    const scales = {
      x: {
        type: 'linear' as const,
        // The axis ends where the data end (not at the next round tick): a line that stops short reads as missing steps.
        bounds: 'data' as const,
        min: options.xRange?.min,
        max: options.xRange?.max,
        grid: { color: theme.grid },
        // Steps are whole numbers: no ticks between them (a one-step series would read -1 -1 0 0 1).
        ticks: { color: theme.text, maxRotation: 0, autoSkipPadding: 12, precision: mode === 'step' ? 0 : undefined, callback: (v: number | string) => formatX(Number(v), mode) },
        title: { display: true, text: axisTitle(mode), color: theme.text },
      },
      y: {
        type: options.logScale ? ('logarithmic' as const) : ('linear' as const),
        grid: { color: theme.grid },
        // Linear ticks get the digits their spacing needs (a zoomed-in curve's ticks must not read the same); log ticks are decades.
        ticks: { color: theme.text, callback: (v: number | string, _i: number, all: { value: number }[]) => (options.logScale ? formatNumber(Number(v)) : formatTick(Number(v), tickStep(all.map((t) => t.value)))) },
      },
    };
    if (this.chart) {
      this.chart.data.datasets = datasets;
      this.chart.options.scales = scales;
      this.chart.options.normalized = mode === 'step';
      this.chart.update('none');
      return;
    }
    Chart.defaults.font.family = theme.font;
    this.chart = new Chart<'line', ScatterDataPoint[]>(this.canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: false,
        normalized: mode === 'step',
        spanGaps: false,
        responsive: true,
        maintainAspectRatio: false,
        events: ['mousemove', 'mouseout'],
        // The tooltip lists every run at the hovered step, not only the curve nearest the pointer.
        interaction: { mode: 'runsAtX', intersect: false },
        scales,
        plugins: {
          tooltip: {
            enabled: false,
            external: ({ tooltip }) => this.showTooltip(tooltip),
            filter: (item) => !this.meta[item.datasetIndex]?.raw,
            // Top to bottom as the curves are at that step.
            itemSort: (a, b) => (b.parsed.y ?? -Infinity) - (a.parsed.y ?? -Infinity),
          },
        },
      },
    });
    owners.set(this.chart, this);
  }

  /** The hovered points: each visible run's nearest the pointer's x (the interaction mode runsAtX). */
  itemsAt(e: ChartEvent): InteractionItem[] {
    const chart = this.chart;
    const area = chart?.chartArea;
    if (!chart || !area || e.x === null || e.y === null || e.x < area.left || e.x > area.right || e.y < area.top || e.y > area.bottom) return [];
    const xScale = chart.scales.x;
    const x = xScale.getValueForPixel(e.x)!;
    const slack = Math.abs(xScale.getValueForPixel(e.x + END_SLACK_PX)! - x);
    const series = chart.data.datasets.map((d, i) => (this.meta[i]?.raw || !chart.isDatasetVisible(i) ? null : d.data));
    const points = pointsAtX(series, x, slack);
    this.tooltipX = hoveredX(points, x);
    return points.map((p) => ({ element: chart.getDatasetMeta(p.series).data[p.index], datasetIndex: p.series, index: p.index }));
  }

  private showTooltip(model: TooltipModel<'line'>): void {
    const chart = this.chart;
    const items = model.dataPoints ?? [];
    if (!chart || model.opacity === 0 || items.length === 0) return this.tooltip.hide();
    const x = this.tooltipX ?? items[0].parsed.x ?? 0;
    const xScale = chart.scales.x;
    const at = (v: number) => `${this.mode === 'step' ? 'step ' : ''}${formatX(v, this.mode)}`;
    const rows = items.map((item) => {
      const meta = this.meta[item.datasetIndex];
      const px = item.parsed.x ?? x;
      const apart = Math.abs(xScale.getPixelForValue(px) - xScale.getPixelForValue(x)) >= NOTE_PX;
      return { name: meta?.name ?? '', color: meta?.color ?? '', dashed: meta?.dashed ?? false, value: formatNumber(item.parsed.y ?? NaN), note: apart ? at(px) : undefined };
    });
    this.tooltip.show(at(x), rows, { x: model.caretX, y: model.caretY }, this.canvas.parentElement!);
  }

  toPng(): string {
    return this.canvas.toDataURL('image/png');
  }

  private attachZoom(): void {
    let start: number | undefined;
    let panFrom: { px: number; min: number; max: number } | undefined;
    const scale = () => this.chart?.scales.x;
    const localX = (e: MouseEvent) => e.clientX - this.canvas.getBoundingClientRect().left;
    this.canvas.addEventListener('mousedown', (e) => {
      const sx = scale();
      if (!sx || e.button !== 0) return;
      if (e.shiftKey) panFrom = { px: localX(e), min: sx.min, max: sx.max };
      else start = localX(e);
    });
    this.onWindow('mousemove', (e) => {
      const sx = scale();
      if (!sx) return;
      if (panFrom) {
        const dx = sx.getValueForPixel(panFrom.px)! - sx.getValueForPixel(localX(e))!;
        this.onRange({ min: panFrom.min + dx, max: panFrom.max + dx });
        panFrom = { px: localX(e), min: panFrom.min + dx, max: panFrom.max + dx };
      } else if (start !== undefined) {
        const x = Math.max(sx.left, Math.min(sx.right, localX(e)));
        this.box.hidden = false;
        this.box.style.left = `${Math.min(start, x)}px`;
        this.box.style.width = `${Math.abs(x - start)}px`;
        this.box.style.top = `${this.chart!.chartArea.top}px`;
        this.box.style.height = `${this.chart!.chartArea.bottom - this.chart!.chartArea.top}px`;
      }
    });
    this.onWindow('mouseup', (e) => {
      const sx = scale();
      panFrom = undefined;
      if (start === undefined || !sx) return;
      const end = Math.max(sx.left, Math.min(sx.right, localX(e)));
      const a = start;
      start = undefined;
      this.box.hidden = true;
      if (Math.abs(end - a) < 5) return;
      this.onRange({ min: sx.getValueForPixel(Math.min(a, end))!, max: sx.getValueForPixel(Math.max(a, end))! });
    });
    this.canvas.addEventListener('dblclick', () => this.onRange(null));
    this.canvas.addEventListener(
      'wheel',
      (e) => {
        const sx = scale();
        // Ctrl/Cmd + wheel zooms; a plain wheel keeps scrolling the page.
        if (!sx || !(e.ctrlKey || e.metaKey)) return;
        e.preventDefault();
        const center = sx.getValueForPixel(localX(e))!;
        const factor = e.deltaY < 0 ? 0.8 : 1.25;
        this.onRange({ min: center - (center - sx.min) * factor, max: center + (sx.max - center) * factor });
      },
      { passive: false },
    );
  }

  private onWindow(type: 'mousemove' | 'mouseup', listener: (e: MouseEvent) => void): void {
    window.addEventListener(type, listener);
    this.windowListeners.push([type, listener]);
  }

  /** What the axes show and what the data span, after the last draw (reports for tests). */
  extent(): ChartExtent | undefined {
    const c = this.chart;
    if (!c) return undefined;
    let xMin = Infinity;
    let xMax = -Infinity;
    let yMin = Infinity;
    let yMax = -Infinity;
    c.data.datasets.forEach((d, i) => {
      if (d.hidden || this.meta[i]?.raw) return;
      for (const p of d.data) {
        const px = p.x ?? NaN;
        const py = p.y ?? NaN;
        if (!Number.isFinite(py) || !Number.isFinite(px)) continue;
        if (px < xMin) xMin = px;
        if (px > xMax) xMax = px;
        if (py < yMin) yMin = py;
        if (py > yMax) yMax = py;
      }
    });
    const { x, y } = c.scales;
    return {
      axis: { xMin: x.min, xMax: x.max, yMin: y.min, yMax: y.max },
      data: Number.isFinite(xMin) ? { xMin, xMax, yMin, yMax } : null,
      xTitle: axisTitle(this.mode),
      logScale: y.type === 'logarithmic',
      width: c.chartArea.right - c.chartArea.left,
      height: c.chartArea.bottom - c.chartArea.top,
    };
  }

  destroy(): void {
    for (const [type, listener] of this.windowListeners.splice(0)) window.removeEventListener(type, listener as EventListener);
    this.chart?.destroy();
    this.element.remove();
  }
}

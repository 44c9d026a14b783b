// Parallel coordinates of params -> a metric, drawn on a canvas (chart.js has
// none): an axis per varying param, the metric last, a polyline per run coloured
// by the metric (viridis, with a colour bar) or by the run's own colour. Drag on
// an axis to brush a range (the other runs fade), click an axis to clear its
// brush, hover a line to see the run.
import type { ComparisonOptions, ComparisonRun, ParallelReport } from '../../src/protocol/comparisonMessages';
import { h } from '../shared/uiKit';
import { faint, runStyle, sequentialColor } from '../shared/runColors';
import { formatNumber } from '../shared/numberFormat';
import { axesBottom, buildModel, MISSING_POS, ticks, valueAt, type AxisLine, type ParallelModel } from './parallelAxes';

type Options = Pick<ComparisonOptions, 'parallelMetric' | 'parallelColor' | 'parallelBrushes'>;

const HEIGHT = 340;
const PAD = { top: 44, bottom: 30, left: 64 };
const BAR = { gap: 26, width: 10, labels: 70 };
/** How close (px) the pointer must be to an axis to brush it, or to a line to hover it. */
const AXIS_GRAB = 14;
const LINE_HOVER = 6;

interface Theme {
  text: string;
  muted: string;
  axis: string;
  background: string;
  brush: string;
  brushBorder: string;
  font: string;
  dark: boolean;
}

function theme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--vscode-foreground', '#ccc'),
    muted: v('--vscode-descriptionForeground', '#999'),
    axis: v('--vscode-descriptionForeground', '#888'),
    background: v('--vscode-editor-background', '#1e1e1e'),
    brush: v('--vscode-editor-selectionBackground', 'rgba(38, 79, 120, 0.6)'),
    brushBorder: v('--vscode-focusBorder', '#007fd4'),
    font: v('--vscode-font-family', 'sans-serif'),
    dark: document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast'),
  };
}

export class ParallelCoordinates {
  readonly element: HTMLElement;
  private readonly controls = h('div', { class: 'cmp-toolbar-row' });
  private readonly note = h('div', { class: 'cmp-pc-note', role: 'status' });
  private readonly wrap = h('div', { class: 'cmp-pc-wrap' });
  private readonly canvas = h('canvas', { role: 'img', 'aria-label': 'Parallel coordinates of params and a metric' });
  private readonly tip = h('div', { class: 'cmp-pc-tip', hidden: '' });
  private runs: readonly ComparisonRun[] = [];
  private all: readonly ComparisonRun[] = [];
  private colorIndex = new Map<string, number>();
  private nameOf: (run: ComparisonRun) => string = (r) => r.runName;
  private keys: readonly string[] = [];
  private options: Options = { parallelColor: 'metric', parallelBrushes: {} };
  private model?: ParallelModel;
  private metric = '';
  private hovered?: AxisLine;
  private drag?: { axis: number; from: number };
  private lastReport?: ParallelReport;

  constructor(
    private readonly onOptions: (change: Partial<Options>) => void,
    private readonly onDrawn: () => void,
  ) {
    this.wrap.append(this.canvas, this.tip);
    this.element = h('div', { class: 'cmp-parallel' }, this.controls, this.wrap, this.note);
    let width = 0;
    new ResizeObserver(() => {
      if (this.wrap.clientWidth !== width) ((width = this.wrap.clientWidth), this.scheduleRedraw());
    }).observe(this.wrap);
    this.attachPointer();
  }

  /** New runs, metrics or options: rebuild the axes and draw. `all` fixes the runs' colours. */
  update(shown: readonly ComparisonRun[], all: readonly ComparisonRun[], keys: readonly string[], options: Options, nameOf: (run: ComparisonRun) => string = this.nameOf): void {
    this.runs = shown;
    this.nameOf = nameOf;
    this.all = all;
    this.colorIndex = new Map(all.map((r, i) => [r.runId, i]));
    this.keys = keys;
    this.options = { parallelMetric: options.parallelMetric, parallelColor: options.parallelColor, parallelBrushes: { ...options.parallelBrushes } };
    const userKeys = keys.filter((k) => !k.startsWith('system/'));
    this.metric = options.parallelMetric && keys.includes(options.parallelMetric) ? options.parallelMetric : (userKeys[0] ?? keys[0] ?? '');
    this.model = this.metric ? buildModel(shown, this.metric) : undefined;
    this.hovered = undefined;
    this.renderControls();
    this.showNote();
    this.scheduleRedraw();
  }

  private pending?: number;
  /**
   * Draws when the panel is idle: the parallel coordinates sit below the charts,
   * and drawing them (a layout of the whole panel) must not delay the charts'
   * series, which arrive right after the runs.
   */
  private scheduleRedraw(): void {
    if (this.pending !== undefined) return;
    this.pending = requestIdleCallback(
      () => {
        this.pending = undefined;
        this.redraw();
      },
      { timeout: 300 },
    );
  }

  report(): ParallelReport | undefined {
    return this.lastReport;
  }

  private set(change: Partial<Options>): void {
    this.options = { ...this.options, ...change };
    this.onOptions(change);
  }

  private renderControls(): void {
    this.controls.textContent = '';
    if (this.keys.length === 0) return;
    const metric = h('select', { 'aria-label': 'Parallel coordinates metric' });
    for (const k of this.keys) metric.append(h('option', { value: k }, k));
    metric.value = this.metric;
    metric.addEventListener('change', () => {
      this.set({ parallelMetric: metric.value, parallelBrushes: {} });
      this.update(this.runs, this.all, this.keys, this.options);
    });
    const color = h('select', { 'aria-label': 'Colour lines by' });
    color.append(h('option', { value: 'metric' }, 'metric value'), h('option', { value: 'run' }, 'run colour'));
    color.value = this.options.parallelColor;
    color.addEventListener('change', () => {
      this.set({ parallelColor: color.value === 'run' ? 'run' : 'metric' });
      this.redraw();
    });
    const clear = h('button', { class: 'cmp-button', title: 'Show every run again' }, 'Clear brushes');
    clear.addEventListener('click', () => {
      this.set({ parallelBrushes: {} });
      this.redraw();
    });
    this.controls.append(
      h('label', { class: 'cmp-control' }, 'Metric ', metric),
      h('label', { class: 'cmp-control' }, 'Colour by ', color),
      clear,
      h('span', { class: 'cmp-hint' }, 'Drag along an axis to filter · click an axis to clear it'),
    );
  }

  // ---- geometry -----------------------------------------------------------------
  private layout(width: number): { xs: number[]; top: number; bottom: number; bar: boolean } {
    const n = this.model?.axes.length ?? 0;
    const bar = this.options.parallelColor === 'metric';
    const right = bar ? BAR.gap + BAR.width + BAR.labels : 30;
    const span = Math.max(0, width - PAD.left - right);
    const xs = Array.from({ length: n }, (_, i) => (n === 1 ? PAD.left + span / 2 : PAD.left + (span * i) / (n - 1)));
    const missing = this.model?.axes.some((a) => a.hasMissing) ?? false;
    return { xs, top: PAD.top, bottom: axesBottom(HEIGHT, PAD, missing), bar };
  }

  private y(pos: number, top: number, bottom: number): number {
    return bottom - pos * (bottom - top);
  }

  private inBrushes(line: AxisLine): boolean {
    const axes = this.model!.axes;
    for (let i = 0; i < axes.length; i++) {
      const b = this.options.parallelBrushes[axes[i].name];
      if (b && !(line.pos[i] >= b[0] && line.pos[i] <= b[1])) return false;
    }
    return true;
  }

  // ---- drawing ------------------------------------------------------------------
  /** Draws; `report` tells the host (not for hover frames). */
  redraw(report = true): void {
    const model = this.model;
    const width = this.wrap.clientWidth;
    if (!model || width === 0) return this.showNote();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const t = theme();
    const { xs, top, bottom, bar } = this.layout(width);
    const metricAxis = model.axes[model.axes.length - 1];
    const colorOf = (line: AxisLine) =>
      this.options.parallelColor === 'run' ? runStyle(this.colorIndex.get(line.run.runId) ?? 0).color : sequentialColor((line.metric - metricAxis.min) / (metricAxis.max - metricAxis.min), t.dark);
    const inside = model.lines.filter((l) => this.inBrushes(l));
    const outside = model.lines.filter((l) => !this.inBrushes(l));
    const path = (line: AxisLine) => {
      ctx.beginPath();
      line.pos.forEach((p, i) => (i === 0 ? ctx.moveTo(xs[i], this.y(p, top, bottom)) : ctx.lineTo(xs[i], this.y(p, top, bottom))));
    };
    ctx.lineJoin = 'round';
    // Faded runs first, then those in the brushed ranges, the hovered one on top.
    ctx.lineWidth = 1;
    ctx.strokeStyle = faint(t.dark ? '#808080' : '#707070', 0.18);
    for (const line of outside) (path(line), ctx.stroke());
    const many = model.lines.length > 60;
    ctx.lineWidth = many ? 1.1 : 1.6;
    ctx.globalAlpha = many ? 0.75 : 0.9;
    for (const line of inside) {
      ctx.strokeStyle = colorOf(line);
      path(line);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (this.hovered) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = colorOf(this.hovered);
      path(this.hovered);
      ctx.stroke();
      ctx.fillStyle = colorOf(this.hovered);
      this.hovered.pos.forEach((p, i) => (ctx.beginPath(), ctx.arc(xs[i], this.y(p, top, bottom), 3.5, 0, Math.PI * 2), ctx.fill()));
    }
    this.drawAxes(ctx, t, xs, top, bottom, width);
    if (bar) this.drawColorBar(ctx, t, xs[xs.length - 1] + BAR.gap, top, bottom);
    this.lastReport = { metric: this.metric, axes: model.axes.map((a) => a.name), lines: model.lines.length, highlighted: inside.length, leftOut: model.leftOut.length };
    this.showNote(inside.length);
    if (report) this.onDrawn();
  }

  private drawAxes(ctx: CanvasRenderingContext2D, t: Theme, xs: number[], top: number, bottom: number, width: number): void {
    const model = this.model!;
    const spacing = xs.length > 1 ? xs[1] - xs[0] : width;
    ctx.font = `11px ${t.font}`;
    ctx.textBaseline = 'middle';
    model.axes.forEach((axis, i) => {
      const x = xs[i];
      const brush = this.options.parallelBrushes[axis.name];
      if (brush) {
        const y0 = this.y(brush[1], top, bottom);
        const y1 = this.y(brush[0], top, bottom);
        ctx.fillStyle = t.brush;
        ctx.globalAlpha = 0.55;
        ctx.fillRect(x - 8, y0, 16, y1 - y0);
        ctx.globalAlpha = 1;
        ctx.strokeStyle = t.brushBorder;
        ctx.lineWidth = 1;
        ctx.strokeRect(x - 8 + 0.5, y0 + 0.5, 15, Math.max(1, y1 - y0 - 1));
      }
      ctx.strokeStyle = t.axis;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, top);
      ctx.lineTo(Math.round(x) + 0.5, bottom);
      ctx.stroke();
      // Tick labels left of the axis, on a halo of the background so lines do not hide them.
      ctx.textAlign = 'right';
      const maxLabel = Math.min(PAD.left - 10, spacing - 16);
      for (const tick of ticks(axis)) {
        const y = this.y(tick.pos, top, bottom);
        ctx.strokeStyle = t.axis;
        ctx.beginPath();
        ctx.moveTo(x - 4, Math.round(y) + 0.5);
        ctx.lineTo(x, Math.round(y) + 0.5);
        ctx.stroke();
        const label = fit(ctx, tick.label, maxLabel);
        ctx.lineWidth = 3;
        ctx.strokeStyle = t.background;
        ctx.strokeText(label, x - 6, y);
        ctx.lineWidth = 1;
        ctx.fillStyle = tick.pos === MISSING_POS ? t.muted : t.text;
        ctx.fillText(label, x - 6, y);
      }
      // The axis name above it, centred, kept inside the canvas and its own column.
      ctx.font = `${axis.isMetric ? '600 ' : ''}12px ${t.font}`;
      const title = fit(ctx, axis.name, Math.max(40, spacing - 12));
      const w = ctx.measureText(title).width;
      const tx = Math.max(w / 2 + 2, Math.min(width - w / 2 - 2, x));
      ctx.textAlign = 'center';
      ctx.fillStyle = t.text;
      ctx.fillText(title, tx, top - 26);
      ctx.font = `10px ${t.font}`;
      ctx.fillStyle = t.muted;
      const sub = brush ? `${valueAt(axis, brush[0])} – ${valueAt(axis, brush[1])}` : axis.isMetric ? 'metric' : axis.kind === 'log' ? 'log scale' : axis.kind === 'category' ? 'category' : '';
      if (sub) ctx.fillText(fit(ctx, sub, Math.max(40, spacing - 12)), tx, top - 12);
      ctx.font = `11px ${t.font}`;
    });
  }

  private drawColorBar(ctx: CanvasRenderingContext2D, t: Theme, x: number, top: number, bottom: number): void {
    const axis = this.model!.axes[this.model!.axes.length - 1];
    const gradient = ctx.createLinearGradient(0, bottom, 0, top);
    for (let i = 0; i <= 10; i++) gradient.addColorStop(i / 10, sequentialColor(i / 10, t.dark));
    ctx.fillStyle = gradient;
    ctx.fillRect(x, top, BAR.width, bottom - top);
    ctx.strokeStyle = t.axis;
    ctx.strokeRect(x + 0.5, top + 0.5, BAR.width - 1, bottom - top - 1);
    ctx.font = `11px ${t.font}`;
    ctx.textAlign = 'left';
    ctx.fillStyle = t.text;
    // The best and worst values themselves: with close values, three digits would read the same at both ends.
    ctx.fillText(fit(ctx, formatNumber(axis.max), BAR.labels - 8), x + BAR.width + 5, top + 5);
    ctx.fillText(fit(ctx, formatNumber(axis.min), BAR.labels - 8), x + BAR.width + 5, bottom - 5);
  }

  private showNote(inRange?: number): void {
    const model = this.model;
    const parts: string[] = [];
    if (this.keys.length === 0) parts.push('Parallel coordinates need runs with metrics.');
    else if (model) {
      if (model.lines.length === 0) parts.push(`No run has a value of ${this.metric}.`);
      else if (model.axes.length === 1) parts.push('No param varies across these runs: only the metric axis is drawn.');
      if (inRange !== undefined && inRange < model.lines.length) parts.push(`${inRange} of ${model.lines.length} runs in the brushed ranges.`);
      if (model.leftOut.length > 0) parts.push(`${model.leftOut.length} run${model.leftOut.length === 1 ? '' : 's'} without ${this.metric} ${model.leftOut.length === 1 ? 'is' : 'are'} left out (${model.leftOut.slice(0, 3).map(this.nameOf).join(', ')}${model.leftOut.length > 3 ? ', …' : ''}).`);
      if (model.constant.length > 0) parts.push(`Same in every run, no axis: ${model.constant.join(', ')}.`);
    }
    this.note.textContent = parts.join(' ');
    this.note.hidden = parts.length === 0;
  }

  // ---- pointer --------------------------------------------------------------------
  private attachPointer(): void {
    const local = (e: MouseEvent) => {
      const r = this.canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const posAt = (y: number) => {
      const { top, bottom } = this.layout(this.wrap.clientWidth);
      return Math.max(0, Math.min(1, (bottom - y) / (bottom - top)));
    };
    this.canvas.addEventListener('mousedown', (e) => {
      const axis = this.axisAt(local(e));
      if (axis < 0 || e.button !== 0) return;
      e.preventDefault();
      this.drag = { axis, from: posAt(local(e).y) };
    });
    window.addEventListener('mousemove', (e) => {
      const p = local(e);
      if (this.drag) {
        const to = posAt(p.y);
        const name = this.model!.axes[this.drag.axis].name;
        if (Math.abs(to - this.drag.from) > 0.01) {
          this.options.parallelBrushes = { ...this.options.parallelBrushes, [name]: [Math.min(this.drag.from, to), Math.max(this.drag.from, to)] };
          this.redraw(false);
        }
        return;
      }
      if (e.target !== this.canvas) return;
      this.canvas.style.cursor = this.axisAt(p) >= 0 ? 'ns-resize' : 'default';
      this.hover(p);
    });
    window.addEventListener('mouseup', (e) => {
      const drag = this.drag;
      if (!drag) return;
      this.drag = undefined;
      const name = this.model!.axes[drag.axis].name;
      const moved = Math.abs(posAt(local(e).y) - drag.from) > 0.01;
      const brushes = { ...this.options.parallelBrushes };
      // A click without a drag clears that axis' brush.
      if (!moved) delete brushes[name];
      this.set({ parallelBrushes: brushes });
      this.redraw();
    });
    this.canvas.addEventListener('mouseleave', () => {
      this.tip.hidden = true;
      if (this.hovered) ((this.hovered = undefined), this.redraw(false));
    });
  }

  private axisAt(p: { x: number; y: number }): number {
    const { xs, top, bottom } = this.layout(this.wrap.clientWidth);
    if (p.y < top - 8 || p.y > bottom + 8) return -1;
    let best = -1;
    for (let i = 0; i < xs.length; i++) if (Math.abs(xs[i] - p.x) <= AXIS_GRAB && (best < 0 || Math.abs(xs[i] - p.x) < Math.abs(xs[best] - p.x))) best = i;
    return best;
  }

  private hover(p: { x: number; y: number }): void {
    const model = this.model;
    if (!model) return;
    const { xs, top, bottom } = this.layout(this.wrap.clientWidth);
    let best: AxisLine | undefined;
    let bestDistance = LINE_HOVER;
    // Lines in the brushed ranges win over faded ones.
    const candidates = [...model.lines.filter((l) => this.inBrushes(l)), ...model.lines.filter((l) => !this.inBrushes(l))];
    for (const line of candidates) {
      for (let i = 1; i < xs.length; i++) {
        if (p.x < xs[i - 1] - LINE_HOVER || p.x > xs[i] + LINE_HOVER) continue;
        const d = segmentDistance(p.x, p.y, xs[i - 1], this.y(line.pos[i - 1], top, bottom), xs[i], this.y(line.pos[i], top, bottom));
        if (d < bestDistance) ((bestDistance = d), (best = line));
      }
      if (best && this.inBrushes(best) && bestDistance < 2) break;
    }
    if (best !== this.hovered) {
      this.hovered = best;
      this.redraw(false);
    }
    if (!best) return void (this.tip.hidden = true);
    const rows = model.axes.map((axis) => `${axis.name}: ${axis.isMetric ? formatNumber(best!.metric) : (best!.run.params[axis.name] ?? '—')}`);
    this.tip.textContent = '';
    this.tip.append(h('div', { class: 'cmp-pc-tip-title' }, this.nameOf(best.run)), ...rows.map((r) => h('div', {}, r)), h('div', { class: 'cmp-pc-tip-id' }, `run ${best.run.runId}`));
    this.tip.hidden = false;
    // Right of the pointer, or left of it near the right edge (over the colour bar).
    const w = this.tip.offsetWidth;
    const hTip = this.tip.offsetHeight;
    const left = p.x + 14 + w > this.wrap.clientWidth ? p.x - 14 - w : p.x + 14;
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${Math.max(0, Math.min(HEIGHT - hTip, p.y + 14))}px`;
  }
}

function segmentDistance(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** The text, cut with an ellipsis to fit `max` pixels. */
function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(text.slice(0, mid) + '…').width <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

// The run's metric charts, under the metrics table: a click on a metric opens its
// chart (Ctrl/Cmd-click adds it beside the open ones), drawn as the comparison
// panel draws its charts (step / wall / relative time axes, drag to zoom,
// smoothing, log scale) from downsampled series the host fetches; a zoom asks
// for its range again, in full detail.
import type { HostToRunDetail, RunChartOptions, RunChartReport, RunDetail, RunDetailToHost } from '../../src/protocol/runDetailMessages';
import type { RunRanges, StepRange, XAxisKind } from '../../src/protocol/seriesMessages';
import { h } from '../shared/uiKit';
import { MetricChart, themeColors, type ChartRun, type RunSeries } from '../shared/metricChart';
import { seriesParts } from '../shared/seriesSlices';
import { stepRangesForTime } from '../shared/timeZoom';

type SeriesMessage = Extract<HostToRunDetail, { type: 'series' }>;
type Range = { min: number; max: number };

const ZOOM_SETTLE_MS = 250;

function serverX(x: XAxisKind): 'step' | 'time' {
  return x === 'step' ? 'step' : 'time';
}

export class RunCharts {
  readonly element: HTMLElement;
  private readonly grid = h('div', { class: 'rd-chart-grid' });
  private readonly status = h('div', { class: 'mlops-empty' });
  private readonly addSelect = h('select', { 'aria-label': 'Add a metric to the chart' });
  private readonly xSelect = h('select', { 'aria-label': 'X axis' });
  private readonly smoothing = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing' });
  private readonly smoothingValue = h('span', { class: 'rd-muted' });
  private readonly logToggle = h('input', { type: 'checkbox', 'aria-label': 'Log scale' });
  private run?: RunDetail;
  private options: RunChartOptions = { keys: [], x: 'step', smoothing: 0, logScale: false };
  private readonly charts = new Map<string, MetricChart>();
  /** key -> this run's series, as last received (zoomed or whole). */
  private data = new Map<string, RunSeries>();
  /** The whole series (no zoom): a zoom on a time axis finds its steps in them. */
  private overview = new Map<string, Map<string, RunSeries>>();
  private totals = new Map<string, { total: number; downsampled: boolean }>();
  private xRange: Range | null = null;
  /** The view the last answer was for: a live update for another view is dropped. */
  private fetched: { x: 'step' | 'time'; range: StepRange | null; runRanges: RunRanges | null } | null = null;
  private requestId = 0;
  /** Own request id -> the host's openChart id to answer with once drawn. */
  private readonly answerAs = new Map<number, number>();
  /** A zoom to apply once the whole series (needed to map time to steps) has arrived. */
  private pendingZoom: { range: Range; answer?: number } | null = null;
  private rangeTimer: number | undefined;
  private drawTimer: number | undefined;
  lastReport: RunChartReport | null = null;

  constructor(
    private readonly post: (m: RunDetailToHost) => void,
    /** The chart's options changed (keys, axis, smoothing...), or the chart closed (undefined). */
    private readonly onChange: (options: RunChartOptions | undefined) => void,
    /** Something was drawn: the panel's report is due again. */
    private readonly onDrawn: () => void,
  ) {
    for (const [v, text] of [['step', 'Step'], ['wall', 'Wall time'], ['relative', 'Relative time']]) this.xSelect.append(h('option', { value: v }, text));
    this.xSelect.addEventListener('change', () => this.setX(this.xSelect.value as XAxisKind));
    this.smoothing.addEventListener('input', () => {
      this.options.smoothing = Number(this.smoothing.value);
      this.smoothingValue.textContent = this.options.smoothing.toFixed(2);
      this.changed();
      this.scheduleDraw();
    });
    this.logToggle.addEventListener('change', () => {
      this.options.logScale = this.logToggle.checked;
      this.changed();
      this.draw();
    });
    this.addSelect.addEventListener('change', () => {
      const key = this.addSelect.value;
      this.addSelect.value = '';
      if (key) this.open(key, true);
    });
    const reset = h('button', { class: 'rd-chart-button' }, 'Reset zoom');
    reset.addEventListener('click', () => this.setRange(null));
    const close = h('button', { class: 'rd-chart-button', title: 'Close the chart' }, 'Close');
    close.addEventListener('click', () => this.close());
    const label = (text: string, ...control: (Node | string)[]) => h('label', { class: 'rd-chart-control' }, text, ...control);
    const toolbar = h(
      'div',
      { class: 'rd-chart-toolbar' },
      label('X axis ', this.xSelect),
      label('Smoothing ', this.smoothing, this.smoothingValue),
      label('', this.logToggle, ' Log scale'),
      this.addSelect,
      reset,
      close,
    );
    const hint = h('div', { class: 'rd-note-line' }, 'Drag to zoom · Shift-drag to pan · Ctrl+wheel to zoom · double-click to reset · Ctrl+click a metric above to add it');
    this.element = h('div', { class: 'rd-charts' }, toolbar, this.status, this.grid, hint);
    this.syncControls();
  }

  get keys(): readonly string[] {
    return this.options.keys;
  }

  get isOpen(): boolean {
    return this.options.keys.length > 0;
  }

  /** The run's latest detail: new metrics become choices; a chart of a metric the run lost closes. */
  setRun(run: RunDetail): void {
    const first = this.run?.runId !== run.runId;
    this.run = run;
    const known = new Set(run.metrics.map((m) => m.key));
    if (!first && this.options.keys.some((k) => !known.has(k))) this.setKeys(this.options.keys.filter((k) => known.has(k)));
    this.fillAddSelect();
  }

  /** Opens the chart of `key`: in place of the open ones, or beside them (`add`); `add` on an open one closes it. */
  open(key: string, add = false): void {
    const keys = this.options.keys;
    if (add) this.setKeys(keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key]);
    else if (keys.length !== 1 || keys[0] !== key) this.setKeys([key]);
    this.element.scrollIntoView({ block: 'nearest' });
  }

  /** Restores or sets a whole view (a reload, or the host's openChart); `answer` is the host's id to report under. */
  show(view: Partial<RunChartOptions> & { keys: string[] }, range: Range | null, answer?: number): void {
    if (view.x !== undefined) this.options.x = view.x;
    if (view.smoothing !== undefined) this.options.smoothing = view.smoothing;
    if (view.logScale !== undefined) this.options.logScale = view.logScale;
    this.options.keys = [...new Set(view.keys)];
    this.xRange = null;
    this.overview = new Map();
    this.syncControls();
    this.ensureCharts();
    this.changed();
    if (range && this.options.x !== 'step') {
      // Time maps to steps through the whole series: fetch it first, then zoom.
      this.pendingZoom = { range, answer };
      this.request(null, null);
      return;
    }
    this.xRange = range;
    this.request(range ? { startStep: Math.floor(range.min), endStep: Math.ceil(range.max) } : null, null, answer);
  }

  close(): void {
    if (!this.isOpen) return;
    this.setKeys([]);
  }

  /** An answer from the host: drawn when it is for the view on screen. */
  receive(m: SeriesMessage): void {
    if (!this.isOpen) return;
    if (m.requestId > 0 && m.requestId !== this.requestId) return; // an older request's answer
    if (m.requestId < 0 && !this.sameView(m)) return; // a live update of a view left since
    this.fetched = { x: m.x, range: m.range, runRanges: m.runRanges };
    this.data = new Map();
    this.totals = new Map();
    for (const part of seriesParts(m.series)) {
      this.data.set(part.key, part.series);
      this.totals.set(part.key, { total: part.total, downsampled: part.downsampled });
    }
    const runId = this.run?.runId ?? '';
    if (!m.range && !m.runRanges) this.overview = new Map([...this.data].map(([k, s]) => [k, new Map([[runId, s]])]));
    this.status.hidden = true;
    this.draw(this.answerAs.get(m.requestId));
    this.answerAs.delete(m.requestId);
    if (this.pendingZoom && !m.range && !m.runRanges && m.requestId === this.requestId) {
      const { range, answer } = this.pendingZoom;
      this.pendingZoom = null;
      this.zoom(range, answer);
    }
  }

  /** The panel shows another run (a reused preview): nothing of this one applies. */
  reset(): void {
    this.pendingZoom = null;
    this.run = undefined;
    this.setKeys([], false);
  }

  /** Redraws with the theme's colours. */
  redraw(): void {
    if (this.isOpen) this.draw();
  }

  private sameView(m: SeriesMessage): boolean {
    const f = this.fetched;
    return !!f && f.x === m.x && JSON.stringify(f.range) === JSON.stringify(m.range) && JSON.stringify(f.runRanges) === JSON.stringify(m.runRanges);
  }

  private setKeys(keys: string[], notify = true): void {
    const before = this.options.keys;
    this.options.keys = keys;
    this.ensureCharts();
    this.fillAddSelect();
    if (keys.length === 0) {
      this.xRange = null;
      this.fetched = null;
      this.data = new Map();
      this.overview = new Map();
      this.lastReport = null;
      if (before.length > 0 && notify) this.post({ type: 'chartClosed' });
      if (notify) this.onChange(undefined);
      this.onDrawn();
      return;
    }
    this.changed();
    // Another key needs its series; the zoom (as steps) still applies.
    if (keys.some((k) => !before.includes(k))) this.request(this.fetched?.range ?? null, this.fetched?.runRanges ?? null);
    else this.draw();
  }

  private setX(x: XAxisKind): void {
    const before = serverX(this.options.x);
    this.options.x = x;
    this.xRange = null;
    this.changed();
    // Zoomed data cover only part of the series: a new axis starts from the whole.
    if (serverX(x) !== before || this.fetched?.range || this.fetched?.runRanges) this.request(null, null);
    else this.draw();
  }

  private setRange(range: Range | null): void {
    this.xRange = range;
    this.draw();
    clearTimeout(this.rangeTimer);
    this.rangeTimer = window.setTimeout(() => this.zoom(range), ZOOM_SETTLE_MS);
  }

  /** Fetches the zoomed range again, in as much detail as the chart can show. */
  private zoom(range: Range | null, answer?: number): void {
    this.xRange = range;
    const f = this.fetched;
    if (this.options.x === 'step') {
      const wanted = range ? { startStep: Math.floor(range.min), endStep: Math.ceil(range.max) } : null;
      if (answer !== undefined || JSON.stringify(wanted) !== JSON.stringify(f?.range ?? null) || f?.runRanges) this.request(wanted, null, answer);
      return;
    }
    const run = this.run;
    const wanted = range && run ? stepRangesForTime(this.overview, [{ runId: run.runId, startTime: run.startTime }], range, this.options.x === 'relative') : null;
    if (answer !== undefined || JSON.stringify(wanted) !== JSON.stringify(f?.runRanges ?? null) || f?.range) this.request(null, wanted, answer);
  }

  private request(range: StepRange | null, runRanges: RunRanges | null, answer?: number): void {
    if (!this.isOpen) return;
    this.requestId++;
    if (answer !== undefined) this.answerAs.set(this.requestId, answer);
    if (!this.charts.size || this.data.size === 0) {
      this.status.hidden = false;
      this.status.textContent = 'Loading the series…';
    }
    this.post({ type: 'requestSeries', requestId: this.requestId, keys: [...this.options.keys], x: serverX(this.options.x), range, runRanges });
  }

  private ensureCharts(): void {
    const wanted = new Set(this.options.keys);
    for (const [key, chart] of this.charts) if (!wanted.has(key)) (chart.destroy(), this.charts.delete(key));
    for (const key of this.options.keys) {
      if (!this.charts.has(key)) this.charts.set(key, new MetricChart(key, (r) => this.setRange(r), (k, dataUrl) => this.post({ type: 'exportPng', key: k, dataUrl }), (k) => this.open(k, true)));
      this.grid.append(this.charts.get(key)!.element);
    }
    this.grid.classList.toggle('rd-chart-single', this.options.keys.length === 1);
  }

  private fillAddSelect(): void {
    const shown = new Set(this.options.keys);
    const choices = (this.run?.metrics ?? []).map((m) => m.key).filter((k) => !shown.has(k));
    this.addSelect.textContent = '';
    this.addSelect.append(h('option', { value: '' }, choices.length ? 'Add a metric…' : 'All metrics shown'));
    for (const k of choices) this.addSelect.append(h('option', { value: k }, k));
    (this.addSelect as HTMLSelectElement).disabled = choices.length === 0;
  }

  private syncControls(): void {
    (this.xSelect as HTMLSelectElement).value = this.options.x;
    (this.smoothing as HTMLInputElement).value = String(this.options.smoothing);
    this.smoothingValue.textContent = this.options.smoothing.toFixed(2);
    (this.logToggle as HTMLInputElement).checked = this.options.logScale;
  }

  private changed(): void {
    if (this.isOpen) this.onChange({ ...this.options, keys: [...this.options.keys] });
  }

  private scheduleDraw(): void {
    if (this.drawTimer !== undefined) return;
    this.drawTimer = requestAnimationFrame(() => {
      this.drawTimer = undefined;
      this.draw();
    });
  }

  /** Draws every open chart; `answer` is the host's request the drawing answers (reported back to it). */
  private draw(answer?: number): void {
    const run = this.run;
    if (!run || !this.isOpen) return;
    const runs: ChartRun[] = [{ index: 0, runId: run.runId, name: run.runName, startTime: run.startTime }];
    const theme = themeColors();
    const options = { x: this.options.x, smoothing: this.options.smoothing, logScale: this.options.logScale, hidden: new Set<string>(), xRange: this.xRange };
    const drawn: RunChartReport['charts'] = [];
    for (const key of this.options.keys) {
      const chart = this.charts.get(key)!;
      const series = this.data.get(key);
      chart.draw(runs, series ? new Map([[run.runId, series]]) : new Map(), options, theme);
      const extent = chart.extent();
      const stored = this.totals.get(key);
      if (extent) drawn.push({ key, points: chart.points, total: stored?.total ?? 0, downsampled: stored?.downsampled ?? false, ...extent });
    }
    this.lastReport = { keys: [...this.options.keys], x: this.options.x, smoothing: this.options.smoothing, range: this.xRange, charts: drawn };
    if (answer !== undefined) this.post({ type: 'chartRendered', requestId: answer, report: this.lastReport });
    this.onDrawn();
  }
}

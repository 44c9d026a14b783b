// The comparison panel: one chart per metric (runs overlaid, a colour per run),
// a params + final metrics table and a param-vs-metric scatter. Data come only
// from the extension host (postMessage), validated on arrival.
import { Chart } from 'chart.js';
import {
  comparisonOptions,
  comparisonState,
  hostToComparison,
  type ComparisonOptions,
  type ComparisonRun,
  type ComparisonState,
  type ComparisonToHost,
  type HostToComparison,
  type RunRanges,
  type StepRange,
  type XAxisKind,
} from '../../src/protocol/comparisonMessages';
import { panelChannel } from '../shared/vscodeApi';
import { h } from '../shared/uiKit';
import { MetricChart, formatNumber, themeColors, type ChartRun, type RunSeries } from '../shared/metricChart';
import { runStyle } from '../shared/runColors';
import { formatTick, tickStep } from '../shared/numberFormat';
import { renderTable, tableColumns, tableCsv } from './table';
import { installStyles } from './styles';
import { stepRangesForTime } from '../shared/timeZoom';
import { seriesParts } from '../shared/seriesSlices';
import { ParallelCoordinates } from './parallelCoordinates';
import { runNames } from './runNames';

installStyles();

const scriptStart = performance.now();
const channel = panelChannel<ComparisonToHost, HostToComparison, ComparisonState>(hostToComparison);
const restored = comparisonState.safeParse(channel.state());
let options: ComparisonOptions = comparisonOptions.parse(restored.success ? (restored.data.options ?? {}) : {});
let runs: ComparisonRun[] = [];
/** runId -> what the panel calls the run: its name, plus what tells apart runs of the same name. */
let names = new Map<string, string>();
const nameOf = (run: ComparisonRun): string => names.get(run.runId) ?? run.runName;
let keys: string[] = [];
/** key -> runId -> series */
const data = new Map<string, Map<string, RunSeries>>();
/** The last whole (unzoomed) series: a zoom on a time axis maps to steps through them. */
let overview = new Map<string, Map<string, RunSeries>>();
const charts = new Map<string, MetricChart>();
let xRange: { min: number; max: number } | null = null;
let fetchedRange: StepRange | null = null;
let fetchedRunRanges: RunRanges | null = null;
let requestId = 0;
let lastReceived = 0;

const app = document.getElementById('app')!;
app.removeAttribute('data-loading');
app.textContent = '';
const toolbar = h('div', { class: 'mlops-toolbar cmp-toolbar' });
const legend = h('div', { class: 'cmp-legend', role: 'list', 'aria-label': 'Runs (click to hide or show)' });
const status = h('div', { class: 'mlops-empty cmp-status' }, 'Loading runs…');
const userCharts = h('div', { class: 'cmp-grid' });
const systemGrid = h('div', { class: 'cmp-grid' });
const systemSection = h('details', { class: 'cmp-system' }, h('summary', {}, 'System metrics'), systemGrid);
const tableHost = h('div', { class: 'cmp-table-wrap' });
const scatterHost = h('div', { class: 'cmp-scatter' });
const parallel = new ParallelCoordinates((change) => {
  options = { ...options, ...change };
  saveState();
}, () => reportDrawn(-1));
app.append(
  toolbar,
  legend,
  status,
  userCharts,
  systemSection,
  h('h3', {}, 'Params and final metrics'),
  tableHost,
  h('h3', {}, 'Param vs metric'),
  scatterHost,
  h('h3', {}, 'Parallel coordinates: params → metric'),
  parallel.element,
);
systemSection.hidden = true;
(systemSection as HTMLDetailsElement).open = options.systemOpen;
systemSection.addEventListener('toggle', () => {
  options.systemOpen = (systemSection as HTMLDetailsElement).open;
  saveState();
  if (options.systemOpen) drawCharts();
});

function saveState(): void {
  if (runs.length > 0) channel.saveState({ runIds: runs.map((r) => r.runId), options });
}

// ---- toolbar -------------------------------------------------------------
function select(label: string, values: [string, string][], current: string, onChange: (v: string) => void): HTMLElement {
  const sel = h('select', { 'aria-label': label });
  for (const [v, text] of values) sel.append(h('option', { value: v }, text));
  sel.value = current;
  sel.addEventListener('change', () => onChange(sel.value));
  return h('label', { class: 'cmp-control' }, `${label} `, sel);
}
const smoothingValue = h('span', { class: 'cmp-value' }, options.smoothing.toFixed(2));
const smoothing = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing' });
smoothing.value = String(options.smoothing);
smoothing.addEventListener('input', () => {
  options.smoothing = Number(smoothing.value);
  smoothingValue.textContent = options.smoothing.toFixed(2);
  saveState();
  scheduleDraw();
});
const logToggle = h('input', { type: 'checkbox', 'aria-label': 'Log scale' });
logToggle.checked = options.logScale;
logToggle.addEventListener('change', () => {
  options.logScale = logToggle.checked;
  saveState();
  drawCharts();
});
const resetZoom = h('button', { class: 'cmp-button' }, 'Reset zoom');
resetZoom.addEventListener('click', () => setRange(null));
const csvButton = h('button', { class: 'cmp-button' }, 'Export table (CSV)');
csvButton.addEventListener('click', () => channel.post({ type: 'exportCsv', csv: tableCsv(runs, tableColumns(runs, keys, options.onlyDiffs)) }));
function setXAxis(v: XAxisKind): void {
  const before = serverX(options.x);
  options.x = v;
  xRange = null;
  saveState();
  // Zoomed data cover only part of the series: the new axis starts from the whole.
  if (serverX(options.x) !== before || fetchedRange || fetchedRunRanges) requestSeries(null);
  else drawCharts();
}
const xAxisControl = select('X axis', [['step', 'Step'], ['wall', 'Wall time'], ['relative', 'Relative time']], options.x, (v) => setXAxis(v as XAxisKind));
toolbar.append(
  xAxisControl,
  h('label', { class: 'cmp-control' }, 'Smoothing ', smoothing, smoothingValue),
  h('label', { class: 'cmp-control' }, logToggle, ' Log scale'),
  resetZoom,
  csvButton,
  h('span', { class: 'cmp-hint' }, 'Drag to zoom · Shift-drag to pan · Ctrl+wheel to zoom · double-click to reset'),
);

function serverX(x: XAxisKind): 'step' | 'time' {
  return x === 'step' ? 'step' : 'time';
}

// ---- data from the host ---------------------------------------------------
channel.onValid((m) => {
  switch (m.type) {
    case 'runs': {
      if (m.resetTo !== undefined) {
        // Another Compare replaced the runs: nothing of the previous ones applies.
        requestId = m.resetTo;
        xRange = null;
        fetchedRange = null;
        fetchedRunRanges = null;
        data.clear();
        overview = new Map();
        options.parallelBrushes = {};
      }
      runs = m.runs;
      names = runNames(m.runs, m.parents);
      keys = m.keys;
      const known = new Set(runs.map((r) => r.runId));
      options.hidden = options.hidden.filter((id) => known.has(id));
      saveState();
      renderLegend();
      renderTableAndScatter();
      status.textContent = runs.length === 0 ? 'None of these runs exist any more.' : keys.length === 0 ? 'These runs have no metrics yet.' : 'Loading series…';
      status.hidden = runs.length > 0 && keys.length > 0 && charts.size > 0;
      return;
    }
    case 'series': {
      lastReceived = performance.now();
      if (runs.length === 0) return; // the runs come first; without them nothing can be drawn
      if (m.requestId >= 0 && m.requestId !== requestId) return; // an older zoom's answer
      const parts = seriesParts(m.series);
      if (!m.partial) data.clear();
      else {
        // A live update carries whole series of the runs it re-fetched.
        const updated = new Set(parts.map((s) => s.runId));
        for (const byRun of data.values()) for (const runId of updated) byRun.delete(runId);
      }
      for (const s of parts) {
        let byRun = data.get(s.key);
        if (!byRun) data.set(s.key, (byRun = new Map()));
        byRun.set(s.runId, s.series);
      }
      fetchedRange = m.range;
      fetchedRunRanges = m.runRanges;
      if (!m.range && !m.runRanges) overview = new Map([...data].map(([k, byRun]) => [k, new Map(byRun)]));
      status.hidden = keys.length > 0;
      drawCharts(m.requestId);
      return;
    }
    case 'setView':
      if (m.x !== options.x) {
        xAxisControl.querySelector('select')!.value = m.x;
        setXAxis(m.x);
      }
      if (m.range) setRange(m.range);
      return;
    case 'error':
      status.hidden = false;
      status.className = 'mlops-error cmp-status';
      status.textContent = m.message;
      return;
  }
});

// ---- charts ------------------------------------------------------------------
function chartRuns(): ChartRun[] {
  return runs.map((r, index) => ({ index, runId: r.runId, name: nameOf(r), startTime: r.startTime }));
}

function ensureCharts(): void {
  const wanted = new Set(keys);
  for (const [key, chart] of charts) if (!wanted.has(key)) (chart.destroy(), charts.delete(key));
  for (const key of keys) {
    if (charts.has(key)) continue;
    const chart = new MetricChart(key, setRange, (k, dataUrl) => channel.post({ type: 'exportPng', key: k, dataUrl }));
    charts.set(key, chart);
  }
  // Keep the order of `keys`: user metrics, then system/ ones in their own section.
  for (const key of keys) (key.startsWith('system/') ? systemGrid : userCharts).append(charts.get(key)!.element);
  systemSection.hidden = !keys.some((k) => k.startsWith('system/'));
}

let drawTimer: number | undefined;
function scheduleDraw(): void {
  if (drawTimer !== undefined) return;
  drawTimer = requestAnimationFrame(() => {
    drawTimer = undefined;
    drawCharts();
  });
}

let drawnCharts: { key: string; datasets: number; points: number }[] = [];
let reportTimer: number | undefined;
/** Tells the host what is drawn (tests read it); a burst of redraws reports once. */
function reportDrawn(requestIdOf: number): void {
  clearTimeout(reportTimer);
  reportTimer = window.setTimeout(() => {
    channel.post({ type: 'drawn', requestId: requestIdOf, charts: drawnCharts, parallel: parallel.report(), legend: runs.map(nameOf), timings: { scriptStart, readyPosted, received: lastReceived, drawn: performance.now() } });
  }, 50);
}

function drawCharts(reportFor?: number): void {
  ensureCharts();
  const theme = themeColors();
  const cr = chartRuns();
  const hidden = new Set(options.hidden);
  const drawn = [];
  for (const key of keys) {
    const chart = charts.get(key)!;
    // A chart in the closed system section has no size: draw it when opened.
    if (key.startsWith('system/') && !options.systemOpen) continue;
    chart.draw(cr, data.get(key) ?? new Map(), { x: options.x, smoothing: options.smoothing, logScale: options.logScale, hidden, xRange }, theme);
    drawn.push({ key, datasets: chart.runsDrawn, points: chart.points });
  }
  drawnCharts = drawn;
  if (reportFor !== undefined) {
    clearTimeout(reportTimer);
    channel.post({ type: 'drawn', requestId: reportFor, charts: drawn, parallel: parallel.report(), legend: runs.map(nameOf), timings: { scriptStart, readyPosted, received: lastReceived, drawn: performance.now() } });
  }
}

let rangeTimer: number | undefined;
function setRange(range: { min: number; max: number } | null): void {
  xRange = range;
  drawCharts();
  clearTimeout(rangeTimer);
  rangeTimer = window.setTimeout(() => {
    if (options.x === 'step') {
      const wanted = range ? { startStep: Math.floor(range.min), endStep: Math.ceil(range.max) } : null;
      if (JSON.stringify(wanted) !== JSON.stringify(fetchedRange) || fetchedRunRanges) requestSeries(wanted);
      return;
    }
    // A time axis: each run's steps in the window, read off the whole series.
    const wanted = range ? stepRangesForTime(overview, runs, range, options.x === 'relative') : null;
    if (JSON.stringify(wanted) !== JSON.stringify(fetchedRunRanges) || fetchedRange) requestSeries(null, wanted);
  }, 250);
}

function requestSeries(range: StepRange | null, runRanges: RunRanges | null = null): void {
  requestId++;
  channel.post({ type: 'requestSeries', requestId, x: serverX(options.x), range, runRanges });
}

// ---- legend ------------------------------------------------------------------
function renderLegend(): void {
  legend.textContent = '';
  const hidden = new Set(options.hidden);
  runs.forEach((run, i) => {
    const swatch = h('span', { class: 'cmp-swatch' });
    const style = runStyle(i);
    swatch.style.background = style.color;
    if (style.dash.length > 0) swatch.classList.add('cmp-swatch-dashed');
    const name = nameOf(run);
    const item = h('button', { class: 'cmp-legend-item', role: 'listitem', title: `${name} (${run.status.toLowerCase()})\nrun ${run.runId}\nClick to hide or show in every chart`, 'aria-pressed': String(!hidden.has(run.runId)) }, swatch, name);
    if (hidden.has(run.runId)) item.classList.add('cmp-muted');
    item.addEventListener('click', () => {
      const set = new Set(options.hidden);
      if (set.has(run.runId)) set.delete(run.runId);
      else set.add(run.runId);
      options.hidden = [...set];
      saveState();
      renderLegend();
      renderTableAndScatter();
      drawCharts();
    });
    legend.append(item);
  });
}

// ---- table and scatter -------------------------------------------------------
const onlyDiffs = h('input', { type: 'checkbox', 'aria-label': 'Only what differs' });
onlyDiffs.checked = options.onlyDiffs;
onlyDiffs.addEventListener('change', () => {
  options.onlyDiffs = onlyDiffs.checked;
  saveState();
  renderTableAndScatter();
});
let scatter: Chart<'scatter'> | undefined;

function renderTableAndScatter(): void {
  const hidden = new Set(options.hidden);
  const cols = tableColumns(runs, keys, options.onlyDiffs);
  tableHost.textContent = '';
  tableHost.append(h('label', { class: 'cmp-control' }, onlyDiffs, ' Only what differs'), renderTable(runs, cols, hidden, nameOf));
  renderScatter(hidden);
  parallel.update(runs.filter((r) => !hidden.has(r.runId)), runs, keys, options, nameOf);
}

function renderScatter(hidden: ReadonlySet<string>): void {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = keys;
  scatterHost.textContent = '';
  if (params.length === 0 || metrics.length === 0) {
    scatter?.destroy();
    scatter = undefined;
    scatterHost.append(h('div', { class: 'mlops-empty' }, 'The scatter needs runs with params and metrics.'));
    return;
  }
  // By default the first param that varies across the runs: one that does not explains nothing.
  const varying = params.find((p) => new Set(runs.map((r) => r.params[p])).size > 1) ?? params[0];
  const param = options.scatterParam && params.includes(options.scatterParam) ? options.scatterParam : varying;
  const metric = options.scatterMetric && metrics.includes(options.scatterMetric) ? options.scatterMetric : metrics[0];
  const canvas = h('canvas', { 'aria-label': `Scatter of ${metric} against ${param}`, role: 'img' });
  scatterHost.append(
    h(
      'div',
      { class: 'cmp-toolbar-row' },
      select('Param', params.map((p) => [p, p]), param, (v) => ((options.scatterParam = v), saveState(), renderScatter(new Set(options.hidden)))),
      select('Metric', metrics.map((k) => [k, k]), metric, (v) => ((options.scatterMetric = v), saveState(), renderScatter(new Set(options.hidden)))),
    ),
    h('div', { class: 'cmp-scatter-wrap' }, canvas),
  );
  const shown = runs.map((r, i) => ({ r, i })).filter(({ r }) => !hidden.has(r.runId) && r.params[param] !== undefined && typeof r.metrics[metric] === 'number');
  const numeric = shown.every(({ r }) => r.params[param].trim() !== '' && Number.isFinite(Number(r.params[param])));
  const categories = numeric ? [] : [...new Set(shown.map(({ r }) => r.params[param]))].sort();
  const theme = themeColors();
  scatter?.destroy();
  scatter = new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          data: shown.map(({ r }) => ({ x: numeric ? Number(r.params[param]) : categories.indexOf(r.params[param]), y: r.metrics[metric] as number })),
          pointBackgroundColor: shown.map(({ i }) => runStyle(i).color),
          pointBorderColor: shown.map(({ i }) => runStyle(i).color),
          pointRadius: 5,
          pointHoverRadius: 7,
          // The best and worst runs sit on the plot's edges: draw their points whole.
          clip: false,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: param, color: theme.text },
          grid: { color: theme.grid },
          ticks: { color: theme.text, stepSize: numeric ? undefined : 1, callback: (v, _i, all) => (numeric ? formatTick(Number(v), tickStep(all.map((t) => t.value))) : (categories[Number(v)] ?? '')) },
        },
        y: { title: { display: true, text: metric, color: theme.text }, grid: { color: theme.grid }, ticks: { color: theme.text, callback: (v, _i, all) => formatTick(Number(v), tickStep(all.map((t) => t.value))) } },
      },
      plugins: {
        tooltip: { callbacks: { label: (item) => `${shown[item.dataIndex] ? nameOf(shown[item.dataIndex].r) : ''}: ${param}=${shown[item.dataIndex]?.r.params[param]}, ${metric}=${formatNumber(item.parsed.y ?? NaN)}` } },
      },
    },
  });
}

// Theme changes (VS Code swaps the body's classes): redraw with the new colours.
new MutationObserver(() => {
  drawCharts();
  renderScatter(new Set(options.hidden));
  parallel.redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// The host answers "ready" with the runs, then the series for the restored x axis.
channel.post({ type: 'ready', x: serverX(options.x), range: null });
const readyPosted = performance.now();

// The Monitoring panel of a deployment: its status, the drift of its inputs
// (and output) against the reference, request rate and latency, and how each
// variant does, live. The host posts the backend's monitoring state every 2 s
// while the panel is visible; each one updates the page in place (charts,
// rows), keeping the selected feature, the sort and the scroll. Data come only
// from the host (postMessage), validated; Retrain goes back as a message.
import type { ChartEvent, ActiveElement, Chart } from 'chart.js';
import type { FeatureDriftResult, MonitoringState } from '../../src/protocol/monitoring';
import {
  hostToMonitoring,
  monitoringPanelState,
  type DriftTableSort,
  type HostToMonitoring,
  type MonitoringChartReport,
  type MonitoringPanelState,
  type MonitoringReport,
  type MonitoringToHost,
  type MonitoringUnavailable,
} from '../../src/protocol/monitoringPanelMessages';
import { panelChannel } from '../shared/vscodeApi';
import { h, registerUiKit } from '../shared/uiKit';
import { LiveChart, readTheme, type HelperMark } from './charts';
import { driftShareChart, driftShareThreshold, histogramChart, latencyChart, rpsChart, scoresChart, type ScoresView } from './dashboardCharts';
import { DriftTable } from './driftTable';
import {
  DEFAULT_SORT,
  PREDICTION,
  ago,
  allResults,
  bannerText,
  clockTime,
  errorShare,
  featureToShow,
  formatCompact,
  formatCount,
  formatMs,
  formatScore,
  formatShare,
  referenceChangesIn,
  retrainButtonState,
  rowsNeeded,
  scoreLabel,
  statusText,
} from './monitoringModel';
import { ScoresLegend, type LegendEntry } from './scoresLegend';
import { installStyles } from './styles';

registerUiKit();
installStyles();

const channel = panelChannel<MonitoringToHost, HostToMonitoring, MonitoringPanelState>(hostToMonitoring);
const restored = monitoringPanelState.safeParse(channel.state());
let saved: Partial<MonitoringPanelState> = restored.success ? restored.data : {};
const post = (m: MonitoringToHost) => channel.post(m);

let current: { deployment: string; state: MonitoringState; fetchedAt: number } | undefined;
let problem: { deployment: string; reason: MonitoringUnavailable; message: string; fetchedAt: number } | undefined;
let view: MonitoringReport['view'] = 'loading';
let draws = 0;
let chartsCreated = 0;
let sort: DriftTableSort = saved.sort ?? DEFAULT_SORT;
/** The feature the user chose (kept across updates); the one shown may differ while it is absent. */
let chosen: string | undefined = saved.selectedFeature;
let shown: string | null = null;
/** Features whose lines the user hid on the scores charts; the one pointed at in a legend. */
const hiddenFeatures = new Set<string>(saved.hiddenFeatures ?? []);
let peeked: string | null = null;
let empties: string[] = [];
let scrollRestored = saved.scrollY === undefined;

function saveState(patch: Partial<MonitoringPanelState>): void {
  saved = { ...saved, ...patch };
  if (saved.deployment) channel.saveState(saved as MonitoringPanelState);
}

const app = document.getElementById('app')!;

function button(text: string, title: string, onClick: () => void, appearance = 'secondary'): HTMLElement {
  const b = h('vscode-button', { appearance, title }, text);
  b.addEventListener('click', onClick);
  return b;
}

interface Card {
  element: HTMLElement;
  figure: HTMLElement;
  body: HTMLElement;
}

function card(id: string, title: string, ...body: (Node | string)[]): Card {
  const figure = h('span', { class: 'mon-card-figure' });
  const bodyEl = h('div', { class: 'mon-card-body' }, ...body);
  const element = h('section', { class: 'mon-card', 'data-card': id, 'aria-label': title }, h('div', { class: 'mon-card-head' }, h('h2', {}, title), figure), bodyEl);
  return { element, figure, body: bodyEl };
}

/** A chart's box; `size` "short" for the drift share, "fill" to take the card's height (the histogram beside the table). */
function canvasBox(label: string, size: 'short' | 'normal' | 'fill' = 'normal'): { box: HTMLElement; canvas: HTMLCanvasElement; empty: HTMLElement } {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const empty = h('div', { class: 'mon-canvas-empty mon-empty' });
  empty.hidden = true;
  return { box: h('div', { class: `mon-canvas mon-canvas-${size}` }, canvas, empty), canvas, empty };
}

const created = () => void chartsCreated++;

// ---- layout ------------------------------------------------------------------
const titleText = h('h1', {}, '');
const pill = h('span', { class: 'mon-pill' });
const statusLine = h('span', { class: 'mon-status-text', role: 'status' });
const meta = h('div', { class: 'mon-meta' });
const header = h('header', { class: 'mon-head' }, h('div', { class: 'mon-title' }, titleText, pill, statusLine), meta);

const bannerTextEl = h('span', { class: 'mon-banner-text' });
const bannerNote = h('span', { class: 'mon-banner-note' });
const retrainButton = button('Retrain', 'Run the retraining for this deployment now (mlops.deployments.retrain)', () => retrain(), 'primary');
const banner = h('div', { class: 'mon-banner', role: 'alert' }, bannerTextEl, retrainButton, bannerNote);
banner.hidden = true;

const unavailableBox = h('div', { class: 'mon-unavailable mon-card' });
unavailableBox.hidden = true;

const explain = card('explain', 'Drift monitoring');
explain.element.classList.add('mon-wide');

const shareBox = canvasBox('Share of features drifted per window, with the data set threshold', 'short');
const driftShare = card('drift-share', 'Dataset drift share', shareBox.box);
driftShare.element.classList.add('mon-wide');
const shareChart = new LiveChart(shareBox.canvas, 'line', created);

const scoreKeys = h(
  'div',
  { class: 'mon-keys' },
  h('span', { class: 'mon-key mon-k-sel' }, 'selected feature: the thick line, red where it drifted (click a line or a row to select)'),
  h('span', { class: 'mon-key mon-key-dash mon-k-threshold' }, 'threshold'),
  h('span', { class: 'mon-key mon-key-dot mon-k-ref' }, 'reference changed'),
);
const legendEvents = {
  onToggle: (feature: string) => toggleLine(feature),
  onPeek: (feature: string | null) => {
    peeked = feature;
    if (current) drawScores(current.state);
  },
};
const pCaption = h('div', { class: 'mon-caption' }, 'p-value tests: drift below the threshold (log scale)');
const pBox = canvasBox('Drift p-values over time per feature');
const pLegend = new ScoresLegend('Features on the p-value chart: press one to hide or show its line', legendEvents);
const statCaption = h('div', { class: 'mon-caption' }, 'distance tests: drift at or above the threshold');
const statBox = canvasBox('Drift distances over time per feature');
const statLegend = new ScoresLegend('Features on the distance chart: press one to hide or show its line', legendEvents);
// P-values and distances side by side (each on its own scale), or one across when every test gives the same kind.
const pPane = h('div', {}, pCaption, pBox.box, pLegend.element);
const statPane = h('div', {}, statCaption, statBox.box, statLegend.element);
const scores = card('scores', 'Drift scores over time', scoreKeys, h('div', { class: 'mon-pair' }, pPane, statPane));
scores.element.classList.add('mon-wide');
const pChart = new LiveChart(pBox.canvas, 'line', created);
const statChart = new LiveChart(statBox.canvas, 'line', created);

const table = new DriftTable(sort, {
  onSelect: (feature) => selectFeature(feature, true),
  onSort: (next) => {
    sort = next;
    saveState({ sort });
    drawTable();
    report();
  },
});
const features = card('features', 'Features, latest window', table.element);

const featureSelect = h('select', { class: 'mon-select', 'aria-label': 'Feature to compare' }) as HTMLSelectElement;
featureSelect.addEventListener('change', () => selectFeature(featureSelect.value, false));
const histFacts = h('p', { class: 'mon-hist-facts' });
const histBox = canvasBox('Reference and current distribution of the selected feature', 'fill');
const histogram = card('histogram', 'Reference vs current', histFacts, histBox.box);
// The table and the histogram of its selected row side by side: a click shows its result at once.
const featureRow = h('div', { class: 'mon-split mon-wide' }, features.element, histogram.element);
histogram.figure.append(featureSelect);
const histChart = new LiveChart(histBox.canvas, 'bar', created);

const rpsBox = canvasBox('Requests and errors per second');
const requests = card('requests', 'Requests', rpsBox.box);
const rpsChartView = new LiveChart(rpsBox.canvas, 'line', created);
const latencyBox = canvasBox('Latency percentiles');
const latency = card('latency', 'Latency', latencyBox.box);
const latencyChartView = new LiveChart(latencyBox.canvas, 'line', created);

const variants = card('variants', 'Variants');
const alerts = card('alerts', 'Drift alerts');

const grid = h(
  'main',
  { class: 'mon-grid' },
  explain.element,
  driftShare.element,
  scores.element,
  featureRow,
  requests.element,
  latency.element,
  variants.element,
  alerts.element,
);

app.removeAttribute('data-loading');
app.textContent = '';
app.append(header, banner, unavailableBox, grid);
grid.hidden = true;
statusLine.textContent = 'Loading…';
if (saved.deployment) titleText.textContent = saved.deployment;

// ---- actions -----------------------------------------------------------------
/** Until when a click holds the button (one click, one retrain), before the state says a run is going. */
let retrainHeldUntil = 0;

function retrain(): void {
  if (!current || retrainButton.hasAttribute('disabled')) return;
  post({ type: 'retrain', deployment: current.deployment });
  retrainHeldUntil = Date.now() + 4000;
  drawRetrainButton();
  setTimeout(() => {
    drawRetrainButton();
    report();
  }, 4000);
}

function selectFeature(feature: string, focus: boolean): void {
  chosen = feature;
  // A feature chosen is one to look at: its line shows again if it was hidden.
  const unhid = hiddenFeatures.delete(feature);
  saveState({ selectedFeature: feature, ...(unhid ? { hiddenFeatures: [...hiddenFeatures] } : {}) });
  if (!current) return;
  shown = featureToShow(current.state, chosen, shown);
  table.select(shown, focus);
  drawHistogram(current.state);
  drawScores(current.state);
  report();
}

function toggleLine(feature: string): void {
  if (!hiddenFeatures.delete(feature)) hiddenFeatures.add(feature);
  saveState({ hiddenFeatures: [...hiddenFeatures] });
  if (!current) return;
  drawScores(current.state);
  report();
}

function onScoreClick(_e: ChartEvent, elements: ActiveElement[], chart: Chart): void {
  const hit = elements[0];
  const dataset = hit && chart.data.datasets[hit.datasetIndex];
  if (dataset && !(dataset as HelperMark).helper && typeof dataset.label === 'string') selectFeature(dataset.label, false);
}

// ---- drawing -----------------------------------------------------------------
function drawHeader(deployment: string): void {
  titleText.textContent = deployment;
  meta.textContent = '';
  if (!current) {
    pill.hidden = true;
    return;
  }
  const { state, fetchedAt } = current;
  pill.hidden = false;
  pill.className = `mon-pill mon-s-${state.status}`;
  pill.textContent = state.status === 'waiting' ? 'waiting' : state.status;
  statusLine.textContent = statusText(state);
  const part = (...content: (Node | string)[]) => meta.append(h('span', {}, ...content));
  if (state.reference) {
    part('Reference ', h('b', { title: state.reference.source }, state.reference.source), ` · ${formatCount(state.reference.rows)} rows · ${state.reference.features.length} features`);
  } else if (state.spec) {
    part('Reference ', h('code', {}, state.spec.reference), ' (not loaded yet)');
  } else part('No reference');
  // Without a spec nothing is recorded: a window of 0 rows would say nothing.
  if (state.spec) {
    const w = state.spec.window;
    part('Window ', h('b', {}, formatCount(state.windowRows)), ` of ${formatCount(w.rows)} rows`, w.minutes ? ` (last ${w.minutes} min)` : '', ` · ${formatCount(state.recordedRows)} recorded`);
  }
  if (state.latest) part('Computed ', h('b', {}, clockTime(state.latest.at)), ` (${ago(state.latest.at, fetchedAt)}) in ${formatMs(state.latest.computeMs)}`);
  else if (state.spec) part('Not computed yet');
  meta.append(h('span', { class: 'mon-live', title: 'The panel asks the backend every 2 seconds while it is visible' }, `Live · updated ${clockTime(fetchedAt)}`));
}

function drawBanner(state: MonitoringState): void {
  const text = bannerText(state);
  banner.hidden = text === null;
  if (text === null) return;
  bannerTextEl.textContent = text;
  const notes: string[] = [];
  const top = [...(state.latest?.features ?? [])].filter((f) => f.drifted).map((f) => f.feature);
  if (top.length) notes.push(`Drifted: ${top.slice(0, 6).join(', ')}${top.length > 6 ? ` and ${top.length - 6} more` : ''}.`);
  if (state.lastRetrainAt) notes.push(`Last retrain ${ago(state.lastRetrainAt, current?.fetchedAt ?? Date.now())}.`);
  const button = drawRetrainButton();
  // Why Retrain is disabled (or what holds automatic runs back) says more than the standing rule.
  if (button?.note) notes.push(button.note);
  else if (state.spec?.onDrift) notes.push(`On drift, ${state.spec.onDrift} runs by itself (at most every ${state.spec.cooldownMinutes} min).`);
  bannerNote.textContent = notes.join(' ');
}

/** The Retrain button as the state (and a recent click) allow. */
function drawRetrainButton(): ReturnType<typeof retrainButtonState> | undefined {
  if (!current) return undefined;
  const button = retrainButtonState(current.state);
  const enabled = button.enabled && Date.now() >= retrainHeldUntil;
  retrainButton.toggleAttribute('disabled', !enabled);
  retrainButton.setAttribute('title', button.title);
  return button;
}

/** The explanation in place of drift data: monitoring off, loading, waiting for rows, or failed. */
function drawExplain(state: MonitoringState): string | null {
  const body = explain.body;
  body.textContent = '';
  const deployment = state.deployment;
  const box = (cls = '') => h('div', { class: `mon-empty ${cls}` });
  switch (state.status) {
    case 'off': {
      const e = box();
      e.append(
        // Why it is off is in the header's status line.
        h('h3', {}, 'Drift monitoring is off for this deployment'),
        h('p', {}, 'Monitoring compares the requests with a reference data set, the data the model was trained on. By default that is the training data set logged with the champion\'s run (mw.log_dataset("train.csv", context="training") in the training script); or name a CSV or JSON Lines file of the workspace:'),
        h('pre', {}, h('code', {}, `mlops serve models:/${deployment}@champion --reference training\nmlops serve models:/${deployment}@champion --reference data/reference.csv`)),
        h('p', {}, 'Started with --no-monitoring? Serve it again without. Requests are then recorded and compared with the reference feature by feature, and this panel shows the drift as it happens.'),
        button('How monitoring works', 'Open the README', () => post({ type: 'openDocs' })),
      );
      body.append(e);
      return 'no-monitoring';
    }
    case 'loading': {
      const e = box();
      e.append(h('h3', {}, 'Loading the reference data set…'), h('p', {}, `${state.spec ? `Reference: ${state.spec.reference}. ` : ''}Drift is computed once it is loaded and enough requests came.`));
      body.append(e);
      return 'loading';
    }
    case 'waiting': {
      const minRows = state.spec ? Math.min(state.spec.minRows, state.spec.window.rows) : 0;
      const need = rowsNeeded(state);
      const e = box();
      const bar = h('div', { class: 'mon-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(minRows), 'aria-valuenow': String(state.windowRows) }, h('span', {}));
      (bar.firstElementChild as HTMLElement).style.width = `${minRows ? Math.min(100, (100 * state.windowRows) / minRows) : 0}%`;
      e.append(
        h('h3', {}, need > 0 ? `Waiting for ${formatCount(need)} more request${need === 1 ? '' : 's'}` : 'Waiting for requests'),
        h('p', {}, `Drift is computed once the window holds ${formatCount(minRows)} rows (fewer say nothing reliable); it holds ${formatCount(state.windowRows)}.`),
        bar,
        h('p', {}, 'Send requests to the deployment: your client, or Send Test Request on the deployment in the Deployments view.'),
      );
      body.append(e);
      return 'waiting';
    }
    case 'error': {
      const e = box('mon-empty-error');
      e.append(h('h3', {}, 'Drift could not be computed'), h('p', {}, state.message ?? 'The deployment reported an error without a message.'), h('p', {}, 'The deployment keeps serving; the log of the backend (MLOps: Show Log) says more.'));
      body.append(e);
      return 'error';
    }
    default:
      if (state.latest || state.history.length) return null;
      body.append(h('div', { class: 'mon-empty' }, 'No drift computed yet.'));
      return 'not-computed';
  }
}

function drawDriftShare(state: MonitoringState): void {
  const theme = readTheme();
  const { data, options, breaks } = driftShareChart(state, theme);
  shareChart.draw(data, options, theme, breaks);
  const threshold = driftShareThreshold(state);
  const last = state.history[state.history.length - 1];
  const changed = referenceChangesIn(state).at(-1);
  driftShare.figure.textContent = last
    ? `${formatShare(last.driftedShare)} now${threshold !== null ? ` · drifts at ${formatShare(threshold)}` : ''}${changed ? ` · reference changed ${clockTime(changed.at)}` : ''}`
    : '';
  driftShare.figure.title = changed ? `From ${clockTime(changed.at)} drift is measured against ${changed.to} (before: ${changed.from}).` : '';
}

function drawScores(state: MonitoringState): void {
  const theme = readTheme();
  const view: ScoresView = { selected: shown, hidden: hiddenFeatures, peek: peeked };
  const p = scoresChart(state, 'p_value', view, theme);
  const s = scoresChart(state, 'statistic', view, theme);
  pPane.hidden = !p;
  statPane.hidden = !s;
  const drifted = new Set(allResults(state).filter((r) => r.drifted && !r.error).map((r) => r.feature));
  const entries = (chart: NonNullable<typeof p>): LegendEntry[] =>
    chart.features.map((feature) => ({ feature, style: chart.styles.get(feature)!, hidden: hiddenFeatures.has(feature), drifted: drifted.has(feature), selected: feature === shown }));
  if (p) {
    pChart.draw(p.data, { ...p.options, onClick: onScoreClick }, theme, p.breaks);
    pLegend.draw(entries(p));
  }
  if (s) {
    statChart.draw(s.data, { ...s.options, onClick: onScoreClick }, theme, s.breaks);
    statLegend.draw(entries(s));
  }
  const hiddenHere = [...(p?.features ?? []), ...(s?.features ?? [])].filter((f) => hiddenFeatures.has(f)).length;
  scores.figure.textContent = `${state.history.length} windows${hiddenHere ? ` · ${hiddenHere} line${hiddenHere === 1 ? '' : 's'} hidden` : ''}`;
}

function drawTable(): void {
  if (!current?.state.latest) return;
  const l = current.state.latest;
  table.draw(l.features, l.prediction, shown, sort);
  features.figure.textContent = `${l.driftedCount} of ${l.featureCount} drifted`;
}

function drawHistogram(state: MonitoringState): void {
  const results = allResults(state);
  const names = results.map((r) => r.feature);
  const key = names.join('\n');
  if (featureSelect.dataset.names !== key) {
    featureSelect.dataset.names = key;
    featureSelect.replaceChildren(...results.map((r) => h('option', { value: r.feature }, r.feature === PREDICTION ? 'prediction (model output)' : `${r.feature}${r.drifted ? ' (drifted)' : ''}`)));
  } else {
    // Labels follow the verdicts.
    for (const [i, r] of results.entries()) {
      const option = featureSelect.options[i];
      const label = r.feature === PREDICTION ? 'prediction (model output)' : `${r.feature}${r.drifted ? ' (drifted)' : ''}`;
      if (option && option.textContent !== label) option.textContent = label;
    }
  }
  if (shown && featureSelect.value !== shown) featureSelect.value = shown;
  const d = shown ? state.latest?.distributions[shown] : undefined;
  const r = results.find((x) => x.feature === shown);
  histFacts.textContent = '';
  if (!shown || !d) {
    histBox.canvas.hidden = true;
    histBox.empty.hidden = false;
    histBox.empty.textContent = shown ? `No distribution of ${shown} in the latest window.` : 'Select a feature in the table.';
    return;
  }
  histBox.canvas.hidden = false;
  histBox.empty.hidden = true;
  if (r) histFacts.append(...featureFacts(r));
  const theme = readTheme();
  const { data, options } = histogramChart(d, theme);
  histChart.draw(data, options, theme);
}

function featureFacts(r: FeatureDriftResult): (Node | string)[] {
  const verdict = r.error ? `not computed: ${r.error}` : r.drifted ? 'drifted' : 'no drift';
  return [
    h('b', {}, r.feature),
    ` · ${r.type} · ${scoreLabel(r)} `,
    h('b', {}, formatScore(r.score)),
    ` (drift ${r.scoreKind === 'p_value' ? 'below' : 'at or above'} ${formatScore(r.threshold)}) · `,
    h('b', {}, verdict),
    ` · ${formatCount(r.referenceCount)} reference rows, ${formatCount(r.currentCount)} current`,
  ];
}

function noTraffic(state: MonitoringState): boolean {
  return state.traffic.length === 0 || state.traffic.every((p) => p.rps === 0 && p.errorsPerSecond === 0 && p.p50Ms === null);
}

function drawTraffic(state: MonitoringState): boolean {
  const none = noTraffic(state);
  for (const [box, text] of [
    [rpsBox, 'No requests yet. Send one: Send Test Request on the deployment in the Deployments view, or POST /v2/models/NAME/infer to its URL.'],
    [latencyBox, 'Latency shows once requests come.'],
  ] as const) {
    box.canvas.hidden = none;
    box.empty.hidden = !none;
    box.box.classList.toggle('mon-canvas-none', none);
    box.empty.textContent = text;
  }
  const last = state.traffic[state.traffic.length - 1];
  requests.figure.textContent = last && !none ? `${formatCompact(last.rps)} req/s · ${formatCompact(last.errorsPerSecond)} errors/s` : '';
  latency.figure.textContent = last && !none ? `p50 ${formatMs(last.p50Ms)} · p99 ${formatMs(last.p99Ms)}` : '';
  if (none) return true;
  const theme = readTheme();
  const rps = rpsChart(state, theme);
  rpsChartView.draw(rps.data, rps.options, theme, rps.breaks);
  const lat = latencyChart(state, theme);
  latencyChartView.draw(lat.data, lat.options, theme, lat.breaks);
  return false;
}

function drawVariants(state: MonitoringState): boolean {
  const body = variants.body;
  body.textContent = '';
  // A challenger that never answered is left out: the state lists one for deployments without any.
  const entries = (['champion', 'challenger'] as const).flatMap((name) => {
    const v = state.variants[name] as MonitoringState['variants'][typeof name] | undefined;
    return v && (name === 'champion' || v.requests > 0 || v.labelled > 0) ? [[name, v] as const] : [];
  });
  const total = entries.reduce((n, [, v]) => n + v.requests, 0);
  if (entries.length === 0 || total === 0) {
    body.append(h('div', { class: 'mon-empty' }, 'No requests yet: each variant\'s requests, errors and accuracy show here once it answers.'));
    variants.figure.textContent = '';
    return true;
  }
  const withAccuracy = entries.some(([, v]) => v.accuracy !== null);
  const withMae = entries.some(([, v]) => v.meanAbsoluteError !== null);
  const bestAccuracy = Math.max(...entries.map(([, v]) => v.accuracy ?? -1));
  const bestMae = Math.min(...entries.map(([, v]) => v.meanAbsoluteError ?? Infinity));
  const num = (text: string, cls = '') => h('td', { class: `mon-num ${cls}` }, text);
  const rows = entries.map(([name, v]) => {
    const cells = [
      h('td', {}, name),
      num(formatCount(v.requests)),
      num(total ? formatShare(v.requests / total) : '–'),
      num(`${formatCount(v.errors)} (${errorShare(v.requests, v.errors)})`),
      num(formatCount(v.labelled)),
    ];
    if (withAccuracy || !withMae) {
      const acc = h('td', { class: `mon-num${v.accuracy !== null && v.accuracy === bestAccuracy && entries.length > 1 ? ' mon-best' : ''}` });
      if (v.accuracy === null) acc.textContent = '–';
      else {
        const meter = h('span', { class: 'mon-meter' }, h('span', {}));
        (meter.firstElementChild as HTMLElement).style.width = `${Math.round(v.accuracy * 100)}%`;
        acc.append(meter, formatShare(v.accuracy));
      }
      cells.push(acc);
    }
    if (withMae) cells.push(num(v.meanAbsoluteError === null ? '–' : formatCompact(v.meanAbsoluteError), v.meanAbsoluteError === bestMae && entries.length > 1 ? 'mon-best' : ''));
    return h('tr', { 'data-variant': name }, ...cells);
  });
  const heads = ['Variant', 'Requests', 'Share', 'Errors', 'Labelled', ...(withAccuracy || !withMae ? ['Accuracy'] : []), ...(withMae ? ['MAE'] : [])];
  body.append(
    h('table', { class: 'mon-table mon-variants' }, h('thead', {}, h('tr', {}, ...heads.map((t, i) => h('th', { class: i ? 'mon-num' : '' }, t)))), h('tbody', {}, ...rows)),
  );
  if (!withAccuracy && !withMae) body.append(h('p', { class: 'mon-note' }, 'No labels yet. Send the true outcome with POST /v1/feedback (the response\'s request id and the label): accuracy (classification) or mean absolute error (regression) shows here per variant.'));
  else body.append(h('p', { class: 'mon-note' }, comparisonNote(state)));
  variants.figure.textContent = `${formatCount(total)} requests`;
  return false;
}

/** How the challenger compares, in words; the labels' source. */
function comparisonNote(state: MonitoringState): string {
  const c = state.variants.champion as MonitoringState['variants']['champion'] | undefined;
  const x = state.variants.challenger as MonitoringState['variants']['challenger'] | undefined;
  const source = 'Measured on the requests labelled through POST /v1/feedback.';
  if (!c || !x || x.labelled === 0) return source;
  if (c.accuracy !== null && x.accuracy !== null) {
    const points = (x.accuracy - c.accuracy) * 100;
    const how = Math.abs(points) < 0.05 ? 'as accurate as' : `${Math.abs(points).toFixed(1)} points ${points > 0 ? 'more' : 'less'} accurate than`;
    return `The challenger is ${how} the champion (${formatCount(x.labelled)} and ${formatCount(c.labelled)} labels). ${source}`;
  }
  if (c.meanAbsoluteError !== null && x.meanAbsoluteError !== null) {
    const better = x.meanAbsoluteError < c.meanAbsoluteError;
    return `The challenger's mean absolute error is ${better ? 'lower' : 'higher'} than the champion's (${formatCompact(x.meanAbsoluteError)} vs ${formatCompact(c.meanAbsoluteError)}). ${source}`;
  }
  return source;
}

function drawAlerts(state: MonitoringState): boolean {
  const body = alerts.body;
  body.textContent = '';
  if (state.alerts.length === 0) {
    body.append(h('div', { class: 'mon-empty' }, state.status === 'off' ? 'Alerts come with drift monitoring.' : 'No drift alerts yet: one is raised when the data set starts (and stops) drifting.'));
    alerts.figure.textContent = '';
    return true;
  }
  const latestFirst = [...state.alerts].sort((a, b) => b.at - a.at).slice(0, 20);
  const now = current?.fetchedAt ?? Date.now();
  body.append(
    h(
      'ul',
      { class: 'mon-alerts' },
      ...latestFirst.map((a) => {
        const li = h('li', { title: `${new Date(a.at).toLocaleString()} (${ago(a.at, now)})` }, h('span', { class: 'mon-when' }, clockTime(a.at)));
        const r = a.retrain;
        // The backend's message names the pipeline and what happened; an exit code only when it failed.
        const retrainText = r ? `${r.message.includes(r.pipeline) ? '' : `${r.pipeline}: `}${r.message}${r.exitCode ? ` (exit ${r.exitCode})` : ''}` : '';
        if (a.kind === 'retrain') {
          // A retraining run started by hand, or one that ended.
          const ok = r?.status === 'finished' || r?.status === 'started';
          li.append(h('span', {}, h('span', { class: ok ? 'mon-alert-ended' : 'mon-alert-started' }, r?.status === 'started' ? 'Retrain started' : r?.status === 'finished' ? 'Retrain finished' : 'Retrain'), r ? ` · ${retrainText}` : ''));
          return li;
        }
        const what =
          a.kind === 'started'
            ? [h('span', { class: 'mon-alert-started' }, 'Drift started'), ` · ${formatShare(a.driftedShare)} drifted${a.features.length ? `: ${a.features.slice(0, 5).join(', ')}${a.features.length > 5 ? ` +${a.features.length - 5}` : ''}` : ''}`]
            : [h('span', { class: 'mon-alert-ended' }, 'Drift ended'), ` · ${formatShare(a.driftedShare)} drifted`];
        li.append(h('span', {}, ...what));
        if (r) li.append(h('span', { class: 'mon-alert-retrain' }, `Retrain: ${retrainText}`));
        return li;
      }),
    ),
  );
  alerts.figure.textContent = `${state.alerts.length}`;
  return false;
}

function drawState(deployment: string, state: MonitoringState, fetchedAt: number): void {
  current = { deployment, state, fetchedAt };
  problem = undefined;
  view = 'dashboard';
  draws++;
  saveState({ deployment });
  unavailableBox.hidden = true;
  grid.hidden = false;
  drawHeader(deployment);
  drawBanner(state);
  shown = featureToShow(state, chosen, shown);
  const empty: string[] = [];
  const why = drawExplain(state);
  explain.element.hidden = why === null;
  if (why) empty.push(why);
  const hasHistory = state.history.length > 0;
  driftShare.element.hidden = !hasHistory;
  scores.element.hidden = !hasHistory;
  featureRow.hidden = !state.latest;
  if (hasHistory) {
    drawDriftShare(state);
    drawScores(state);
  }
  if (state.latest) {
    drawTable();
    drawHistogram(state);
  }
  if (drawTraffic(state)) empty.push('no-traffic');
  if (drawVariants(state)) empty.push('no-variants');
  if (drawAlerts(state)) empty.push('no-alerts');
  empties = empty;
  if (!scrollRestored) {
    scrollRestored = true;
    requestAnimationFrame(() => window.scrollTo(0, saved.scrollY ?? 0));
  }
}

const UNAVAILABLE_TITLE: Record<MonitoringUnavailable, string> = {
  'no-deployment': 'No such deployment',
  'no-route': 'This backend has no monitoring',
  'no-backend': 'The MLOps backend is not connected',
  error: 'Could not load the monitoring state',
};

function drawUnavailable(deployment: string, reason: MonitoringUnavailable, message: string, fetchedAt: number): void {
  problem = { deployment, reason, message, fetchedAt };
  view = 'unavailable';
  draws++;
  saveState({ deployment });
  titleText.textContent = deployment;
  pill.hidden = true;
  statusLine.textContent = UNAVAILABLE_TITLE[reason];
  meta.textContent = '';
  meta.append(h('span', { class: 'mon-live' }, `Checked ${clockTime(fetchedAt)} · tried again every 2 s`));
  banner.hidden = true;
  grid.hidden = true;
  unavailableBox.hidden = false;
  unavailableBox.textContent = '';
  unavailableBox.append(
    h(
      'div',
      { class: 'mon-card-body' },
      h('div', { class: `mon-empty ${reason === 'error' ? 'mon-empty-error' : ''}` }, h('h3', {}, UNAVAILABLE_TITLE[reason]), h('p', {}, message)),
    ),
  );
  empties = [`unavailable:${reason}`];
}

// ---- reporting ---------------------------------------------------------------
let reportQueued = false;
function report(): void {
  if (reportQueued) return;
  reportQueued = true;
  requestAnimationFrame(() => {
    reportQueued = false;
    const deployment = current?.deployment ?? problem?.deployment ?? saved.deployment ?? '';
    const charts: MonitoringChartReport[] = [];
    const visible = (el: HTMLElement) => !el.closest('[hidden]');
    const add = (id: MonitoringChartReport['id'], chart: LiveChart<'line'> | LiveChart<'bar'>, canvas: HTMLCanvasElement) => {
      if (view === 'dashboard' && chart.exists && visible(canvas)) charts.push({ id, ...chart.drawn() });
    };
    add('rps', rpsChartView, rpsBox.canvas);
    add('latency', latencyChartView, latencyBox.canvas);
    add('scores-p', pChart, pBox.canvas);
    add('scores-stat', statChart, statBox.canvas);
    add('drift-share', shareChart, shareBox.canvas);
    add('histogram', histChart, histBox.canvas);
    const histShown = view === 'dashboard' && histChart.exists && visible(histBox.canvas) && shown !== null;
    const d = histShown && current ? current.state.latest?.distributions[shown!] : undefined;
    const series = histChart.seriesLengths();
    const state = current?.state;
    const r: MonitoringReport = {
      deployment,
      view,
      status: view === 'dashboard' ? (state?.status ?? null) : null,
      statusText: statusLine.textContent ?? '',
      banner: banner.hidden ? null : bannerTextEl.textContent,
      retrainButton: !banner.hidden && !retrainButton.hidden,
      retrainEnabled: !banner.hidden && !retrainButton.hidden && !retrainButton.hasAttribute('disabled'),
      retrainTitle: banner.hidden ? null : retrainButton.getAttribute('title'),
      bannerNote: banner.hidden ? null : bannerNote.textContent,
      charts,
      chartsCreated,
      rows: view === 'dashboard' && !featureRow.hidden ? table.rows() : [],
      drifted: view === 'dashboard' && !featureRow.hidden ? table.drifted() : [],
      selectedFeature: view === 'dashboard' ? shown : null,
      scoreLegend:
        view === 'dashboard' && !scores.element.hidden
          ? ([['scores-p', pLegend, pPane], ['scores-stat', statLegend, statPane]] as const).flatMap(([chart, legend, pane]) =>
              pane.hidden ? [] : legend.entries().map((e) => ({ chart, feature: e.feature, color: e.style.color, hidden: e.hidden, drifted: e.drifted })),
            )
          : [],
      histogram: d ? { feature: shown!, kind: d.kind, labels: histChart.labels(), reference: series.Reference ?? 0, current: series.Current ?? 0 } : null,
      variants:
        view === 'dashboard' && state
          ? [...variants.body.querySelectorAll<HTMLElement>('tr[data-variant]')].map((tr) => {
              const v = state.variants[tr.dataset.variant as 'champion' | 'challenger']!;
              return { name: tr.dataset.variant!, requests: v.requests, labelled: v.labelled, accuracy: v.accuracy, meanAbsoluteError: v.meanAbsoluteError };
            })
          : [],
      empty: empties,
      draws,
      fetchedAt: view === 'dashboard' ? (current?.fetchedAt ?? null) : (problem?.fetchedAt ?? null),
    };
    post({ type: 'rendered', report: r });
  });
}

// ---- messages from the host --------------------------------------------------
channel.onValid((m) => {
  if (m.type === 'state') drawState(m.deployment, m.state, m.fetchedAt);
  else if (m.type === 'unavailable') drawUnavailable(m.deployment, m.reason, m.message, m.fetchedAt);
  else selectFeature(m.feature, false);
  report();
});

// Theme changes (VS Code swaps the body's classes): redraw with the new colours.
new MutationObserver(() => {
  if (current && view === 'dashboard') drawState(current.deployment, current.state, current.fetchedAt);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => saveState({ scrollY: Math.round(window.scrollY) }), 250);
});

post({ type: 'ready', deployment: saved.deployment });

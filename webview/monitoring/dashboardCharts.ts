// Data and options of each chart of the panel, from the monitoring state and
// the theme. Pure apart from chart.js types: main.ts hands them to LiveChart.
import type { ChartData, ChartDataset, ChartOptions, ScriptableLineSegmentContext } from 'chart.js';
import type { DistributionPair, FeatureDriftResult, MonitoringState, TrafficPoint } from '../../src/protocol/monitoring';
import { PANEL_HISTORY_POINTS, PANEL_TRAFFIC_POINTS, TRAFFIC_INTERVAL_MS } from '../../src/protocol/monitoringLimits';
import { thresholdLine, timeOptions, withAlpha, type HelperMark, type Theme, type XY } from './charts';
import { featureStyles, isDark, type LineStyle } from './featureColours';
import { lineBreaks, longestStep, withBreaks, type LineBreak } from './lineBreaks';
import { binLabels, formatCompact, referenceChangesIn, timeRange, formatMs, formatScore, formatShare, P_VALUE_FLOOR, PREDICTION } from './monitoringModel';
import type { VerticalMarksOptions } from './verticalMarks';

type LineData = ChartData<'line', XY[]>;
type LineChart = { data: LineData; options: ChartOptions<'line'>; breaks: LineBreak[] };

const point = (x: number, y: number | null): XY => ({ x, y });
const blank = (b: LineBreak): XY => point(b.at, null);

/** How often the drift of a window is computed when requests come (a spec-less state has no history to draw). */
const DEFAULT_RECOMPUTE_MS = 5_000;

/** Where the traffic lines break: a step of several 2 s intervals without a point (the deployment was down or restarting). */
export function trafficBreaks(state: MonitoringState): LineBreak[] {
  const times = state.traffic.map((p) => p.at);
  return lineBreaks(times, longestStep(times, TRAFFIC_INTERVAL_MS, PANEL_TRAFFIC_POINTS));
}

/**
 * Where the drift lines break: a pause of several recompute intervals without
 * a window (drift is computed only when requests came), and each change of the
 * reference data set.
 */
export function driftBreaks(state: MonitoringState): LineBreak[] {
  const times = state.history.map((p) => p.at);
  const cadence = (state.spec?.recomputeSeconds ?? DEFAULT_RECOMPUTE_MS / 1000) * 1000;
  return lineBreaks(times, longestStep(times, cadence, PANEL_HISTORY_POINTS), referenceChangesIn(state).map((c) => c.at));
}

/** The vertical marks of the reference changes inside the history's span, for the verticalMarks plugin. */
function referenceMarks(state: MonitoringState, theme: Theme): VerticalMarksOptions | false {
  const changes = referenceChangesIn(state);
  if (changes.length === 0) return false;
  return { marks: changes.map((c) => ({ at: c.at, label: REFERENCE_CHANGED })), color: theme.purple, background: theme.background };
}

export const REFERENCE_CHANGED = 'reference changed';

export function rpsChart(state: MonitoringState, theme: Theme): LineChart {
  const t = state.traffic;
  const breaks = trafficBreaks(state);
  const line = (y: (p: TrafficPoint) => number | null) => withBreaks(t.map((p) => point(p.at, y(p))), breaks, blank);
  return {
    data: {
      datasets: [
        { label: 'requests/s', data: line((p) => p.rps), borderColor: theme.blue, backgroundColor: withAlpha(theme.blue, 0.14), fill: 'origin', borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
        { label: 'errors/s', data: line((p) => p.errorsPerSecond), borderColor: theme.red, backgroundColor: theme.red, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
      ],
    },
    options: timeOptions(theme, timeRange(t.map((p) => p.at)), { min: 0, ticks: { color: theme.text, callback: (v: number | string) => formatCompact(Number(v)) } }, { tooltipLabel: (label, y) => `${label}: ${formatCompact(y)}` }),
    breaks,
  };
}

export function latencyChart(state: MonitoringState, theme: Theme): LineChart {
  const t = state.traffic;
  const breaks = trafficBreaks(state);
  // An interval without requests has no percentiles (null): the line breaks there too.
  const line = (y: (p: TrafficPoint) => number | null) => withBreaks(t.map((p) => point(p.at, y(p))), breaks, blank);
  return {
    data: {
      datasets: [
        { label: 'p50', data: line((p) => p.p50Ms), borderColor: theme.green, backgroundColor: theme.green, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
        { label: 'p99', data: line((p) => p.p99Ms), borderColor: theme.purple, backgroundColor: theme.purple, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
      ],
    },
    options: timeOptions(theme, timeRange(t.map((p) => p.at)), { min: 0, ticks: { color: theme.text, callback: (v: number | string) => formatMs(Number(v)) } }, { tooltipLabel: (label, y) => `${label}: ${formatMs(y)}` }),
    breaks,
  };
}

/** The threshold of the data set as the latest snapshot (else the spec) says it. */
export function driftShareThreshold(state: MonitoringState): number | null {
  return state.latest?.driftShare ?? state.spec?.driftShare ?? null;
}

export function driftShareChart(state: MonitoringState, theme: Theme): LineChart {
  const h = state.history;
  const threshold = driftShareThreshold(state);
  const breaks = driftBreaks(state);
  const data = withBreaks(h.map((p) => point(p.at, p.driftedShare)), breaks, blank);
  // Whether the data set drifted at each point of `data` (blanks included, as chart.js indexes them).
  const drifted = withBreaks(h.map((p) => p.datasetDrift), breaks, () => false);
  const colour = (d: boolean) => (d ? theme.red : theme.blue);
  const datasets: (ChartDataset<'line', XY[]> & HelperMark)[] = [
    {
      label: 'drifted share',
      data,
      borderColor: theme.blue,
      backgroundColor: withAlpha(theme.blue, 0.14),
      fill: 'origin',
      borderWidth: 1.5,
      pointRadius: h.length > 120 ? 0 : 2.5,
      pointHoverRadius: 4,
      spanGaps: false,
      // A window where the data set drifted is a red point, and the line into it red.
      pointBackgroundColor: drifted.map(colour),
      pointBorderColor: drifted.map(colour),
      segment: { borderColor: (ctx: ScriptableLineSegmentContext) => (drifted[ctx.p1DataIndex] ? theme.red : undefined) },
    },
  ];
  if (threshold !== null && h.length) datasets.push(thresholdLine(`drifts at ${formatShare(threshold)}`, threshold, h[0].at, h[h.length - 1].at, theme.orange));
  const options = timeOptions(
    theme,
    timeRange(h.map((p) => p.at)),
    { min: 0, max: 1, ticks: { color: theme.text, stepSize: 0.25, callback: (v: number | string) => formatShare(Number(v)) } },
    { tooltipLabel: (label, y) => `${label}: ${formatShare(y)}` },
  );
  // From a reference change on, drift is measured against other data: a labelled mark says where.
  options.plugins!.verticalMarks = referenceMarks(state, theme);
  return { data: { datasets }, options, breaks };
}

/** Which features' tests give which kind of score (from the latest snapshot, else the reference's list). */
export function scoreKinds(state: MonitoringState): Map<string, { scoreKind: FeatureDriftResult['scoreKind']; threshold: number; test: string }> {
  const out = new Map<string, { scoreKind: FeatureDriftResult['scoreKind']; threshold: number; test: string }>();
  for (const f of state.latest?.features ?? []) out.set(f.feature, { scoreKind: f.scoreKind, threshold: f.threshold, test: f.test });
  const p = state.latest?.prediction;
  if (p) out.set(PREDICTION, { scoreKind: p.scoreKind, threshold: p.threshold, test: p.test });
  for (const f of state.reference?.features ?? []) {
    if (out.has(f.name)) continue;
    const pValue = f.test === 'ks' || f.test === 'chisquare' || f.test === 'z';
    out.set(f.name, { scoreKind: pValue ? 'p_value' : 'statistic', threshold: f.threshold, test: f.test });
  }
  return out;
}

/** How the user is looking at the scores charts: the selected feature, the lines hidden, the one pointed at in a legend. */
export interface ScoresView {
  selected: string | null;
  hidden: ReadonlySet<string>;
  peek: string | null;
}

/**
 * Scores over time of the features whose test gives `kind`: one line per
 * feature in its own colour (its legend says which), in the features' name
 * order; the selected feature drawn on top and wider, red where it drifted;
 * the others fainter unless pointed at in the legend. Each distinct threshold
 * is a dashed line. P-values on a log axis (they fall by orders of magnitude),
 * distances on a linear one.
 */
export function scoresChart(
  state: MonitoringState,
  kind: FeatureDriftResult['scoreKind'],
  view: ScoresView,
  theme: Theme,
): (LineChart & { features: string[]; styles: Map<string, LineStyle> }) | null {
  const kinds = scoreKinds(state);
  const features = [...kinds].filter(([, k]) => k.scoreKind === kind).map(([f]) => f);
  if (features.length === 0 || state.history.length === 0) return null;
  features.sort((a, b) => a.localeCompare(b));
  const styles = featureStyles(features, isDark(theme.background));
  const h = state.history;
  const breaks = driftBreaks(state);
  const clamp = (v: number) => (kind === 'p_value' ? Math.max(v, P_VALUE_FLOOR) : v);
  const datasets: (ChartDataset<'line', XY[]> & HelperMark)[] = features.map((feature) => {
    const isPrediction = feature === PREDICTION;
    const data = withBreaks(
      h.map((p) => {
        const v = isPrediction ? p.predictionScore : p.scores[feature];
        return point(p.at, v === undefined || v === null ? null : clamp(v));
      }),
      breaks,
      blank,
    );
    const drifted = withBreaks(
      h.map((p) => {
        if (!isPrediction) return p.drifted[feature] === true;
        const k = kinds.get(PREDICTION)!;
        const v = p.predictionScore;
        return v !== null && (k.scoreKind === 'p_value' ? v < k.threshold : v >= k.threshold);
      }),
      breaks,
      () => false,
    );
    const on = feature === view.selected;
    const forward = on || feature === view.peek;
    const style = styles.get(feature)!;
    // With a line pointed at, the others step back further.
    const colour = forward ? style.color : withAlpha(style.color, view.peek && !on ? 0.25 : 0.6);
    return {
      label: feature,
      data,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: style.dash,
      borderWidth: on ? 2.75 : forward ? 2.25 : 1.25,
      pointRadius: 0,
      pointHoverRadius: 3,
      spanGaps: false,
      hidden: view.hidden.has(feature),
      // Lower orders are drawn later, on top.
      order: on ? 0 : forward ? 1 : 2,
      segment: on ? { borderColor: (ctx: ScriptableLineSegmentContext) => (drifted[ctx.p1DataIndex] ? theme.red : undefined) } : undefined,
    };
  });
  const thresholds = [...new Set(features.map((f) => kinds.get(f)!.threshold))];
  for (const t of thresholds) datasets.push({ ...thresholdLine(`threshold ${formatScore(t)}`, t, h[0].at, h[h.length - 1].at, theme.orange), order: 3 });
  const y =
    kind === 'p_value'
      ? { type: 'logarithmic', max: 1, ticks: { color: theme.text, callback: (v: number | string) => logTick(Number(v)) } }
      : { type: 'linear', min: 0, ticks: { color: theme.text, callback: (v: number | string) => formatCompact(Number(v)) } };
  const options = timeOptions(theme, timeRange(h.map((p) => p.at)), y, {
    legend: false,
    tooltipLabel: (label, v) => {
      const k = kinds.get(label);
      if (!k) return `${label}: ${formatScore(v)}`;
      const drift = k.scoreKind === 'p_value' ? v < k.threshold : v >= k.threshold;
      return `${label}: ${k.test} ${formatScore(v)}${v <= P_VALUE_FLOOR && k.scoreKind === 'p_value' ? ' or less' : ''} (${drift ? 'drifted' : 'no drift'}, threshold ${formatScore(k.threshold)})`;
    },
  });
  // One feature under the pointer, not twenty.
  options.interaction = { mode: 'nearest', axis: 'xy', intersect: false };
  options.plugins!.tooltip!.filter = (item) => !(item.dataset as HelperMark).helper;
  options.plugins!.verticalMarks = referenceMarks(state, theme);
  return { data: { datasets }, options, breaks, features, styles };
}

/** Log ticks only at powers of ten ("1", "0.01", "1e-6"). */
function logTick(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) > 1e-9) return '';
  return formatCompact(v);
}

/** Reference vs current shares over the same bins, as two bar series. */
export function histogramChart(d: DistributionPair, theme: Theme): { data: ChartData<'bar', number[], string>; options: ChartOptions<'bar'> } {
  const labels = binLabels(d);
  return {
    data: {
      labels,
      datasets: [
        { label: 'Reference', data: d.reference, backgroundColor: withAlpha(theme.blue, 0.55), borderColor: theme.blue, borderWidth: 1, categoryPercentage: 0.85, barPercentage: 0.95 },
        { label: 'Current', data: d.current, backgroundColor: withAlpha(theme.orange, 0.6), borderColor: theme.orange, borderWidth: 1, categoryPercentage: 0.85, barPercentage: 0.95 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { color: theme.text, maxRotation: 40, autoSkip: true, autoSkipPadding: 6 } },
        y: { min: 0, grid: { color: theme.grid }, ticks: { color: theme.text, callback: (v) => formatShare(Number(v)) }, title: { display: true, text: 'share of rows', color: theme.text } },
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: { color: theme.text, boxWidth: 12, boxHeight: 12, padding: 10 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatShare(Number(item.parsed.y))}` } },
      },
    },
  };
}

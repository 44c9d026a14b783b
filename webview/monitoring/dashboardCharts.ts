// Data and options of each chart of the panel, from the monitoring state and
// the theme. Pure apart from chart.js types: main.ts hands them to LiveChart.
import type { ChartData, ChartDataset, ChartOptions, ScriptableLineSegmentContext } from 'chart.js';
import type { DistributionPair, FeatureDriftResult, MonitoringState } from '../../src/protocol/monitoring';
import { thresholdLine, timeOptions, withAlpha, type HelperMark, type Theme, type XY } from './charts';
import { binLabels, formatCompact, referenceChangesIn, timeRange, formatMs, formatScore, formatShare, P_VALUE_FLOOR, PREDICTION } from './monitoringModel';

type LineData = ChartData<'line', XY[]>;

const point = (x: number, y: number | null): XY => ({ x, y });

export function rpsChart(state: MonitoringState, theme: Theme): { data: LineData; options: ChartOptions<'line'> } {
  const t = state.traffic;
  return {
    data: {
      datasets: [
        { label: 'requests/s', data: t.map((p) => point(p.at, p.rps)), borderColor: theme.blue, backgroundColor: withAlpha(theme.blue, 0.14), fill: 'origin', borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3 },
        { label: 'errors/s', data: t.map((p) => point(p.at, p.errorsPerSecond)), borderColor: theme.red, backgroundColor: theme.red, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3 },
      ],
    },
    options: timeOptions(theme, timeRange(t.map((p) => p.at)), { min: 0, ticks: { color: theme.text, callback: (v: number | string) => formatCompact(Number(v)) } }, { tooltipLabel: (label, y) => `${label}: ${formatCompact(y)}` }),
  };
}

export function latencyChart(state: MonitoringState, theme: Theme): { data: LineData; options: ChartOptions<'line'> } {
  const t = state.traffic;
  return {
    data: {
      datasets: [
        { label: 'p50', data: t.map((p) => point(p.at, p.p50Ms)), borderColor: theme.green, backgroundColor: theme.green, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
        { label: 'p99', data: t.map((p) => point(p.at, p.p99Ms)), borderColor: theme.purple, backgroundColor: theme.purple, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3, spanGaps: false },
      ],
    },
    options: timeOptions(theme, timeRange(t.map((p) => p.at)), { min: 0, ticks: { color: theme.text, callback: (v: number | string) => formatMs(Number(v)) } }, { tooltipLabel: (label, y) => `${label}: ${formatMs(y)}` }),
  };
}

/** The threshold of the data set as the latest snapshot (else the spec) says it. */
export function driftShareThreshold(state: MonitoringState): number | null {
  return state.latest?.driftShare ?? state.spec?.driftShare ?? null;
}

export function driftShareChart(state: MonitoringState, theme: Theme): { data: LineData; options: ChartOptions<'line'> } {
  const h = state.history;
  const threshold = driftShareThreshold(state);
  const datasets: (ChartDataset<'line', XY[]> & HelperMark)[] = [
    {
      label: 'drifted share',
      data: h.map((p) => point(p.at, p.driftedShare)),
      borderColor: theme.blue,
      backgroundColor: withAlpha(theme.blue, 0.14),
      fill: 'origin',
      borderWidth: 1.5,
      pointRadius: h.length > 120 ? 0 : 2.5,
      pointHoverRadius: 4,
      // A window where the data set drifted is a red point, and the line into it red.
      pointBackgroundColor: h.map((p) => (p.datasetDrift ? theme.red : theme.blue)),
      pointBorderColor: h.map((p) => (p.datasetDrift ? theme.red : theme.blue)),
      segment: { borderColor: (ctx: ScriptableLineSegmentContext) => (h[ctx.p1DataIndex]?.datasetDrift ? theme.red : undefined) },
    },
  ];
  if (threshold !== null && h.length) datasets.push(thresholdLine(`drifts at ${formatShare(threshold)}`, threshold, h[0].at, h[h.length - 1].at, theme.orange));
  // From a reference change on, drift is measured against other data: a vertical mark says where.
  const changes = referenceChangesIn(state);
  for (const c of changes) datasets.push(verticalMark(REFERENCE_CHANGED, c.at, 0, 1, theme.purple));
  const options = timeOptions(
    theme,
    timeRange(h.map((p) => p.at)),
    { min: 0, max: 1, ticks: { color: theme.text, stepSize: 0.25, callback: (v: number | string) => formatShare(Number(v)) } },
    { tooltipLabel: (label, y) => `${label}: ${formatShare(y)}` },
  );
  options.plugins!.tooltip!.filter = (item) => item.dataset.label !== REFERENCE_CHANGED;
  // One legend entry however many changes.
  options.plugins!.legend!.labels!.filter = (item, data) => data.datasets.findIndex((d) => d.label === item.text) === item.datasetIndex;
  return { data: { datasets }, options };
}

const REFERENCE_CHANGED = 'reference changed';

function verticalMark(label: string, x: number, yMin: number, yMax: number, color: string): ChartDataset<'line', XY[]> & HelperMark {
  return { label, data: [point(x, yMin), point(x, yMax)], borderColor: color, borderWidth: 1.5, borderDash: [2, 3], pointRadius: 0, pointHoverRadius: 0, fill: false, helper: true };
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

/**
 * Scores over time of the features whose test gives `kind`: one line per
 * feature, a segment red where the feature drifted, the selected feature drawn
 * last and wider; each distinct threshold as a dashed line. P-values on a log
 * axis (they fall by orders of magnitude), distances on a linear one.
 */
export function scoresChart(
  state: MonitoringState,
  kind: FeatureDriftResult['scoreKind'],
  selected: string | null,
  theme: Theme,
): { data: LineData; options: ChartOptions<'line'>; features: string[] } | null {
  const kinds = scoreKinds(state);
  const features = [...kinds].filter(([, k]) => k.scoreKind === kind).map(([f]) => f);
  if (features.length === 0 || state.history.length === 0) return null;
  features.sort((a, b) => (a === selected ? 1 : b === selected ? -1 : a.localeCompare(b)));
  const h = state.history;
  const clamp = (v: number) => (kind === 'p_value' ? Math.max(v, P_VALUE_FLOOR) : v);
  const datasets: (ChartDataset<'line', XY[]> & HelperMark)[] = features.map((feature) => {
    const isPrediction = feature === PREDICTION;
    const data = h.map((p) => {
      const v = isPrediction ? p.predictionScore : p.scores[feature];
      return point(p.at, v === undefined || v === null ? null : clamp(v));
    });
    const drifted = h.map((p) => {
      if (!isPrediction) return p.drifted[feature] === true;
      const k = kinds.get(PREDICTION)!;
      const v = p.predictionScore;
      return v !== null && (k.scoreKind === 'p_value' ? v < k.threshold : v >= k.threshold);
    });
    const on = feature === selected;
    const calm = on ? theme.blue : withAlpha(theme.muted, 0.5);
    return {
      label: feature,
      data,
      borderColor: calm,
      backgroundColor: calm,
      borderWidth: on ? 2.5 : 1,
      pointRadius: 0,
      pointHoverRadius: 3,
      spanGaps: false,
      segment: { borderColor: (ctx: ScriptableLineSegmentContext) => (drifted[ctx.p1DataIndex] ? (on ? theme.red : withAlpha(theme.red, 0.8)) : undefined) },
    };
  });
  const thresholds = [...new Set(features.map((f) => kinds.get(f)!.threshold))];
  for (const t of thresholds) datasets.push(thresholdLine(`threshold ${formatScore(t)}`, t, h[0].at, h[h.length - 1].at, theme.orange));
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
  return { data: { datasets }, options, features };
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

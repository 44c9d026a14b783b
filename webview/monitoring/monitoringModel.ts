// What the Monitoring panel shows, computed from the backend's MonitoringState
// without the DOM (unit-tested): the status line, the drift banner, the
// per-feature rows and their order, the bins' labels, and how numbers read.
import type { DistributionPair, FeatureDriftResult, MonitoringState } from '../../src/protocol/monitoring';
import type { DriftTableSort } from '../../src/protocol/monitoringPanelMessages';

export const PREDICTION = 'prediction';

/** "1,234" */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "35%", "2.5%", "0.4%" */
export function formatShare(v: number): string {
  const p = v * 100;
  if (p === 0 || p >= 10) return `${Math.round(p)}%`;
  return `${Number(p.toPrecision(2))}%`;
}

/** A score or threshold: p-values down to 1e-300 stay readable ("3.2e-12"), statistics get 3 significant digits. */
export function formatScore(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** A short label for axis ticks and bins: 3 significant digits, "1e-6" rather than "1.0e-6". */
export function formatCompact(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** "12 ms", "1.3 ms", "850 µs" */
export function formatMs(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (v === 0) return '0 ms';
  if (v < 1) return `${Math.round(v * 1000)} µs`;
  return `${Number(v.toPrecision(v < 10 ? 2 : 3))} ms`;
}

/** "14:03:09" */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TIME_STEPS = [SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];

/** A tick step of round clock time giving at most `most` ticks over the span (14:05, 14:10… rather than 14:06:40). */
export function timeStep(spanMs: number, most = 6): number {
  return TIME_STEPS.find((s) => spanMs / s <= most) ?? 24 * HOUR * Math.ceil(spanMs / (24 * HOUR * most));
}

/** Multiples of `step` (in local time) within [min, max]. */
export function timeTicks(min: number, max: number, step: number): number[] {
  // Local midnight-aligned: steps of minutes and hours fall on round local times in every time zone.
  const offset = new Date(min).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((min - offset) / step) * step + offset;
  const out: number[] = [];
  for (let t = first; t <= max && out.length < 100; t += step) out.push(t);
  return out;
}

/** "14:05" on minute steps, "14:05:30" below a minute. */
export function clockLabel(ms: number, stepMs: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${stepMs < MINUTE ? `:${pad(d.getSeconds())}` : ''}`;
}

/** The x range of time points, widened when it is a single instant. */
export function timeRange(times: readonly number[]): { min: number; max: number } {
  if (times.length === 0) return { min: 0, max: MINUTE };
  const min = times[0];
  const max = times[times.length - 1];
  return max - min < SECOND ? { min: min - 30 * SECOND, max: max + 30 * SECOND } : { min, max };
}

/** "just now", "12 s ago", "4 min ago", "2 h ago" */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 2) return 'just now';
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** Rows the window still needs before drift is computed (0 once it may be). */
export function rowsNeeded(state: MonitoringState): number {
  const minRows = state.spec ? Math.min(state.spec.minRows, state.spec.window.rows) : 0;
  return Math.max(0, minRows - state.windowRows);
}

/** The header's status, as a person reads it. */
export function statusText(state: MonitoringState): string {
  switch (state.status) {
    case 'ok':
      return state.latest ? `No drift: ${state.latest.driftedCount} of ${state.latest.featureCount} features drifted` : 'No drift';
    case 'drift':
      return state.latest ? `Drift: ${state.latest.driftedCount} of ${state.latest.featureCount} features drifted (${formatShare(state.latest.driftedShare)})` : 'Drift';
    case 'waiting': {
      const need = rowsNeeded(state);
      return need > 0 ? `Waiting for ${formatCount(need)} more request${need === 1 ? '' : 's'}` : 'Waiting for requests';
    }
    case 'loading':
      return 'Loading the reference…';
    case 'off':
      // The backend's reasons read "Monitoring is off …" or say what is missing ("No reference data set: …").
      if (!state.message) return 'Monitoring off';
      return /^monitoring is off\b/i.test(state.message) ? state.message : `Monitoring off: ${state.message}`;
    case 'error':
      return `Error: ${state.message ?? 'drift could not be computed'}`;
  }
}

/** The drift banner's text, or null when the data set does not drift. */
export function bannerText(state: MonitoringState): string | null {
  if (state.status !== 'drift' || !state.latest) return null;
  const l = state.latest;
  return `Data drift: ${l.driftedCount} of ${l.featureCount} features drifted (${formatShare(l.driftedShare)}; the data set drifts at ${formatShare(l.driftShare)}).`;
}

/** What the banner's Retrain button says, and whether it can be pressed. */
export interface RetrainButtonState {
  enabled: boolean;
  /** The button's tooltip: what pressing it does, or why it cannot. */
  title: string;
  /** A line beside it: why it is disabled, or what holds automatic retraining back; null when nothing does. */
  note: string | null;
}

/**
 * The Retrain button from the state's availability (the backend's, with the
 * editor's trust folded in). A disabled button shows no tooltip in every
 * browser, so the reason is also the line beside it. A backend older than the
 * field leaves the button as it was: enabled.
 */
export function retrainButtonState(state: MonitoringState): RetrainButtonState {
  const r = state.retrain;
  const pipeline = r ? r.pipeline : (state.spec?.onDrift ?? null);
  const does = pipeline ? `Run ${pipeline} now (mlops.deployments.retrain)` : 'Choose a pipeline and run it now: this deployment has no onDrift pipeline (mlops.deployments.retrain)';
  if (!r) return { enabled: true, title: does, note: null };
  if (!r.available) {
    const why = r.reason ?? 'Retraining cannot start now.';
    return { enabled: false, title: why, note: why };
  }
  if (r.cooldownUntil !== null && pipeline) {
    // Rounded up: "not before 14:06" stays true for a cooldown ending at 14:05:37.
    const until = clockLabel(Math.ceil(r.cooldownUntil / MINUTE) * MINUTE, MINUTE);
    return { enabled: true, title: does, note: `Cooldown until ${until}: drift does not run ${pipeline} by itself before then; Retrain runs it now.` };
  }
  return { enabled: true, title: does, note: null };
}

/** Whether a score means drift for its test: a p-value below the threshold, a statistic at or above it. */
export function isDrift(scoreKind: FeatureDriftResult['scoreKind'], score: number, threshold: number): boolean {
  return scoreKind === 'p_value' ? score < threshold : score >= threshold;
}

/**
 * How far into drift a score is, on one scale for both kinds of test: 0 at the
 * threshold, positive past it (log10 of the ratio), so 1 means ten times.
 */
export function severity(r: Pick<FeatureDriftResult, 'scoreKind' | 'score' | 'threshold'>): number {
  const tiny = 1e-300;
  const ratio = r.scoreKind === 'p_value' ? r.threshold / Math.max(r.score, tiny) : Math.max(r.score, tiny) / r.threshold;
  return Math.log10(ratio);
}

export function verdictText(r: FeatureDriftResult): string {
  if (r.error) return 'not computed';
  return r.drifted ? 'drifted' : 'no drift';
}

export const DEFAULT_SORT: DriftTableSort = { column: 'verdict', descending: true };

/**
 * The table's feature rows in display order (the prediction's row is shown
 * apart, above them). "verdict" puts drifted first, then the furthest past (or
 * nearest to) their threshold; the others sort by the column, ties by name.
 */
export function sortFeatures(features: readonly FeatureDriftResult[], sort: DriftTableSort): FeatureDriftResult[] {
  const byName = (a: FeatureDriftResult, b: FeatureDriftResult) => a.feature.localeCompare(b.feature);
  const rank = (r: FeatureDriftResult) => (r.error ? 0 : r.drifted ? 2 : 1);
  const key: Record<DriftTableSort['column'], (a: FeatureDriftResult, b: FeatureDriftResult) => number> = {
    feature: byName,
    type: (a, b) => a.type.localeCompare(b.type),
    test: (a, b) => a.test.localeCompare(b.test),
    score: (a, b) => a.score - b.score,
    threshold: (a, b) => a.threshold - b.threshold,
    verdict: (a, b) => rank(a) - rank(b) || severity(a) - severity(b),
  };
  const sign = sort.descending ? -1 : 1;
  return [...features].sort((a, b) => sign * key[sort.column](a, b) || byName(a, b));
}

/** Every feature's result of the latest snapshot, the prediction's first (when there is one). */
export function allResults(state: MonitoringState): FeatureDriftResult[] {
  const l = state.latest;
  if (!l) return [];
  return l.prediction ? [l.prediction, ...l.features] : [...l.features];
}

/** The feature the histogram shows when the user chose none (or one that is gone): the most drifted, else the first. */
export function defaultFeature(state: MonitoringState, chosen: string | undefined): string | null {
  const results = allResults(state);
  if (chosen && (results.some((r) => r.feature === chosen) || state.latest?.distributions[chosen])) return chosen;
  const features = state.latest?.features ?? [];
  if (features.length === 0) return state.latest?.prediction ? state.latest.prediction.feature : null;
  return sortFeatures(features, DEFAULT_SORT)[0].feature;
}

/**
 * The feature the panel shows (its histogram, its row and line highlighted),
 * given the one the user chose and the one shown until now. The user's choice
 * stands while the state has it. Without a choice, the one shown stays as long
 * as it still says something: while it drifts, or while nothing drifts. When
 * several features drift about as much, which is "most drifted" changes from
 * one window to the next, and following it made the highlight jump at every
 * live update.
 */
export function featureToShow(state: MonitoringState, chosen: string | undefined, previous: string | null): string | null {
  const has = (f: string) => allResults(state).some((r) => r.feature === f) || state.latest?.distributions[f] !== undefined;
  if (chosen && has(chosen)) return chosen;
  const before = previous ? allResults(state).find((r) => r.feature === previous) : undefined;
  if (before) {
    const anyDrift = allResults(state).some((r) => r.drifted && !r.error);
    if ((before.drifted && !before.error) || !anyDrift) return before.feature;
  }
  return defaultFeature(state, undefined);
}

/** The histogram's labels: a numerical bin "a – b" (its edges), a category its name. */
export function binLabels(d: DistributionPair): string[] {
  if (d.kind === 'categorical') return d.categories;
  const n = Math.max(0, d.edges.length - 1);
  return Array.from({ length: n }, (_, i) => `${formatCompact(d.edges[i])} – ${formatCompact(d.edges[i + 1])}`);
}

/** The test behind a score, as the score chart's legend and the table say it. */
export function scoreLabel(r: Pick<FeatureDriftResult, 'scoreKind' | 'test'>): string {
  return r.scoreKind === 'p_value' ? `${r.test} p-value` : `${r.test} distance`;
}

/** Scores of a p-value test on a log axis: 0 cannot be drawn, so it is drawn at the axis' floor. */
export const P_VALUE_FLOOR = 1e-16;

/** Share of requests that failed, "0.4%", or "–" without requests. */
export function errorShare(requests: number, errors: number): string {
  return requests > 0 ? formatShare(errors / requests) : '–';
}

/** The reference changes inside the drift history's time span (older ones have no chart to mark). */
export function referenceChangesIn(state: Pick<MonitoringState, 'history' | 'referenceChanges'>): NonNullable<MonitoringState['referenceChanges']> {
  const h = state.history;
  if (!h.length) return [];
  return (state.referenceChanges ?? []).filter((c) => c.at >= h[0].at && c.at <= h[h.length - 1].at);
}

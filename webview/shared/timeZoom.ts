// A zoom on a time axis (wall or relative) as a step range per run, so the host
// can re-fetch finer series: the backend stores points by step, and each run
// maps time to steps differently (its own start, its own pace).
import type { RunRanges } from '../../src/protocol/seriesMessages';
import type { RunSeries } from './metricChart';

export interface TimedRun {
  runId: string;
  startTime: number | null;
}

/**
 * For each run, the steps of the points in [min, max] (x in the axis' units)
 * plus the nearest point on either side, so the range also covers steps between
 * downsampled points. `overview` is the whole series (no zoom), key -> run.
 */
export function stepRangesForTime(overview: ReadonlyMap<string, ReadonlyMap<string, RunSeries>>, runs: readonly TimedRun[], window: { min: number; max: number }, relative: boolean): RunRanges {
  const ranges: RunRanges = {};
  for (const run of runs) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const byRun of overview.values()) {
      const s = byRun.get(run.runId);
      if (!s?.steps || s.x.length === 0) continue;
      // The chart's own offset for relative time (metricChart.ts): the run's start, else its first point.
      const offset = relative ? (run.startTime ?? s.x[0]) : 0;
      const from = window.min + offset;
      const to = window.max + offset;
      let before = -1; // latest point before the window
      let after = -1; // earliest point after it
      for (let i = 0; i < s.x.length; i++) {
        const t = s.x[i];
        const step = s.steps[i];
        if (t < from) {
          if (before < 0 || t >= s.x[before]) before = i;
        } else if (t > to) {
          if (after < 0 || t < s.x[after]) after = i;
        } else {
          if (step < lo) lo = step;
          if (step > hi) hi = step;
        }
      }
      if (before >= 0) lo = Math.min(lo, s.steps[before]);
      if (after >= 0) hi = Math.max(hi, s.steps[after]);
      // A window wholly past one end: the nearest point alone.
      if (lo === Infinity && hi !== -Infinity) lo = hi;
      if (hi === -Infinity && lo !== Infinity) hi = lo;
    }
    if (Number.isFinite(lo) && Number.isFinite(hi)) ranges[run.runId] = { startStep: Math.floor(lo), endStep: Math.ceil(hi) };
  }
  return ranges;
}

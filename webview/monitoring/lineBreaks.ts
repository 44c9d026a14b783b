// Where a time series' line must not be drawn from one point to the next.
// A line between two points says "it went from here to there in between"; that
// is false across a pause (no requests: no drift window was computed, no traffic
// was measured) and across a change of reference data set (the scores before
// and after compare with different data). There the line breaks: a point with
// no value goes between the two (chart.js draws nothing across it with
// `spanGaps: false`). Pure: unit-tested without a browser.

/** A step longer than this many expected steps is a pause. */
export const GAP_FACTOR = 3;

export interface LineBreak {
  /** The line breaks just before this point (its index in the series). */
  before: number;
  /** Where the point with no value goes: between the two points. */
  at: number;
  kind: 'gap' | 'reference';
}

/**
 * The longest step between two points that is still one line: GAP_FACTOR
 * times the expected step. That is the series' cadence (a traffic interval, a
 * drift recompute) unless the panel was sent a thinned series, whose points
 * stand for buckets of span / maxPoints each; a thinned series' neighbours
 * are at most two buckets apart, so three never break a series without a pause.
 */
export function longestStep(times: readonly number[], cadenceMs: number, maxPoints: number): number {
  const span = times.length > 1 ? times[times.length - 1] - times[0] : 0;
  return GAP_FACTOR * Math.max(cadenceMs, span / Math.max(1, maxPoints));
}

/**
 * The breaks of a series whose points are at `times` (ascending): a reference
 * change between two points (the point at the change's time already belongs to
 * the new reference), else a step longer than `longestStepMs`.
 */
export function lineBreaks(times: readonly number[], longestStepMs: number, referenceChanges: readonly number[] = []): LineBreak[] {
  const out: LineBreak[] = [];
  for (let i = 1; i < times.length; i++) {
    const from = times[i - 1];
    const to = times[i];
    const changed = referenceChanges.some((c) => c > from && c <= to);
    if (changed || to - from > longestStepMs) out.push({ before: i, at: (from + to) / 2, kind: changed ? 'reference' : 'gap' });
  }
  return out;
}

/** The series with an item made by `blank` inserted at each break (breaks in ascending order of `before`). */
export function withBreaks<T>(items: readonly T[], breaks: readonly LineBreak[], blank: (b: LineBreak) => T): T[] {
  if (breaks.length === 0) return [...items];
  const out: T[] = [];
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    while (next < breaks.length && breaks[next].before === i) out.push(blank(breaks[next++]));
    out.push(items[i]);
  }
  return out;
}

// The y-axis of the metric-across-versions chart. Fitted to the data (Chart.js's
// default), two versions whose AUC differs by 0.00005 fill the whole height: a
// cliff drawn out of noise. Instead the axis spans at least a minimum, centred
// on the values: 0.05 for a metric whose values all lie in [0, 1] (AUC,
// accuracy, F1: five points of the scale, where differences people act on
// start), else 5% of the values' magnitude. A difference then looks as large as
// it is against the metric's scale; a wider spread is fitted as before.

/** The least span of a metric whose values all lie in [0, 1]. */
export const MIN_SPAN_BOUNDED = 0.05;
/** The least span of other metrics, as a share of the largest magnitude. */
export const MIN_SPAN_SHARE = 0.05;
/** Room above and below the points when the spread sets the axis. */
const PADDING_SHARE = 0.12;

export interface VersionAxis {
  min: number;
  max: number;
  /** max - min of the values themselves. */
  spread: number;
  /** The axis was widened to its minimum span: the values are closer than it. */
  widened: boolean;
}

export function versionAxis(values: readonly number[]): VersionAxis | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const spread = hi - lo;
  const bounded = lo >= 0 && hi <= 1;
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  const minSpan = bounded ? MIN_SPAN_BOUNDED : magnitude > 0 ? magnitude * MIN_SPAN_SHARE : 1;
  const padded = spread * (1 + 2 * PADDING_SHARE);
  if (padded >= minSpan) {
    const pad = spread * PADDING_SHARE;
    let min = lo - pad;
    let max = hi + pad;
    // A bounded metric's axis does not promise values it cannot take.
    if (bounded) [min, max] = [Math.max(0, min), Math.min(1, max)];
    return { min, max, spread, widened: false };
  }
  const centre = (lo + hi) / 2;
  let min = centre - minSpan / 2;
  let max = centre + minSpan / 2;
  if (bounded && min < 0) [min, max] = [0, minSpan];
  if (bounded && max > 1) [min, max] = [1 - minSpan, 1];
  return { min, max, spread, widened: true };
}

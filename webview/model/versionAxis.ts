// The y-axis of the metric-across-versions chart. Fitted to the data (Chart.js's
// default), two versions whose AUC differs by 0.00005 fill the whole height: a
// cliff drawn out of noise. Instead the axis spans at least a minimum, centred
// on the values: 0.05 for a metric whose values all lie in [0, 1] (AUC,
// accuracy, F1: five points of the scale, where differences people act on
// start), else 5% of the values' magnitude. A difference then looks as large as
// it is against the metric's scale; a wider spread is fitted as before. The
// bounds are then moved out to round ticks.

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
  /** How many values it shows (one: nothing to compare). */
  points: number;
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
  const widened = padded < minSpan;
  let min: number;
  let max: number;
  if (!widened) {
    const pad = spread * PADDING_SHARE;
    [min, max] = [lo - pad, hi + pad];
  } else {
    const centre = (lo + hi) / 2;
    [min, max] = [centre - minSpan / 2, centre + minSpan / 2];
    // Near a bound the least span lies inside [0, 1] rather than being cut by it.
    if (bounded && min < 0) [min, max] = [0, minSpan];
    if (bounded && max > 1) [min, max] = [1 - minSpan, 1];
  }
  // Bounds on round ticks (0.88 to 0.94, not 0.885 to 0.935): Chart.js labels the bounds too, and an odd one read as a repeated tick.
  const step = niceStep((max - min) / 5);
  [min, max] = [roundTo(Math.floor(min / step + 1e-9) * step, step), roundTo(Math.ceil(max / step - 1e-9) * step, step)];
  // A bounded metric's axis does not promise values it cannot take.
  if (bounded) [min, max] = [Math.max(0, min), Math.min(1, max)];
  return { min, max, spread, widened, points: finite.length };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((m) => m * power >= raw - 1e-15) ?? 10;
  return unit * power;
}

/** `x` without the float noise of its computation (0.8800000000000001 → 0.88), to the step's decimals. */
function roundTo(x: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(x.toFixed(decimals));
}

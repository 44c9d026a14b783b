/** A metric value for labels: 6 significant digits, exponents for very large or small values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** A short label for axis ticks: 3 significant digits, "1e-4" rather than "1.0000e-4". */
export function formatCompact(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * The power of ten of a tick step's last digit: -4 for 0.0002, -2 for 0.25, 5
 * for 200000. Steps that are no short decimal (a third) get three significant
 * digits, which is as far as an axis label should go.
 */
export function stepExponent(step: number): number {
  // A step read off two ticks carries float noise (0.8246 - 0.8245 is 0.0000999…), not a digit more.
  step = Number(step.toPrecision(10));
  const first = Math.floor(Math.log10(step));
  for (let e = first; e > first - 3; e--) {
    const scaled = step / Math.pow(10, e);
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return e;
  }
  return first - 2;
}

/**
 * A tick label on an axis whose ticks are `step` apart, with the digits the step
 * needs and no more: neighbouring ticks never read the same (0.8242 and 0.8244,
 * not 0.824 twice), and round steps stay short (0.5, 1, 1.5). Exponents for very
 * large values, and small ones on a small step.
 */
export function formatTick(v: number, step: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (!(step > 0) || !Number.isFinite(step)) return formatCompact(v);
  // A tick meant to be 0 that came out of sums of steps as 1e-17.
  if (Math.abs(v) < step * 1e-6) return '0';
  const e = stepExponent(step);
  const a = Math.abs(v);
  // Exponents where fixed digits would run long: large values, or tiny ones on a tiny step.
  if (a >= 1e5 || (a < 1e-3 && step < 1e-4)) {
    const digits = Math.max(1, Math.min(15, Math.floor(Math.log10(a)) - e + 1));
    return v.toExponential(digits - 1).replace('e+', 'e');
  }
  return v.toFixed(Math.max(0, Math.min(20, -e)));
}

/** The step between the ticks of an axis (the middle pair: the ends may be cut to the data). */
export function tickStep(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const i = Math.max(1, Math.floor(values.length / 2));
  return Math.abs(values[i] - values[i - 1]);
}

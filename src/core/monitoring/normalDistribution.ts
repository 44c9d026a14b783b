// The standard normal CDF through erfc, for the two-proportion Z-test. Accurate
// to ~1e-15 absolute, which is what a p-value of the form 2 (1 - Φ(|z|)) can use.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * erf(x) for 0 <= x < 3 by the series e^-x² Σ 2^n x^(2n+1) / (1·3·…·(2n+1)):
 * every term is positive, so (unlike the alternating Taylor series) nothing cancels.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x >= 3 by its continued fraction (modified Lentz), fast and relatively accurate in the tail. */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^-x² / √π · 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

/** Φ(x), the standard normal CDF (scipy.stats.norm.cdf). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are
 * not pulled towards 0). NaN values stay gaps and do not reset the average.
 */
export function ema(y: Float64Array, weight: number): Float64Array {
  const out = new Float64Array(y.length);
  if (weight <= 0) {
    out.set(y);
    return out;
  }
  let last = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = last / (1 - Math.pow(weight, n));
  }
  return out;
}

// First Wasserstein distance between two samples (scipy.stats.wasserstein_distance,
// unweighted): the area between their empirical CDFs, ∫ |F_u - F_v|. Sorted inputs
// are merged in one pass, so a prepared reference costs O(n) per window.

/** W1(u, v) for sorted, NaN-free samples. */
export function wassersteinDistance(sortedU: ArrayLike<number>, sortedV: ArrayLike<number>): number {
  const nu = sortedU.length;
  const nv = sortedV.length;
  if (nu === 0 || nv === 0) return NaN;
  let i = 0;
  let j = 0;
  let sum = 0;
  let compensation = 0; // Kahan: a million small areas would otherwise drift in the last digits
  let previous = Math.min(sortedU[0], sortedV[0]);
  while (i < nu || j < nv) {
    const v = j >= nv || (i < nu && sortedU[i] <= sortedV[j]) ? sortedU[i] : sortedV[j];
    if (v !== previous) {
      // Over (previous, v) both CDFs are flat at their counts so far.
      const term = Math.abs(i / nu - j / nv) * (v - previous) - compensation;
      const next = sum + term;
      compensation = next - sum - term;
      sum = next;
      previous = v;
    }
    while (i < nu && sortedU[i] <= v) i++;
    while (j < nv && sortedV[j] <= v) j++;
  }
  return sum;
}

/** Population standard deviation (numpy's np.std, ddof 0), two-pass for accuracy. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
    s += d;
  }
  // The second term corrects the mean's rounding (the "corrected two-pass" formula).
  return Math.sqrt(Math.max(0, (ss - (s * s) / n) / n));
}

/** Evidently's `wasserstein` stattest: W1 divided by the reference std, floored at 0.001. */
export function normedWasserstein(sortedReference: ArrayLike<number>, sortedCurrent: ArrayLike<number>, referenceStd: number): number {
  return wassersteinDistance(sortedReference, sortedCurrent) / Math.max(referenceStd, 0.001);
}

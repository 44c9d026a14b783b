// Two-sample Kolmogorov-Smirnov test, two-sided, as scipy.stats.ks_2samp with its
// default method 'auto': exact when both samples have at most 10,000 values,
// otherwise the asymptotic one (the one-sample distribution at n = round(mn/(m+n))).
// Works on sorted samples, so a prepared reference is merged, never re-sorted.
import { exactTwoSampleKs, roundHalfEven } from './ksTwoSampleExact';
import { kolmogorovSurvival } from './kolmogorovDistribution';

const MAX_EXACT_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** The largest gap between the two empirical CDFs, formed with the same divisions as scipy so it is bit-identical. */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxUp = -Infinity; // max of cdf1 - cdf2
  let maxDown = -Infinity; // max of cdf2 - cdf1
  while (i < n1 || j < n2) {
    // Step past every copy of the next smallest value in both samples, then compare.
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxUp) maxUp = diff;
    if (-diff > maxDown) maxDown = -diff;
  }
  const minS = Math.min(1, Math.max(0, maxDown));
  return minS > maxUp ? minS : maxUp;
}

/** ks_2samp(a, b) on sorted, NaN-free samples. */
export function ksTwoSample(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): KsResult {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks_2samp needs two non-empty samples');
  const d = ksStatistic(sortedA, sortedB);
  if (Math.max(n1, n2) <= MAX_EXACT_N) {
    const exact = exactTwoSampleKs(n1, n2, d);
    if (exact) return { statistic: exact.statistic, pValue: exact.pValue, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: Math.min(1, Math.max(0, kolmogorovSurvival(roundHalfEven(en), d))), method: 'asymp' };
}

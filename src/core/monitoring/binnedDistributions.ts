// Evidently's binning for PSI, KL and Jensen-Shannon (get_binned_data):
//  - numerical features with more than 20 distinct reference values: histogram
//    edges by numpy's 'sturges' rule over reference and current together, then
//    each sample's share per bin;
//  - otherwise (categorical, or few numeric values): each value is a bin, over the
//    union of both samples' values.
// PSI and KL then replace empty bins by a small share ("feel zeroes"); JS does not.
import { type CategoryCounts, unionCategories } from './categoryCounts';

export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
}

/** numpy.histogram_bin_edges(data, 'sturges') for data spanning [min, max] with `count` values. */
export function sturgesEdges(min: number, max: number, count: number): Float64Array {
  let first = min;
  let last = max;
  let bins = 1;
  const range = max - min;
  if (range > 0) {
    // numpy derives the count from a width, not from the formula directly: keep its rounding.
    const width = range / (Math.log2(count) + 1);
    bins = Math.ceil(range / width);
  } else {
    first = min - 0.5;
    last = max + 0.5;
  }
  return linspace(first, last, bins + 1);
}

/** numpy.linspace(start, stop, num) with endpoint: start + i * step, the last point exactly stop. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Index of the first element >= x (side 'left') or > x (side 'right') in a sorted array. */
export function searchSorted(sorted: ArrayLike<number>, x: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (side === 'left' ? sorted[mid] < x : sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.histogram(sorted, edges)[0]: bins are [e_i, e_i+1), the last one closed. */
export function histogramSorted(sorted: ArrayLike<number>, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let previous = searchSorted(sorted, edges[0], 'left');
  for (let b = 0; b < bins; b++) {
    const next = b === bins - 1 ? searchSorted(sorted, edges[bins], 'right') : searchSorted(sorted, edges[b + 1], 'left');
    counts[b] = next - previous;
    previous = next;
  }
  return counts;
}

/** Shares per Sturges bin for two sorted numeric samples. */
export function numericBinShares(sortedReference: ArrayLike<number>, sortedCurrent: ArrayLike<number>): BinnedShares {
  const nr = sortedReference.length;
  const nc = sortedCurrent.length;
  const min = Math.min(sortedReference[0], sortedCurrent[0]);
  const max = Math.max(sortedReference[nr - 1], sortedCurrent[nc - 1]);
  const edges = sturgesEdges(min, max, nr + nc);
  const reference = histogramSorted(sortedReference, edges);
  const current = histogramSorted(sortedCurrent, edges);
  for (let i = 0; i < reference.length; i++) {
    reference[i] /= nr;
    current[i] /= nc;
  }
  return { reference, current };
}

/** Shares per value over the union of both samples' values. */
export function categoryShares(reference: CategoryCounts, current: CategoryCounts): BinnedShares {
  const keys = unionCategories(reference, current);
  const ref = new Float64Array(keys.length);
  const cur = new Float64Array(keys.length);
  keys.forEach((k, i) => {
    ref[i] = (reference.counts.get(k) ?? 0) / reference.total;
    cur[i] = (current.counts.get(k) ?? 0) / current.total;
  });
  return { reference: ref, current: cur };
}

/**
 * Evidently's zero filling: an empty bin gets a millionth of the smallest non-empty
 * share when that share is <= 0.0001, else 0.0001, so the logarithms stay finite.
 */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let smallest = Infinity;
  for (const s of shares) if (s !== 0 && s < smallest) smallest = s;
  if (smallest === Infinity) return shares;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  const out = Float64Array.from(shares);
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill;
  return out;
}

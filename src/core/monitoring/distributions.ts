// Reference and current distributions over the same bins, for charts (the
// monitoring panel's histograms): numeric features in at most 20 equal-width bins
// over both samples' range, or one bar per value when there are few; categories
// by count, the 20 most frequent (in either sample) and "other".
import { histogramSorted } from './binnedDistributions';
import { type Category, type CategoryCounts, compareCategories } from './categoryCounts';
import { categoricalCounts, sortedFinite, sortedValueCounts } from './columnValues';
import type { CategoricalColumn, ColumnData, NumericColumn } from './driftTypes';
import type { PreparedFeature } from './preparedReference';

export type Distributions =
  | { kind: 'numerical'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; categories: string[]; reference: number[]; current: number[] };

const MAX_BINS = 20;
const MAX_CATEGORIES = 20;

const round = (x: number) => Math.round(x * 1e6) / 1e6;

function fromCounts(reference: CategoryCounts, current: CategoryCounts): Distributions {
  const keys = new Set<Category>(reference.counts.keys());
  for (const k of current.counts.keys()) keys.add(k);
  const share = (counts: CategoryCounts, k: Category) => (counts.total ? (counts.counts.get(k) ?? 0) / counts.total : 0);
  let ordered = [...keys].sort((a, b) => share(reference, b) + share(current, b) - (share(reference, a) + share(current, a)) || compareCategories(a, b));
  const shown = ordered.slice(0, MAX_CATEGORIES).sort(compareCategories);
  const rest = ordered.slice(MAX_CATEGORIES);
  ordered = shown;
  const refShares = ordered.map((k) => round(share(reference, k)));
  const curShares = ordered.map((k) => round(share(current, k)));
  const categories = ordered.map(String);
  if (rest.length) {
    categories.push(`other (${rest.length})`);
    refShares.push(round(rest.reduce<number>((a, k) => a + share(reference, k), 0)));
    curShares.push(round(rest.reduce<number>((a, k) => a + share(current, k), 0)));
  }
  return { kind: 'categorical', categories, reference: refShares, current: curShares };
}

export function distributionsOf(reference: PreparedFeature, current: ColumnData): Distributions {
  if (reference.spec.type === 'categorical' && 'counts' in reference) {
    return fromCounts(reference.counts, categoricalCounts(current as CategoricalColumn));
  }
  if (!('sorted' in reference)) throw new TypeError('unreachable: a numerical feature without sorted values');
  const sorted = sortedFinite(current as NumericColumn);
  if (reference.valueCounts && reference.distinct <= 10) return fromCounts(reference.valueCounts, sortedValueCounts(sorted));
  const ref = reference.sorted;
  const min = Math.min(ref[0], sorted.length ? sorted[0] : Infinity);
  const max = Math.max(ref[ref.length - 1], sorted.length ? sorted[sorted.length - 1] : -Infinity);
  const span = max - min || 1;
  const edges = new Float64Array(MAX_BINS + 1);
  for (let i = 0; i <= MAX_BINS; i++) edges[i] = i === MAX_BINS ? max : min + (span * i) / MAX_BINS;
  if (max === min) edges[MAX_BINS] = min + 1;
  const refCounts = histogramSorted(ref, edges);
  const curCounts = histogramSorted(sorted, edges);
  return {
    kind: 'numerical',
    edges: Array.from(edges, (e) => Number(e.toPrecision(6))),
    reference: Array.from(refCounts, (c) => round(c / ref.length)),
    current: Array.from(curCounts, (c) => round(sorted.length ? c / sorted.length : 0)),
  };
}

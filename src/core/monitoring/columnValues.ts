// Turning raw columns into what the tests need: numeric columns into sorted typed
// arrays without missing values, categorical ones into counts.
import { type CategoryCounts, isMissing } from './categoryCounts';
import type { CategoricalColumn, CodedColumn, ColumnData, NumericColumn } from './driftTypes';

export function isCodedColumn(column: ColumnData): column is CodedColumn {
  return typeof column === 'object' && column !== null && 'codes' in column && column.codes instanceof Int32Array;
}

/** The finite values of a numeric column, sorted ascending (NaN and ±Infinity dropped, as Evidently drops them). */
export function sortedFinite(column: NumericColumn): Float64Array {
  let n = 0;
  for (let i = 0; i < column.length; i++) if (Number.isFinite(column[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (Number.isFinite(v)) out[k++] = v;
  }
  // Typed-array sort is numeric and, with no NaN left, a total order.
  return out.sort();
}

/** Distinct values of a sorted array. */
export function distinctCount(sorted: Float64Array): number {
  let count = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) count++;
  return count;
}

/** Counts per value of a sorted numeric array, in one pass over its runs. */
export function sortedValueCounts(sorted: Float64Array): CategoryCounts {
  const counts = new Map<number, number>();
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    counts.set(sorted[i], j - i);
    i = j;
  }
  return { counts, total: sorted.length };
}

/** Counts per category of a categorical column (coded or plain). */
export function categoricalCounts(column: CategoricalColumn): CategoryCounts {
  const counts = new Map<string | number, number>();
  let total = 0;
  if (isCodedColumn(column)) {
    const perCode = new Float64Array(column.categories.length);
    for (const code of column.codes) if (code >= 0) perCode[code]++;
    column.categories.forEach((category, code) => {
      const c = perCode[code];
      if (c > 0 && !isMissing(category)) {
        counts.set(category, (counts.get(category) ?? 0) + c);
        total += c;
      }
    });
    return { counts, total };
  }
  for (const value of column) {
    if (isMissing(value)) continue;
    const key = value as string | number;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
  }
  return { counts, total };
}

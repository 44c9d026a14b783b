// Counts of each value of a categorical feature (or of a numerical feature with
// few values), missing values dropped as Evidently drops them.

/** A category: a string, or the number itself for numerical features tested as categories. */
export type Category = string | number;

export interface CategoryCounts {
  counts: Map<Category, number>;
  /** Non-missing values counted. */
  total: number;
}

/** Whether a raw value is missing: null, undefined, NaN or ±Infinity (Evidently turns infinities into NaN, then drops them). */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value));
}

/** Every category seen in either sample, in a deterministic order (numbers ascending, then strings). */
export function unionCategories(a: CategoryCounts, b: CategoryCounts): Category[] {
  const keys = new Set<Category>(a.counts.keys());
  for (const k of b.counts.keys()) keys.add(k);
  return [...keys].sort(compareCategories);
}

/** Python's sorted() order for same-typed keys: numbers numerically, strings by code point. */
export function compareCategories(x: Category, y: Category): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'number') return -1;
  if (typeof y === 'number') return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

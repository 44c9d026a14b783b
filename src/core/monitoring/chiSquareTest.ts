// Evidently's `chisquare` stattest: scipy.stats.chisquare of the current category
// counts against expected counts from the reference proportions, scaled to the
// current size; df = categories - 1 over the union of both samples' categories.
import { chiSquaredSurvival } from './gammaFunctions';
import { type CategoryCounts, unionCategories } from './categoryCounts';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

export function chiSquareTest(reference: CategoryCounts, current: CategoryCounts): ChiSquareResult {
  const keys = unionCategories(reference, current);
  const scale = current.total / reference.total;
  let statistic = 0;
  for (const key of keys) {
    const expected = (reference.counts.get(key) ?? 0) * scale;
    const observed = current.counts.get(key) ?? 0;
    // A category the reference never saw has expected 0: the statistic is infinite
    // and the p-value 0, as in scipy (the current data has something new).
    statistic += ((observed - expected) * (observed - expected)) / expected;
  }
  const degreesOfFreedom = keys.length - 1;
  return { statistic, pValue: chiSquaredSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

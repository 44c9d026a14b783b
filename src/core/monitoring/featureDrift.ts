// One feature's drift between a prepared reference and a current window: pick the
// test (the override, else Evidently's default), run it, compare with the threshold.
import { type BinnedShares, categoryShares, fillZeroShares, numericBinShares } from './binnedDistributions';
import type { CategoryCounts } from './categoryCounts';
import { chiSquareTest } from './chiSquareTest';
import { categoricalCounts, sortedFinite, sortedValueCounts } from './columnValues';
import type { CategoricalColumn, ColumnData, FeatureDrift, NumericColumn, StatTestName } from './driftTypes';
import { jensenShannonDistance } from './jensenShannon';
import { klDivergence } from './klDivergence';
import { ksTwoSample } from './ksTest';
import { type PreparedCategoricalFeature, type PreparedFeature, type PreparedNumericFeature, VALUE_BINNING_MAX_DISTINCT } from './preparedReference';
import { populationStabilityIndex } from './psi';
import { STAT_TESTS, defaultStatTest } from './stattests';
import { normedWasserstein } from './wassersteinDistance';
import { twoProportionZTest } from './zTest';

/** The current window of one numeric feature, in the forms the tests may ask for (made lazily). */
class NumericWindow {
  private counts?: CategoryCounts;
  constructor(readonly sorted: Float64Array) {}
  valueCounts(): CategoryCounts {
    return (this.counts ??= sortedValueCounts(this.sorted));
  }
}

/** Distinct values over reference and current together, counted only as far as the default choice needs (> 5). */
function numericDistinctUnion(reference: PreparedNumericFeature, current: NumericWindow): number {
  if (reference.distinct > 5 || !reference.valueCounts) return reference.distinct;
  const keys = new Set(reference.valueCounts.counts.keys());
  for (const k of current.valueCounts().counts.keys()) keys.add(k);
  return keys.size;
}

function categoricalDistinctUnion(reference: CategoryCounts, current: CategoryCounts): number {
  const keys = new Set(reference.counts.keys());
  for (const k of current.counts.keys()) keys.add(k);
  return keys.size;
}

function numericShares(reference: PreparedNumericFeature, current: NumericWindow): BinnedShares {
  if (reference.distinct > VALUE_BINNING_MAX_DISTINCT || !reference.valueCounts) return numericBinShares(reference.sorted, current.sorted);
  return categoryShares(reference.valueCounts, current.valueCounts());
}

function valueTestCounts(reference: PreparedNumericFeature): CategoryCounts {
  // Few distinct values are always counted at prepare time; many only if a test on values was asked for.
  return reference.valueCounts ?? sortedValueCounts(reference.sorted);
}

interface Outcome {
  score: number;
  statistic?: number;
}

function runOnShares(test: StatTestName, shares: BinnedShares): Outcome {
  if (test === 'jensenshannon') return { score: jensenShannonDistance(shares.reference, shares.current) };
  const reference = fillZeroShares(shares.reference);
  const current = fillZeroShares(shares.current);
  if (test === 'psi') return { score: populationStabilityIndex(reference, current) };
  return { score: klDivergence(reference, current) };
}

function runOnCounts(test: StatTestName, reference: CategoryCounts, current: CategoryCounts): Outcome {
  if (test === 'chisquare') {
    const r = chiSquareTest(reference, current);
    return { score: r.pValue, statistic: r.statistic };
  }
  if (test === 'z') {
    const r = twoProportionZTest(reference, current);
    return { score: r.pValue, statistic: r.statistic };
  }
  return runOnShares(test, categoryShares(reference, current));
}

function checkApplies(test: StatTestName, feature: PreparedFeature): void {
  if (!STAT_TESTS[test].featureTypes.includes(feature.spec.type)) {
    throw new RangeError(`stattest '${test}' does not apply to ${feature.spec.type} feature '${feature.spec.name}' (it takes ${STAT_TESTS[test].featureTypes.join(' or ')} features)`);
  }
}

/** Drift of one prepared reference feature against the same column of the current window. */
export function featureDrift(feature: PreparedFeature, column: ColumnData): FeatureDrift {
  const spec = feature.spec;
  if (spec.stattest) checkApplies(spec.stattest, feature);
  let test: StatTestName;
  let outcome: Outcome;
  let referenceCount: number;
  let currentCount: number;
  if (spec.type === 'numerical') {
    const reference = feature as PreparedNumericFeature;
    const current = new NumericWindow(sortedFinite(column as NumericColumn));
    referenceCount = reference.sorted.length;
    currentCount = current.sorted.length;
    if (currentCount === 0) return emptyWindow(feature, referenceCount);
    test = spec.stattest ?? defaultStatTest('numerical', referenceCount, numericDistinctUnion(reference, current));
    if (test === 'ks') {
      const r = ksTwoSample(reference.sorted, current.sorted);
      outcome = { score: r.pValue, statistic: r.statistic };
    } else if (test === 'wasserstein') {
      outcome = { score: normedWasserstein(reference.sorted, current.sorted, reference.std) };
    } else if (test === 'chisquare' || test === 'z') {
      outcome = runOnCounts(test, valueTestCounts(reference), current.valueCounts());
    } else {
      outcome = runOnShares(test, numericShares(reference, current));
    }
  } else {
    const reference = (feature as PreparedCategoricalFeature).counts;
    const current = categoricalCounts(column as CategoricalColumn);
    referenceCount = reference.total;
    currentCount = current.total;
    if (currentCount === 0) return emptyWindow(feature, referenceCount);
    test = spec.stattest ?? defaultStatTest('categorical', referenceCount, categoricalDistinctUnion(reference, current));
    outcome = runOnCounts(test, reference, current);
  }
  const info = STAT_TESTS[test];
  const threshold = spec.threshold ?? info.defaultThreshold;
  return {
    feature: spec.name,
    type: spec.type,
    test,
    scoreKind: info.scoreKind,
    score: outcome.score,
    ...(outcome.statistic !== undefined ? { statistic: outcome.statistic } : {}),
    threshold,
    drifted: info.drifted(outcome.score, threshold),
    referenceCount,
    currentCount,
  };
}

function emptyWindow(feature: PreparedFeature, referenceCount: number): FeatureDrift {
  const test = feature.spec.stattest ?? (feature.spec.type === 'numerical' ? 'ks' : 'chisquare');
  const info = STAT_TESTS[test];
  return {
    feature: feature.spec.name,
    type: feature.spec.type,
    test,
    scoreKind: info.scoreKind,
    score: NaN,
    threshold: feature.spec.threshold ?? info.defaultThreshold,
    drifted: false,
    referenceCount,
    currentCount: 0,
    error: `no non-missing values of '${feature.spec.name}' in the current window`,
  };
}

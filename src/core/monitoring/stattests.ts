// Evidently's stattests by name: which feature types each applies to, its default
// threshold, and which side of the threshold means drift. Also Evidently's default
// choice of test per feature (data_drift get_stattest defaults).
import type { FeatureType, StatTestName } from './driftTypes';

export interface StatTestInfo {
  name: StatTestName;
  /** Evidently's display name. */
  displayName: string;
  featureTypes: readonly FeatureType[];
  defaultThreshold: number;
  scoreKind: 'p_value' | 'statistic';
  /** Evidently's comparison, which differs between tests (KS: p <= t; chi-squared and Z: p < t; distances: s >= t). */
  drifted(score: number, threshold: number): boolean;
}

const pAtMost = (s: number, t: number): boolean => s <= t;
const pBelow = (s: number, t: number): boolean => s < t;
const atLeast = (s: number, t: number): boolean => s >= t;

export const STAT_TESTS: Readonly<Record<StatTestName, StatTestInfo>> = {
  ks: { name: 'ks', displayName: 'K-S p_value', featureTypes: ['numerical'], defaultThreshold: 0.05, scoreKind: 'p_value', drifted: pAtMost },
  chisquare: { name: 'chisquare', displayName: 'chi-square p_value', featureTypes: ['categorical'], defaultThreshold: 0.05, scoreKind: 'p_value', drifted: pBelow },
  z: { name: 'z', displayName: 'Z-test p_value', featureTypes: ['categorical'], defaultThreshold: 0.05, scoreKind: 'p_value', drifted: pBelow },
  wasserstein: { name: 'wasserstein', displayName: 'Wasserstein distance (normed)', featureTypes: ['numerical'], defaultThreshold: 0.1, scoreKind: 'statistic', drifted: atLeast },
  jensenshannon: { name: 'jensenshannon', displayName: 'Jensen-Shannon distance', featureTypes: ['categorical', 'numerical'], defaultThreshold: 0.1, scoreKind: 'statistic', drifted: atLeast },
  psi: { name: 'psi', displayName: 'PSI', featureTypes: ['categorical', 'numerical'], defaultThreshold: 0.1, scoreKind: 'statistic', drifted: atLeast },
  kl_div: { name: 'kl_div', displayName: 'Kullback-Leibler divergence', featureTypes: ['categorical', 'numerical'], defaultThreshold: 0.1, scoreKind: 'statistic', drifted: atLeast },
};

export function isStatTestName(name: string): name is StatTestName {
  return Object.prototype.hasOwnProperty.call(STAT_TESTS, name);
}

/** Reference sizes up to this use the hypothesis tests; above it, the distances. */
export const SMALL_REFERENCE_ROWS = 1000;

/**
 * Evidently's default test: with a reference of at most 1000 values, KS for numerical
 * features with more than 5 distinct values (reference and current together), else
 * chi-squared, or the Z-test when there are at most 2 values; with a larger reference,
 * the normed Wasserstein distance for such numerical features, else Jensen-Shannon.
 */
export function defaultStatTest(type: FeatureType, referenceCount: number, distinctValues: number): StatTestName {
  if (referenceCount <= SMALL_REFERENCE_ROWS) {
    if (type === 'numerical' && distinctValues > 5) return 'ks';
    return distinctValues > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numerical' && distinctValues > 5) return 'wasserstein';
  return 'jensenshannon';
}

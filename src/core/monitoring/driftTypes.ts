// The shapes the drift engine takes and gives: feature specs, column data, per-feature
// results and the dataset verdict. Plain data, so the server can serialise them as is.
import type { Category } from './categoryCounts';

export type FeatureType = 'numerical' | 'categorical';

/** Evidently's stattest names, as a user would write them in an override. */
export type StatTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi' | 'kl_div';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
  /** Use this test instead of Evidently's default choice. */
  stattest?: StatTestName;
  /** Threshold for this feature; default: the test's own (0.05 for p-value tests, 0.1 for distances). */
  threshold?: number;
}

/** A numerical column: NaN and ±Infinity are missing values and are dropped. */
export type NumericColumn = Float64Array | readonly number[];

/** A categorical column stored as codes into a dictionary (what the CSV reader gives): code -1 is missing. */
export interface CodedColumn {
  codes: Int32Array;
  categories: readonly Category[];
}

/** A categorical column: plain values (null, undefined and NaN are missing) or codes. */
export type CategoricalColumn = readonly (Category | null | undefined)[] | CodedColumn;

export type ColumnData = NumericColumn | CategoricalColumn;

/** Column name -> values; every column of one data set has the same length. */
export type Columns = Record<string, ColumnData>;

export interface FeatureDrift {
  feature: string;
  type: FeatureType;
  /** The stattest used (Evidently's name). */
  test: StatTestName;
  /** What `score` is: a p-value (drift when small) or a statistic such as a distance (drift when large). */
  scoreKind: 'p_value' | 'statistic';
  score: number;
  /** For p-value tests, the test statistic behind it (KS D, chi-squared, z). */
  statistic?: number;
  threshold: number;
  drifted: boolean;
  /** Non-missing values compared. */
  referenceCount: number;
  currentCount: number;
  /** Set when the feature could not be tested (no values in the window); it then counts as not drifted and is left out of the share. */
  error?: string;
}

export interface DriftReport {
  features: FeatureDrift[];
  /** Features tested (those without an error). */
  featureCount: number;
  driftedCount: number;
  /** driftedCount / featureCount. */
  driftedShare: number;
  /** The share at which the data set counts as drifted (default 0.5). */
  driftShare: number;
  datasetDrift: boolean;
}

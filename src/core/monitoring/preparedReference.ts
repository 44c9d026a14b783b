// A reference data set prepared once (when a deployment loads it), so each new
// window costs only its own size plus a merge: numeric columns sorted into typed
// arrays with their std and distinct count, categorical ones counted.
import type { CategoryCounts } from './categoryCounts';
import { categoricalCounts, distinctCount, isCodedColumn, sortedFinite, sortedValueCounts } from './columnValues';
import type { CategoricalColumn, ColumnData, Columns, FeatureSpec, NumericColumn } from './driftTypes';
import { populationStd } from './wassersteinDistance';

/** Above this many distinct values a numeric feature is binned by Sturges' rule for PSI/KL/JS (Evidently's cut). */
export const VALUE_BINNING_MAX_DISTINCT = 20;

export interface PreparedNumericFeature {
  spec: FeatureSpec & { type: 'numerical' };
  sorted: Float64Array;
  std: number;
  distinct: number;
  /** Counts per value, kept when there are few values (tests on values, value binning). */
  valueCounts?: CategoryCounts;
}

export interface PreparedCategoricalFeature {
  spec: FeatureSpec & { type: 'categorical' };
  counts: CategoryCounts;
}

export type PreparedFeature = PreparedNumericFeature | PreparedCategoricalFeature;

export interface PreparedReference {
  features: PreparedFeature[];
}

export function prepareNumericFeature(spec: FeatureSpec & { type: 'numerical' }, column: NumericColumn): PreparedNumericFeature {
  const sorted = sortedFinite(column);
  if (sorted.length === 0) throw new RangeError(`reference column '${spec.name}' has no finite values`);
  const distinct = distinctCount(sorted);
  return {
    spec,
    sorted,
    std: populationStd(sorted),
    distinct,
    valueCounts: distinct <= VALUE_BINNING_MAX_DISTINCT ? sortedValueCounts(sorted) : undefined,
  };
}

export function prepareCategoricalFeature(spec: FeatureSpec & { type: 'categorical' }, column: CategoricalColumn): PreparedCategoricalFeature {
  const counts = categoricalCounts(column);
  if (counts.total === 0) throw new RangeError(`reference column '${spec.name}' has no values`);
  return { spec, counts };
}

/** Prepares every feature in `specs` from the reference columns (each must exist). */
export function prepareReference(columns: Columns, specs: readonly FeatureSpec[]): PreparedReference {
  const features = specs.map((spec): PreparedFeature => {
    const column: ColumnData | undefined = columns[spec.name];
    if (column === undefined) throw new RangeError(`the reference has no column '${spec.name}'`);
    if (spec.type === 'numerical') {
      if (isCodedColumn(column)) throw new RangeError(`column '${spec.name}' is declared numerical but holds categories`);
      return prepareNumericFeature(spec as FeatureSpec & { type: 'numerical' }, column as NumericColumn);
    }
    return prepareCategoricalFeature(spec as FeatureSpec & { type: 'categorical' }, column as CategoricalColumn);
  });
  return { features };
}

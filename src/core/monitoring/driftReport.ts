// The drift report for a window: every feature's test, then Evidently's dataset
// verdict (drift when the share of drifted features reaches drift_share, 0.5 by default).
import type { Columns, DriftReport, FeatureDrift } from './driftTypes';
import { featureDrift } from './featureDrift';
import type { PreparedReference } from './preparedReference';

export interface DriftReportOptions {
  /** Share of drifted features at which the data set counts as drifted (Evidently's drift_share). */
  driftShare?: number;
}

export const DEFAULT_DRIFT_SHARE = 0.5;

export function datasetVerdict(features: FeatureDrift[], driftShare = DEFAULT_DRIFT_SHARE): DriftReport {
  const tested = features.filter((f) => f.error === undefined);
  const driftedCount = tested.filter((f) => f.drifted).length;
  const driftedShare = tested.length > 0 ? driftedCount / tested.length : 0;
  return {
    features,
    featureCount: tested.length,
    driftedCount,
    driftedShare,
    driftShare,
    datasetDrift: tested.length > 0 && driftedShare >= driftShare,
  };
}

/** Drift of the current window against a prepared reference, feature by feature. */
export function driftReport(reference: PreparedReference, current: Columns, options: DriftReportOptions = {}): DriftReport {
  const features = reference.features.map((feature) => {
    const column = current[feature.spec.name];
    if (column === undefined) throw new RangeError(`the current window has no column '${feature.spec.name}'`);
    return featureDrift(feature, column);
  });
  return datasetVerdict(features, options.driftShare ?? DEFAULT_DRIFT_SHARE);
}

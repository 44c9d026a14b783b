// Drift of a live deployment's current window: every feature against the prepared
// reference, the model's predictions against its predictions on the reference, and
// both sides' distributions for charts. The window holds numbers as the model
// received them, so a categorical feature's codes are compared as categories.
import { performance } from 'node:perf_hooks';
import { datasetVerdict } from './driftReport';
import type { ColumnData, DriftReport, FeatureDrift } from './driftTypes';
import { distributionsOf, type Distributions } from './distributions';
import { featureDrift } from './featureDrift';
import type { PreparedFeature, PreparedReference } from './preparedReference';
import type { RowWindow } from './rowWindow';

export interface LiveDriftOptions {
  driftShare: number;
  /** Only rows of the last this many minutes count (besides the window's row capacity). */
  windowMinutes?: number;
  /** Fewer rows than this in the window: no verdict yet. */
  minRows: number;
}

/** A drift report of the live window, with when and what it covered. */
export interface LiveDriftSnapshot extends DriftReport {
  at: number;
  windowRows: number;
  windowFrom: number | null;
  windowTo: number | null;
  prediction: FeatureDrift | null;
  distributions: Record<string, Distributions>;
  computeMs: number;
}

export type LiveDriftResult = { kind: 'snapshot'; snapshot: LiveDriftSnapshot } | { kind: 'waiting'; windowRows: number };

/** A window column in the form its feature's tests take. */
function asColumn(feature: PreparedFeature, values: Float64Array): ColumnData {
  return feature.spec.type === 'categorical' ? Array.from(values, (v) => (Number.isFinite(v) ? v : null)) : values;
}

export function liveDrift(reference: PreparedReference, predictionReference: PreparedFeature | undefined, window: RowWindow, options: LiveDriftOptions, now = Date.now()): LiveDriftResult {
  const started = performance.now();
  const since = options.windowMinutes === undefined ? -Infinity : now - options.windowMinutes * 60_000;
  const current = window.read(since);
  if (current.rows < options.minRows) return { kind: 'waiting', windowRows: current.rows };
  const distributions: Record<string, Distributions> = {};
  const features = reference.features.map((feature) => {
    const column = asColumn(feature, current.columns[feature.spec.name] as Float64Array);
    distributions[feature.spec.name] = distributionsOf(feature, column);
    return featureDrift(feature, column);
  });
  let prediction: FeatureDrift | null = null;
  if (predictionReference && current.prediction.some(Number.isFinite)) {
    const column = asColumn(predictionReference, current.prediction);
    prediction = featureDrift(predictionReference, column);
    distributions.prediction = distributionsOf(predictionReference, column);
  }
  const verdict = datasetVerdict(features, options.driftShare);
  return {
    kind: 'snapshot',
    snapshot: {
      at: now,
      windowRows: current.rows,
      windowFrom: current.from,
      windowTo: current.to,
      ...verdict,
      prediction,
      distributions,
      computeMs: Math.round((performance.now() - started) * 100) / 100,
    },
  };
}

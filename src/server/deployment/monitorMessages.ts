// Messages between a deployment's main thread and its monitor worker
// (monitorWorker.ts): rows go in as transferred typed arrays, snapshots and
// status come out. Same process, so plain TypeScript types, not zod.
import type { LiveDriftSnapshot } from '../../core/monitoring';
import type { MonitoringSpec, MonitoringStatus, ReferenceInfo } from '../../protocol/monitoring';

export interface MonitorInit {
  spec: MonitoringSpec;
  featureNames: string[];
  categorical: boolean[];
  /** The reference's file (a workspace file, or a run's stored CSV blob) and how to name it to a person. */
  referenceFile: string;
  referenceSource: string;
  /** Where recorded requests are kept (.mlops/deployments/NAME/requests). */
  recordDir: string;
}

/** Variant codes in a rows message. */
export const VARIANT_CODES = ['champion', 'challenger'] as const;

export type ToMonitor =
  | {
      type: 'rows';
      rows: number;
      /** rows × featureNames.length, row-major. */
      values: Float64Array;
      /** NaN where there is none. */
      predictions: Float64Array;
      times: Float64Array;
      /** Index into VARIANT_CODES. */
      variants: Uint8Array;
    }
  /** The champion's predictions on the reference sample (in its order). */
  | { type: 'referencePredictions'; values: Float64Array }
  | { type: 'stop' };

export type FromMonitor =
  | { type: 'status'; status: MonitoringStatus; message: string | null; windowRows: number; recordedRows: number }
  /** The reference is loaded; `sample` (row-major) is what the champion should predict on. */
  | { type: 'reference'; info: ReferenceInfo; sample: Float64Array; sampleRows: number }
  | { type: 'snapshot'; snapshot: LiveDriftSnapshot; recordedRows: number };

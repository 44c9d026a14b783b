import { z } from 'zod';
import { mlflowDouble, mlflowInt64 } from './mlflowValues';
import { quotedInput } from './quotedInput';

// Requests of MLflow's tracking REST API 2.0 (protos/service.proto). Fields are
// snake_case as on the wire. Values a person types (ids, names) are strings;
// unknown fields are ignored, as protobuf's JSON parser does for MLflow.

/** A required string parameter, with MLflow's messages for a missing or mistyped one. */
export const id = (name: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `Missing value for required parameter '${name}'.`
          : `Invalid value ${quotedInput(issue.input)} for parameter '${name}' supplied: expected a string.`,
    })
    .min(1, `Missing value for required parameter '${name}'.`);
const keyValue = z.object({ key: z.string(), value: z.string().default('') });
// A string that MLflow's client may send as a number (e.g. a param value 0.1).
const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const viewType = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY');
export const runStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export const createExperiment = z.object({
  name: id('name'),
  artifact_location: z.string().optional(),
  tags: z.array(keyValue).default([]),
});
export const experimentById = z.object({ experiment_id: id('experiment_id') });
export const experimentByName = z.object({ experiment_name: id('experiment_name') });
export const updateExperiment = z.object({ experiment_id: id('experiment_id'), new_name: id('new_name') });
export const setExperimentTag = z.object({ experiment_id: id('experiment_id'), key: id('key'), value: stringish });
export const deleteExperimentTag = z.object({ experiment_id: id('experiment_id'), key: id('key') });
export const searchExperiments = z.object({
  max_results: mlflowInt64.optional(),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]),
  view_type: viewType,
});

export const createRun = z.object({
  experiment_id: z.string().optional(),
  user_id: z.string().optional(),
  run_name: z.string().optional(),
  start_time: mlflowInt64.optional(),
  tags: z.array(z.object({ key: z.string(), value: stringish })).default([]),
});
// MLflow accepts run_id or the deprecated run_uuid everywhere a run is named.
const runRef = {
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
};
export const runById = z.object(runRef);
export const updateRun = z.object({
  ...runRef,
  status: runStatus.optional(),
  end_time: mlflowInt64.optional(),
  run_name: z.string().optional(),
});
export const searchRuns = z.object({
  experiment_ids: z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]),
  filter: z.string().optional(),
  run_view_type: viewType,
  max_results: mlflowInt64.optional(),
  order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]),
  page_token: z.string().optional(),
});

export const metric = z.object({
  key: id('key'),
  value: mlflowDouble,
  timestamp: mlflowInt64,
  step: mlflowInt64.default(0),
});
// The ingest endpoints are compiled (zod's ahead-of-time fast path): valid input
// is checked by generated code, invalid input falls back to the regular parser,
// so the errors are exactly those of the schemas as written.
export const logMetric = z.compile(z.object({ ...runRef, key: id('key'), value: mlflowDouble, timestamp: mlflowInt64, step: mlflowInt64.default(0) }));
export const logParam = z.object({ ...runRef, key: id('key'), value: stringish });
export const setTag = z.object({ ...runRef, key: id('key'), value: stringish });
export const deleteTag = z.object({ run_id: id('run_id'), key: id('key') });
export const logBatch = z.compile(
  z.object({
    run_id: id('run_id'),
    metrics: z.array(metric).default([]),
    params: z.array(z.object({ key: id('key'), value: stringish })).default([]),
    tags: z.array(z.object({ key: id('key'), value: stringish })).default([]),
  }),
);
export const datasetInput = z.object({
  tags: z.array(keyValue).default([]),
  dataset: z.object({
    name: id('name'),
    digest: id('digest'),
    source_type: id('source_type'),
    source: id('source'),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});
export const logInputs = z.object({ run_id: id('run_id'), datasets: z.array(datasetInput).default([]) });
export const logModel = z.object({ run_id: id('run_id'), model_json: id('model_json') });

export const getMetricHistory = z.object({
  ...runRef,
  metric_key: id('metric_key'),
  page_token: z.string().optional(),
  max_results: mlflowInt64.optional(),
});
export const getMetricHistoryBulkInterval = z.object({
  run_ids: z.union([z.array(z.string()), z.string().transform((s) => [s])]),
  metric_key: id('metric_key'),
  start_step: mlflowInt64.optional(),
  end_step: mlflowInt64.optional(),
  max_results: mlflowInt64.optional(),
});
export const listArtifacts = z.object({ ...runRef, path: z.string().optional(), page_token: z.string().optional() });

export interface MlflowErrorBody {
  error_code: string;
  message: string;
}

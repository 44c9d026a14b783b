import { z } from 'zod';
import { viewType } from './mlflowTracking';
import { featureSchema, onnxSignature } from './modelSchema';

// The native API (/api/v1) for what the editor needs and MLflow lacks.

/** `.mlops/server.json`: how clients find the workspace's running server. */
export const serverInfo = z.object({
  url: z.string().url(),
  token: z.string().min(16),
  pid: z.number().int().positive(),
  workspace: z.string().optional(),
  version: z.string().optional(),
  startedAt: z.number().optional(),
});
export type ServerInfo = z.infer<typeof serverInfo>;

/** GET /api/v1/summary */
export interface StoreSummary {
  experiments: number;
  runs: number;
  running: number;
}

export const heartbeatRequest = z.object({ run_id: z.string().min(1, 'run_id is required') });

export const seriesRequest = z.object({
  runIds: z.array(z.string().min(1)).min(1, 'runIds must name at least one run').max(1000, 'at most 1000 runs per request'),
  keys: z.array(z.string().min(1)).min(1, 'keys must name at least one metric').max(200, 'at most 200 metric keys per request'),
  maxPoints: z.number().int().min(4, 'maxPoints must be at least 4').max(100_000).default(1000),
  x: z.enum(['step', 'time']).default('step'),
  startStep: z.number().int().optional(),
  endStep: z.number().int().optional(),
  /** Per-run step ranges, overriding startStep/endStep for those runs: a zoom on a time axis maps to different steps in each run. */
  runRanges: z.record(z.string(), z.object({ startStep: z.number().int(), endStep: z.number().int() })).optional(),
});
export type SeriesRequest = z.infer<typeof seriesRequest>;

export interface SeriesResponse {
  series: {
    runId: string;
    key: string;
    /** Points stored in the series (in the requested step range when given). */
    total: number;
    /** True when the points are an M4 summary rather than every point. */
    downsampled: boolean;
    x: number[];
    /** Finite values as numbers; NaN and +-Infinity as "NaN", "Infinity", "-Infinity". */
    y: (number | string)[];
    /** The step of each point; only with x = "time" (with x = "step", `x` is the steps). */
    steps?: number[];
  }[];
}

export const runsTableRequest = z.object({
  experimentIds: z.array(z.string()).min(1, 'experimentIds must name at least one experiment'),
  filter: z.string().optional(),
  orderBy: z.array(z.string()).default([]),
  viewType,
  maxResults: z.number().int().min(1).max(50_000).default(1000),
  pageToken: z.string().optional(),
});
export type RunsTableRequest = z.infer<typeof runsTableRequest>;

export interface RunsTableRow {
  runId: string;
  runName: string;
  experimentId: string;
  status: string;
  lifecycleStage: string;
  startTime: number | null;
  endTime: number | null;
  userId: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number | string>;
}

export interface RunsTableResponse {
  runs: RunsTableRow[];
  nextPageToken?: string;
  columns: { params: string[]; metrics: string[]; tags: string[] };
}

export const changeEvent = z.object({
  seq: z.number().int(),
  at: z.number(),
  kind: z.enum(['experiment', 'run', 'params', 'tags', 'metrics', 'artifacts', 'inputs', 'model', 'model_version', 'resync']),
  experimentId: z.string().nullable(),
  runId: z.string().nullable(),
  /** Registry changes only: the registered model, and the version for 'model_version'. */
  modelName: z.string().nullable().optional(),
  version: z.string().nullable().optional(),
});
export type ChangeEvent = z.infer<typeof changeEvent>;

// GET /api/v1/models[?name=NAME]: the registry in one call for the Models view
// and the registry panel: every model with its versions (newest first), aliases,
// each version's source run and that run's latest metrics (system/* left out).

const numberOrSpecial = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export const modelSourceRun = z.object({
  runId: z.string(),
  runName: z.string(),
  experimentId: z.string(),
  status: z.string(),
  lifecycleStage: z.string(),
  startTime: z.number().nullable(),
  endTime: z.number().nullable(),
  /** Latest value of each metric; NaN and infinities as strings. */
  metrics: z.record(z.string(), numberOrSpecial),
});

export const modelVersionSummary = z.object({
  version: z.string(),
  /** models:/<name>/<version> */
  uri: z.string(),
  creationTimestamp: z.number(),
  lastUpdatedTimestamp: z.number(),
  stage: z.enum(['None', 'Staging', 'Production', 'Archived']),
  status: z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']),
  statusMessage: z.string().nullable(),
  description: z.string(),
  source: z.string(),
  runId: z.string().nullable(),
  aliases: z.array(z.string()),
  tags: z.record(z.string(), z.string()),
  format: z.enum(['onnx', 'mlflow-model', 'other']),
  servable: z.boolean(),
  primaryPath: z.string().nullable(),
  sha256: z.string().nullable(),
  size: z.number().nullable(),
  fileCount: z.number(),
  /** The ONNX signature onnxruntime read at registration; null when the version is not ONNX. */
  signature: onnxSignature.nullable(),
  /** The names of the input tensor's columns (from --features, the MLmodel, or the run's data set); null when unknown. */
  features: featureSchema.nullable(),
  /** Null when the version has no run, or its run was purged. */
  run: modelSourceRun.nullable(),
  /**
   * The promotion gate that let the version in (a pipeline's register step):
   * the condition, what it found, the metrics it read as `<step>/<key>` (e.g.
   * evaluate/auc, a test AUC the source run, train, never logged), and the
   * pipeline run. Absent for versions registered otherwise.
   */
  gate: z.object({ when: z.string(), result: z.string(), metrics: z.record(z.string(), numberOrSpecial), pipelineRunId: z.string().nullable() }).nullable().optional(),
  /** Its aliases that a pipeline moved here from another version: alias → where from, when (ms), by what. */
  aliasMoves: z.record(z.string(), z.object({ from: z.string(), at: z.number(), by: z.string() })).optional(),
});

export const modelSummary = z.object({
  name: z.string(),
  description: z.string(),
  creationTimestamp: z.number(),
  lastUpdatedTimestamp: z.number(),
  tags: z.record(z.string(), z.string()),
  /** alias -> version */
  aliases: z.record(z.string(), z.string()),
  versions: z.array(modelVersionSummary),
});

export const modelsResponse = z.object({ models: z.array(modelSummary) });
export type ModelSourceRun = z.infer<typeof modelSourceRun>;
export type ModelVersionSummary = z.infer<typeof modelVersionSummary>;
export type ModelSummary = z.infer<typeof modelSummary>;
export type ModelsResponse = z.infer<typeof modelsResponse>;

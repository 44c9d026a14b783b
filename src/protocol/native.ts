import { z } from 'zod';
import { viewType } from './mlflowTracking';

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
  kind: z.enum(['experiment', 'run', 'params', 'tags', 'metrics', 'artifacts', 'inputs', 'resync']),
  experimentId: z.string().nullable(),
  runId: z.string().nullable(),
});
export type ChangeEvent = z.infer<typeof changeEvent>;

import { z } from 'zod';

// The native API for pipeline files (/api/v1/pipelines/*): what the editor's
// diagnostics, Pipelines view, task provider and DAG panel ask the backend. The
// engine (src/core/pipeline) lives in the backend; the extension only asks.

/** A pipeline file inside the workspace, by path relative to the workspace folder (or absolute, inside it). */
const pipelineFilePath = z.string().min(1, 'file: give the pipeline file path, relative to the workspace folder');

export const pipelineCheckRequest = z.object({
  file: pipelineFilePath,
  /** The editor's buffer; absent: the file on disk. */
  text: z.string().max(2_000_000, 'text: a pipeline file over 2 MB is not supported').optional(),
});
export type PipelineCheckRequest = z.infer<typeof pipelineCheckRequest>;

/** 1-based lines and columns; the end is exclusive. */
export const pipelineDiagnostic = z.object({
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int(),
  endColumn: z.number().int(),
  code: z.string(),
  /** A replacement for the underlined text that fixes it (the "did you mean" name). */
  replacement: z.string().optional(),
});
export type PipelineDiagnosticDto = z.infer<typeof pipelineDiagnostic>;

export const pipelineStepOutline = z.object({
  name: z.string(),
  kind: z.enum(['run', 'register', 'deploy']),
  needs: z.array(z.string()),
  /** Where the step's key is, 1-based. */
  line: z.number().int(),
  column: z.number().int(),
});
export type PipelineStepOutline = z.infer<typeof pipelineStepOutline>;

export const pipelineCheckResponse = z.object({
  diagnostics: z.array(pipelineDiagnostic),
  /** Present when the file parsed far enough to know its steps (even with reference errors). */
  outline: z.object({ name: z.string(), steps: z.array(pipelineStepOutline) }).nullable(),
});
export type PipelineCheckResponse = z.infer<typeof pipelineCheckResponse>;

export const pipelineStatusRequest = z.object({ file: pipelineFilePath });

/** A step's last execution, from the latest pipeline run of this file that reached it. */
export const pipelineStepLastRun = z.object({
  runId: z.string(),
  /** RUNNING, FINISHED, FAILED, KILLED, or NOT_RUN (a failure upstream stopped it). */
  status: z.string(),
  startTime: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** The step was skipped: runId is the earlier run whose outs it reused. */
  cached: z.boolean(),
  reason: z.string().nullable(),
});
export type PipelineStepLastRun = z.infer<typeof pipelineStepLastRun>;

export const pipelineStepStatus = pipelineStepOutline.extend({
  /** What a run now would do: the cache's verdict (see `mlops pipeline status`). */
  state: z.enum(['up to date', 'stale', 'always runs', 'unknown']),
  why: z.string(),
  deps: z.array(z.string()),
  outs: z.array(z.string()),
  last: pipelineStepLastRun.nullable(),
  /**
   * Present when the step is stale only against the file's params: it is up to
   * date for the params the last run set (`--set`). Each such param, with its
   * value in the last run and in the file.
   */
  differsFromLastRun: z.array(z.object({ param: z.string(), lastRun: z.string(), fileDefault: z.string() })).optional(),
});
export type PipelineStepStatus = z.infer<typeof pipelineStepStatus>;

export const pipelineStatusResponse = z.object({
  file: z.string(),
  name: z.string(),
  /** The latest pipeline (parent) run of this file. */
  lastRun: z
    .object({
      runId: z.string(),
      status: z.string(),
      startTime: z.number().nullable(),
      endTime: z.number().nullable(),
      /** Its steps' latest metrics as `<step>/<key>`, the register gates' first (gate: true). */
      metrics: z.array(z.object({ key: z.string(), value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]), gate: z.boolean() })).optional(),
      /** The params it set unlike the file's defaults (`--set`), as strings. */
      overrides: z.record(z.string(), z.string()).optional(),
    })
    .nullable(),
  steps: z.array(pipelineStepStatus),
  /** Errors that stop the file from running; the steps are then empty. */
  diagnostics: z.array(pipelineDiagnostic),
});
export type PipelineStatusResponse = z.infer<typeof pipelineStatusResponse>;

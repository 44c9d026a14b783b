import { z } from 'zod';
import { pipelineStatusResponse } from './pipelineApi';

// Messages between the DAG panel of a pipeline file (webview/pipelineDag) and
// the extension host (src/extension/panels/pipelineDagPanel.ts). Both sides
// validate every message. `file` is the pipeline file's fsPath: the webview
// keeps it so the panel comes back for the same file after a window reload.

/** What the webview keeps across a window reload. */
export const pipelineDagState = z.object({
  file: z.string().min(1),
  selectedStep: z.string().optional(),
});
export type PipelineDagState = z.infer<typeof pipelineDagState>;

/** `label`: how the file is shown (its workspace-relative path). */
export const hostToPipelineDag = z.discriminatedUnion('type', [
  /** The file's steps and their status; with `diagnostics` and no steps the panel lists the problems instead of a graph. */
  z.object({ type: z.literal('status'), file: z.string(), label: z.string().optional(), status: pipelineStatusResponse }),
  /** The status could not be had (no backend, the route failed): said in place of the graph. */
  z.object({ type: z.literal('error'), file: z.string(), label: z.string().optional(), message: z.string() }),
]);
export type HostToPipelineDag = z.infer<typeof hostToPipelineDag>;

/** How a step's box is drawn: its last execution, or `never` when no pipeline run reached it. */
export const dagNodeStatus = z.enum(['finished', 'cached', 'failed', 'running', 'pending', 'killed', 'not-run', 'never']);
export type DagNodeStatus = z.infer<typeof dagNodeStatus>;

/** What the panel drew, as the webview reports it (tests read it). */
export const pipelineDagReport = z.object({
  file: z.string(),
  /** graph: the steps; problems: the file's diagnostics; empty: no steps; error: the host's message. */
  view: z.enum(['graph', 'problems', 'empty', 'error']),
  nodes: z.array(z.object({ name: z.string(), status: dagNodeStatus, badges: z.array(z.string()), kind: z.enum(['run', 'register', 'deploy']) })),
  edges: z.number().int(),
  problems: z.number().int(),
  selectedStep: z.string().nullable(),
  /** The "never run — Run Pipeline" call to action is shown. */
  neverRun: z.boolean(),
});
export type PipelineDagReport = z.infer<typeof pipelineDagReport>;

const stepName = z.string().min(1).max(200);

export const pipelineDagToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), file: z.string().optional() }),
  z.object({ type: z.literal('openStepRun'), runId: z.string().min(1) }),
  z.object({ type: z.literal('runStep'), step: stepName }),
  z.object({ type: z.literal('runFromStep'), step: stepName }),
  /** Go to the step's key in the pipeline file. */
  z.object({ type: z.literal('revealStep'), step: stepName }),
  z.object({ type: z.literal('runPipeline') }),
  z.object({ type: z.literal('rendered'), report: pipelineDagReport }),
]);
export type PipelineDagToHost = z.infer<typeof pipelineDagToHost>;

import { z } from 'zod';
import { modelSummary } from './native';

// Messages between the registry panel (webview/model) and the extension host
// (src/extension/panels/modelPanel.ts). Both sides validate every message.

/** What the webview keeps across a window reload. */
export const modelPanelState = z.object({
  modelName: z.string().min(1),
  selectedVersion: z.string().optional(),
  chartMetric: z.string().optional(),
});
export type ModelPanelState = z.infer<typeof modelPanelState>;

/** Where a version's source run came from: what the lineage section shows. */
export const runLineage = z.object({
  runId: z.string(),
  runName: z.string(),
  experimentName: z.string(),
  params: z.record(z.string(), z.string()),
  gitCommit: z.string().nullable(),
  gitBranch: z.string().nullable(),
  gitDirty: z.boolean(),
  command: z.string().nullable(),
  /** MLflow dataset inputs (mlflow.log_input) and their context tag (training, eval…). */
  datasets: z.array(z.object({ name: z.string(), digest: z.string(), source: z.string(), context: z.string().nullable() })),
});
export type RunLineage = z.infer<typeof runLineage>;

export const hostToModelPanel = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('model'),
    model: modelSummary,
    /** Lineage of each version's source run, by run id (runs that are gone are absent). */
    lineage: z.record(z.string(), runLineage),
  }),
  /** Select a version (tests, and "Open" on a version in the Models view). */
  z.object({ type: z.literal('select'), version: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostToModelPanel = z.infer<typeof hostToModelPanel>;

/** What the panel drew, as the webview reports it (tests read it). */
export const modelPanelReport = z.object({
  modelName: z.string(),
  versions: z.array(z.object({ version: z.string(), aliases: z.array(z.string()), runName: z.string().nullable() })),
  selectedVersion: z.string().nullable(),
  sections: z.array(z.string()),
  signature: z.enum(['shown', 'none']),
  metricColumns: z.array(z.string()),
  /** Columns that hold the promotion gate's metric (first among metricColumns). */
  gateMetrics: z.array(z.string()),
  /** The chart's metric and y-axis as drawn (null bounds: no points). */
  chart: z.object({ metric: z.string(), points: z.number().int(), yMin: z.number().nullable(), yMax: z.number().nullable(), spread: z.number().nullable() }).nullable(),
});
export type ModelPanelReport = z.infer<typeof modelPanelReport>;

export const modelPanelToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), modelName: z.string().optional() }),
  z.object({ type: z.literal('openRun'), runId: z.string().min(1) }),
  z.object({ type: z.literal('compare'), runIds: z.array(z.string().min(1)).min(1) }),
  z.object({ type: z.literal('copy'), text: z.string().max(10_000) }),
  /** Run a version's context-menu action from the panel (alias, promote, delete…). */
  z.object({ type: z.literal('action'), action: z.enum(['setAlias', 'promote', 'reveal', 'delete']), version: z.string() }),
  z.object({ type: z.literal('rendered'), report: modelPanelReport }),
]);
export type ModelPanelToHost = z.infer<typeof modelPanelToHost>;

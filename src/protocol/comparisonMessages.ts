import { z } from 'zod';
import { packedSeries, runRanges, stepRange, xAxisKind } from './seriesMessages';

// Messages between the comparison panel (webview/comparison) and the extension
// host (src/extension/panels/comparisonPanel.ts). Both sides validate every message.
// The series themselves are shaped in seriesMessages.ts, shared with the run detail panel.

export { packedSeries, runRanges, seriesSlice, stepRange, xAxisKind } from './seriesMessages';
export type { PackedSeries, RunRanges, SeriesSlice, StepRange, XAxisKind } from './seriesMessages';

/** Options the panel keeps in its webview state (restored after a reload). */
export const comparisonOptions = z.object({
  x: xAxisKind.default('step'),
  smoothing: z.number().min(0).max(0.999).default(0),
  logScale: z.boolean().default(false),
  onlyDiffs: z.boolean().default(false),
  hidden: z.array(z.string()).default([]),
  systemOpen: z.boolean().default(false),
  scatterParam: z.string().optional(),
  scatterMetric: z.string().optional(),
  /** Parallel coordinates: the metric on the last axis, the colouring, and brushed ranges per axis (fractions of the axis height, 0 = bottom). */
  parallelMetric: z.string().optional(),
  parallelColor: z.enum(['metric', 'run']).default('metric'),
  parallelBrushes: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
});
export type ComparisonOptions = z.infer<typeof comparisonOptions>;

export const comparisonState = z.object({
  runIds: z.array(z.string().min(1)).min(1),
  options: comparisonOptions.optional(),
});
export type ComparisonState = z.infer<typeof comparisonState>;

export const comparisonRun = z.object({
  runId: z.string(),
  runName: z.string(),
  status: z.string(),
  startTime: z.number().nullable(),
  params: z.record(z.string(), z.string()),
  /** Latest values; non-finite ones as "NaN", "Infinity", "-Infinity". */
  metrics: z.record(z.string(), z.union([z.number(), z.string()])),
  /** Only the tags its label reads (LABEL_TAGS: the parent run, the pipeline). */
  tags: z.record(z.string(), z.string()).optional(),
});
export type ComparisonRun = z.infer<typeof comparisonRun>;

/** A parent of compared runs not itself compared: its name and params tell same-named steps apart ("train · churn (lr=0.3)"). */
export const comparisonParent = comparisonRun.pick({ runId: true, runName: true, startTime: true, params: true, tags: true });
export type ComparisonParent = z.infer<typeof comparisonParent>;

export const hostToComparison = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('runs'),
    runs: z.array(comparisonRun),
    parents: z.array(comparisonParent).default([]),
    keys: z.array(z.string()),
    /** Set when another Compare replaced the runs: forget zoom, brushes and series; their series come as this request id. */
    resetTo: z.number().int().optional(),
  }),
  z.object({
    type: z.literal('series'),
    requestId: z.number().int(),
    x: z.enum(['step', 'time']),
    range: stepRange.nullable(),
    runRanges: runRanges.nullable().default(null),
    /** True when only these runs' series were re-fetched (live updates); others stay. */
    partial: z.boolean(),
    series: packedSeries,
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
  /** Sets the x axis and zoom as the toolbar and a drag would (the tests' way to zoom). */
  z.object({ type: z.literal('setView'), x: xAxisKind, range: z.object({ min: z.number(), max: z.number() }).nullable() }),
]);
export type HostToComparison = z.infer<typeof hostToComparison>;

export const chartReport = z.object({ key: z.string(), datasets: z.number().int(), points: z.number().int() });
/** What the parallel coordinates drew: axes (params, then the metric), lines, runs left out for lack of the metric. */
export const parallelReport = z.object({ metric: z.string(), axes: z.array(z.string()), lines: z.number().int(), highlighted: z.number().int(), leftOut: z.number().int() });
export type ParallelReport = z.infer<typeof parallelReport>;

export const comparisonToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), x: z.enum(['step', 'time']), range: stepRange.nullable() }),
  z.object({ type: z.literal('requestSeries'), requestId: z.number().int(), x: z.enum(['step', 'time']), range: stepRange.nullable(), runRanges: runRanges.nullable().default(null) }),
  z.object({
    type: z.literal('drawn'),
    requestId: z.number().int(),
    charts: z.array(chartReport),
    parallel: parallelReport.optional(),
    /** The legend's labels, in the runs' order. */
    legend: z.array(z.string()).optional(),
    /** performance.now() in the webview: script start, "ready" posted, series received, all charts drawn. */
    timings: z.object({ scriptStart: z.number(), readyPosted: z.number(), received: z.number(), drawn: z.number() }),
  }),
  z.object({ type: z.literal('exportPng'), key: z.string(), dataUrl: z.string().startsWith('data:image/png;base64,') }),
  z.object({ type: z.literal('exportCsv'), csv: z.string() }),
]);
export type ComparisonToHost = z.infer<typeof comparisonToHost>;

export type ChartReport = z.infer<typeof chartReport>;
/** What mlops.compareRuns resolves to once the panel has drawn (tests read it). */
export interface ComparisonReport {
  runIds: string[];
  charts: ChartReport[];
  /** Host time from the command to the webview's "drawn" message. */
  commandToDrawnMs: number;
  webview: { scriptStart: number; readyPosted: number; received: number; drawn: number };
  /** Host milestones, ms after the command: runs loaded, series fetched, series posted. */
  host: Record<string, number>;
}

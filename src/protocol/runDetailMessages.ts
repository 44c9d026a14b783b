import { z } from 'zod';
import { packedSeries, runRanges, stepRange, xAxisKind } from './seriesMessages';

// Messages between the run detail panel (webview/runDetail) and the extension
// host (src/extension/panels/runDetailPanel.ts). Both sides validate every message.

/** The metric chart under the metrics table: which metrics, and how they are drawn. */
export const runChartOptions = z.object({
  keys: z.array(z.string().min(1)).max(50),
  x: xAxisKind.default('step'),
  smoothing: z.number().min(0).max(0.999).default(0),
  logScale: z.boolean().default(false),
});
export type RunChartOptions = z.infer<typeof runChartOptions>;

/** What the webview keeps across a window reload. */
export const runDetailState = z.object({
  runId: z.string().min(1),
  systemTagsOpen: z.boolean().optional(),
  selectedArtifact: z.string().optional(),
  /** Set while a metric chart is open. */
  chart: runChartOptions.optional(),
});
export type RunDetailState = z.infer<typeof runDetailState>;

const metricValue = z.union([z.number(), z.string()]);

export const runSummary = z.object({ runId: z.string(), runName: z.string(), status: z.string(), startTime: z.number().nullable() });
export type RunSummary = z.infer<typeof runSummary>;

/** A prefix or tail of a file read for display. */
export const textExcerpt = z.object({ text: z.string(), truncated: z.boolean(), size: z.number().int().min(0) });
export type TextExcerpt = z.infer<typeof textExcerpt>;

export const runDetail = z.object({
  runId: z.string(),
  runName: z.string(),
  status: z.string(),
  lifecycleStage: z.string(),
  experimentId: z.string(),
  experimentName: z.string(),
  userId: z.string(),
  startTime: z.number().nullable(),
  endTime: z.number().nullable(),
  params: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  /** Latest value of each metric; non-finite values as "NaN", "Infinity", "-Infinity". */
  metrics: z.array(z.object({ key: z.string(), value: metricValue, step: z.number(), timestamp: z.number() })),
});
export type RunDetail = z.infer<typeof runDetail>;

export const linkedRuns = z.object({
  parent: runSummary.nullable(),
  children: z.array(runSummary),
  /** Other runs of the same recorded command (tag mlops.command), newest first. */
  sameCommand: z.array(runSummary),
});
export type LinkedRuns = z.infer<typeof linkedRuns>;

/** What `mlops run` recorded about where the run ran. */
export const runEnvironment = z.object({
  pythonVersion: z.string().nullable(),
  host: z.string().nullable(),
  pid: z.string().nullable(),
  cwd: z.string().nullable(),
  pipFreeze: textExcerpt.nullable(),
  /** Why there is no pip freeze, when the run says why; null when there is one or nothing to say. */
  pipFreezeNote: z.string().nullable(),
});
export type RunEnvironment = z.infer<typeof runEnvironment>;

/** A model version registered from this run: which files of the run it may be (its source, as artifact paths). */
export const artifactRegistration = z.object({
  name: z.string(),
  version: z.string(),
  aliases: z.array(z.string()),
  /** Artifact paths the version's source names: `runs:/<run>/<path>`, or a pipeline out kept as `outs/<path>`. */
  paths: z.array(z.string()),
});
export type ArtifactRegistration = z.infer<typeof artifactRegistration>;

export const artifactEntry = z.object({ path: z.string(), isDir: z.boolean(), size: z.number().optional() });
export type ArtifactEntry = z.infer<typeof artifactEntry>;

export const sparklineSeries = z.object({ key: z.string(), values: z.array(z.number().nullable()), total: z.number() });
export type SparklineSeries = z.infer<typeof sparklineSeries>;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array');

export const previewContent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image'), mime: z.string(), bytes, size: z.number() }),
  z.object({ kind: z.enum(['text', 'json', 'csv', 'tsv']), text: z.string(), truncated: z.boolean(), size: z.number() }),
  /** Not previewable here (a binary, or an image too large): "Open" only. */
  z.object({ kind: z.literal('binary'), size: z.number(), reason: z.string() }),
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type PreviewContent = z.infer<typeof previewContent>;

export const logSource = z.enum(['file', 'artifact', 'none']);

export const hostToRunDetail = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('detail'),
    detail: runDetail,
    linked: linkedRuns,
    environment: runEnvironment,
    /** The recorded git diff (artifact code/git.diff), or null. */
    diff: textExcerpt.nullable(),
  }),
  z.object({ type: z.literal('sparklines'), series: z.array(sparklineSeries) }),
  z.object({ type: z.literal('artifacts'), path: z.string(), files: z.array(artifactEntry), error: z.string().optional() }),
  /** The model versions registered from this run (live: the registry changes). */
  z.object({ type: z.literal('registrations'), registrations: z.array(artifactRegistration) }),
  z.object({ type: z.literal('preview'), requestId: z.number().int(), path: z.string(), content: previewContent }),
  z.object({
    type: z.literal('log'),
    /** replace: the whole (tail of the) log; append: what was written since. */
    mode: z.enum(['replace', 'append']),
    text: z.string(),
    truncated: z.boolean(),
    source: logSource,
    live: z.boolean(),
  }),
  /** The series a chart asked for (requestId), or a live update of the open chart's view (requestId -1). */
  z.object({
    type: z.literal('series'),
    requestId: z.number().int(),
    x: z.enum(['step', 'time']),
    range: stepRange.nullable(),
    runRanges: runRanges.nullable(),
    series: packedSeries,
  }),
  /** Open the chart of these metrics as a click on their rows would (tests); requestId < 0 names the chartRendered answer. */
  z.object({
    type: z.literal('openChart'),
    requestId: z.number().int(),
    keys: z.array(z.string().min(1)).min(1).max(50),
    x: xAxisKind.optional(),
    /** A zoom, in the x axis' units (steps, epoch ms, or ms since the start). */
    range: z.object({ min: z.number(), max: z.number() }).nullable().optional(),
  }),
  /** Ask the webview to preview a file (tests, and "reveal" from elsewhere). */
  z.object({ type: z.literal('selectArtifact'), requestId: z.number().int(), path: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostToRunDetail = z.infer<typeof hostToRunDetail>;

export const previewReport = z.object({
  path: z.string(),
  kind: z.string(),
  truncated: z.boolean(),
  rows: z.number().int().optional(),
  columns: z.number().int().optional(),
  imageWidth: z.number().optional(),
  chars: z.number().int().optional(),
  error: z.string().optional(),
});
export type PreviewReport = z.infer<typeof previewReport>;

const span = z.object({ xMin: z.number(), xMax: z.number(), yMin: z.number(), yMax: z.number() });

/** One drawn chart: what it plots against what the backend stores, and what its axes show. */
export const runChartDrawn = z.object({
  key: z.string(),
  /** Points plotted. */
  points: z.number().int(),
  /** Points stored in the range asked for (more than plotted when downsampled). */
  total: z.number().int(),
  downsampled: z.boolean(),
  axis: span,
  data: span.nullable(),
  xTitle: z.string(),
  logScale: z.boolean(),
  width: z.number(),
  height: z.number(),
});
export type RunChartDrawn = z.infer<typeof runChartDrawn>;

export const runChartReport = z.object({
  keys: z.array(z.string()),
  x: xAxisKind,
  smoothing: z.number(),
  /** The zoom, in the x axis' units; null when the whole series is shown. */
  range: z.object({ min: z.number(), max: z.number() }).nullable(),
  charts: z.array(runChartDrawn),
});
export type RunChartReport = z.infer<typeof runChartReport>;

/** What the panel shows, as the webview reports it after drawing (tests read it). */
export const runDetailReport = z.object({
  runId: z.string(),
  runName: z.string(),
  status: z.string(),
  sections: z.array(z.string()),
  params: z.number().int(),
  metrics: z.number().int(),
  sparklines: z.number().int(),
  tags: z.number().int(),
  systemTags: z.number().int(),
  note: z.string(),
  artifacts: z.array(z.object({ path: z.string(), isDir: z.boolean(), kind: z.string() })),
  logSource,
  logChars: z.number().int(),
  logTail: z.string(),
  linked: z.object({ parent: z.string().nullable(), children: z.number().int(), sameCommand: z.number().int() }),
  preview: previewReport.nullable(),
  /** The open metric chart, or null. */
  chart: runChartReport.nullable(),
  /** The selected artifact when it is a model: where it is registered, and the buttons offered for it. */
  model: z.object({ path: z.string(), registeredAs: z.array(z.string()), actions: z.array(z.string()) }).nullable(),
  /** The environment card's line about the pip freeze, as shown (null when there is none). */
  pipFreezeNote: z.string().nullable(),
});
export type RunDetailReport = z.infer<typeof runDetailReport>;

export const runDetailToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), runId: z.string().optional() }),
  z.object({ type: z.literal('listArtifacts'), path: z.string() }),
  z.object({ type: z.literal('preview'), requestId: z.number().int(), path: z.string(), size: z.number().optional() }),
  z.object({ type: z.literal('openArtifact'), path: z.string() }),
  /** An .onnx file or a model folder of the run, to register as a model version: of `name` ("Register Again"), else of a model the user picks. */
  z.object({ type: z.literal('registerModel'), path: z.string().min(1), name: z.string().min(1).optional() }),
  z.object({ type: z.literal('openModel'), name: z.string().min(1), version: z.string().min(1) }),
  z.object({ type: z.literal('openRun'), runId: z.string().min(1) }),
  z.object({ type: z.literal('saveNote'), text: z.string().max(1_000_000) }),
  z.object({ type: z.literal('copy'), text: z.string().max(10_000) }),
  z.object({ type: z.literal('rendered'), report: runDetailReport }),
  z.object({ type: z.literal('previewRendered'), requestId: z.number().int(), report: previewReport }),
  /** The chart asks for its metrics' series: the whole run, a step range, or (zoomed on a time axis) this run's step range. */
  z.object({
    type: z.literal('requestSeries'),
    requestId: z.number().int().min(1),
    keys: z.array(z.string().min(1)).min(1).max(50),
    x: z.enum(['step', 'time']),
    range: stepRange.nullable(),
    runRanges: runRanges.nullable(),
  }),
  /** The chart was closed: no more live series. */
  z.object({ type: z.literal('chartClosed') }),
  /** The chart drew the answer to a request (an openChart's id when the host asked). */
  z.object({ type: z.literal('chartRendered'), requestId: z.number().int(), report: runChartReport }),
  z.object({ type: z.literal('exportPng'), key: z.string(), dataUrl: z.string().startsWith('data:image/png;base64,') }),
]);
export type RunDetailToHost = z.infer<typeof runDetailToHost>;

import { z } from 'zod';

// Messages between the run detail panel (webview/runDetail) and the extension
// host (src/extension/panels/runDetailPanel.ts). Both sides validate every message.

/** What the webview keeps across a window reload. */
export const runDetailState = z.object({
  runId: z.string().min(1),
  systemTagsOpen: z.boolean().optional(),
  selectedArtifact: z.string().optional(),
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
});
export type RunEnvironment = z.infer<typeof runEnvironment>;

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
});
export type RunDetailReport = z.infer<typeof runDetailReport>;

export const runDetailToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), runId: z.string().optional() }),
  z.object({ type: z.literal('listArtifacts'), path: z.string() }),
  z.object({ type: z.literal('preview'), requestId: z.number().int(), path: z.string(), size: z.number().optional() }),
  z.object({ type: z.literal('openArtifact'), path: z.string() }),
  /** An .onnx file or a model folder of the run, to register as a model version. */
  z.object({ type: z.literal('registerModel'), path: z.string().min(1) }),
  z.object({ type: z.literal('openRun'), runId: z.string().min(1) }),
  z.object({ type: z.literal('saveNote'), text: z.string().max(1_000_000) }),
  z.object({ type: z.literal('copy'), text: z.string().max(10_000) }),
  z.object({ type: z.literal('rendered'), report: runDetailReport }),
  z.object({ type: z.literal('previewRendered'), requestId: z.number().int(), report: previewReport }),
]);
export type RunDetailToHost = z.infer<typeof runDetailToHost>;

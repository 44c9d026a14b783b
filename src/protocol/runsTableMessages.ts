import { z } from 'zod';

// Messages of the runs table panel (mlops.runsTable), both directions. The host
// and the webview validate every message they receive against these schemas.

const metricValue = z.union([z.number(), z.string()]);

export const runsTableRowSchema = z.object({
  runId: z.string(),
  runName: z.string(),
  experimentId: z.string(),
  status: z.string(),
  lifecycleStage: z.string(),
  startTime: z.number().nullable(),
  endTime: z.number().nullable(),
  userId: z.string(),
  params: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  metrics: z.record(z.string(), metricValue),
});

export const runsTableColumnsSchema = z.object({
  params: z.array(z.string()),
  metrics: z.array(z.string()),
  tags: z.array(z.string()),
});
export type RunsTableColumns = z.infer<typeof runsTableColumnsSchema>;

export const experimentChoice = z.object({ id: z.string(), name: z.string() });
export type ExperimentChoice = z.infer<typeof experimentChoice>;

/** Webview -> extension host. */
export const runsTableToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('query'),
    requestId: z.number().int(),
    /** Empty: every experiment. */
    experimentIds: z.array(z.string()),
    filter: z.string().max(10_000),
  }),
  z.object({ type: z.literal('compare'), runIds: z.array(z.string()).min(1).max(10_000) }),
  z.object({
    type: z.literal('rendered'),
    requestId: z.number().int(),
    filter: z.string(),
    /** Rows shown: runs, less the children of collapsed groups. */
    rows: z.number().int(),
    /** Runs loaded. */
    runs: z.number().int(),
    domRows: z.number().int(),
    headers: z.array(z.string()),
    /** The first rows as shown: the Name cell's text, the depth under parents, children and whether they are shown. */
    outline: z.array(z.object({ name: z.string(), level: z.number().int(), children: z.number().int(), expanded: z.boolean() })),
    /** Labels of the columns hidden for being mostly empty. */
    hiddenMostlyEmpty: z.array(z.string()),
    /** False for the first screenful, painted while the rest of the runs load. */
    complete: z.boolean(),
    /** performance.now() deltas: query sent -> rows received -> first frame painted. */
    fetchMs: z.number(),
    paintMs: z.number(),
    totalMs: z.number(),
  }),
]);
export type RunsTableToHost = z.infer<typeof runsTableToHost>;

/** Extension host -> webview. */
export const runsTableFromHost = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    experiments: z.array(experimentChoice),
    /** Set when the command named experiments: overrides the restored choice. */
    experimentIds: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('experiments'), experiments: z.array(experimentChoice) }),
  z.object({ type: z.literal('loading'), requestId: z.number().int() }),
  z.object({
    type: z.literal('rows'),
    requestId: z.number().int(),
    runs: z.array(runsTableRowSchema),
    /** Parents of the runs that the filter left out: for naming them, not shown as rows. */
    parents: z.array(runsTableRowSchema).optional(),
    columns: runsTableColumnsSchema,
    total: z.number().int(),
    truncated: z.boolean(),
    /** The runs continue the previous message's (same requestId). */
    append: z.boolean(),
    /** More runs follow in another message. */
    partial: z.boolean(),
  }),
  z.object({ type: z.literal('error'), requestId: z.number().int(), message: z.string() }),
  /** The store changed: query again (the panel keeps its scroll position and selection). */
  z.object({ type: z.literal('refresh') }),
  /** Test hook: apply this filter as if typed and confirmed. */
  z.object({ type: z.literal('applyFilter'), filter: z.string() }),
  /** Test hook: what the toolbar's toggles and a group's disclosure triangle do. */
  z.object({ type: z.literal('setView'), onlyDiffering: z.boolean().optional(), showMostlyEmpty: z.boolean().optional(), toggle: z.string().optional() }),
]);
export type RunsTableFromHost = z.infer<typeof runsTableFromHost>;

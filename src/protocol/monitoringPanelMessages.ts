import { z } from 'zod';
import { monitoringState } from './monitoring';

// Messages between a deployment's Monitoring panel (webview/monitoring) and the
// extension host (src/extension/panels/monitoringPanel.ts). Both sides validate
// every message. The host polls the backend's monitoring state every 2 s while
// the panel is visible and posts each answer; the webview updates in place.

const deploymentName = z.string().min(1).max(200);

/** Columns of the per-feature table, and the order they sort in. */
export const driftTableSort = z.object({
  column: z.enum(['feature', 'type', 'test', 'score', 'threshold', 'verdict']),
  descending: z.boolean(),
});
export type DriftTableSort = z.infer<typeof driftTableSort>;

/** What the webview keeps across a window reload. */
export const monitoringPanelState = z.object({
  deployment: deploymentName,
  selectedFeature: z.string().optional(),
  /** Features whose lines the user hid on the drift scores charts (their legends' buttons). */
  hiddenFeatures: z.array(z.string()).max(10_000).optional(),
  sort: driftTableSort.optional(),
  /** Where the panel was scrolled to (a hidden panel's webview is discarded and made again when shown). */
  scrollY: z.number().min(0).optional(),
});
export type MonitoringPanelState = z.infer<typeof monitoringPanelState>;

/** Why there is no monitoring state to show (the panel says so in place of the dashboard). */
export const monitoringUnavailable = z.enum([
  /** The backend has no such deployment (it stopped, or never ran in this workspace). */
  'no-deployment',
  /** The backend predates monitoring (its deployments route has no /monitoring). */
  'no-route',
  /** No backend is connected (starting, failed, untrusted workspace). */
  'no-backend',
  /** The request failed or the answer did not fit the contract. */
  'error',
]);
export type MonitoringUnavailable = z.infer<typeof monitoringUnavailable>;

export const hostToMonitoring = z.discriminatedUnion('type', [
  /** The backend's answer; `fetchedAt` is when the host got it (the "updated" time). */
  z.object({ type: z.literal('state'), deployment: z.string(), fetchedAt: z.number(), state: monitoringState }),
  z.object({ type: z.literal('unavailable'), deployment: z.string(), fetchedAt: z.number(), reason: monitoringUnavailable, message: z.string() }),
  /** Select a feature, as a click on its row would (tests, and the host's own links). */
  z.object({ type: z.literal('select'), feature: z.string() }),
]);
export type HostToMonitoring = z.infer<typeof hostToMonitoring>;

export const monitoringChartReport = z.object({
  id: z.enum(['rps', 'latency', 'scores-p', 'scores-stat', 'drift-share', 'histogram']),
  datasets: z.number().int(),
  /** Points (or bars) drawn over every dataset; the blanks that break the lines are not counted. */
  points: z.number().int(),
  /** Data series the user hid (legend). */
  hidden: z.number().int(),
  /** Where the lines break: a pause with nothing measured (gaps), a change of reference data set (marked on the chart). */
  gaps: z.number().int(),
  referenceChanges: z.number().int(),
});
export type MonitoringChartReport = z.infer<typeof monitoringChartReport>;

/** What the panel drew, as the webview reports it after each drawing (tests read it). */
export const monitoringReport = z.object({
  deployment: z.string(),
  /** dashboard: a monitoring state is shown; unavailable: why not, in its place; loading: nothing yet. */
  view: z.enum(['dashboard', 'unavailable', 'loading']),
  status: z.string().nullable(),
  /** The header's status line, as a person reads it. */
  statusText: z.string(),
  /** The drift banner's text, when shown. */
  banner: z.string().nullable(),
  retrainButton: z.boolean(),
  /** The Retrain button can be pressed (shown, and neither held by a click nor refused by the state). */
  retrainEnabled: z.boolean(),
  /** Its tooltip: what it runs, or why it cannot. */
  retrainTitle: z.string().nullable(),
  /** The line beside it: the drifted features, the last retrain, what holds retraining back. */
  bannerNote: z.string().nullable(),
  /** Charts with data on screen, read back from the chart objects. */
  charts: z.array(monitoringChartReport),
  /** Chart objects made since the panel opened: updates reuse them (no flicker). */
  chartsCreated: z.number().int(),
  /** The per-feature table's rows top to bottom ("prediction" included), and the drifted ones. */
  rows: z.array(z.string()),
  drifted: z.array(z.string()),
  selectedFeature: z.string().nullable(),
  /** The drift scores charts' legends, in order: which line is which feature, and whether it is hidden. */
  scoreLegend: z.array(z.object({ chart: z.enum(['scores-p', 'scores-stat']), feature: z.string(), color: z.string(), hidden: z.boolean(), drifted: z.boolean() })),
  histogram: z
    .object({ feature: z.string(), kind: z.enum(['numerical', 'categorical']), labels: z.number().int(), reference: z.number().int(), current: z.number().int() })
    .nullable(),
  variants: z.array(z.object({ name: z.string(), requests: z.number(), labelled: z.number(), accuracy: z.number().nullable(), meanAbsoluteError: z.number().nullable() })),
  /** Explanations shown in place of missing data (no-monitoring, loading, waiting, error, no-traffic, unavailable reason). */
  empty: z.array(z.string()),
  /** States drawn since the panel opened, and the host's `fetchedAt` of the one on screen. */
  draws: z.number().int(),
  fetchedAt: z.number().nullable(),
});
export type MonitoringReport = z.infer<typeof monitoringReport>;

export const monitoringToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), deployment: z.string().optional() }),
  /** The banner's Retrain: the host runs mlops.deployments.retrain for the deployment. */
  z.object({ type: z.literal('retrain'), deployment: deploymentName }),
  /** "How monitoring works": the README. */
  z.object({ type: z.literal('openDocs') }),
  z.object({ type: z.literal('rendered'), report: monitoringReport }),
]);
export type MonitoringToHost = z.infer<typeof monitoringToHost>;

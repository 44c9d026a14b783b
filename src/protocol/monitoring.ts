import { z } from 'zod';

// Monitoring of a deployment: which requests are recorded, what they are compared
// with (the reference data set), how often, and what happens when drift starts.
// The deployment process records and computes; the backend keeps the history,
// raises alerts, runs `onDrift`, and answers GET /api/v1/deployments/NAME/monitoring.

export const STAT_TEST_NAMES = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div'] as const;

export const monitoringSpec = z.object({
  /**
   * The reference data set: a CSV or JSONL file (relative to the workspace), or
   * "training": the data set logged (mw.log_dataset, context "training") with the
   * run that made the champion's model version.
   */
  reference: z.string().min(1).default('training'),
  /** The current window: the last `rows` recorded requests, and none older than `minutes` when given. */
  window: z
    .object({
      rows: z.number().int().min(10).max(1_000_000).default(1000),
      minutes: z.number().positive().max(7 * 24 * 60).optional(),
    })
    .default({ rows: 1000 }),
  /**
   * Drift is not computed before the window holds this many rows (at most the
   * window's size). Small windows give false alarms: against a reference of more
   * than 1000 rows, sampling noise alone crosses the distances' 0.1 threshold in
   * about 1 verdict of 5 at 100 rows, and almost never at 500.
   */
  minRows: z.number().int().min(1).max(1_000_000).default(500),
  /** Share of requests recorded, 0-1. */
  sampleRate: z.number().min(0).max(1).default(1),
  /**
   * Rows recorded per second, at most: above it requests are sampled uniformly to
   * about this rate (drift needs a sample; recording every request of a busy
   * deployment costs serving CPU and fills the log in seconds).
   */
  maxRowsPerSecond: z.number().int().min(1).max(1_000_000).default(2000),
  /** Recorded requests kept on disk; the oldest are dropped first. */
  maxRecordedMiB: z.number().min(1).max(100 * 1024).default(64),
  /** Drift is recomputed at most this often, and only when new rows came. */
  recomputeSeconds: z.number().min(0.2).max(3600).default(5),
  /** Evidently's drift_share: the data set drifts when this share of features does. */
  driftShare: z.number().gt(0).max(1).default(0.5),
  /** Per-feature overrides of the test and threshold (Evidently's per_column_stattest). */
  features: z.record(z.string(), z.object({ stattest: z.enum(STAT_TEST_NAMES).optional(), threshold: z.number().positive().optional() })).optional(),
  /** A pipeline file (relative to the workspace) run when dataset drift starts. */
  onDrift: z.string().min(1).optional(),
  /** At most one onDrift run per cooldown. */
  cooldownMinutes: z.number().min(0).max(7 * 24 * 60).default(60),
});
export type MonitoringSpec = z.infer<typeof monitoringSpec>;
export type MonitoringSpecInput = z.input<typeof monitoringSpec>;

/** One feature's (or the prediction's) test on one window: what `mlops monitor report --json` prints per feature. */
export const featureDriftResult = z.object({
  feature: z.string(),
  type: z.enum(['numerical', 'categorical']),
  test: z.enum(STAT_TEST_NAMES),
  scoreKind: z.enum(['p_value', 'statistic']),
  score: z.number(),
  statistic: z.number().optional(),
  threshold: z.number(),
  drifted: z.boolean(),
  referenceCount: z.number(),
  currentCount: z.number(),
  error: z.string().optional(),
});
export type FeatureDriftResult = z.infer<typeof featureDriftResult>;

/** Reference and current shares over the same bins, for the panel's histograms. */
export const distributionPair = z.discriminatedUnion('kind', [
  /** bins[i] = [edges[i], edges[i+1]) (the last bin closed); shares sum to 1 per side. */
  z.object({ kind: z.literal('numerical'), edges: z.array(z.number()), reference: z.array(z.number()), current: z.array(z.number()) }),
  z.object({ kind: z.literal('categorical'), categories: z.array(z.string()), reference: z.array(z.number()), current: z.array(z.number()) }),
]);
export type DistributionPair = z.infer<typeof distributionPair>;

/** Drift of one window. */
export const driftSnapshot = z.object({
  at: z.number(),
  windowRows: z.number(),
  /** Oldest and newest request in the window (ms since epoch). */
  windowFrom: z.number().nullable(),
  windowTo: z.number().nullable(),
  features: z.array(featureDriftResult),
  featureCount: z.number(),
  driftedCount: z.number(),
  driftedShare: z.number(),
  driftShare: z.number(),
  datasetDrift: z.boolean(),
  /** The model's output compared the same way (its predictions on the reference vs on the window); null when the model has no single scalar output. */
  prediction: featureDriftResult.nullable(),
  /** Feature name (and "prediction") -> reference vs current distribution. */
  distributions: z.record(z.string(), distributionPair),
  /** Milliseconds the computation took. */
  computeMs: z.number(),
});
export type DriftSnapshot = z.infer<typeof driftSnapshot>;

/** A point of the drift history: scores only (the histograms are kept for the latest snapshot). */
export const driftPoint = z.object({
  at: z.number(),
  windowRows: z.number(),
  driftedShare: z.number(),
  datasetDrift: z.boolean(),
  /** Feature -> score (p-value or statistic, as its test gives). */
  scores: z.record(z.string(), z.number()),
  /** Feature -> drifted. */
  drifted: z.record(z.string(), z.boolean()),
  predictionScore: z.number().nullable(),
});
export type DriftPoint = z.infer<typeof driftPoint>;

export const variantOutcomes = z.object({
  requests: z.number(),
  errors: z.number(),
  /** Labels received through POST /v1/feedback for this variant's predictions. */
  labelled: z.number(),
  /** Share right among labelled classifications; null before any. */
  accuracy: z.number().nullable(),
  /** Mean absolute error among labelled regressions; null before any. */
  meanAbsoluteError: z.number().nullable(),
});
export type VariantOutcomes = z.infer<typeof variantOutcomes>;

/** One stats interval (2 s) of traffic. */
export const trafficPoint = z.object({
  at: z.number(),
  /** Requests per second over the interval (clients' requests; shadow copies excluded). */
  rps: z.number(),
  errorsPerSecond: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});
export type TrafficPoint = z.infer<typeof trafficPoint>;

export const retrainOutcome = z.object({
  pipeline: z.string(),
  /** started: a run began; cooldown: one ran less than cooldownMinutes ago; untrusted: the workspace is not trusted; failed: it could not start. */
  status: z.enum(['started', 'cooldown', 'untrusted', 'failed', 'finished']),
  message: z.string(),
  /** The pipeline's exit code once finished. */
  exitCode: z.number().nullable().optional(),
});
export type RetrainOutcome = z.infer<typeof retrainOutcome>;

export const driftAlert = z.object({
  at: z.number(),
  /** started/ended: data set drift began or stopped; retrain: a retraining run finished (see `retrain`). */
  kind: z.enum(['started', 'ended', 'retrain']),
  driftedShare: z.number(),
  /** The drifted features when it started. */
  features: z.array(z.string()),
  retrain: retrainOutcome.nullable(),
});
export type DriftAlert = z.infer<typeof driftAlert>;

export const monitoringStatus = z.enum([
  /** No monitoring configured (or no reference could be found). */
  'off',
  /** Loading the reference. */
  'loading',
  /** Fewer than minRows recorded in the window. */
  'waiting',
  'ok',
  'drift',
  /** The reference could not be loaded, or the computation failed: see message. */
  'error',
]);
export type MonitoringStatus = z.infer<typeof monitoringStatus>;

/** What the deployment process reports about its reference once loaded. */
export const referenceInfo = z.object({
  /** The file, or "training data set 'NAME' of run ID". */
  source: z.string(),
  rows: z.number(),
  features: z.array(z.object({ name: z.string(), type: z.enum(['numerical', 'categorical']), test: z.enum(STAT_TEST_NAMES), threshold: z.number() })),
  loadMs: z.number(),
});
export type ReferenceInfo = z.infer<typeof referenceInfo>;

/** A redeploy (or restart) that compares with another reference from then on: drift before and after is not measured against the same data. */
export const referenceChange = z.object({ at: z.number(), from: z.string(), to: z.string() });
export type ReferenceChange = z.infer<typeof referenceChange>;

/** What the backend keeps: 6 hours of drift at the default 5 s recompute, 2 hours of 2 s traffic intervals. */
export const MONITORING_HISTORY_POINTS = 4320;
export const MONITORING_TRAFFIC_POINTS = 3600;

/** An answer's `cursor`: which history it came from, and how many drift and traffic points had been added to it. */
const MONITORING_CURSOR = /^[a-z0-9]{1,32}\.\d{1,15}\.\d{1,15}$/;

const pointCount = (name: string) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `a whole number of points, 0 or more (e.g. ${name}=720)`)
    .transform(Number);

/**
 * The query of GET /api/v1/deployments/NAME/monitoring. `history` and `traffic`
 * keep only the newest N points of each series. `after` is the `cursor` of an
 * earlier answer: the series then hold only the points added since (the limits
 * apply to those), and `appended` says so. A cursor from before a restart, or
 * older than what is kept, gets the whole series (`appended: false`): a poller
 * appends when told to and replaces otherwise, so it never needs the clocks of
 * the processes that stamp the points to agree.
 */
export const monitoringQuery = z.strictObject(
  {
    history: pointCount('history').optional(),
    traffic: pointCount('traffic').optional(),
    after: z.string().regex(MONITORING_CURSOR, 'give the `cursor` of an earlier answer of this route, as it came').optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown query parameter ${issue.keys.join(', ')}: this route takes history=N, traffic=N and after=CURSOR.` : undefined) },
);
export type MonitoringQuery = z.infer<typeof monitoringQuery>;

/**
 * Whether Retrain (the editor's button, POST …/retrain) can start a run now, and
 * what holds retraining back. The cooldown holds back only the runs drift starts
 * by itself (onDrift); a Retrain by hand is not held by it. Whether the
 * workspace is trusted is the editor's to add.
 */
export const retrainAvailability = z.object({
  available: z.boolean(),
  /** Why Retrain cannot run now, as a sentence; null when it can. */
  reason: z.string().nullable(),
  /** The onDrift pipeline Retrain runs; null when none is set (the editor then asks which pipeline). */
  pipeline: z.string().nullable(),
  /** A retraining run of this deployment is going. */
  running: z.boolean(),
  /** Until when drift starting does not run onDrift by itself (cooldownMinutes after the last run); null when it would. */
  cooldownUntil: z.number().nullable(),
});
export type RetrainAvailability = z.infer<typeof retrainAvailability>;

/** GET /api/v1/deployments/NAME/monitoring */
export const monitoringState = z.object({
  deployment: z.string(),
  status: monitoringStatus,
  message: z.string().nullable(),
  spec: monitoringSpec.nullable(),
  reference: referenceInfo.nullable(),
  /** Rows recorded in the current window / on disk. */
  windowRows: z.number(),
  recordedRows: z.number(),
  latest: driftSnapshot.nullable(),
  history: z.array(driftPoint),
  traffic: z.array(trafficPoint),
  /** Per variant; a deployment without a challenger has only the champion's. */
  variants: z.partialRecord(z.enum(['champion', 'challenger']), variantOutcomes),
  alerts: z.array(driftAlert),
  /** When the reference changed, oldest first; absent from backends older than the field. */
  referenceChanges: z.array(referenceChange).optional(),
  /** When a retraining run last started (by drift or by hand). */
  lastRetrainAt: z.number().nullable(),
  /** Absent from backends older than the field. */
  retrain: retrainAvailability.optional(),
  /** Give it as ?after= to get only the points added since this answer. */
  cursor: z.string().optional(),
  /** true: `history` and `traffic` hold only the points added after the request's ?after= cursor. */
  appended: z.boolean().optional(),
});
export type MonitoringState = z.infer<typeof monitoringState>;

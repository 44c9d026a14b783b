// A deployment's monitoring state as GET /api/v1/deployments/NAME/monitoring
// answers it, mid-drift: "churn" served with a 90/10 challenger, a reference of
// 800 rows (so Kolmogorov-Smirnov, chi-squared and Z tests, p-values) with two
// overrides (income: PSI, balance: Wasserstein, distances), 20 features and
// the prediction. Drift began about 10 minutes ago in 7 features (35%, over the
// 30% drift share); an earlier episode ended after a retrain. 60 drift windows
// (one every 30 s) and 5 minutes of traffic (every 2 s). The Monitoring panel's
// host test, its browser check (the screenshots are of it) and the unit tests
// share it. Seeded: the same numbers every time.
import type { DistributionPair, DriftPoint, FeatureDriftResult, MonitoringState, TrafficPoint } from '../../../src/protocol/monitoring';
import { seededRandom } from '../../helpers/seededRandom';

type Test = FeatureDriftResult['test'];

interface FeatureDef {
  name: string;
  type: 'numerical' | 'categorical';
  test: Test;
  threshold: number;
  /** The latest window's score; the history moves towards it from `calm` once drift starts. */
  latest: number;
  /** Drift starts at this history index (undefined: never drifts in the current episode). */
  driftFrom?: number;
  /** Numerical: the reference's range; categorical: the categories. */
  range?: [number, number];
  categories?: string[];
}

const P = 0.05;
const D = 0.1;
const DRIFT_FROM = 40;

/** The features as the model's schema lists them; `latest` scores drift where marked. */
export const FEATURES: FeatureDef[] = [
  { name: 'age', type: 'numerical', test: 'ks', threshold: P, latest: 0.41, range: [18, 80] },
  { name: 'income', type: 'numerical', test: 'psi', threshold: D, latest: 0.243, driftFrom: DRIFT_FROM, range: [12_000, 180_000] },
  { name: 'tenure_months', type: 'numerical', test: 'ks', threshold: P, latest: 0.27, range: [0, 72] },
  { name: 'monthly_charges', type: 'numerical', test: 'ks', threshold: P, latest: 1.2e-9, driftFrom: DRIFT_FROM - 2, range: [18, 120] },
  { name: 'total_charges', type: 'numerical', test: 'ks', threshold: P, latest: 0.083, range: [18, 8600] },
  { name: 'num_support_calls', type: 'numerical', test: 'ks', threshold: P, latest: 4.1e-4, driftFrom: DRIFT_FROM + 3, range: [0, 12] },
  { name: 'avg_session_minutes', type: 'numerical', test: 'ks', threshold: P, latest: 0.62, range: [0, 95] },
  { name: 'days_since_last_login', type: 'numerical', test: 'ks', threshold: P, latest: 2.3e-6, driftFrom: DRIFT_FROM, range: [0, 60] },
  { name: 'num_products', type: 'numerical', test: 'ks', threshold: P, latest: 0.74, range: [1, 6] },
  { name: 'credit_score', type: 'numerical', test: 'ks', threshold: P, latest: 0.19, range: [420, 850] },
  { name: 'balance', type: 'numerical', test: 'wasserstein', threshold: D, latest: 0.046, range: [0, 250_000] },
  { name: 'num_logins_30d', type: 'numerical', test: 'ks', threshold: P, latest: 0.52, range: [0, 90] },
  { name: 'data_usage_gb', type: 'numerical', test: 'ks', threshold: P, latest: 0.011, driftFrom: DRIFT_FROM + 8, range: [0, 120] },
  { name: 'late_payments', type: 'numerical', test: 'ks', threshold: P, latest: 0.33, range: [0, 8] },
  { name: 'plan', type: 'categorical', test: 'chisquare', threshold: P, latest: 0.0031, driftFrom: DRIFT_FROM + 2, categories: ['basic', 'standard', 'premium', 'family'] },
  { name: 'region', type: 'categorical', test: 'chisquare', threshold: P, latest: 0.58, categories: ['north', 'south', 'east', 'west', 'central'] },
  { name: 'payment_method', type: 'categorical', test: 'chisquare', threshold: P, latest: 0.021, driftFrom: DRIFT_FROM + 10, categories: ['card', 'bank transfer', 'direct debit', 'paypal'] },
  { name: 'contract_type', type: 'categorical', test: 'chisquare', threshold: P, latest: 0.47, categories: ['monthly', 'one year', 'two years'] },
  { name: 'has_partner', type: 'categorical', test: 'z', threshold: P, latest: 0.66, categories: ['no', 'yes'] },
  { name: 'paperless_billing', type: 'categorical', test: 'z', threshold: P, latest: 0.29, categories: ['no', 'yes'] },
];

export const DRIFTED_FEATURES = FEATURES.filter((f) => f.driftFrom !== undefined).map((f) => f.name);
/** The most drifted feature (furthest past its threshold): what the panel selects first. */
export const MOST_DRIFTED = 'monthly_charges';
export const HISTORY_POINTS = 60;
export const TRAFFIC_POINTS = 150;
export const NUMERICAL_BINS = 10;

const pValueTest = (t: Test) => t === 'ks' || t === 'chisquare' || t === 'z';
const drifts = (f: { test: Test; threshold: number }, score: number) => (pValueTest(f.test) ? score < f.threshold : score >= f.threshold);

/** Shares of a bell over `n` bins centred at `centre` (0-1 of the range), summing to 1. */
function bell(n: number, centre: number, width: number): number[] {
  const raw = Array.from({ length: n }, (_, i) => Math.exp(-(((i + 0.5) / n - centre) ** 2) / (2 * width * width)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

function normalise(v: number[]): number[] {
  const sum = v.reduce((a, b) => a + b, 0);
  return v.map((x) => x / sum);
}

function distribution(f: FeatureDef, drifted: boolean, random: () => number): DistributionPair {
  if (f.type === 'categorical') {
    const cats = f.categories!;
    const reference = normalise(cats.map((_, i) => 1 + 0.6 * Math.cos(i * 1.3) + 0.2 * random()));
    // A drifted category mix leans to the last categories.
    const current = normalise(reference.map((s, i) => s * (drifted ? 0.5 + (1.4 * i) / cats.length : 0.92 + 0.16 * random())));
    return { kind: 'categorical', categories: cats, reference, current };
  }
  const [lo, hi] = f.range!;
  const edges = Array.from({ length: NUMERICAL_BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / NUMERICAL_BINS);
  const reference = bell(NUMERICAL_BINS, 0.45, 0.2);
  const current = drifted ? bell(NUMERICAL_BINS, 0.62, 0.24) : normalise(reference.map((s) => s * (0.9 + 0.2 * random())));
  return { kind: 'numerical', edges, reference, current };
}

/** A calm score: a p-value anywhere above the threshold, a small distance. */
function calmScore(f: { test: Test }, random: () => number): number {
  return pValueTest(f.test) ? 0.08 + 0.9 * random() : 0.01 + 0.05 * random();
}

/** The score of window i: calm, then (after driftFrom) moving towards the latest on a log scale. */
function scoreAt(f: FeatureDef, i: number, random: () => number): number {
  if (i === HISTORY_POINTS - 1) return f.latest;
  if (f.driftFrom === undefined || i < f.driftFrom) {
    // The earlier episode (windows 12-15): the same features drifted, mildly.
    if (f.driftFrom !== undefined && i >= 12 && i <= 15) return pValueTest(f.test) ? 0.01 + 0.02 * random() : 0.12 + 0.04 * random();
    return calmScore(f, random);
  }
  const t = (i - f.driftFrom + 1) / (HISTORY_POINTS - f.driftFrom);
  const start = pValueTest(f.test) ? 0.04 : 0.11;
  return Math.exp(Math.log(start) + (Math.log(f.latest) - Math.log(start)) * Math.min(1, t) + 0.15 * (random() - 0.5));
}

export interface MonitoringFixtureOptions {
  deployment?: string;
  /** Windows computed (the history's length). */
  history?: number;
  /** Traffic points (every 2 s). */
  traffic?: number;
}

/** The mid-drift state of "churn", its latest window computed 3 s before `now`. */
export function driftingState(now = Date.now(), options: MonitoringFixtureOptions = {}): MonitoringState {
  const random = seededRandom(20261127);
  const deployment = options.deployment ?? 'churn';
  const historyLength = options.history ?? HISTORY_POINTS;
  const trafficLength = options.traffic ?? TRAFFIC_POINTS;
  const latestAt = now - 3_000;
  const windowAt = (i: number) => latestAt - (HISTORY_POINTS - 1 - i) * 30_000;

  const prediction = { name: 'prediction', type: 'numerical' as const, test: 'ks' as Test, threshold: P, latest: 9.4e-4, driftFrom: DRIFT_FROM + 1, range: [0, 1] as [number, number] };
  const history: DriftPoint[] = [];
  for (let i = HISTORY_POINTS - historyLength; i < HISTORY_POINTS; i++) {
    const scores: Record<string, number> = {};
    const drifted: Record<string, boolean> = {};
    for (const f of FEATURES) {
      const s = scoreAt(f, i, random);
      scores[f.name] = s;
      drifted[f.name] = drifts(f, s);
    }
    const count = Object.values(drifted).filter(Boolean).length;
    history.push({
      at: windowAt(i),
      windowRows: 1000,
      driftedShare: count / FEATURES.length,
      datasetDrift: count / FEATURES.length >= 0.3,
      scores,
      drifted,
      predictionScore: scoreAt(prediction, i, random),
    });
  }

  const result = (f: FeatureDef): FeatureDriftResult => ({
    feature: f.name,
    type: f.type,
    test: f.test,
    scoreKind: pValueTest(f.test) ? 'p_value' : 'statistic',
    score: f.latest,
    statistic: pValueTest(f.test) ? Number((0.05 + 0.3 * random()).toFixed(4)) : f.latest,
    threshold: f.threshold,
    drifted: drifts(f, f.latest),
    referenceCount: 800,
    currentCount: 1000,
  });
  const features = FEATURES.map(result);
  const driftedCount = features.filter((f) => f.drifted).length;
  const distributions: Record<string, DistributionPair> = {};
  for (const f of FEATURES) distributions[f.name] = distribution(f, f.driftFrom !== undefined, random);
  distributions.prediction = distribution(prediction, true, random);

  const traffic: TrafficPoint[] = Array.from({ length: trafficLength }, (_, i) => {
    const at = now - (trafficLength - 1 - i) * 2_000;
    const rps = 18 + 6 * Math.sin(i / 14) + 3 * random();
    const spike = i % 37 === 0;
    return {
      at,
      rps: Number(rps.toFixed(2)),
      errorsPerSecond: spike ? Number((0.5 + random()).toFixed(2)) : random() < 0.15 ? 0.5 : 0,
      p50Ms: Number((1.8 + 0.6 * random()).toFixed(3)),
      p99Ms: Number(((spike ? 24 : 7) + 3 * random()).toFixed(3)),
    };
  });

  const driftStart = windowAt(DRIFT_FROM + 5);
  return {
    deployment,
    status: 'drift',
    message: null,
    spec: {
      reference: 'data/reference.csv',
      window: { rows: 1000 },
      minRows: 100,
      sampleRate: 1,
      maxRowsPerSecond: 5000,
      maxRecordedMiB: 64,
      recomputeSeconds: 30,
      driftShare: 0.3,
      features: { income: { stattest: 'psi' }, balance: { stattest: 'wasserstein' } },
      onDrift: 'retrain.pipeline.yaml',
      cooldownMinutes: 60,
    },
    reference: {
      source: 'data/reference.csv',
      rows: 800,
      features: FEATURES.map((f) => ({ name: f.name, type: f.type, test: f.test, threshold: f.threshold })),
      loadMs: 41,
    },
    windowRows: 1000,
    recordedRows: 24_250,
    latest: {
      at: latestAt,
      windowRows: 1000,
      windowFrom: latestAt - 52_000,
      windowTo: latestAt - 200,
      features,
      featureCount: features.length,
      driftedCount,
      driftedShare: driftedCount / features.length,
      driftShare: 0.3,
      datasetDrift: driftedCount / features.length >= 0.3,
      prediction: result(prediction),
      distributions,
      computeMs: 14.2,
    },
    history,
    traffic,
    variants: {
      champion: { requests: 21_840, errors: 12, labelled: 3_120, accuracy: 0.842, meanAbsoluteError: null },
      challenger: { requests: 2_410, errors: 3, labelled: 350, accuracy: 0.871, meanAbsoluteError: null },
    },
    alerts: [
      {
        at: windowAt(12),
        kind: 'started',
        driftedShare: 0.35,
        features: DRIFTED_FEATURES,
        retrain: { pipeline: 'retrain.pipeline.yaml', status: 'started', message: 'retrain.pipeline.yaml started (log: .mlops/deployments/churn/retrain.log)' },
      },
      {
        at: windowAt(12) + 95_000,
        kind: 'retrain',
        driftedShare: 0.35,
        features: [],
        retrain: { pipeline: 'retrain.pipeline.yaml', status: 'finished', message: 'retrain.pipeline.yaml finished: churn v4 registered and deployed', exitCode: 0 },
      },
      { at: windowAt(16), kind: 'ended', driftedShare: 0.05, features: [], retrain: null },
      {
        at: driftStart,
        kind: 'started',
        driftedShare: 0.3,
        features: DRIFTED_FEATURES.slice(0, 6),
        retrain: { pipeline: 'retrain.pipeline.yaml', status: 'cooldown', message: 'A retrain ran 22 min ago; the next may start in 38 min (cooldownMinutes 60).' },
      },
    ],
    // The retraining's redeploy came with a new reference (shown as a mark on the drift share chart).
    referenceChanges: [{ at: windowAt(12) + 96_000, from: 'data/reference-v3.csv', to: 'data/reference.csv' }],
    lastRetrainAt: windowAt(12) + 20_000,
  };
}

/** A deployment served without a reference, no requests yet. */
export function offState(deployment = 'fraud'): MonitoringState {
  return {
    deployment,
    status: 'off',
    message: 'Monitoring is off for this deployment (started with --no-monitoring).',
    spec: null,
    reference: null,
    windowRows: 0,
    recordedRows: 0,
    latest: null,
    history: [],
    traffic: [],
    variants: { champion: { requests: 0, errors: 0, labelled: 0, accuracy: null, meanAbsoluteError: null } },
    alerts: [],
    lastRetrainAt: null,
  };
}

/** Monitoring on, the reference loaded, the window still short of minRows. */
export function waitingState(now = Date.now(), deployment = 'fraud', windowRows = 37): MonitoringState {
  const drifting = driftingState(now, { deployment });
  return {
    ...drifting,
    status: 'waiting',
    windowRows,
    recordedRows: windowRows,
    latest: null,
    history: [],
    traffic: drifting.traffic.slice(-10),
    variants: { champion: { requests: windowRows, errors: 0, labelled: 0, accuracy: null, meanAbsoluteError: null } },
    alerts: [],
    lastRetrainAt: null,
  };
}

/** Drift windows the quiet state lacks (4 minutes without requests: no window was computed). */
export const QUIET_WINDOWS = { from: 22, to: 30 };
/** Traffic intervals it lacks (the deployment restarting for 24 s), and those with no requests (a zero rate, no percentiles). */
export const RESTART_INTERVALS = { from: 100, to: 112 };
export const IDLE_INTERVALS = { from: 40, to: 55 };

/**
 * The drifting state of a deployment that had pauses: no requests for 4
 * minutes (no drift windows then), a restart (no traffic measured for 24 s),
 * half a minute idle (measured: no requests). Its reference change stays.
 */
export function quietState(now = Date.now(), deployment = 'churn-quiet'): MonitoringState {
  const drifting = driftingState(now, { deployment });
  const inside = (i: number, r: { from: number; to: number }) => i >= r.from && i < r.to;
  return {
    ...drifting,
    history: drifting.history.filter((_, i) => !inside(i, QUIET_WINDOWS)),
    traffic: drifting.traffic
      .filter((_, i) => !inside(i, RESTART_INTERVALS))
      .map((p, i) => (inside(i, IDLE_INTERVALS) ? { ...p, rps: 0, errorsPerSecond: 0, p50Ms: null, p99Ms: null } : p)),
  };
}

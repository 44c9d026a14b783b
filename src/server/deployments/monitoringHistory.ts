// What the backend remembers of a deployment's monitoring (the deployment process
// only knows its current window): drift over time, traffic over time, per-variant
// outcomes, and the alerts raised when data set drift started or ended. Bounded
// rings, so a deployment that runs for weeks holds the recent past only.
import type { DeploymentState, MonitoringSummary } from '../../protocol/deployments';
import type { DriftAlert, DriftPoint, DriftSnapshot, MonitoringSpec, MonitoringState, MonitoringStatus, ReferenceInfo, TrafficPoint, VariantOutcomes } from '../../protocol/monitoring';

/** 6 hours of drift at the default 5 s recompute, at most. */
const HISTORY_POINTS = 4320;
/** 2 hours of 2 s stats intervals. */
const TRAFFIC_POINTS = 3600;
const ALERTS = 200;

function pushBounded<T>(ring: T[], item: T, limit: number): void {
  ring.push(item);
  if (ring.length > limit) ring.splice(0, ring.length - limit);
}

export class MonitoringHistory {
  status: MonitoringStatus = 'off';
  message: string | null = null;
  reference: ReferenceInfo | null = null;
  windowRows = 0;
  recordedRows = 0;
  latest: DriftSnapshot | null = null;
  lastRetrainAt: number | null = null;
  private readonly history: DriftPoint[] = [];
  private readonly traffic: TrafficPoint[] = [];
  private readonly alerts: DriftAlert[] = [];
  private variants: Partial<Record<'champion' | 'challenger', VariantOutcomes>> = {};
  private previousStats: { at: number; requests: number; errors: number } | undefined;

  setStatus(status: MonitoringStatus, message: string | null, windowRows: number, recordedRows: number): void {
    // "waiting" while a verdict stands would hide it: only before the first snapshot.
    this.status = status;
    this.message = message;
    this.windowRows = windowRows;
    this.recordedRows = recordedRows;
    if (status === 'off' || status === 'error' || status === 'loading') this.latest = null;
  }

  /** A (re)started process counts requests from zero at this moment. */
  processStarted(at = Date.now()): void {
    this.previousStats = { at, requests: 0, errors: 0 };
  }

  setReference(info: ReferenceInfo): void {
    this.reference = info;
  }

  /** A stats message: a traffic point (rates from the counters' change) and the variants' outcomes. */
  addStats(stats: NonNullable<DeploymentState['stats']>, at = Date.now()): void {
    const previous = this.previousStats;
    this.previousStats = { at, requests: stats.requests, errors: stats.errors };
    if (stats.variants) this.variants = stats.variants;
    // A restarted process counts from zero again: no rate across the restart.
    if (!previous || stats.requests < previous.requests) return;
    const seconds = Math.max(0.001, (at - previous.at) / 1000);
    pushBounded(this.traffic, { at, rps: (stats.requests - previous.requests) / seconds, errorsPerSecond: Math.max(0, stats.errors - previous.errors) / seconds, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms }, TRAFFIC_POINTS);
  }

  /** A new snapshot; returns the alert it raises when data set drift started or ended. */
  addSnapshot(snapshot: DriftSnapshot, recordedRows: number): DriftAlert | undefined {
    const lastVerdict = this.alerts.filter((a) => a.kind !== 'retrain').pop();
    const before = this.latest?.datasetDrift ?? lastVerdict?.kind === 'started';
    this.latest = snapshot;
    this.status = snapshot.datasetDrift ? 'drift' : 'ok';
    this.message = null;
    this.windowRows = snapshot.windowRows;
    this.recordedRows = recordedRows;
    const scores: Record<string, number> = {};
    const drifted: Record<string, boolean> = {};
    for (const f of snapshot.features) {
      if (f.error) continue;
      scores[f.feature] = f.score;
      drifted[f.feature] = f.drifted;
    }
    pushBounded(this.history, { at: snapshot.at, windowRows: snapshot.windowRows, driftedShare: snapshot.driftedShare, datasetDrift: snapshot.datasetDrift, scores, drifted, predictionScore: snapshot.prediction && !snapshot.prediction.error ? snapshot.prediction.score : null }, HISTORY_POINTS);
    if (snapshot.datasetDrift === before) return undefined;
    const alert: DriftAlert = {
      at: snapshot.at,
      kind: snapshot.datasetDrift ? 'started' : 'ended',
      driftedShare: snapshot.driftedShare,
      features: snapshot.features.filter((f) => f.drifted).map((f) => f.feature),
      retrain: null,
    };
    pushBounded(this.alerts, alert, ALERTS);
    return alert;
  }

  addAlert(alert: DriftAlert): void {
    pushBounded(this.alerts, alert, ALERTS);
  }

  summary(): MonitoringSummary {
    return {
      status: this.status,
      message: this.message,
      driftedShare: this.latest?.driftedShare ?? null,
      driftedFeatures: this.latest ? this.latest.features.filter((f) => f.drifted).map((f) => f.feature) : [],
      windowRows: this.windowRows,
      at: this.latest?.at ?? null,
    };
  }

  state(deployment: string, spec: MonitoringSpec | null): MonitoringState {
    return {
      deployment,
      status: this.status,
      message: this.message,
      spec,
      reference: this.reference,
      windowRows: this.windowRows,
      recordedRows: this.recordedRows,
      latest: this.latest,
      history: [...this.history],
      traffic: [...this.traffic],
      variants: { ...this.variants },
      alerts: [...this.alerts],
      lastRetrainAt: this.lastRetrainAt,
    };
  }
}

// What the backend remembers of a deployment's monitoring (the deployment process
// only knows its current window): drift over time, traffic over time, per-variant
// outcomes, and the alerts raised when data set drift started or ended. Bounded
// rings, so a deployment that runs for weeks holds the recent past only.
import { randomBytes } from 'node:crypto';
import type { DeploymentState, MonitoringSummary } from '../../protocol/deployments';
import {
  MONITORING_HISTORY_POINTS as HISTORY_POINTS,
  MONITORING_TRAFFIC_POINTS as TRAFFIC_POINTS,
  type DriftAlert,
  type DriftPoint,
  type DriftSnapshot,
  type MonitoringQuery,
  type MonitoringSpec,
  type MonitoringState,
  type MonitoringStatus,
  type ReferenceInfo,
  type RetrainAvailability,
  type TrafficPoint,
  type VariantOutcomes,
  type ReferenceChange,
} from '../../protocol/monitoring';

const ALERTS = 200;

function pushBounded<T>(ring: T[], item: T, limit: number): void {
  ring.push(item);
  if (ring.length > limit) ring.splice(0, ring.length - limit);
}

/** The newest `n` items (all when n is undefined). */
function newest<T>(items: T[], n: number | undefined): T[] {
  return n === undefined ? items : items.slice(Math.max(0, items.length - n));
}

export class MonitoringHistory {
  status: MonitoringStatus = 'off';
  message: string | null = null;
  reference: ReferenceInfo | null = null;
  private readonly referenceChanges: ReferenceChange[] = [];
  windowRows = 0;
  recordedRows = 0;
  latest: DriftSnapshot | null = null;
  lastRetrainAt: number | null = null;
  private readonly history: DriftPoint[] = [];
  private readonly traffic: TrafficPoint[] = [];
  /** Names this history in cursors: a cursor of another one (before a restart) gets whole series. */
  private readonly epoch = randomBytes(6).toString('hex');
  /** Points ever added: a cursor counts in these, so eviction from the rings and clocks do not matter. */
  private historyAdded = 0;
  private trafficAdded = 0;
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

  setReference(info: ReferenceInfo, at = Date.now()): void {
    if (this.reference && this.reference.source !== info.source) pushBounded(this.referenceChanges, { at, from: this.reference.source, to: info.source }, ALERTS);
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
    this.trafficAdded++;
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
    this.historyAdded++;
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

  /** The points added after `cursor`, or undefined when it is another history's or older than what the rings keep. */
  private pointsAfter(cursor: string): { history: DriftPoint[]; traffic: TrafficPoint[] } | undefined {
    const [epoch, history, traffic] = cursor.split('.');
    const fromHistory = Number(history) - (this.historyAdded - this.history.length);
    const fromTraffic = Number(traffic) - (this.trafficAdded - this.traffic.length);
    if (epoch !== this.epoch || fromHistory < 0 || fromTraffic < 0 || Number(history) > this.historyAdded || Number(traffic) > this.trafficAdded) return undefined;
    return { history: this.history.slice(fromHistory), traffic: this.traffic.slice(fromTraffic) };
  }

  state(deployment: string, spec: MonitoringSpec | null, retrain: RetrainAvailability, query: MonitoringQuery = {}): MonitoringState {
    const after = query.after === undefined ? undefined : this.pointsAfter(query.after);
    return {
      deployment,
      status: this.status,
      message: this.message,
      spec,
      reference: this.reference,
      windowRows: this.windowRows,
      recordedRows: this.recordedRows,
      latest: this.latest,
      history: newest(after?.history ?? this.history, query.history).slice(),
      traffic: newest(after?.traffic ?? this.traffic, query.traffic).slice(),
      variants: { ...this.variants },
      alerts: [...this.alerts],
      referenceChanges: [...this.referenceChanges],
      lastRetrainAt: this.lastRetrainAt,
      retrain,
      cursor: `${this.epoch}.${this.historyAdded}.${this.trafficAdded}`,
      appended: after !== undefined,
    };
  }
}

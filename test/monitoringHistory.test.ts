import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonitoringHistory } from '../src/server/deployments/monitoringHistory';
import { retrainAvailability } from '../src/server/deployments/retrainAvailability';
import { MONITORING_HISTORY_POINTS, monitoringQuery, monitoringSpec, type DriftSnapshot, type RetrainAvailability } from '../src/protocol/monitoring';

// What the backend keeps of a deployment's monitoring and how it answers
// GET …/monitoring: the newest N points, only the points after an earlier
// answer's cursor (robust to restarts and to the rings dropping old points),
// and whether Retrain can run now.

const READY: RetrainAvailability = { available: true, reason: null, pipeline: null, running: false, cooldownUntil: null };

function snapshot(at: number, datasetDrift = false): DriftSnapshot {
  return { at, windowRows: 100, windowFrom: null, windowTo: null, features: [], featureCount: 1, driftedCount: datasetDrift ? 1 : 0, driftedShare: datasetDrift ? 1 : 0, driftShare: 0.5, datasetDrift, prediction: null, distributions: {}, computeMs: 1 };
}

const stats = (requests: number) => ({ type: 'stats' as const, requests, errors: 0, inFlight: 0, p50Ms: 1, p99Ms: 2 });

test('a poll with the last answer\'s cursor gets only the points added since; limits keep the newest N', () => {
  const h = new MonitoringHistory();
  h.processStarted(0);
  for (let i = 1; i <= 5; i++) {
    h.addSnapshot(snapshot(i * 1000), 100);
    h.addStats(stats(i * 10), i * 2000);
  }
  const first = h.state('churn', null, READY);
  assert.equal(first.appended, false);
  assert.deepEqual([first.history.length, first.traffic.length], [5, 5]);

  const nothingNew = h.state('churn', null, READY, { after: first.cursor });
  assert.equal(nothingNew.appended, true);
  assert.deepEqual([nothingNew.history, nothingNew.traffic], [[], []]);

  h.addSnapshot(snapshot(6000), 100);
  h.addStats(stats(60), 12_000);
  h.addStats(stats(70), 14_000);
  const next = h.state('churn', null, READY, { after: first.cursor });
  assert.equal(next.appended, true);
  assert.deepEqual(next.history.map((p) => p.at), [6000]);
  assert.deepEqual(next.traffic.map((p) => p.at), [12_000, 14_000]);
  assert.deepEqual(h.state('churn', null, READY, { after: first.cursor, traffic: 1 }).traffic.map((p) => p.at), [14_000], 'limits apply to the new points');

  const newest = h.state('churn', null, READY, { history: 2, traffic: 0 });
  assert.deepEqual(newest.history.map((p) => p.at), [5000, 6000]);
  assert.deepEqual(newest.traffic, []);
  assert.equal(h.state('churn', null, READY, { history: 1000 }).history.length, 6, 'more than kept: all');
});

test('a cursor of another history (a restarted backend or deployment) or older than the ring gets whole series', () => {
  const before = new MonitoringHistory();
  before.addSnapshot(snapshot(1000), 100);
  const cursor = before.state('churn', null, READY).cursor!;
  const restarted = new MonitoringHistory();
  restarted.addSnapshot(snapshot(2000), 100);
  restarted.addSnapshot(snapshot(3000), 100);
  const answer = restarted.state('churn', null, READY, { after: cursor });
  assert.equal(answer.appended, false);
  assert.equal(answer.history.length, 2);

  // A poller that fell behind by more than the ring holds.
  const h = new MonitoringHistory();
  h.addSnapshot(snapshot(0), 100);
  const old = h.state('churn', null, READY).cursor!;
  // Exactly a ringful after it: nothing missed yet, the new points come appended.
  for (let i = 1; i <= MONITORING_HISTORY_POINTS; i++) h.addSnapshot(snapshot(i), 100);
  assert.equal(h.state('churn', null, READY, { after: old }).appended, true);
  h.addSnapshot(snapshot(MONITORING_HISTORY_POINTS + 1), 100);
  const behind = h.state('churn', null, READY, { after: old });
  assert.equal(behind.appended, false);
  assert.equal(behind.history.length, MONITORING_HISTORY_POINTS);
  // And a cursor from the future (not this history's) is not trusted either.
  const [epoch] = old.split('.');
  assert.equal(h.state('churn', null, READY, { after: `${epoch}.999999.0` }).appended, false);
});

test('the query is checked: whole numbers of points, a cursor as given, no other parameters', () => {
  assert.deepEqual(monitoringQuery.parse({ history: '720', traffic: '0' }), { history: 720, traffic: 0 });
  for (const bad of [{ history: '-1' }, { history: '1.5' }, { traffic: '' }, { after: 'a.b.c' }, { since: '5' }]) {
    assert.equal(monitoringQuery.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('Retrain is unavailable only while a run goes; the cooldown holds back only drift\'s own runs', () => {
  const now = Date.parse('2026-11-27T14:00:00Z');
  const spec = monitoringSpec.parse({ onDrift: 'retrain.pipeline.yaml', cooldownMinutes: 30 });
  const running = retrainAvailability({ deployment: 'churn', spec, running: true, lastRetrainAt: now - 60_000, now });
  assert.equal(running.available, false);
  assert.match(running.reason ?? '', /Retraining is running; its output goes to \.mlops\/deployments\/churn\/retrain\.log/);
  assert.equal(running.cooldownUntil, now - 60_000 + 30 * 60_000);

  const cooling = retrainAvailability({ deployment: 'churn', spec, running: false, lastRetrainAt: now - 60_000, now });
  assert.deepEqual(cooling, { available: true, reason: null, pipeline: 'retrain.pipeline.yaml', running: false, cooldownUntil: now + 29 * 60_000 });
  assert.equal(retrainAvailability({ deployment: 'churn', spec, running: false, lastRetrainAt: now - 31 * 60_000, now }).cooldownUntil, null, 'over');
  assert.equal(retrainAvailability({ deployment: 'churn', spec, running: false, lastRetrainAt: null, now }).cooldownUntil, null, 'never ran');
  const noPipeline = retrainAvailability({ deployment: 'churn', spec: monitoringSpec.parse({}), running: false, lastRetrainAt: now - 60_000, now });
  assert.deepEqual([noPipeline.available, noPipeline.pipeline, noPipeline.cooldownUntil], [true, null, null], 'no onDrift: nothing to hold back');
});

test('a new reference (a redeploy with another champion) is kept as a change; the same one again (a restart) is not', () => {
  const history = new MonitoringHistory();
  const info = (source: string) => ({ source, rows: 100, features: [], loadMs: 1 });
  history.setReference(info("training data set 'train' of run aaaa"), 1000);
  history.setReference(info("training data set 'train' of run aaaa"), 2000);
  assert.deepEqual(history.state('churn', null, READY).referenceChanges, [], 'the first reference, then a restart with the same one');
  history.setReference(info("training data set 'retrain' of run bbbb"), 3000);
  assert.deepEqual(history.state('churn', null, READY).referenceChanges, [{ at: 3000, from: "training data set 'train' of run aaaa", to: "training data set 'retrain' of run bbbb" }]);
  assert.equal(history.state('churn', null, READY).reference?.source, "training data set 'retrain' of run bbbb");
});

// The Monitoring panel's pure pieces (no DOM, no vscode): what the header and
// the banner say, the table's order, the histogram's bins, what each button
// asks VS Code to run, and how a failed request for the state reads. Over the
// same fixture the host test and the browser check draw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SORT,
  bannerText,
  binLabels,
  defaultFeature,
  formatCompact,
  formatMs,
  formatScore,
  formatShare,
  isDrift,
  retrainButtonState,
  rowsNeeded,
  severity,
  sortFeatures,
  statusText,
  clockLabel,
  timeRange,
  timeStep,
  timeTicks,
  referenceChangesIn,
} from '../webview/monitoring/monitoringModel';
import { PANEL_HISTORY_POINTS, PANEL_TRAFFIC_POINTS, fitForPanel, monitoringCommandFor, monitoringPath, thinHistory, unavailableFrom, withWorkspaceTrust } from '../src/extension/panels/monitoringActions';
import { MonitoringSeries } from '../src/extension/panels/monitoringSeries';
import { hostToMonitoring, monitoringPanelState, monitoringToHost } from '../src/protocol/monitoringPanelMessages';
import { monitoringState } from '../src/protocol/monitoring';
import { DRIFTED_FEATURES, MOST_DRIFTED, driftingState, offState, waitingState } from './vscode/suite/monitoringFixture';

const NOW = Date.parse('2026-11-27T14:00:00Z');

test('the fixtures fit the contract the backend answers with', () => {
  for (const s of [driftingState(NOW), offState(), waitingState(NOW)]) {
    const parsed = monitoringState.safeParse(s);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues[0]));
  }
});

test('the header says the status as a person reads it', () => {
  assert.equal(statusText(driftingState(NOW)), 'Drift: 7 of 20 features drifted (35%)');
  assert.equal(statusText({ ...driftingState(NOW), status: 'ok' }), 'No drift: 7 of 20 features drifted');
  assert.equal(statusText(waitingState(NOW, 'fraud', 37)), 'Waiting for 63 more requests');
  assert.equal(statusText(waitingState(NOW, 'fraud', 99)), 'Waiting for 1 more request');
  assert.equal(rowsNeeded(waitingState(NOW, 'fraud', 140)), 0);
  assert.equal(statusText(offState()), 'Monitoring is off for this deployment (started with --no-monitoring).');
  assert.equal(statusText({ ...offState(), message: 'No reference data set: run abc logged none' }), 'Monitoring off: No reference data set: run abc logged none');
  assert.equal(statusText({ ...offState(), status: 'error', message: 'reference data/reference.csv: no such file' }), 'Error: reference data/reference.csv: no such file');
  assert.equal(statusText({ ...offState(), status: 'loading' }), 'Loading the reference…');
});

test('the banner shows only while the data set drifts, with the share and the threshold', () => {
  assert.equal(bannerText(driftingState(NOW)), 'Data drift: 7 of 20 features drifted (35%; the data set drifts at 30%).');
  assert.equal(bannerText({ ...driftingState(NOW), status: 'ok' }), null);
  assert.equal(bannerText(offState()), null);
});

test('a p-value drifts below its threshold, a distance at or above it; severity puts both on one scale', () => {
  assert.equal(isDrift('p_value', 0.01, 0.05), true);
  assert.equal(isDrift('p_value', 0.05, 0.05), false);
  assert.equal(isDrift('statistic', 0.1, 0.1), true);
  assert.equal(isDrift('statistic', 0.09, 0.1), false);
  assert.ok(Math.abs(severity({ scoreKind: 'p_value', score: 0.005, threshold: 0.05 }) - 1) < 1e-12, 'ten times past');
  assert.ok(Math.abs(severity({ scoreKind: 'statistic', score: 1, threshold: 0.1 }) - 1) < 1e-12);
  assert.ok(severity({ scoreKind: 'p_value', score: 0.5, threshold: 0.05 }) < 0, 'short of the threshold');
  assert.ok(Number.isFinite(severity({ scoreKind: 'p_value', score: 0, threshold: 0.05 })), 'a p-value of 0 still sorts');
});

test('the table lists drifted features first, the most drifted on top; other columns sort both ways', () => {
  const features = driftingState(NOW).latest!.features;
  const byVerdict = sortFeatures(features, DEFAULT_SORT).map((f) => f.feature);
  assert.deepEqual(new Set(byVerdict.slice(0, DRIFTED_FEATURES.length)), new Set(DRIFTED_FEATURES));
  assert.equal(byVerdict[0], MOST_DRIFTED);
  assert.equal(byVerdict[1], 'days_since_last_login');
  const byName = sortFeatures(features, { column: 'feature', descending: false }).map((f) => f.feature);
  assert.deepEqual(byName, [...byName].sort((a, b) => a.localeCompare(b)));
  const byScore = sortFeatures(features, { column: 'score', descending: true }).map((f) => f.score);
  assert.deepEqual(byScore, [...byScore].sort((a, b) => b - a));
  const withError = [...features, { ...features[0], feature: 'zz_broken', drifted: false, error: 'all values missing' }];
  assert.equal(sortFeatures(withError, DEFAULT_SORT).at(-1)?.feature, 'zz_broken', 'not computed: last');
});

test('the histogram shows the chosen feature, else the most drifted; numerical bins read as ranges', () => {
  const state = driftingState(NOW);
  assert.equal(defaultFeature(state, undefined), MOST_DRIFTED);
  assert.equal(defaultFeature(state, 'plan'), 'plan');
  assert.equal(defaultFeature(state, 'prediction'), 'prediction');
  assert.equal(defaultFeature(state, 'gone_feature'), MOST_DRIFTED, 'a feature no longer there');
  assert.equal(defaultFeature(offState(), 'plan'), null);
  const age = state.latest!.distributions.age;
  const labels = binLabels(age);
  assert.equal(labels.length, 10);
  assert.equal(labels[0], '18 – 24.2');
  assert.deepEqual(binLabels(state.latest!.distributions.plan), ['basic', 'standard', 'premium', 'family']);
});

test('numbers read short: shares, p-values far below 1e-3, distances', () => {
  assert.equal(formatShare(0.35), '35%');
  assert.equal(formatShare(0.025), '2.5%');
  assert.equal(formatScore(1.2e-9), '1.2e-9');
  assert.equal(formatScore(0.0031), '0.0031');
  assert.equal(formatScore(0.243), '0.243');
  assert.equal(formatCompact(1e-6), '1e-6');
  assert.equal(formatMs(0), '0 ms');
  assert.equal(formatMs(0.42), '420 µs');
  assert.equal(formatMs(12.34), '12.3 ms');
});

test('time axes tick at round local clock times over exactly the data\'s range', () => {
  const from = new Date(2026, 10, 27, 14, 2, 41).getTime();
  const to = from + 29.5 * 60_000;
  const step = timeStep(to - from);
  assert.equal(step, 5 * 60_000);
  assert.deepEqual(timeTicks(from, to, step).map((t) => clockLabel(t, step)), ['14:05', '14:10', '14:15', '14:20', '14:25', '14:30']);
  // 5 minutes of traffic every 2 s: minute ticks; a few seconds: ticks with seconds.
  assert.equal(timeStep(298_000), 60_000);
  assert.equal(clockLabel(new Date(2026, 10, 27, 9, 5, 7).getTime(), 10_000), '09:05:07');
  assert.deepEqual(timeRange([from, to]), { min: from, max: to });
  assert.deepEqual(timeRange([from]), { min: from - 30_000, max: from + 30_000 }, 'one point still has an axis');
});

test('Retrain runs mlops.deployments.retrain for the panel\'s own deployment; the docs link opens the README', () => {
  assert.deepEqual(monitoringCommandFor({ type: 'retrain', deployment: 'churn' }, 'churn'), { command: 'mlops.deployments.retrain', args: ['churn'], title: 'Retrain churn' });
  assert.deepEqual(monitoringCommandFor({ type: 'retrain', deployment: 'something-else' }, 'churn')?.args, ['churn'], 'not whatever the webview names');
  assert.equal(monitoringCommandFor({ type: 'openDocs' }, 'churn')?.command, 'mlops.openDocs');
  assert.equal(monitoringCommandFor({ type: 'ready' }, 'churn'), undefined);
});

test('a failed request for the state says why: no such deployment, a backend without the route, anything else', () => {
  assert.equal(monitoringPath('a b'), '/api/v1/deployments/a%20b/monitoring');
  assert.equal(unavailableFrom('churn', { message: "No deployment named 'churn'.", status: 404, code: 'RESOURCE_DOES_NOT_EXIST' }).reason, 'no-deployment');
  const older = unavailableFrom('churn', { message: 'Use POST for /api/v1/deployments/churn/monitoring.', status: 405, code: 'METHOD_NOT_ALLOWED' });
  assert.equal(older.reason, 'no-route');
  assert.match(older.message, /Restart Backend/);
  assert.equal(unavailableFrom('churn', { message: 'No API endpoint', status: 404, code: 'ENDPOINT_NOT_FOUND' }).reason, 'no-route');
  assert.equal(unavailableFrom('churn', { message: 'fetch failed' }).reason, 'error');
});

test('a long history is thinned for the panel, keeping drift episodes and the newest window; traffic keeps its last 30 minutes', () => {
  const state = driftingState(NOW);
  assert.equal(fitForPanel(state), state, 'a short state as it is');
  const long = Array.from({ length: 4320 }, (_, i) => ({ ...state.history[0], at: i, driftedShare: i === 1234 ? 0.9 : 0.05 }));
  const thin = thinHistory(long, PANEL_HISTORY_POINTS);
  assert.equal(thin.length, PANEL_HISTORY_POINTS);
  assert.ok(thin.some((p) => p.at === 1234), 'a single drifted window survives');
  assert.equal(thin.at(-1)?.at, 4319);
  assert.ok(thin.every((p, i) => i === 0 || p.at > thin[i - 1].at), 'in order');
  const traffic = Array.from({ length: 3600 }, (_, i) => ({ ...state.traffic[0], at: i }));
  const fitted = fitForPanel({ ...state, history: long, traffic });
  assert.equal(fitted.traffic.length, PANEL_TRAFFIC_POINTS);
  assert.equal(fitted.traffic.at(-1)?.at, 3599);
  assert.equal(fitted.history.length, PANEL_HISTORY_POINTS);
});

test('the panel\'s messages are checked both ways', () => {
  assert.equal(monitoringToHost.safeParse({ type: 'retrain', deployment: '' }).success, false);
  assert.equal(monitoringToHost.safeParse({ type: 'runAnything', command: 'x' }).success, false);
  assert.equal(monitoringToHost.safeParse({ type: 'openDocs' }).success, true);
  assert.equal(hostToMonitoring.safeParse({ type: 'state', deployment: 'churn', fetchedAt: NOW, state: driftingState(NOW) }).success, true);
  assert.equal(hostToMonitoring.safeParse({ type: 'state', deployment: 'churn', fetchedAt: NOW, state: { status: 'drift' } }).success, false);
  assert.equal(monitoringPanelState.safeParse({ deployment: 'churn', selectedFeature: 'plan', sort: { column: 'score', descending: true }, scrollY: 420 }).success, true);
  assert.equal(monitoringPanelState.safeParse({ nothing: true }).success, false);
});

test('the Retrain button says what it runs, why it is disabled (a run going, an untrusted workspace), and when the cooldown ends', () => {
  const base = driftingState(NOW);
  const spec = { ...base.spec!, onDrift: 'retrain.pipeline.yaml', cooldownMinutes: 60 };
  const ready = { available: true, reason: null, pipeline: 'retrain.pipeline.yaml', running: false, cooldownUntil: null };
  assert.deepEqual(retrainButtonState({ ...base, spec, retrain: ready }), { enabled: true, title: 'Run retrain.pipeline.yaml now (mlops.deployments.retrain)', note: null });
  const running = retrainButtonState({ ...base, spec, retrain: { ...ready, available: false, running: true, reason: 'Retraining is running; its output goes to .mlops/deployments/churn/retrain.log.' } });
  assert.equal(running.enabled, false);
  assert.equal(running.note, 'Retraining is running; its output goes to .mlops/deployments/churn/retrain.log.');
  assert.equal(running.title, running.note, 'the tooltip says it too');
  // 14:05:37 local: "until 14:06", never a time before it ends.
  const until = new Date(2026, 10, 27, 14, 5, 37).getTime();
  const cooling = retrainButtonState({ ...base, spec, retrain: { ...ready, cooldownUntil: until } });
  assert.equal(cooling.enabled, true, 'a Retrain by hand is not held by the cooldown');
  assert.equal(cooling.note, 'Cooldown until 14:06: drift does not run retrain.pipeline.yaml by itself before then; Retrain runs it now.');
  const choose = retrainButtonState({ ...base, retrain: { ...ready, pipeline: null } });
  assert.match(choose.title, /^Choose a pipeline and run it now: this deployment has no onDrift pipeline/);
  assert.deepEqual(retrainButtonState({ ...base, retrain: undefined }).enabled, true, 'a backend older than the field: as before');

  const untrusted = withWorkspaceTrust({ ...base, spec, retrain: ready }, false);
  assert.equal(retrainButtonState(untrusted).enabled, false);
  assert.match(retrainButtonState(untrusted).note ?? '', /not trusted: trust it to retrain/);
  assert.equal(withWorkspaceTrust(base, true), base, 'a trusted workspace changes nothing');
  assert.equal(withWorkspaceTrust({ ...base, retrain: undefined }, false).retrain?.available, false, 'even from an older backend');
});

test('the host polls for the new points only and appends them; a restarted backend\'s whole series replace its copy', () => {
  const base = driftingState(NOW);
  const series = new MonitoringSeries('churn svc');
  assert.equal(series.nextPath(), `/api/v1/deployments/churn%20svc/monitoring?traffic=${PANEL_TRAFFIC_POINTS}`);
  const first = series.merge({ ...base, cursor: 'e1.60.150', appended: false });
  assert.equal(first.history.length, base.history.length);
  assert.equal(series.nextPath(), `/api/v1/deployments/churn%20svc/monitoring?traffic=${PANEL_TRAFFIC_POINTS}&after=e1.60.150`);

  const newPoint = { ...base.history[0], at: NOW + 5_000 };
  const newTraffic = Array.from({ length: PANEL_TRAFFIC_POINTS }, (_, i) => ({ ...base.traffic[0], at: NOW + i }));
  const next = series.merge({ ...base, history: [newPoint], traffic: newTraffic, cursor: 'e1.61.1050', appended: true });
  assert.equal(next.history.length, base.history.length + 1);
  assert.equal(next.history.at(-1), newPoint);
  assert.equal(next.traffic.length, PANEL_TRAFFIC_POINTS, 'no more traffic than the panel draws');
  assert.equal(next.traffic.at(-1)?.at, NOW + PANEL_TRAFFIC_POINTS - 1);
  assert.match(series.nextPath(), /after=e1\.61\.1050$/);

  const restarted = series.merge({ ...base, history: [newPoint], traffic: [], cursor: 'e2.1.0', appended: false });
  assert.deepEqual(restarted.history, [newPoint]);
  assert.deepEqual(restarted.traffic, []);
  // A backend without cursors is asked for everything every time.
  series.merge({ ...base, cursor: undefined, appended: undefined });
  assert.doesNotMatch(series.nextPath(), /after=/);
});

test('reference changes are marked where the drift history has them: inside its span only', () => {
  const state = driftingState(Date.now());
  const first = state.history[0].at;
  const last = state.history[state.history.length - 1].at;
  const change = (at: number) => ({ at, from: 'v1 training data', to: 'v2 training data' });
  const changes = [change(first - 60_000), change(Math.round((first + last) / 2)), change(last + 60_000)];
  assert.deepEqual(referenceChangesIn({ ...state, referenceChanges: changes }), [changes[1]]);
  assert.deepEqual(referenceChangesIn({ ...state, referenceChanges: undefined }), [], 'an older backend sends none');
  assert.deepEqual(referenceChangesIn({ ...state, history: [], referenceChanges: changes }), []);
});

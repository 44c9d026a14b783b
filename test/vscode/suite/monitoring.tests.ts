// Tests of a deployment's Monitoring panel, in the real host. It opens over a
// fixture state (through `_mlops.monitoring.showStatic`, since no real
// deployment holds a drift still), and what the tests check is what the webview
// drew, read back from its charts and table: the charts and their points, the
// drifted features, the selected feature's histogram, the variants; then that a
// selection and an update redraw in place, that each empty state explains
// itself, that a live panel says why a backend has no state for it, and that
// the panel comes back after a reload. The drifting panel (and two explaining
// what is missing) are left open for the browser check
// (uiChecks/90-monitoring.mjs), which screenshots them.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import type { MonitoringReport } from '../../../src/protocol/monitoringPanelMessages';
import { test } from './testApi';
import { extensionId, manifest } from './context';
import { DRIFTED_FEATURES, FEATURES, HISTORY_POINTS, MOST_DRIFTED, NUMERICAL_BINS, QUIET_WINDOWS, RESTART_INTERVALS, TRAFFIC_POINTS, driftingState, offState, quietState, waitingState } from './monitoringFixture';
import { until } from './until';

const tabsLabelled = (label: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === label);
const show = (arg: { deployment?: string; state?: unknown; unavailable?: { reason: string; message: string } }) =>
  vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.showStatic', arg);
const reportOf = (name: string, fresh = false) => vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.report', name, fresh);

const chart = (r: MonitoringReport, id: string) => r.charts.find((c) => c.id === id);
const P_VALUE_FEATURES = FEATURES.filter((f) => ['ks', 'chisquare', 'z'].includes(f.test)).length;

test('The Monitoring panel draws a drifting deployment: status, banner, traffic, drift over time, the features drifted first, a histogram, the variants', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const report = await show({ state: driftingState() });
  assert.ok(report, 'the panel reported what it drew');
  assert.equal(report.view, 'dashboard');
  assert.equal(report.deployment, 'churn');
  assert.equal(report.status, 'drift');
  assert.match(report.statusText, /7 of 20 features drifted/);
  assert.match(report.banner ?? '', /7 of 20 features drifted \(35%; the data set drifts at 30%\)/);
  assert.equal(report.retrainButton, true);

  // Six charts, each with what the state holds; the drift charts break (and mark) the fixture's reference change.
  assert.deepEqual(report.charts.map((c) => c.id).sort(), ['drift-share', 'histogram', 'latency', 'rps', 'scores-p', 'scores-stat']);
  const none = { hidden: 0, gaps: 0, referenceChanges: 0 };
  const changed = { hidden: 0, gaps: 0, referenceChanges: 1 };
  assert.deepEqual(chart(report, 'rps'), { id: 'rps', datasets: 2, points: 2 * TRAFFIC_POINTS, ...none });
  assert.deepEqual(chart(report, 'latency'), { id: 'latency', datasets: 2, points: 2 * TRAFFIC_POINTS, ...none });
  assert.deepEqual(chart(report, 'drift-share'), { id: 'drift-share', datasets: 1, points: HISTORY_POINTS, ...changed });
  // p-value tests (and the prediction's KS) on one chart, the two distances (PSI, Wasserstein) on the other.
  assert.deepEqual(chart(report, 'scores-p'), { id: 'scores-p', datasets: P_VALUE_FEATURES + 1, points: (P_VALUE_FEATURES + 1) * HISTORY_POINTS, ...changed });
  assert.deepEqual(chart(report, 'scores-stat'), { id: 'scores-stat', datasets: 2, points: 2 * HISTORY_POINTS, ...changed });
  // Their legends: every line's feature, in its own colour.
  const legend = report.scoreLegend;
  assert.equal(legend.filter((e) => e.chart === 'scores-p').length, P_VALUE_FEATURES + 1);
  assert.deepEqual(legend.filter((e) => e.chart === 'scores-stat').map((e) => e.feature), ['balance', 'income']);
  assert.equal(new Set(legend.filter((e) => e.chart === 'scores-p').map((e) => e.color)).size, Math.min(9, P_VALUE_FEATURES + 1), 'nine hues, then dashes');
  assert.deepEqual(new Set(legend.filter((e) => e.drifted).map((e) => e.feature)), new Set(['prediction', ...DRIFTED_FEATURES]));
  assert.ok(legend.every((e) => !e.hidden));

  // The table: the prediction on top, then the drifted features, the most drifted first.
  assert.equal(report.rows.length, 21);
  assert.equal(report.rows[0], 'prediction');
  assert.deepEqual(new Set(report.rows.slice(1, 1 + DRIFTED_FEATURES.length)), new Set(DRIFTED_FEATURES));
  assert.equal(report.rows[1], MOST_DRIFTED);
  assert.deepEqual(new Set(report.drifted), new Set(['prediction', ...DRIFTED_FEATURES]));

  // With nothing chosen, the most drifted feature's histogram: reference and current over the same 10 bins.
  assert.equal(report.selectedFeature, MOST_DRIFTED);
  assert.deepEqual(report.histogram, { feature: MOST_DRIFTED, kind: 'numerical', labels: NUMERICAL_BINS, reference: NUMERICAL_BINS, current: NUMERICAL_BINS });

  assert.deepEqual(report.variants, [
    { name: 'champion', requests: 21_840, labelled: 3_120, accuracy: 0.842, meanAbsoluteError: null },
    { name: 'challenger', requests: 2_410, labelled: 350, accuracy: 0.871, meanAbsoluteError: null },
  ]);
  assert.deepEqual(report.empty, []);
  assert.equal(tabsLabelled('Monitoring: churn').length, 1);

  const pkg = manifest() as unknown as { activationEvents: string[]; contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> } };
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:mlops.monitoring'), 'restored after a reload before anything else activates the extension');
  const items = pkg.contributes.menus['view/item/context'].filter((m) => m.command === 'mlops.deployments.openMonitoring');
  assert.ok(items.some((m) => m.group?.startsWith('inline')) && items.every((m) => /view == mlops\.deployments/.test(m.when ?? '')), 'on each deployment in the Deployments view');
}, { timeoutMs: 60_000 });

test('The Monitoring panel shows another feature\'s histogram when selected, and keeps it (and its charts) through live updates', async () => {
  const picked = await vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.select', 'churn', 'plan');
  assert.ok(picked);
  assert.equal(picked.selectedFeature, 'plan');
  assert.deepEqual(picked.histogram, { feature: 'plan', kind: 'categorical', labels: 4, reference: 4, current: 4 });
  const created = picked.chartsCreated;
  assert.equal(created, 6, 'one chart object per chart');

  // The next poll brings more traffic and another window: drawn in place, the choice kept.
  const later = driftingState(Date.now() + 2_000, { traffic: TRAFFIC_POINTS + 1 });
  const updated = await show({ state: later });
  assert.ok(updated);
  assert.equal(updated.selectedFeature, 'plan');
  assert.equal(updated.histogram?.feature, 'plan');
  assert.equal(chart(updated, 'rps')?.points, 2 * (TRAFFIC_POINTS + 1));
  assert.equal(updated.chartsCreated, created, 'the charts were updated, not made again');
  assert.ok(updated.draws > picked.draws);

  // And the prediction's distribution is one of the choices.
  const prediction = await vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.select', 'churn', 'prediction');
  assert.equal(prediction?.histogram?.feature, 'prediction');
  assert.equal(prediction?.histogram?.kind, 'numerical');
  // Back to the most drifted one for the browser check.
  await vscode.commands.executeCommand('_mlops.monitoring.select', 'churn', MOST_DRIFTED);
}, { timeoutMs: 60_000 });

test('The Monitoring panel breaks its lines where nothing was measured and where the reference changed', async () => {
  // Left open for the browser check, which screenshots the breaks.
  const report = await show({ state: quietState() });
  assert.ok(report);
  assert.equal(report.deployment, 'churn-quiet');
  const history = HISTORY_POINTS - (QUIET_WINDOWS.to - QUIET_WINDOWS.from);
  const traffic = TRAFFIC_POINTS - (RESTART_INTERVALS.to - RESTART_INTERVALS.from);
  // The 4 minutes without requests and the reference change on the drift charts; the restart on the traffic charts.
  const breaks = { hidden: 0, gaps: 1, referenceChanges: 1 };
  assert.deepEqual(chart(report, 'drift-share'), { id: 'drift-share', datasets: 1, points: history, ...breaks });
  assert.deepEqual(chart(report, 'scores-p'), { id: 'scores-p', datasets: P_VALUE_FEATURES + 1, points: (P_VALUE_FEATURES + 1) * history, ...breaks });
  assert.deepEqual(chart(report, 'scores-stat'), { id: 'scores-stat', datasets: 2, points: 2 * history, ...breaks });
  assert.deepEqual(chart(report, 'rps'), { id: 'rps', datasets: 2, points: 2 * traffic, hidden: 0, gaps: 1, referenceChanges: 0 });
  assert.deepEqual(chart(report, 'latency'), { id: 'latency', datasets: 2, points: 2 * traffic, hidden: 0, gaps: 1, referenceChanges: 0 });
}, { timeoutMs: 60_000 });

test('The Monitoring panel keeps the highlighted feature when another drifts more, and the chosen one when its webview is made again', async () => {
  const name = 'churn-steady';
  const first = await show({ state: driftingState(Date.now(), { deployment: name }) });
  assert.equal(first?.selectedFeature, MOST_DRIFTED, 'nothing chosen yet: the most drifted');
  // The next window: another drifted feature is now the furthest past its threshold.
  const next = driftingState(Date.now(), { deployment: name });
  next.latest = { ...next.latest!, features: next.latest!.features.map((f) => (f.feature === 'days_since_last_login' ? { ...f, score: 1e-12 } : f)) };
  const updated = await show({ state: next });
  assert.equal(updated?.rows[1], 'days_since_last_login', 'the table puts it first');
  assert.equal(updated?.selectedFeature, MOST_DRIFTED, 'the highlight did not jump to it');

  const picked = await vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.select', name, 'plan');
  assert.equal(picked?.selectedFeature, 'plan');
  // Another editor in front: the hidden panel's webview is discarded, and made again when shown (with its saved state).
  const other = await vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'train.py'), { preview: false, viewColumn: vscode.ViewColumn.Active });
  await until('the panel to be hidden', async () => tabsLabelled(`Monitoring: ${name}`)[0]?.isActive, (active) => active === false);
  const again = await show({ state: next });
  assert.equal(again?.draws, 1, 'a new webview drew it');
  assert.equal(again?.selectedFeature, 'plan', 'the choice came back with the webview');
  assert.equal(again?.histogram?.feature, 'plan');
  await vscode.window.tabGroups.close(tabsLabelled(`Monitoring: ${name}`));
  await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === other.document.uri.toString()));
}, { timeoutMs: 60_000 });

test('The Monitoring panel\'s Retrain says why it cannot run (a run going) and when the cooldown ends', async () => {
  const drifting = driftingState();
  const retrain = { available: true, reason: null, pipeline: 'retrain.pipeline.yaml', running: false, cooldownUntil: null };
  const spec = { ...drifting.spec!, onDrift: 'retrain.pipeline.yaml' };
  const running = await show({ state: { ...drifting, spec, retrain: { ...retrain, available: false, running: true, reason: 'Retraining is running; its output goes to .mlops/deployments/churn/retrain.log.' } } });
  assert.equal(running?.retrainButton, true);
  assert.equal(running?.retrainEnabled, false);
  assert.equal(running?.retrainTitle, 'Retraining is running; its output goes to .mlops/deployments/churn/retrain.log.');
  assert.match(running?.bannerNote ?? '', /Retraining is running; its output goes to/);

  const cooling = await show({ state: { ...drifting, spec, retrain: { ...retrain, cooldownUntil: Date.now() + 30 * 60_000 } } });
  // The test host runs with workspace trust off (trusted); in an untrusted one the button says so instead.
  assert.equal(cooling?.retrainEnabled, vscode.workspace.isTrusted);
  if (vscode.workspace.isTrusted) {
    assert.equal(cooling?.retrainTitle, 'Run retrain.pipeline.yaml now (mlops.deployments.retrain)');
    assert.match(cooling?.bannerNote ?? '', /Cooldown until \d\d:\d\d: drift does not run retrain\.pipeline\.yaml by itself before then; Retrain runs it now\./);
  }
  // Back to the fixture as it is, for the tests after and the browser check.
  const again = await show({ state: driftingState() });
  assert.equal(again?.retrainEnabled, vscode.workspace.isTrusted);
}, { timeoutMs: 60_000 });

test('The Monitoring panel explains what is missing: monitoring off (how to turn it on), too few rows (how many more), no traffic, an unavailable state', async () => {
  const off = await show({ state: offState('fraud') });
  assert.equal(off?.view, 'dashboard');
  assert.equal(off?.status, 'off');
  assert.equal(off?.statusText, 'Monitoring is off for this deployment (started with --no-monitoring).');
  assert.deepEqual(off?.empty, ['no-monitoring', 'no-traffic', 'no-variants', 'no-alerts']);
  assert.deepEqual(off?.charts, [], 'no empty charts');
  assert.deepEqual(off?.rows, []);
  assert.equal(off?.banner, null);

  const waiting = await show({ state: waitingState(Date.now(), 'fraud', 37) });
  assert.equal(waiting?.status, 'waiting');
  assert.equal(waiting?.statusText, 'Waiting for 63 more requests');
  assert.ok(waiting?.empty.includes('waiting'));
  assert.deepEqual(waiting?.charts.map((c) => c.id).sort(), ['latency', 'rps'], 'the traffic so far');

  const gone = await show({ deployment: 'fraud', unavailable: { reason: 'no-deployment', message: "No deployment named 'fraud' is running in this workspace's backend." } });
  assert.equal(gone?.view, 'unavailable');
  assert.deepEqual(gone?.empty, ['unavailable:no-deployment']);
  assert.equal(gone?.statusText, 'No such deployment');
  assert.equal(tabsLabelled('Monitoring: fraud').length, 1, 'one panel per deployment, updated in place');
  // Left open for the browser check's screenshots of the explanations: monitoring off, and waiting for rows.
  await show({ state: offState('fraud') });
  const scoring = await show({ state: waitingState(Date.now(), 'scoring', 37) });
  assert.equal(scoring?.statusText, 'Waiting for 63 more requests');
}, { timeoutMs: 60_000 });

test('Open Monitoring on a deployment the backend does not have says so in the panel, and keeps asking', async () => {
  const first = await vscode.commands.executeCommand<MonitoringReport | undefined>('mlops.deployments.openMonitoring', 'no-such-deployment');
  assert.ok(first, 'the panel drew');
  // The backend may still be starting; then the panel says that first.
  const report = await until(
    'the backend\'s answer',
    () => reportOf('no-such-deployment', true),
    (r) => r.view === 'unavailable' && r.empty[0] !== 'unavailable:no-backend',
    30_000,
  );
  assert.deepEqual(report.empty, ['unavailable:no-deployment']);
  assert.equal(report.statusText, 'No such deployment');
  assert.equal(tabsLabelled('Monitoring: no-such-deployment').length, 1);
  await vscode.window.tabGroups.close(tabsLabelled('Monitoring: no-such-deployment'));
  assert.equal(await reportOf('no-such-deployment'), undefined, 'closed');
}, { timeoutMs: 60_000 });

test('The Monitoring panel comes back after a reload, for the same deployment; a state it cannot use closes it', async () => {
  // What a window reload does: a new panel of the view type and the webview's saved state.
  await vscode.commands.executeCommand('_mlops.monitoring.revive', { deployment: 'revived', selectedFeature: 'plan' });
  const report = await until('the revived panel to draw', () => reportOf('revived', true), (r) => r.view !== 'loading');
  assert.equal(report.deployment, 'revived');
  assert.equal(tabsLabelled('Monitoring: revived').length, 1);
  await vscode.window.tabGroups.close(tabsLabelled('Monitoring: revived'));
  // A state the panel cannot use closes it rather than showing an empty panel.
  await vscode.commands.executeCommand('_mlops.monitoring.revive', { nothing: true });
  await until('no stray Monitoring panels', async () => tabsLabelled('Monitoring').length, (n) => n === 0);
  // The drifting panel stays open, in front, for the browser check.
  const churn = tabsLabelled('Monitoring: churn')[0];
  assert.ok(churn, 'the churn panel is still open');
  const again = await show({ state: driftingState() });
  assert.equal(again?.selectedFeature, MOST_DRIFTED);
}, { timeoutMs: 60_000 });

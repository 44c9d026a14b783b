// The drift-monitoring flow end to end, live: no fixture state anywhere. A run
// logs its training data set as the Python client's mw.log_dataset does (the CSV
// as an artifact, recorded with MLflow's log-inputs in the "training" context)
// and an ONNX model; "Register Model…" makes a version whose feature names come
// from that CSV; Deploy Model Version (from the Models view) serves it with
// monitoring against that data set, in a real deployment process. Traffic drawn
// like the training data is calm; traffic shifted by two standard deviations
// drifts, and the Deployments view, the drift status bar item and the Monitoring
// panel say so from what the backend computed.
//
// Sizes: a 2,000-row reference (over 1,000 rows, so each feature gets the normed
// Wasserstein distance, drifted at 0.1) and the default window (1,000 rows,
// verdicts from 500). Calm windows of 600-1,000 rows from the reference's own
// distribution sit near 0.03-0.04 (a false alarm is practically impossible, and
// the data are seeded); a shift of 2 std gives a distance near 2 on every feature.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkbenchApi } from '../../../src/extension/extension';
import type { DeploymentState } from '../../../src/protocol/deployments';
import type { MonitoringState } from '../../../src/protocol/monitoring';
import type { MonitoringReport } from '../../../src/protocol/monitoringPanelMessages';
import type { ModelSummary } from '../../../src/protocol/native';
import { linearExpected, linearModel } from '../../helpers/onnxModels';
import { seededRandom } from '../../helpers/seededRandom';
import { test } from './testApi';
import { extensionId } from './context';
import { until as waitUntil } from './until';

const MODEL = 'churn-live';
const FEATURES = ['tenure_months', 'monthly_charges', 'support_calls', 'usage_hours'];
const REFERENCE_ROWS = 2000;
/** Rows per inference request: two requests fill the default 1,000-row window past its 500-row minimum. */
const REQUEST_ROWS = 600;
const SHIFT = 2;

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const serverFile = () => join(folder(), '.mlops', 'server.json');
const server = () => JSON.parse(readFileSync(serverFile(), 'utf8')) as { url: string; token: string };
const extensionApi = async () => (await vscode.extensions.getExtension<WorkbenchApi>(extensionId())!.activate()) as WorkbenchApi;
const tabsLabelled = (label: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === label);
const reportOf = (fresh: boolean) => vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.report', MODEL, fresh);

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = server();
  const res = await fetch(s.url + path, {
    method,
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${method} ${path}: ${json.message ?? res.status}`);
  return json;
}

async function upload(experimentId: string, runId: string, path: string, body: Uint8Array): Promise<void> {
  const s = server();
  const res = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: Buffer.from(body) });
  if (!res.ok) throw new Error(`upload ${path}: HTTP ${res.status} ${await res.text()}`);
}

/** Live monitoring waits on real traffic and drift recomputes: a long default. */
const until = <T>(what: string, read: () => PromiseLike<T | undefined>, ok: (v: T) => boolean, timeoutMs = 90_000) => waitUntil(what, read, ok, timeoutMs, 300);

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normal(seed: number): () => number {
  const random = seededRandom(seed);
  return () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** `n` rows of the four features, each N(shift, 1). */
function rows(n: number, seed: number, shift = 0): number[][] {
  const draw = normal(seed);
  return Array.from({ length: n }, () => FEATURES.map(() => Number((shift + draw()).toFixed(4))));
}

function trainingCsv(data: number[][]): string {
  const lines = data.map((r) => [...r, linearExpected(r) > 0.5 ? 1 : 0].join(','));
  return [[...FEATURES, 'label'].join(','), ...lines].join('\n') + '\n';
}

/** What mw.log_dataset(path, context="training") does: the CSV as datasets/train.csv, recorded with log-inputs. */
async function logTrainingDataset(experimentId: string, runId: string, csv: string): Promise<void> {
  const artifact = 'datasets/train.csv';
  await upload(experimentId, runId, artifact, Buffer.from(csv));
  const schema = { mlflow_colspec: [...FEATURES.map((name) => ({ type: 'double', name, required: true })), { type: 'long', name: 'label', required: true }] };
  await request('POST', '/api/2.0/mlflow/runs/log-inputs', {
    run_id: runId,
    datasets: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'train',
          digest: 'c5e1f00d',
          source_type: 'local',
          source: JSON.stringify({ uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/${artifact}` }),
          schema: JSON.stringify(schema),
          profile: JSON.stringify({ num_rows: REFERENCE_ROWS }),
        },
      },
    ],
  });
}

/** OIP v2 inference on the deployment, as a serving client sends it. */
async function infer(url: string, batch: number[][]): Promise<void> {
  const res = await fetch(`${url}/v2/models/${MODEL}/infer`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server().token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [batch.length, FEATURES.length], datatype: 'FP32', data: batch.flat() }] }),
  });
  const body = (await res.json()) as { outputs?: { data: number[] }[]; error?: string };
  assert.equal(res.status, 200, JSON.stringify(body).slice(0, 400));
  assert.equal(body.outputs?.[0].data.length, batch.length);
}

const monitoring = () => request<MonitoringState>('GET', `/api/v1/deployments/${MODEL}/monitoring`);
const deploymentRow = async () => (await (await extensionApi()).deploymentsView()).find((r) => r.label === MODEL);

let deploymentUrl = '';

test('Live monitoring: a version trained on a logged data set, deployed from the Models view, waits for requests, then says no drift on traffic like its training data', async () => {
  const api = await extensionApi();
  // Run alone (MLOPS_VSCODE_GREP), this is the first test: the backend may still be starting.
  await until('the backend', async () => existsSync(serverFile()) && (await request('GET', '/api/v1/deployments').then(() => true, () => false)), (up) => up, 60_000);
  // The run: its training data set (the CSV and its log-inputs record) and the model.
  const experimentId = (await request<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: 'churn-live' })).experiment_id;
  const runId = (await request<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: 'train-live', start_time: Date.now() })).run.info.run_id;
  await logTrainingDataset(experimentId, runId, trainingCsv(rows(REFERENCE_ROWS, 20_250)));
  await upload(experimentId, runId, 'model/model.onnx', linearModel());
  await request('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });

  // Registered from the run's artifact: the feature names come from the training CSV (its label dropped).
  const registered = await vscode.commands.executeCommand<{ name: string; version: string } | undefined>('mlops.registerModel', { runId, path: 'model' }, { name: MODEL, alias: '' });
  assert.deepEqual(registered, { name: MODEL, version: '1' });
  const { models } = await request<{ models: ModelSummary[] }>('GET', `/api/v1/models?name=${MODEL}`);
  assert.deepEqual(models[0]?.versions[0]?.features?.features.map((f) => f.name), FEATURES, 'the version has the training CSV\'s feature names');

  // Deployed from the Models view: monitoring on, the reference the run's training data set.
  const node = await until('v1 of churn-live in the Models view', () => api.modelsNodeOf(MODEL, '1'), (n) => !!n, 30_000);
  const deployed = await vscode.commands.executeCommand<DeploymentState | undefined>('mlops.deployments.deployVersion', node);
  assert.ok(deployed?.url, 'the deployment started');
  assert.equal(deployed.status, 'running');
  assert.deepEqual(deployed.spec.monitoring && { reference: deployed.spec.monitoring.reference, rows: deployed.spec.monitoring.window.rows, minRows: deployed.spec.monitoring.minRows }, { reference: 'training', rows: 1000, minRows: 500 });
  deploymentUrl = deployed.url;

  // No traffic yet: the backend, the view and the panel wait for requests.
  const waiting = await until('the reference to load', monitoring, (m) => m.status === 'waiting');
  assert.equal(waiting.reference?.rows, REFERENCE_ROWS);
  assert.match(waiting.reference?.source ?? '', /training data set 'train' \(datasets\/train\.csv\)/);
  assert.deepEqual(waiting.reference?.features.map((f) => [f.name, f.test, f.threshold]), FEATURES.map((f) => [f, 'wasserstein', 0.1]));
  const waitingRow = await until('the Deployments view to show the wait', deploymentRow, (r) => /^drift needs 500 more requests/.test(r.description));
  assert.equal(waitingRow.icon, 'broadcast');
  assert.equal(waitingRow.contextValue, 'mlops.deployment.running');
  assert.deepEqual(waitingRow.children.map((c) => [c.label, c.description]), [['champion v1', MODEL]], 'the version first, the model after');

  const opened = await vscode.commands.executeCommand<MonitoringReport | undefined>('mlops.deployments.openMonitoring', MODEL);
  assert.ok(opened, 'the panel drew');
  const waitingReport = await until('the panel to draw the wait', () => reportOf(false), (r) => r.status === 'waiting', 30_000);
  assert.equal(waitingReport.view, 'dashboard');
  assert.equal(waitingReport.statusText, 'Waiting for 500 more requests');
  assert.ok(waitingReport.empty.includes('waiting'), waitingReport.empty.join(', '));
  assert.equal(waitingReport.banner, null);
  assert.equal(tabsLabelled(`Monitoring: ${MODEL}`).length, 1);

  // Traffic drawn like the training data (other seeds): no drift.
  await infer(deploymentUrl, rows(REQUEST_ROWS, 1));
  await infer(deploymentUrl, rows(REQUEST_ROWS, 2));
  const calm = await until('a verdict on the calm window', monitoring, (m) => m.status !== 'waiting' && m.latest?.windowRows === 1000);
  assert.equal(calm.status, 'ok', JSON.stringify(calm.latest?.features.map((f) => [f.feature, f.score])));
  assert.equal(calm.latest?.datasetDrift, false);
  assert.deepEqual(calm.latest?.features.filter((f) => f.drifted).map((f) => f.feature), [], 'no feature drifted');
  const calmRow = await until('the Deployments view to say no drift', deploymentRow, (r) => /no drift/.test(r.description));
  assert.equal(calmRow.icon, 'broadcast');
  // Traffic stopped: the row keeps the last latency, saying how long the deployment has been idle.
  await until('the Deployments view to keep the last latency', deploymentRow, (r) => /p50 [\d.]+ ms, p99 [\d.]+ ms \(idle \d+s\)/.test(r.description));
  assert.equal((await extensionApi()).driftStatusBar().visible, false, 'no drift item in the status bar');
  const calmReport = await until('the panel to say no drift', () => reportOf(true), (r) => r.status === 'ok');
  assert.match(calmReport.statusText, /^No drift: 0 of 4 features drifted/);
  assert.equal(calmReport.banner, null);
  assert.deepEqual(calmReport.drifted, []);
}, { timeoutMs: 240_000 });

test('Live monitoring: shifted traffic drifts, and the Deployments view, the status bar and the Monitoring panel say so; Stop ends the deployment', async () => {
  assert.ok(deploymentUrl, 'the deployment of the test before is running');
  // Every feature's mean moved by 2 std; enough rows that the window holds nothing else.
  const shiftedFrom = Date.now();
  await infer(deploymentUrl, rows(REQUEST_ROWS, 3, SHIFT));
  await infer(deploymentUrl, rows(REQUEST_ROWS, 4, SHIFT));

  const drifting = await until('the backend\'s drift verdict on a window of shifted rows only', monitoring, (m) => m.status === 'drift' && (m.latest?.windowFrom ?? 0) >= shiftedFrom);
  assert.equal(drifting.latest?.driftedCount, FEATURES.length);
  assert.equal(drifting.latest?.datasetDrift, true);
  assert.equal(drifting.latest?.windowRows, 1000);
  for (const f of drifting.latest?.features ?? []) assert.ok(f.score > 1, `${f.feature}: normed Wasserstein distance ${f.score} for a 2-std shift`);
  assert.ok(drifting.alerts.some((a) => a.kind === 'started'), 'a drift alert started (the editor\'s warning notification)');

  const row = await until('the Deployments view to say drift', deploymentRow, (r) => /drift in 4 features/.test(r.description));
  assert.equal(row.icon, 'warning');
  assert.match(row.description, /^drift in 4 features · .* · http:\/\/127\.0\.0\.1:\d+$/, 'the verdict first: a narrow sidebar cuts the end off');

  const status = await until('the drift status bar item', async () => (await extensionApi()).driftStatusBar(), (s) => s.visible);
  assert.equal(status.text, `$(warning) drift: ${MODEL}`);
  for (const f of FEATURES) assert.ok(status.tooltip.includes(f), `the tooltip names ${f}: ${status.tooltip}`);

  const report = await until('the panel to draw the drift', () => reportOf(true), (r) => r.status === 'drift' && FEATURES.every((f) => r.drifted.includes(f)));
  assert.equal(report.view, 'dashboard');
  assert.match(report.statusText, /^Drift: 4 of 4 features drifted/);
  assert.match(report.banner ?? '', /4 of 4 features drifted \(100%; the data set drifts at 50%\)/);
  const driftShare = report.charts.find((c) => c.id === 'drift-share');
  assert.ok(driftShare && driftShare.points >= 2, `a drift-share chart with the calm and the drifted windows: ${JSON.stringify(report.charts)}`);
  assert.ok(report.charts.some((c) => c.id === 'rps' && c.points > 0), 'the traffic chart');
  assert.ok(report.selectedFeature && FEATURES.includes(report.selectedFeature), `a drifted feature is selected: ${report.selectedFeature}`);
  const histogram = report.histogram;
  assert.ok(histogram && histogram.feature === report.selectedFeature && histogram.kind === 'numerical', JSON.stringify(histogram));
  assert.ok(histogram.labels > 0 && histogram.reference === histogram.labels && histogram.current === histogram.labels, JSON.stringify(histogram));
  assert.deepEqual(report.variants.map((v) => [v.name, v.requests]), [['champion', 4]]);

  // A feature the user picks stays highlighted through the panel's next polls of the backend.
  const pick = FEATURES.find((f) => f !== report.selectedFeature)!;
  const picked = await vscode.commands.executeCommand<MonitoringReport | undefined>('_mlops.monitoring.select', MODEL, pick);
  assert.equal(picked?.selectedFeature, pick);
  const polled = await until('two more polls', () => reportOf(true), (r) => r.draws >= (picked?.draws ?? 0) + 2);
  assert.equal(polled.selectedFeature, pick);
  assert.equal(polled.histogram?.feature, pick);

  // Stop: gone from the backend and the view, the status bar item hidden, the panel closed.
  await vscode.commands.executeCommand('mlops.deployments.stop', MODEL);
  const { deployments } = await request<{ deployments: DeploymentState[] }>('GET', '/api/v1/deployments');
  assert.ok(!deployments.some((d) => d.name === MODEL), `stopped: ${deployments.map((d) => d.name).join(', ')}`);
  await until('the deployment to leave the Deployments view', async () => ((await deploymentRow()) ? undefined : true), () => true, 30_000);
  await until('the drift status bar item to hide', async () => (await extensionApi()).driftStatusBar(), (s) => !s.visible, 30_000);
  await vscode.window.tabGroups.close(tabsLabelled(`Monitoring: ${MODEL}`));
  assert.equal(await reportOf(false), undefined, 'the panel is closed');
}, { timeoutMs: 240_000 });

test('Live monitoring: a drifting deployment left running for the browser check of the Deployments view in a narrow sidebar', async () => {
  const api = await extensionApi();
  const node = await until('v1 of churn-live in the Models view', () => api.modelsNodeOf(MODEL, '1'), (n) => !!n, 30_000);
  const deployed = await vscode.commands.executeCommand<DeploymentState | undefined>('mlops.deployments.deployVersion', node);
  assert.ok(deployed?.url, 'the deployment started');
  // The rows recorded before the stop are still on disk: the window drifts again without waiting.
  await until('the reference to load', monitoring, (m) => m.status !== 'loading' && m.reference !== null);
  await infer(deployed.url, rows(REQUEST_ROWS, 5, SHIFT));
  await infer(deployed.url, rows(REQUEST_ROWS, 6, SHIFT));
  const row = await until('the Deployments view to say drift', deploymentRow, (r) => /drift in 4 features/.test(r.description), 60_000);
  assert.equal(row.icon, 'warning');
  await vscode.commands.executeCommand('mlops.deployments.focus');
}, { timeoutMs: 120_000 });

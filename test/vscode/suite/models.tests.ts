// Tests of the registry in the editor: a model registered from an .onnx file in
// the workspace and from runs' artifacts through "Register Model…" (with
// arguments, so nothing prompts), seen in the Models view through the
// extension's API, aliases set and moved, a promotion that compares the source
// runs' metric, and the registry panel's own report of what it drew.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearModel } from '../../helpers/onnxModels';
import { test } from './testApi';
import { extensionId } from './context';
import { until } from './until';

interface VersionNode {
  kind: 'version';
  model: { name: string; aliases: Record<string, string> };
  version: { version: string; aliases: string[]; runId: string | null; format: string; run: { runName: string } | null };
}
interface ModelPanelReport {
  modelName: string;
  versions: { version: string; aliases: string[]; runName: string | null }[];
  selectedVersion: string | null;
  sections: string[];
  signature: 'shown' | 'none';
  metricColumns: string[];
  chart: { metric: string; points: number } | null;
}
interface Api {
  modelsNodeOf(name: string, version?: string): Promise<{ kind: string } | undefined>;
}

const MODEL = 'churn';
const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

function server(): { url: string; token: string } {
  return JSON.parse(readFileSync(join(folder(), '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
}

async function api<T>(path: string, body?: unknown, method = 'POST'): Promise<T> {
  const s = server();
  const res = await fetch(s.url + path, { method, headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${path}: ${json.message ?? res.status}`);
  return json;
}

async function upload(experimentId: string, runId: string, path: string, body: Uint8Array): Promise<void> {
  const s = server();
  const res = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: Buffer.from(body) });
  if (!res.ok) throw new Error(`upload ${path}: HTTP ${res.status} ${await res.text()}`);
}

const extensionApi = () => vscode.extensions.getExtension<Api>(extensionId())!.exports;
/** The Models view's node for a version, once the view shows it as `ok` says. */
const versionNode = (version: string, ok: (n: VersionNode) => boolean = () => true) =>
  until(`v${version} of ${MODEL} in the Models view`, async () => (await extensionApi().modelsNodeOf(MODEL, version)) as VersionNode | undefined, ok);

async function trainingRun(experimentId: string, name: string, metrics: Record<string, number>, params: Record<string, string>): Promise<string> {
  const res = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() });
  const runId = res.run.info.run_id;
  await api('/api/2.0/mlflow/runs/log-batch', {
    run_id: runId,
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
    tags: [{ key: 'mlflow.source.git.commit', value: '0123456789abcdef0123456789abcdef01234567' }],
  });
  await upload(experimentId, runId, 'model/model.onnx', linearModel());
  await api('/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  return runId;
}

let runA = '';
let runB = '';

test('Register Model… registers an .onnx file of the workspace, and the Models view shows it with its alias', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  await vscode.commands.executeCommand('mlops.models.focus');
  mkdirSync(join(folder(), 'models'), { recursive: true });
  const file = join(folder(), 'models', 'churn.onnx');
  writeFileSync(file, linearModel());
  const registered = await vscode.commands.executeCommand<{ name: string; version: string } | undefined>('mlops.registerModel', vscode.Uri.file(file), { name: MODEL, alias: 'champion' });
  assert.deepEqual(registered, { name: MODEL, version: '1' });
  const node = await versionNode('1', (n) => n.version.aliases.includes('champion'));
  assert.equal(node.version.format, 'onnx');
  assert.equal(node.version.runId, null, 'registered from a file: no source run');
  assert.equal(node.model.aliases.champion, '1');
}, { timeoutMs: 60_000 });

test('Register Model… registers runs\' artifacts; a missing artifact is an error, not a version', async () => {
  const experimentId = (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: 'registry' })).experiment_id;
  runA = await trainingRun(experimentId, 'train-a', { accuracy: 0.88, loss: 0.41 }, { lr: '0.1', depth: '4' });
  runB = await trainingRun(experimentId, 'train-b', { accuracy: 0.91, loss: 0.33 }, { lr: '0.05', depth: '6' });
  const v2 = await vscode.commands.executeCommand<{ version: string } | undefined>('mlops.registerModel', { runId: runA, path: 'model' }, { name: MODEL, alias: '' });
  const v3 = await vscode.commands.executeCommand<{ version: string } | undefined>('mlops.registerModel', { runId: runB, path: 'model/model.onnx' }, { name: MODEL, alias: 'challenger' });
  assert.equal(v2?.version, '2');
  assert.equal(v3?.version, '3');
  const missing = await vscode.commands.executeCommand('mlops.registerModel', { runId: runA, path: 'nothing-here.onnx' }, { name: MODEL, alias: '' });
  assert.equal(missing, undefined, 'the backend refused it: an error notification, no version');
  const node = await versionNode('3', (n) => n.version.run?.runName === 'train-b');
  assert.deepEqual(node.version.aliases, ['challenger']);
  const all = await api<{ models: { versions: unknown[] }[] }>(`/api/v1/models?name=${MODEL}`, undefined, 'GET');
  assert.equal(all.models[0].versions.length, 3);
}, { timeoutMs: 60_000 });

test('Set Alias moves an alias; an alias MLflow refuses is not sent; Remove Alias removes it', async () => {
  const set = await vscode.commands.executeCommand<{ alias: string } | undefined>('mlops.setModelAlias', await versionNode('2'), { alias: 'champion' });
  assert.equal(set?.alias, 'champion');
  await versionNode('2', (n) => n.version.aliases.includes('champion'));
  assert.deepEqual((await versionNode('1')).version.aliases, [], 'the alias moved away from v1');
  // 'latest' is reserved: refused in the editor, with a message (nothing reaches the server).
  assert.equal(await vscode.commands.executeCommand('mlops.setModelAlias', { name: MODEL, version: '1' }, { alias: 'latest' }), undefined);
  await vscode.commands.executeCommand('mlops.setModelAlias', { name: MODEL, version: '1' }, { alias: 'old' });
  await versionNode('1', (n) => n.version.aliases.includes('old'));
  assert.equal(await vscode.commands.executeCommand('mlops.removeModelAlias', await versionNode('1')), 'old');
  await versionNode('1', (n) => n.version.aliases.length === 0);
}, { timeoutMs: 30_000 });

test('Promote to Champion compares the metric with the champion\'s run, then moves @champion', async () => {
  const result = await vscode.commands.executeCommand<{ promoted: boolean; previousChampion: string | null; verdict: { outcome: string; text: string } | null }>(
    'mlops.promoteModel',
    await versionNode('3'),
    { metric: 'loss', confirm: false },
  );
  assert.equal(result?.promoted, true);
  assert.equal(result?.previousChampion, '2');
  assert.equal(result?.verdict?.outcome, 'better', result?.verdict?.text);
  assert.match(result!.verdict!.text, /loss \(lower is better\)/);
  const node = await versionNode('3', (n) => n.version.aliases.includes('champion'));
  assert.equal(node.model.aliases.champion, '3');
}, { timeoutMs: 30_000 });

test('Copy URI, Reveal File (downloaded through the artifact proxy) and Compare Versions', async () => {
  assert.equal(await vscode.commands.executeCommand('mlops.copyModelUri', await versionNode('3')), `models:/${MODEL}/3`);
  assert.equal(await vscode.env.clipboard.readText(), `models:/${MODEL}/3`);
  const path = await vscode.commands.executeCommand<string | undefined>('mlops.revealModelFile', { name: MODEL, version: '1' }, { open: false });
  assert.ok(path && existsSync(path), `downloaded: ${path}`);
  assert.equal(statSync(path).size, linearModel().length);
  const compared = await vscode.commands.executeCommand<{ runIds: string[] } | undefined>('mlops.compareModelVersions', undefined, [await versionNode('2'), await versionNode('3')]);
  assert.deepEqual(new Set(compared?.runIds), new Set([runA, runB]));
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 60_000 });

test('Delete Version and Delete Model remove what they name', async () => {
  const scratch = join(folder(), 'models', 'scratch.onnx');
  writeFileSync(scratch, linearModel());
  await vscode.commands.executeCommand('mlops.registerModel', vscode.Uri.file(scratch), { name: 'scratch', alias: '' });
  await vscode.commands.executeCommand('mlops.registerModel', vscode.Uri.file(scratch), { name: 'scratch', alias: '' });
  const v2 = await until('scratch v2 in the view', () => extensionApi().modelsNodeOf('scratch', '2'), (n) => !!n);
  assert.equal(await vscode.commands.executeCommand('mlops.deleteModelVersion', v2, { confirm: false }), true);
  await until('scratch v2 gone', async () => ((await extensionApi().modelsNodeOf('scratch', '2')) ? undefined : true), () => true);
  assert.equal(await vscode.commands.executeCommand('mlops.deleteModel', { name: 'scratch' }, { confirm: false }), true);
  await until('scratch gone', async () => ((await extensionApi().modelsNodeOf('scratch')) ? undefined : true), () => true);
}, { timeoutMs: 60_000 });

test('The registry panel draws the versions, the selected version\'s signature and lineage, and a metric chart', async () => {
  const report = await vscode.commands.executeCommand<ModelPanelReport | undefined>('mlops.openModel', { name: MODEL });
  assert.ok(report, 'the panel reported');
  assert.equal(report.modelName, MODEL);
  assert.deepEqual(report.versions.map((v) => v.version), ['3', '2', '1'], 'newest first');
  assert.deepEqual(report.versions[0].aliases.sort(), ['challenger', 'champion']);
  assert.equal(report.versions[0].runName, 'train-b');
  for (const s of ['versions', 'signature', 'lineage', 'chart']) assert.ok(report.sections.includes(s), `section ${s} drawn (${report.sections.join(', ')})`);
  assert.ok(report.metricColumns.includes('accuracy') && report.metricColumns.includes('loss'), `metric columns: ${report.metricColumns.join(', ')}`);
  assert.equal(report.chart?.points, 2, 'one point per version with a source run');
  assert.ok(['shown', 'none'].includes(report.signature));
  // Selecting the file-registered version: its lineage says so; opening again reuses the panel.
  const v1 = await vscode.commands.executeCommand<ModelPanelReport | undefined>('mlops.openModel', { name: MODEL, version: '1' });
  assert.equal(v1?.selectedVersion, '1');
  assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === `Model ${MODEL}`).length, 1);
  // Live: a new alias shows up in the open panel.
  await vscode.commands.executeCommand('mlops.setModelAlias', { name: MODEL, version: '2' }, { alias: 'staging' });
  const live = await until(
    'the panel to show @staging',
    () => vscode.commands.executeCommand<ModelPanelReport | undefined>('_mlops.modelPanel.report', MODEL),
    (r) => r.versions.find((v) => v.version === '2')?.aliases.includes('staging') ?? false,
  );
  assert.ok(live);
  // The run panel says where the run's .onnx is registered (v3) and offers Register Again… (the browser check looks).
  await vscode.commands.executeCommand('mlops.openRun', runB);
  const preview = await vscode.commands.executeCommand<{ kind: string } | undefined>('_mlops.runDetail.preview', runB, 'model/model.onnx');
  assert.equal(preview?.kind, 'binary');
  // Leave the panel on the champion for the browser check's screenshot.
  await vscode.commands.executeCommand('mlops.openModel', { name: MODEL, version: '3' });
  const pkg = JSON.parse(readFileSync(join(vscode.extensions.getExtension(extensionId())!.extensionPath, 'package.json'), 'utf8')) as { activationEvents: string[] };
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:mlops.model'));
  await vscode.commands.executeCommand('mlops.models.focus');
  // The two views share the side bar: collapse the experiments so the Experiments
  // check finds Default (listed last) without scrolling; it opens it.
  await vscode.commands.executeCommand('workbench.actions.treeView.mlops.experiments.collapseAll');
}, { timeoutMs: 60_000 });

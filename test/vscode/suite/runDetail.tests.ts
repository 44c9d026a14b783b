// Tests of the run detail panel (mlops.openRun): a run made through the backend's
// REST API (params, metrics, a note, tags, artifacts uploaded through the
// mlflow-artifacts proxy, captured output in .mlops/logs), opened with the
// command, and the panel's own report of what it drew.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from './testApi';
import { extensionId } from './context';
import { until } from './until';
import { linearModel } from '../../helpers/onnxModels';

interface PreviewReport {
  path: string;
  kind: string;
  truncated: boolean;
  rows?: number;
  columns?: number;
  imageWidth?: number;
  chars?: number;
  error?: string;
}
interface RunDetailReport {
  runId: string;
  runName: string;
  status: string;
  sections: string[];
  params: number;
  metrics: number;
  sparklines: number;
  tags: number;
  systemTags: number;
  note: string;
  artifacts: { path: string; isDir: boolean; kind: string }[];
  logSource: string;
  logChars: number;
  logTail: string;
  linked: { parent: string | null; children: number; sameCommand: number };
  preview: PreviewReport | null;
  chart: ChartReport | null;
  model: { path: string; registeredAs: string[]; actions: string[] } | null;
  pipFreezeNote: string | null;
}

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

function server(): { url: string; token: string } {
  return JSON.parse(readFileSync(join(folder(), '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
}

/** The extension starts its backend on activation: wait for it (a filtered run may start here). */
async function backendUp(): Promise<void> {
  await vscode.extensions.getExtension(extensionId())?.activate();
  await until('the backend', async () => existsSync(join(folder(), '.mlops', 'server.json')) || undefined, Boolean, 60_000);
}

async function api<T>(path: string, body: unknown): Promise<T> {
  const s = server();
  const res = await fetch(s.url + path, { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${path}: ${json.message ?? res.status}`);
  return json;
}

async function upload(experimentId: string, runId: string, path: string, body: Uint8Array | string): Promise<void> {
  const s = server();
  const res = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${s.token}` },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  if (!res.ok) throw new Error(`upload ${path}: HTTP ${res.status} ${await res.text()}`);
}

// ---- a real PNG, written by hand: signature, IHDR, one IDAT (zlib), IEND ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** An RGB gradient with a diagonal line, `width` x `height`. */
export function pngImage(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const onLine = Math.abs(height - 1 - y - Math.round((x * (height - 1)) / (width - 1))) <= 1;
      raw[row + 1 + x * 3] = onLine ? 255 : Math.round((x / width) * 60) + 30;
      raw[row + 2 + x * 3] = onLine ? 200 : Math.round((y / height) * 90) + 60;
      raw[row + 3 + x * 3] = onLine ? 40 : 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const COMMAND = JSON.stringify(['python3', 'train.py', '--lr', "0.1's"]);
const CSV_ROWS = 25;
let runId = '';
let parentId = '';
let experimentId = '';

test('Open Run shows a run: info, note, params, metrics with sparklines, tags, artifacts and an image preview', async () => {
  await backendUp();
  experimentId = (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: 'run-detail' })).experiment_id;
  const create = async (name: string, tags: Record<string, string>) =>
    (await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() - 65_000, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) })).run.info.run_id;
  parentId = await create('sweep', {});
  runId = await create('detail-run', {
    'mlflow.note.content': 'Baseline: lr 0.1, no augmentation.',
    'mlflow.parentRunId': parentId,
    'mlops.command': COMMAND,
    'mlflow.source.git.commit': '3f2a9c1d0b8e7f6a5d4c3b2a1f0e9d8c7b6a5f4e',
    'mlflow.source.git.branch': 'main',
    team: 'vision',
  });
  const rerun = await create('detail-rerun', { 'mlops.command': COMMAND });
  await api('/api/2.0/mlflow/runs/update', { run_id: rerun, status: 'FINISHED', end_time: Date.now() });
  const t0 = Date.now();
  const metrics = Array.from({ length: 40 }, (_, step) => [
    { key: 'loss', value: 1 / (1 + step * 0.2), timestamp: t0 + step, step },
    { key: 'accuracy', value: 0.5 + 0.45 * (1 - Math.exp(-step / 10)), timestamp: t0 + step, step },
  ]).flat();
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.1' }, { key: 'epochs', value: '40' }, { key: 'optimizer', value: 'adam' }], metrics });
  const csv = ['id,label,score', ...Array.from({ length: CSV_ROWS }, (_, i) => `${i},${i % 3 === 0 ? 'cat' : 'dog'},${(i / CSV_ROWS).toFixed(3)}`)].join('\n') + '\n';
  await Promise.all([
    upload(experimentId, runId, 'loss.png', pngImage(240, 120)),
    upload(experimentId, runId, 'predictions.csv', csv),
    upload(experimentId, runId, 'metrics.json', JSON.stringify({ accuracy: 0.93, confusion: [[40, 2], [3, 55]] })),
    upload(experimentId, runId, 'model/weights.bin', new Uint8Array([0, 1, 2, 3, 255])),
    upload(experimentId, runId, 'code/git.diff', 'diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n-lr = 0.01\n+lr = 0.1\n print(lr)\n'),
  ]);
  // Captured output, as `mlops run` writes it while the run lives (colours included).
  const logs = join(folder(), '.mlops', 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, `${runId}.log`), '\u001b[32mstarting\u001b[0m training\nepoch 1/3 \u001b[1mloss=0.9\u001b[0m\n');

  const report = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', runId);
  assert.ok(report, 'the panel reported what it drew');
  assert.equal(report.runId, runId);
  assert.equal(report.runName, 'detail-run');
  for (const section of ['info', 'note', 'metrics', 'params', 'tags', 'artifacts', 'output', 'diff', 'linked']) assert.ok(report.sections.includes(section), `section ${section} rendered (${report.sections.join(', ')})`);
  assert.ok(!report.sections.includes('environment'), 'no environment was recorded: the section shows its empty state');
  assert.equal(report.params, 3);
  assert.equal(report.metrics, 2);
  assert.equal(report.sparklines, 2, 'a sparkline per metric');
  assert.equal(report.tags, 1, 'one user tag (team)');
  assert.ok(report.systemTags >= 4, `system tags folded apart (${report.systemTags})`);
  assert.equal(report.note, 'Baseline: lr 0.1, no augmentation.');
  assert.deepEqual(
    report.artifacts.map((a) => `${a.path}:${a.kind}`),
    ['code:folder', 'model:folder', 'loss.png:image', 'metrics.json:json', 'predictions.csv:csv'],
  );
  assert.equal(report.preview?.path, 'loss.png', 'the first image is previewed');
  assert.equal(report.preview?.kind, 'image');
  assert.equal(report.preview?.imageWidth, 240, 'the webview decoded the PNG');
  assert.equal(report.logSource, 'file');
  assert.ok(report.logTail.includes('starting training\nepoch 1/3 loss=0.9'), `output without escape codes: ${JSON.stringify(report.logTail)}`);
  assert.deepEqual(report.linked, { parent: parentId, children: 0, sameCommand: 1 });
  assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Run detail-run');
}, { timeoutMs: 60_000 });

test('Run detail previews CSV as a table, JSON pretty-printed, and says a binary has no preview', async () => {
  const preview = (path: string) => vscode.commands.executeCommand<PreviewReport | undefined>('_mlops.runDetail.preview', runId, path);
  const csv = await preview('predictions.csv');
  assert.deepEqual(csv && { kind: csv.kind, rows: csv.rows, columns: csv.columns, truncated: csv.truncated }, { kind: 'table', rows: CSV_ROWS, columns: 3, truncated: false });
  const json = await preview('metrics.json');
  assert.equal(json?.kind, 'json');
  assert.ok((json?.chars ?? 0) > 60, 'pretty-printed (longer than the compact original)');
  const binary = await preview('model/weights.bin');
  assert.equal(binary?.kind, 'binary');
  const missing = await preview('nope.txt');
  assert.equal(missing?.kind, 'error', 'a missing file is an inline error');
  assert.ok(!/\n\s+at /.test(missing?.error ?? ''), 'no stack trace');
  const image = await preview('loss.png');
  assert.equal(image?.imageWidth, 240);
}, { timeoutMs: 30_000 });

test('Run detail stays live: new output, a new note and a new child run appear without reopening', async () => {
  const report = () => vscode.commands.executeCommand<RunDetailReport | undefined>('_mlops.runDetail.report', runId);
  appendFileSync(join(folder(), '.mlops', 'logs', `${runId}.log`), 'epoch 2/3 \u001b[1mloss=0.5\u001b[0m\n');
  await until('the appended output', report, (r) => r.logTail.includes('epoch 2/3 loss=0.5'));
  await api('/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'mlflow.note.content', value: 'Edited elsewhere.' });
  await until('the new note', report, (r) => r.note === 'Edited elsewhere.');
  const child = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: 'detail-child', start_time: Date.now(), tags: [{ key: 'mlflow.parentRunId', value: runId }] });
  await api('/api/2.0/mlflow/runs/update', { run_id: child.run.info.run_id, status: 'FINISHED', end_time: Date.now() });
  await until('the child run', report, (r) => r.linked.children === 1);
  await api('/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  await until('the finished status', report, (r) => r.status === 'FINISHED');
}, { timeoutMs: 45_000 });

test('Opening an open run reveals its panel; a run without output or artifacts shows empty states', async () => {
  const before = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Run detail-run').length;
  const parent = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', parentId);
  assert.ok(parent, 'the parent run reported');
  assert.equal(parent.linked.children, 1, 'the parent lists its child');
  assert.equal(parent.logSource, 'none', 'no captured output');
  assert.deepEqual(parent.artifacts, []);
  assert.ok(!parent.sections.includes('artifacts') && !parent.sections.includes('output') && !parent.sections.includes('params'), `empty sections: ${parent.sections.join(', ')}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  const again = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', { runId });
  assert.equal(again?.runId, runId);
  const after = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Run detail-run').length;
  assert.equal(before, 1);
  assert.equal(after, 1, 'no second panel for the same run');
  assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Run detail-run');
  // Contributed as the manifest says: the command, the menu entry first on runs, and the restore activation.
  const pkg = JSON.parse(readFileSync(join(vscode.extensions.getExtension(extensionId())!.extensionPath, 'package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: { menus: { 'view/item/context': { command: string; group: string }[] } };
  };
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:mlops.runDetail'));
  assert.equal(pkg.contributes.menus['view/item/context'][0].command, 'mlops.openRun');
  assert.ok((await vscode.commands.getCommands(true)).includes('mlops.openRun'));
}, { timeoutMs: 45_000 });

test('A run recorded by mlops run shows its captured output, environment and command', async () => {
  // The run "Run Current File with Tracking" made earlier in this suite (fixture train.py, lr=0.1).
  const found = await api<{ runs?: { info: { run_id: string } }[] }>('/api/2.0/mlflow/runs/search', { experiment_ids: ['0'], filter: "params.lr = '0.1' and attributes.status = 'FINISHED'" });
  const tracked = found.runs?.[0]?.info.run_id;
  assert.ok(tracked, 'the tracked run from the Run Current File test exists');
  const report = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', tracked);
  assert.ok(report, 'the panel reported');
  assert.equal(report.logSource, 'file');
  assert.ok(report.logTail.includes('training: done'), `the script's output: ${JSON.stringify(report.logTail.slice(-300))}`);
  assert.ok(report.sections.includes('environment'), `environment recorded (${report.sections.join(', ')})`);
  const folders = report.artifacts.filter((a) => a.isDir).map((a) => a.path);
  assert.ok(folders.includes('logs') && folders.includes('environment'), `mlops run's artifacts: ${folders.join(', ')}`);
  const env = await vscode.commands.executeCommand<PreviewReport | undefined>('_mlops.runDetail.preview', tracked, 'environment/requirements.txt');
  assert.equal(env?.kind, 'text');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 30_000 });

test('A click in the Experiments view opens a preview panel that the next click reuses', async () => {
  const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Run '));
  const before = tabs().length;
  // What a tree item's click passes after the node: { preview: true }.
  const first = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', { runId: parentId }, { preview: true });
  assert.equal(first?.runName, 'sweep');
  assert.equal(tabs().length, before + 1);
  const rerun = (await api<{ runs?: { info: { run_id: string; run_name: string } }[] }>('/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter: "attributes.run_name = 'detail-rerun'" })).runs?.[0];
  assert.ok(rerun, 'the re-run exists');
  const second = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', { runId: rerun.info.run_id }, { preview: true });
  assert.equal(second?.runName, 'detail-rerun', 'the preview panel now shows the other run');
  assert.deepEqual(second?.linked, { parent: null, children: 0, sameCommand: 1 });
  assert.equal(tabs().length, before + 1, 'the same panel was reused');
  assert.ok(tabs().some((t) => t.label === 'Run detail-rerun') && !tabs().some((t) => t.label === 'Run sweep'));
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  // Leave the run with artifacts in front for the browser check.
  await vscode.commands.executeCommand('mlops.openRun', runId);
}, { timeoutMs: 45_000 });

// ---- the metric chart: a long history drawn whole, zoomed in full detail, live ----
interface Span {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}
interface ChartDrawn {
  key: string;
  points: number;
  total: number;
  downsampled: boolean;
  axis: Span;
  data: Span | null;
  xTitle: string;
  logScale: boolean;
  width: number;
  height: number;
}
interface ChartReport {
  keys: string[];
  x: string;
  smoothing: number;
  range: { min: number; max: number } | null;
  charts: ChartDrawn[];
}

const LONG_STEPS = 5000;
const SPIKE_STEP = 3217;
const SPIKE = 7.5;
let longRunId = '';
let longStart = 0;
let longT0 = 0;
/** A noisy decaying loss with one spike (downsampling must keep it) and a rising accuracy; 10 ms per step. */
const lossAt = (step: number) => (step === SPIKE_STEP ? SPIKE : 2 * Math.exp(-step / 900) + 0.05 + 0.02 * Math.sin(step * 1.7));
const accuracyAt = (step: number) => 0.5 + 0.45 * (1 - Math.exp(-step / 1200));

async function logLong(from: number, to: number): Promise<void> {
  const batches = [];
  for (let start = from; start < to; start += 500) {
    const metrics = [];
    for (let step = start; step < Math.min(to, start + 500); step++) {
      metrics.push({ key: 'loss', value: lossAt(step), timestamp: longT0 + step * 10, step }, { key: 'accuracy', value: accuracyAt(step), timestamp: longT0 + step * 10, step });
    }
    batches.push(metrics);
  }
  for (const metrics of batches) await api('/api/2.0/mlflow/runs/log-batch', { run_id: longRunId, metrics });
}

const openChart = (keys: string[], view?: { x?: string; range?: { min: number; max: number } | null }) => vscode.commands.executeCommand<ChartReport | undefined>('_mlops.runDetail.openChart', longRunId, keys, view);

test('Run detail chart: opening a metric draws its whole long history, downsampled, on axes that cover every value', async () => {
  await backendUp();
  experimentId ||= (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: 'run-detail-charts' })).experiment_id;
  longStart = Date.now() - 120_000;
  longT0 = longStart + 2_000;
  longRunId = (await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: 'long-history', start_time: longStart })).run.info.run_id;
  await logLong(0, LONG_STEPS);
  const opened = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', longRunId);
  assert.equal(opened?.sparklines, 2);
  assert.equal(opened?.chart, null, 'no chart until a metric is clicked');

  const report = await openChart(['loss']);
  assert.ok(report, 'the chart reported what it drew');
  assert.deepEqual(report.keys, ['loss']);
  const [loss] = report.charts;
  assert.equal(loss.key, 'loss');
  assert.equal(loss.total, LONG_STEPS, 'every stored point is summarised');
  assert.ok(loss.downsampled && loss.points > 200 && loss.points <= 1200, `downsampled to about a point per pixel: ${loss.points}`);
  assert.equal(loss.xTitle, 'step');
  assert.ok(loss.data, 'points were plotted');
  assert.deepEqual([loss.data.xMin, loss.data.xMax], [0, LONG_STEPS - 1], 'from the first step to the last');
  const values = Array.from({ length: LONG_STEPS }, (_, s) => lossAt(s));
  assert.equal(loss.data.yMax, SPIKE, 'the one-step spike survives downsampling');
  assert.equal(loss.data.yMin, Math.min(...values), 'and so does the lowest value');
  assert.ok(loss.axis.xMin <= 0 && loss.axis.xMax >= LONG_STEPS - 1, `the x axis shows every step: ${JSON.stringify(loss.axis)}`);
  assert.ok(loss.axis.yMin <= loss.data.yMin && loss.axis.yMax >= SPIKE, `the y axis shows every value: ${JSON.stringify(loss.axis)}`);
  assert.ok(loss.width > 300 && loss.height > 150, `a chart of usable size: ${loss.width}x${loss.height}`);
  const panel = () => vscode.commands.executeCommand<RunDetailReport | undefined>('_mlops.runDetail.report', longRunId);
  await until('the panel to report the open chart', panel, (r) => r.chart?.keys.join() === 'loss');
}, { timeoutMs: 60_000 });

test('Run detail chart: a zoom re-fetches its range in full detail; time axes and several metrics', async () => {
  const zoomed = await openChart(['loss'], { x: 'step', range: { min: 1000, max: 1100 } });
  const [z] = zoomed?.charts ?? [];
  assert.ok(z?.data, 'the zoom drew');
  assert.equal(z.downsampled, false, 'a zoomed range this short comes in full detail');
  assert.equal(z.points, 101, 'every step from 1000 to 1100');
  assert.deepEqual([z.data.xMin, z.data.xMax], [1000, 1100]);
  assert.deepEqual([z.axis.xMin, z.axis.xMax], [1000, 1100], 'the axis is the zoom');

  const relative = await openChart(['loss', 'accuracy'], { x: 'relative' });
  assert.deepEqual(relative?.charts.map((c) => c.key), ['loss', 'accuracy'], 'one chart per metric');
  for (const c of relative!.charts) {
    assert.equal(c.xTitle, 'time since start');
    assert.deepEqual([c.data?.xMin, c.data?.xMax], [longT0 - longStart, longT0 - longStart + (LONG_STEPS - 1) * 10], `${c.key}: ms since the run started`);
  }
  // A zoom on a time axis is the run's steps in that window, again in full detail.
  const from = longT0 - longStart + 2000 * 10;
  const window = await openChart(['loss'], { x: 'relative', range: { min: from, max: from + 500 } });
  const [w] = window?.charts ?? [];
  assert.equal(w?.downsampled, false);
  // Steps 2000..2050, and the overview's nearest points on either side (a downsampled bucket apart at most).
  assert.ok(w?.data && w.points >= 51 && w.points <= 51 + 2 * Math.ceil(LONG_STEPS / 300), `steps 2000..2050 and their neighbours: ${w?.points}`);
  assert.ok(w.data.xMin <= from && w.data.xMax >= from + 500, `the window is covered: ${JSON.stringify(w.data)}`);
  assert.deepEqual([w.axis.xMin, w.axis.xMax], [from, from + 500]);

  const wall = await openChart(['accuracy'], { x: 'wall' });
  const [a] = wall?.charts ?? [];
  assert.equal(a?.xTitle, 'wall time');
  assert.deepEqual([a?.data?.xMin, a?.data?.xMax], [longT0, longT0 + (LONG_STEPS - 1) * 10]);
}, { timeoutMs: 60_000 });

test('Run detail chart stays live: steps the running run logs appear in the open chart', async () => {
  const report = () => vscode.commands.executeCommand<RunDetailReport | undefined>('_mlops.runDetail.report', longRunId);
  const whole = await openChart(['loss'], { x: 'step' });
  assert.equal(whole?.charts[0].data?.xMax, LONG_STEPS - 1);
  await logLong(LONG_STEPS, LONG_STEPS + 500);
  const grown = await until('the new steps in the chart', report, (r) => r.chart?.charts[0]?.data?.xMax === LONG_STEPS + 499);
  assert.equal(grown.chart?.charts[0].total, LONG_STEPS + 500);
  assert.ok((grown.chart?.charts[0].axis.xMax ?? 0) >= LONG_STEPS + 499, 'the axis grew with the data');
  await api('/api/2.0/mlflow/runs/update', { run_id: longRunId, status: 'FINISHED', end_time: Date.now() });
  await until('the finished status', report, (r) => r.status === 'FINISHED' && r.chart?.keys.join() === 'loss');
}, { timeoutMs: 60_000 });

// ---- smaller facts: the pip freeze note, and a model file registered already ----
async function runWith(name: string, tags: Record<string, string>, status: 'RUNNING' | 'FINISHED'): Promise<string> {
  await backendUp();
  experimentId ||= (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: 'run-detail-facts' })).experiment_id;
  const id = (await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() - 5000, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) })).run.info.run_id;
  if (status === 'FINISHED') await api('/api/2.0/mlflow/runs/update', { run_id: id, status, end_time: Date.now() });
  return id;
}

test('Run detail says why a run has no pip freeze only when it is so: a pipeline step, a Python run still recording, a shell script', async () => {
  const report = (id: string) => vscode.commands.executeCommand<RunDetailReport | undefined>('_mlops.runDetail.report', id);
  // A pipeline's step ran `python3 train.py`: it is a Python interpreter, but steps record no freeze.
  const step = await runWith('train', { 'mlops.pipeline': 'churn', 'mlops.pipeline.step': 'train', 'mlops.command': 'python3 train.py', 'mlops.pid': '4242', 'mlops.cwd': folder() }, 'FINISHED');
  const stepReport = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', step);
  assert.equal(stepReport?.pipFreezeNote, 'No pip freeze: pipeline steps do not record one (mlops run does).');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

  // `mlops run -- python3 train.py`, opened while it reads the interpreter's pip freeze.
  const tracked = await runWith('tracked-python', { 'mlops.command': '["python3","train.py"]', 'mlops.host': 'this-host', 'mlops.pid': '4243', 'mlops.cwd': folder() }, 'RUNNING');
  const recording = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', tracked);
  assert.equal(recording?.pipFreezeNote, 'The pip freeze is being recorded…');
  await api('/api/2.0/mlflow/runs/set-tag', { run_id: tracked, key: 'mlops.python.version', value: '3.11.7' });
  await upload(experimentId, tracked, 'environment/requirements.txt', '# pip freeze of python3 (Python 3.11.7)\nnumpy==2.1.0\n');
  await until('the pip freeze in place of the note', () => report(tracked), (r) => r.pipFreezeNote === null && r.artifacts.some((a) => a.path === 'environment'));
  await api('/api/2.0/mlflow/runs/update', { run_id: tracked, status: 'FINISHED', end_time: Date.now() });
  await until('the finished run', () => report(tracked), (r) => r.status === 'FINISHED' && r.pipFreezeNote === null);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

  // `mlops run -- bash run.sh`: that one really was not Python.
  const shell = await runWith('shell-script', { 'mlops.command': '["bash","run.sh"]', 'mlops.host': 'this-host', 'mlops.pid': '4244' }, 'FINISHED');
  const shellReport = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', shell);
  assert.match(shellReport?.pipFreezeNote ?? '', /starts with a Python interpreter .*; this one starts with bash\.$/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 60_000 });

test('Run detail of a pipeline run: a step metric (train/val_auc, one rolled-up point) charts the step run\'s whole history', async () => {
  const pipelineRun = await runWith('churn', { 'mlops.pipeline': 'churn' }, 'FINISHED');
  const trainStep = await runWith('train', { 'mlops.pipeline': 'churn', 'mlops.pipeline.step': 'train', 'mlflow.parentRunId': pipelineRun }, 'FINISHED');
  const t0 = Date.now() - 4000;
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: trainStep, metrics: Array.from({ length: 12 }, (_, step) => ({ key: 'val_auc', value: 0.7 + step / 100, timestamp: t0 + step * 100, step })) });
  // What a pipeline run carries: its steps' latest values, one point each.
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: pipelineRun, metrics: [{ key: 'train/val_auc', value: 0.81, timestamp: t0 + 2000, step: 0 }] });
  const opened = await vscode.commands.executeCommand<RunDetailReport | undefined>('mlops.openRun', pipelineRun);
  assert.equal(opened?.sparklines, 1);
  const chart = await vscode.commands.executeCommand<ChartReport | undefined>('_mlops.runDetail.openChart', pipelineRun, ['train/val_auc']);
  const [auc] = chart?.charts ?? [];
  assert.equal(auc?.key, 'train/val_auc', 'named as the pipeline run shows it');
  assert.equal(auc?.total, 12, `the train step's 12 epochs, not the one rolled-up point: ${JSON.stringify(auc)}`);
  assert.deepEqual([auc?.data?.xMin, auc?.data?.xMax], [0, 11]);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 60_000 });

test('Run detail: a model file registered already says where, and offers Register Again and Register as Another Model', async () => {
  const report = () => vscode.commands.executeCommand<RunDetailReport | undefined>('_mlops.runDetail.report', trained);
  const trained = await runWith('trained-model', {}, 'FINISHED');
  await upload(experimentId, trained, 'model/model.onnx', linearModel());
  await vscode.commands.executeCommand('mlops.openRun', trained);
  await vscode.commands.executeCommand('_mlops.runDetail.preview', trained, 'model/model.onnx');
  const fresh = await until('the model file selected', report, (r) => r.model?.path === 'model/model.onnx');
  assert.deepEqual(fresh.model, { path: 'model/model.onnx', registeredAs: [], actions: ['Register Model…', 'Open'] }, 'not registered yet: Register Model…');

  const v1 = await vscode.commands.executeCommand<{ version: string } | undefined>('mlops.registerModel', { runId: trained, path: 'model/model.onnx' }, { name: 'rd-model', alias: 'challenger' });
  assert.equal(v1?.version, '1');
  const registered = await until('the panel to say where it is registered', report, (r) => (r.model?.registeredAs.length ?? 0) === 1);
  assert.deepEqual(registered.model, { path: 'model/model.onnx', registeredAs: ['models:/rd-model/1 @challenger'], actions: ['Register Again…', 'Register as Another Model…', 'Open'] });

  // Registered again (what Register Again… does, with the model named): both versions listed, newest first.
  await vscode.commands.executeCommand('mlops.registerModel', { runId: trained, path: 'model/model.onnx' }, { name: 'rd-model', alias: '' });
  const twice = await until('both versions', report, (r) => (r.model?.registeredAs.length ?? 0) === 2);
  assert.deepEqual(twice.model?.registeredAs, ['models:/rd-model/2', 'models:/rd-model/1 @challenger']);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, { timeoutMs: 60_000 });

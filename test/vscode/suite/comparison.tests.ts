// Tests of the comparison panel (mlops.compareRuns): runs created through the
// backend's REST API, compared through the command, and the panel's own report
// of what it drew (the command resolves with it once every chart is drawn).
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure, test } from './testApi';
import { extensionId } from './context';

interface ComparisonReport {
  runIds: string[];
  charts: { key: string; datasets: number; points: number }[];
  commandToDrawnMs: number;
  webview: { scriptStart: number; readyPosted: number; received: number; drawn: number };
  host: Record<string, number>;
}

function server(): { url: string; token: string } {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  return JSON.parse(readFileSync(join(folder, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
}

async function api<T>(path: string, body: unknown): Promise<T> {
  const s = server();
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${path}: ${json.message ?? res.status}`);
  return json;
}

async function experiment(name: string): Promise<string> {
  const found = await api<{ experiments?: { experiment_id: string; name: string }[] }>('/api/2.0/mlflow/experiments/search', { max_results: 1000 });
  const existing = found.experiments?.find((e) => e.name === name);
  if (existing) return existing.experiment_id;
  return (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name })).experiment_id;
}

async function createRun(experimentId: string, name: string, params: Record<string, string>): Promise<string> {
  const res = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() });
  const runId = res.run.info.run_id;
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: runId, params: Object.entries(params).map(([key, value]) => ({ key, value })) });
  return runId;
}

async function finish(runId: string): Promise<void> {
  await api('/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
}

/** Metrics as log-batch requests of at most 1000 points, `parallel` requests at a time. */
async function logCurves(runIds: string[], keys: string[], steps: number, value: (run: number, key: number, step: number) => number, parallel = 8): Promise<void> {
  const t0 = Date.now();
  const batches: { run_id: string; metrics: { key: string; value: number | string; timestamp: number; step: number }[] }[] = [];
  runIds.forEach((runId, r) => {
    keys.forEach((key, k) => {
      for (let from = 0; from < steps; from += 1000) {
        const metrics: { key: string; value: number | string; timestamp: number; step: number }[] = [];
        for (let step = from; step < Math.min(steps, from + 1000); step++) {
          const v = value(r, k, step);
          metrics.push({ key, value: Number.isFinite(v) ? v : String(v), timestamp: t0 + step * 10, step });
        }
        batches.push({ run_id: runId, metrics });
      }
    });
  });
  for (let i = 0; i < batches.length; i += parallel) {
    await Promise.all(batches.slice(i, i + parallel).map((b) => api('/api/2.0/mlflow/runs/log-batch', b)));
  }
}

let comparedRunIds: string[] = [];

test('Compare Runs draws one chart per metric with a curve per run', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const exp = await experiment('comparison');
  const a = await createRun(exp, 'baseline', { lr: '0.1', layers: '2' });
  const b = await createRun(exp, 'wider', { lr: '0.01', layers: '2' });
  comparedRunIds = [a, b];
  // A NaN in b's loss must come out as a gap, not break the chart.
  await logCurves(comparedRunIds, ['loss', 'accuracy', 'system/cpu_percent'], 300, (r, k, step) =>
    k === 0 ? (r === 1 && step === 150 ? NaN : 1 / (1 + step * (r + 1) * 0.05)) : k === 1 ? 1 - 0.5 / (1 + step * 0.02 * (r + 1)) : 40 + 10 * Math.sin(step / 20 + r),
  );
  await Promise.all(comparedRunIds.map(finish));

  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds: comparedRunIds });
  assert.ok(report, 'the panel reported that it drew its charts');
  const keys = report.charts.map((c) => c.key).sort();
  // The system/ section starts collapsed: its chart is drawn when opened.
  assert.deepEqual(keys, ['accuracy', 'loss']);
  for (const chart of report.charts) {
    assert.equal(chart.datasets, 2, `${chart.key}: one curve per run`);
    assert.ok(chart.points >= 2 * 290, `${chart.key}: the curves have their points (${chart.points})`);
  }
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  assert.equal(tab?.label, 'Compare 2 runs');
}, { timeoutMs: 60_000 });

test('Compare Runs with 100 runs x 5 metrics x 10k steps draws in time (benchmark)', async () => {
  const exp = await experiment('comparison-benchmark');
  const runIds: string[] = [];
  for (let i = 0; i < 100; i += 10) {
    runIds.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => createRun(exp, `bench-${i + j}`, { lr: String(0.001 * (i + j + 1)), seed: String(i + j) })))));
  }
  const keys = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'lr'];
  const t0 = Date.now();
  await logCurves(runIds, keys, 10_000, (r, k, step) => (k === 4 ? 0.001 * (r + 1) * Math.exp(-step / 5000) : Math.exp(-step / (2000 + 30 * r)) * (1 + 0.1 * Math.sin(step / (50 + k))) + 0.01 * k));
  measure('  ingest for the benchmark (5 M points over REST log-batch)', Date.now() - t0, 'ms');
  await Promise.all(runIds.map(finish));

  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds });
  assert.ok(report, 'the panel reported that it drew its charts');
  assert.equal(report.charts.length, 5);
  for (const chart of report.charts) assert.equal(chart.datasets, 100, `${chart.key}: one curve per run`);
  measure('comparison 100 runs x 5 metrics x 10k steps: command to all charts drawn', report.commandToDrawnMs, 'ms', '< 1000 ms');
  measure('  of which in the webview: script start to "ready" posted', report.webview.readyPosted - report.webview.scriptStart, 'ms');
  measure('  of which in the webview: "ready" posted to series received', report.webview.received - report.webview.readyPosted, 'ms');
  measure('  of which in the webview: series received to all charts drawn', report.webview.drawn - report.webview.received, 'ms');
  for (const [name, ms] of Object.entries(report.host)) measure(`  host: ${name} after the command`, ms, 'ms');
  // Close it and drop the experiment, so the two-run comparison is in front for
  // the browser check and the Experiments view stays short.
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  await api('/api/2.0/mlflow/experiments/delete', { experiment_id: exp });
}, { timeoutMs: 150_000 });

// Tests of the comparison panel (mlops.compareRuns): runs created through the
// backend's REST API, compared through the command, and the panel's own report
// of what it drew (the command resolves with it once every chart is drawn).
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { measure, test } from './testApi';
import { extensionId } from './context';
import { api, createRun, experiment, finish, logCurves } from './trackingApi';

export interface ComparisonReport {
  runIds: string[];
  charts: { key: string; datasets: number; points: number }[];
  commandToDrawnMs: number;
  webview: { scriptStart: number; readyPosted: number; received: number; drawn: number };
  host: Record<string, number>;
}

/** The two runs of the first comparison (later tests compare them again). */
export let comparedRunIds: string[] = [];

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

  // A panel of its own, as before Compare reused one: the figure stays comparable.
  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds, newPanel: true });
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

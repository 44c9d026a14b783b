// Runs that share a name in the comparison panel: the "train" steps of four
// runs of one pipeline, compared, must read differently in the legend (and so in
// the chart's tooltip, the table, the scatter and the parallel coordinates).
// The panel is left open for the browser check of the tooltip (31-comparisonLabels).
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';
import { api, experiment, finish } from './trackingApi';
import { until } from './until';
import type { ComparisonSnapshot } from '../../../src/extension/panels/comparisonPanel';
import type { ComparisonReport } from './comparison.tests';

/** Steps each train run logged val_auc at: every step, every third, a run stopped at 40, every step. */
const STEPS = [range(0, 60, 1), range(0, 60, 3), range(0, 40, 1), range(0, 60, 1)];
/** Final val_auc of each: close enough that three significant digits read the same. */
const FINAL = [0.8241, 0.8243, 0.8245, 0.8247];
/** The pipeline runs' lr: the last two alike (a re-run), told apart by their order. */
const LR = ['0.1', '0.3', '0.3', '0.03'];

function range(from: number, to: number, by: number): number[] {
  return Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);
}

async function run(experimentId: string, name: string, startTime: number, params: Record<string, string>, tags: Record<string, string>): Promise<string> {
  const res = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', {
    experiment_id: experimentId,
    run_name: name,
    start_time: startTime,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  const runId = res.run.info.run_id;
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: runId, params: Object.entries(params).map(([key, value]) => ({ key, value })) });
  return runId;
}

test('Compare of same-named steps of four pipeline runs: each reads "train · churn (lr=…)", re-runs numbered', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  // Run alone (MLOPS_VSCODE_GREP), no earlier test has waited for the backend.
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  await until('the backend', async () => existsSync(join(folder, '.mlops', 'server.json')) || undefined, Boolean, 60_000);
  const exp = await experiment('pipeline-labels');
  const t0 = Date.now() - 60_000;
  const trains: string[] = [];
  for (let i = 0; i < LR.length; i++) {
    const parent = await run(exp, 'churn', t0 + i * 1000, { lr: LR[i], epochs: '5' }, { 'mlops.pipeline': 'churn' });
    const train = await run(exp, 'train', t0 + i * 1000 + 10, { lr: LR[i] }, { 'mlflow.parentRunId': parent, 'mlops.pipeline': 'churn', 'mlops.pipeline.step': 'train' });
    const last = STEPS[i].at(-1)!;
    await api('/api/2.0/mlflow/runs/log-batch', {
      run_id: train,
      metrics: STEPS[i].map((step) => ({ key: 'val_auc', value: step === last ? FINAL[i] : FINAL[i] - 0.3 * Math.exp(-step / 10), timestamp: t0 + step * 100, step })),
    });
    await Promise.all([finish(train), finish(parent)]);
    trains.push(train);
  }
  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds: trains, newPanel: true });
  assert.ok(report, 'the panel drew');
  const s = await until('the legend', () => vscode.commands.executeCommand<ComparisonSnapshot>('_mlops.comparison.state'), (x) => (x.lastDrawn?.legend?.length ?? 0) === LR.length);
  assert.deepEqual(s.lastDrawn!.legend, ['train · churn (lr=0.1)', 'train · churn (lr=0.3) #1', 'train · churn (lr=0.3) #2', 'train · churn (lr=0.03)']);
  // The panel keeps its runs; the experiment goes, so the Experiments view stays short for the browser checks.
  await api('/api/2.0/mlflow/experiments/delete', { experiment_id: exp });
}, { timeoutMs: 60_000 });

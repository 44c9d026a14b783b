// The comparison panel across Compares and reloads: a second Compare reuses the
// open panel, a running run's curves grow live, the panel comes back through its
// serializer (VS Code's "Reopen Closed Editor" revives a webview panel the way a
// window reload does: deserializeWebviewPanel with the webview's saved state),
// and a sweep is left open for the browser check of the parallel coordinates.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { measure, test } from './testApi';
import { api, createRun, experiment, finish, logCurves } from './trackingApi';
import { comparedRunIds, type ComparisonReport } from './comparison.tests';
import type { ComparisonSnapshot } from '../../../src/extension/panels/comparisonPanel';

const state = () => vscode.commands.executeCommand<ComparisonSnapshot>('_mlops.comparison.state');

/** Tabs of the comparison view type (a webview tab's viewType carries a prefix). */
function comparisonTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlops.comparison'));
}

async function until(ok: (s: ComparisonSnapshot) => boolean, what: string, timeoutMs = 20_000, pollMs = 25): Promise<ComparisonSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: ComparisonSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await state();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${what}; last state: ${JSON.stringify(last)}`);
}

/** Awaits `promise`, or fails naming the step that did not finish within `ms`. */
async function within<T>(step: string, promise: Thenable<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${step}: not done within ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([Promise.resolve(promise), late]);
  } finally {
    clearTimeout(timer);
  }
}

const points = (s: ComparisonSnapshot, key: string) => s.lastDrawn?.charts.find((c) => c.key === key)?.points ?? 0;

test('A second Compare replaces the runs in the open comparison panel (one panel, revealed)', async () => {
  assert.equal(comparisonTabs().length, 1, 'the first comparison is open');
  const exp = await experiment('comparison');
  const c = await createRun(exp, 'deeper', { lr: '0.05', layers: '4' });
  await logCurves([c], ['loss', 'accuracy'], 120, (_r, k, step) => (k === 0 ? 2 / (2 + step) : step / 200));
  await finish(c);
  const runIds = [comparedRunIds[0], c];
  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds });
  assert.ok(report, 'the reused panel reported its new charts');
  assert.deepEqual(report.runIds, runIds);
  assert.equal(comparisonTabs().length, 1, 'still one comparison panel');
  const s = await state();
  assert.equal(s.panels, 1);
  assert.deepEqual(s.runIds, runIds);
  assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Compare 2 runs');
  const loss = report.charts.find((ch) => ch.key === 'loss');
  assert.equal(loss?.datasets, 2);
  assert.equal(loss?.points, 300 + 120, 'every point of run a and of the new run c');
}, { timeoutMs: 60_000 });

test('A running run\'s curves grow in the open panel within a second of logging (live)', async () => {
  const exp = await experiment('comparison');
  const live = await createRun(exp, 'live', { lr: '0.2', layers: '3' });
  await logCurves([live], ['loss', 'accuracy'], 50, (_r, k, step) => (k === 0 ? 1 / (1 + step) : step / 100));
  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds: [live, comparedRunIds[0]] });
  assert.ok(report);
  const before = points(await until((s) => points(s, 'loss') > 0, 'the panel drew loss'), 'loss');
  const latencies: number[] = [];
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    const from = 50 + round * 25;
    const t0 = performance.now();
    await api('/api/2.0/mlflow/runs/log-batch', {
      run_id: live,
      metrics: Array.from({ length: 25 }, (_, i) => ({ key: 'loss', value: 1 / (1 + from + i), timestamp: Date.now(), step: from + i })),
    });
    const grown = await until((s) => points(s, 'loss') >= before + 25 * (round + 1), `the loss curve did not grow (round ${round})`, 10_000, 5);
    latencies.push(performance.now() - t0);
    assert.equal(grown.runIds[0], live);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(rounds / 2)];
  measure(`comparison live: log-batch -> running curve grown in the panel (median of ${rounds})`, median, 'ms', '< 1000 ms');
  measure(`comparison live:   worst of ${rounds}`, sorted[rounds - 1], 'ms');
  // The 1 s target is measured and printed above (a loaded CI machine can miss it
  // without anything being wrong). What is asserted is the behaviour: the panel
  // follows the event stream (it refreshes at most every 250 ms), which a panel
  // that only refreshed on its own timer or on reopening would fail by far.
  assert.ok(median < 3000, `curves grew by the event stream, median ${median.toFixed(0)} ms (${latencies.map((l) => l.toFixed(0)).join(', ')} ms)`);
  await finish(live);
}, { timeoutMs: 60_000 });

test('The comparison panel comes back through its serializer with the same runs', async () => {
  const before = await state();
  const tab = comparisonTabs()[0];
  assert.ok(tab);
  await vscode.window.tabGroups.close(tab);
  await until((s) => s.panels === 0, 'the panel closed');
  // What a window reload does: a panel of the view type handed to the registered
  // serializer with the state the webview saved (its runs and options).
  // ("Reopen Closed Editor" does not revive webviews in this VS Code.)
  const t0 = performance.now();
  await vscode.commands.executeCommand('_mlops.comparison.revive', { runIds: before.runIds });
  const restored = await until((s) => s.panels === 1 && s.drawCount > 0 && (s.lastDrawn?.charts.length ?? 0) > 0, 'the restored panel drew its charts', 30_000);
  measure('comparison: revived through the serializer -> charts drawn', performance.now() - t0, 'ms');
  assert.deepEqual(restored.runIds, before.runIds);
  assert.deepEqual(restored.lastDrawn!.charts.map((c) => [c.key, c.datasets, c.points]), before.lastDrawn!.charts.map((c) => [c.key, c.datasets, c.points]));
  assert.equal(restored.title, before.title);
  assert.equal(comparisonTabs().length, 1);
  // A state that is not a comparison's closes the panel rather than showing nothing.
  await vscode.commands.executeCommand('_mlops.comparison.revive', { runIds: [] });
  assert.equal(comparisonTabs().length, 1);
}, { timeoutMs: 60_000 });

test('Zoomed on wall or relative time, the panel re-fetches the zoomed steps in full detail', async () => {
  const exp = await experiment('comparison');
  const created = Date.now();
  const long = await createRun(exp, 'long', { lr: '0.3', layers: '2' });
  const T = Date.now();
  for (let from = 0; from < 5000; from += 1000) {
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.exp(-(from + i) / 1500) + 0.02 * Math.sin(from + i), timestamp: T + (from + i) * 10, step: from + i }));
    await within(`logging steps ${from}..${from + 999}`, api('/api/2.0/mlflow/runs/log-batch', { run_id: long, metrics }));
  }
  await within('finishing the run', finish(long));
  // Generous: a loaded CI machine has taken 20 s here; a hang still fails.
  const compared = await within('Compare Runs for the long run', vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds: [long] }), 70_000);
  assert.ok(compared, `Compare Runs for the long run drew nothing within a minute (the MLOps log says why); panel: ${JSON.stringify(await state())}`);
  const drawnAfter = async (set: () => Thenable<unknown>, what: string, ok: (s: ComparisonSnapshot) => boolean) => {
    const last = (await state()).lastDrawn?.requestId ?? 0;
    assert.equal(await set(), true, 'the panel took the view');
    return until((s) => (s.lastDrawn?.requestId ?? -1) > last && ok(s), what, 15_000);
  };
  const whole = await drawnAfter(() => vscode.commands.executeCommand('_mlops.comparison.setView', 'wall', null), 'the wall-time series drew', (s) => points(s, 'loss') > 0);
  const overview = points(whole, 'loss');
  assert.ok(overview <= 600, `the whole series is downsampled (${overview} points)`);
  // Steps 1000..1200 hold about 200 / 5000 of the overview's points; zoomed, every one of them.
  const wall = await drawnAfter(() => vscode.commands.executeCommand('_mlops.comparison.setView', 'wall', { min: T + 10_000, max: T + 12_000 }), 'the wall-time zoom re-fetched', () => true);
  // The window's steps, plus the steps to the overview's neighbouring points (at most a 64-step bucket each side).
  assert.ok(points(wall, 'loss') >= 201 && points(wall, 'loss') <= 201 + 2 * 64, `wall-time zoom: every step in the window (${points(wall, 'loss')} points, ${overview} before)`);
  const relative = await drawnAfter(() => vscode.commands.executeCommand('_mlops.comparison.setView', 'relative', null), 'the relative-time series drew', (s) => points(s, 'loss') === overview);
  void relative;
  const zoomed = await drawnAfter(() => vscode.commands.executeCommand('_mlops.comparison.setView', 'relative', { min: T - created + 20_000, max: T - created + 22_000 }), 'the relative-time zoom re-fetched', () => true);
  assert.ok(points(zoomed, 'loss') >= 195 && points(zoomed, 'loss') <= 201 + 2 * 64 + 2, `relative-time zoom: every step in the window (${points(zoomed, 'loss')} points)`);
  await drawnAfter(() => vscode.commands.executeCommand('_mlops.comparison.setView', 'step', null), 'back to steps', (s) => points(s, 'loss') > 0);
}, { timeoutMs: 120_000 });

/** The runs the browser check finds in the panel (parallel coordinates of a sweep). */
export const SWEEP_RUNS = 40;
export const SWEEP_WITHOUT_METRIC = 2;

test('A sweep compared: parallel coordinates with an axis per varying param, runs without the metric left out', async () => {
  const exp = await experiment('sweep');
  const optimizers = ['adam', 'sgd', 'adamw', 'rmsprop'];
  const runIds: string[] = [];
  for (let i = 0; i < SWEEP_RUNS; i += 10) {
    runIds.push(
      ...(await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const n = i + j;
          return createRun(exp, `sweep-${String(n).padStart(2, '0')}`, {
            lr: String(Number((1e-4 * Math.pow(10, (n % 7) / 2)).toPrecision(2))),
            batch_size: String([16, 32, 64, 128][n % 4]),
            optimizer: optimizers[(n * 3) % 4],
            dropout: String(((n * 7) % 6) / 10),
            epochs: '20',
          });
        }),
      )),
    );
  }
  const measured = runIds.slice(0, SWEEP_RUNS - SWEEP_WITHOUT_METRIC);
  await logCurves(measured, ['val_accuracy', 'loss'], 40, (r, k, step) => {
    const quality = 0.6 + 0.3 * Math.sin(r * 1.7) * Math.sin(r * 0.37) + 0.05 * ((r * 3) % 4 === 0 ? 1 : 0);
    return k === 0 ? quality * (1 - Math.exp(-step / 8)) : (1 - quality) + Math.exp(-step / 10);
  });
  // The last two never logged val_accuracy: they must be left out, with a note.
  await logCurves(runIds.slice(SWEEP_RUNS - SWEEP_WITHOUT_METRIC), ['loss'], 40, (_r, _k, step) => Math.exp(-step / 10) + 0.5);
  await Promise.all(runIds.map(finish));
  const report = await vscode.commands.executeCommand<ComparisonReport | undefined>('mlops.compareRuns', { runIds });
  assert.ok(report);
  // They draw when the panel is idle, after the charts.
  const s = await until((x) => x.lastDrawn?.parallel?.lines === SWEEP_RUNS, 'the parallel coordinates drew the sweep');
  const parallel = s.lastDrawn!.parallel!;
  // The default metric is the first user metric; loss is logged by every run.
  assert.equal(parallel.metric, 'loss');
  assert.deepEqual(parallel.axes, ['batch_size', 'dropout', 'lr', 'optimizer', 'loss'], 'epochs is the same in every run: no axis');
  assert.equal(parallel.lines, SWEEP_RUNS);
  assert.equal(comparisonTabs().length, 1);
  // The panel keeps its runs; the experiment goes, so the Experiments view stays short for the browser checks.
  await api('/api/2.0/mlflow/experiments/delete', { experiment_id: exp });
}, { timeoutMs: 90_000 });

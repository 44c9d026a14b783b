// The comparison panel's pure pieces (no DOM): the step ranges a zoom on a time
// axis asks for, and the axes of the parallel coordinates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepRangesForTime } from '../webview/shared/timeZoom';
import { axesBottom, buildModel, position, ticks, valueAt, MISSING_POS } from '../webview/comparison/parallelAxes';
import type { ComparisonRun } from '../src/protocol/comparisonMessages';

function series(steps: number[], t0: number, msPerStep: number) {
  const s = Float64Array.from(steps);
  return { x: s.map((st) => t0 + st * msPerStep), y: s.map(() => 1), steps: s };
}

test('a zoom on wall or relative time maps to each run\'s own steps, bracketing the window', () => {
  const steps = Array.from({ length: 101 }, (_, i) => i * 10); // downsampled: every 10th step
  const overview = new Map([['loss', new Map([['a', series(steps, 1000, 1)], ['b', series(steps, 5000, 2)]])]]);
  const runs = [{ runId: 'a', startTime: 1000 }, { runId: 'b', startTime: 5000 }, { runId: 'c', startTime: 0 }];
  // Wall time 1200..1400: run a's steps 200..400 (plus a neighbour each side); run b started later, so the window is before it.
  const wall = stepRangesForTime(overview, runs, { min: 1205, max: 1395 }, false);
  assert.deepEqual(wall.a, { startStep: 200, endStep: 400 });
  assert.deepEqual(wall.b, { startStep: 0, endStep: 0 });
  assert.equal(wall.c, undefined, 'a run without points asks for nothing');
  // Relative time 100..200 ms: run a at 1 ms/step is steps 100..200, run b at 2 ms/step steps 50..100; each with its neighbours.
  const relative = stepRangesForTime(overview, runs, { min: 100, max: 200 }, true);
  assert.deepEqual(relative.a, { startStep: 90, endStep: 210 });
  assert.deepEqual(relative.b, { startStep: 40, endStep: 110 });
});

function run(id: string, params: Record<string, string>, metrics: Record<string, number | string>): ComparisonRun {
  return { runId: id, runName: id, status: 'FINISHED', startTime: 0, params, metrics };
}

test('parallel coordinates: an axis per varying param (numeric, log or categories), the metric last, runs without it left out', () => {
  const runs = [
    run('r1', { lr: '0.1', opt: 'adam', seed: '1', layers: '2' }, { acc: 0.9 }),
    run('r2', { lr: '0.001', opt: 'sgd', seed: '1', layers: '4' }, { acc: 0.7 }),
    run('r3', { lr: '0.01', opt: 'adam', seed: '1' }, { acc: 0.8 }),
    run('r4', { lr: '0.05', opt: 'sgd', seed: '1', layers: '3' }, { acc: 'NaN' }),
  ];
  const model = buildModel(runs, 'acc');
  assert.deepEqual(model.axes.map((a) => [a.name, a.kind]), [['layers', 'linear'], ['lr', 'log'], ['opt', 'category'], ['acc', 'linear']]);
  assert.deepEqual(model.constant, ['seed']);
  assert.deepEqual(model.leftOut.map((r) => r.runId), ['r4']);
  assert.equal(model.lines.length, 3);
  const [layers, lr, opt, acc] = model.axes;
  assert.equal(layers.hasMissing, true);
  assert.equal(model.lines[2].pos[0], MISSING_POS, 'r3 has no layers');
  assert.deepEqual([position(lr, '0.001'), position(lr, '0.1'), position(lr, '0.01')], [0, 1, 0.5]);
  assert.deepEqual(opt.categories, ['adam', 'sgd']);
  assert.deepEqual([position(opt, 'adam'), position(opt, 'sgd')], [0.25, 0.75]);
  assert.equal(position(acc, 0.9), 1);
  assert.deepEqual(ticks(lr).map((t) => t.label), ['0.001', '0.01', '0.1']);
  assert.ok(ticks(layers).some((t) => t.label === 'none'));
  // The "none" slot, drawn MISSING_POS below the axes' bottom, stays inside a 340 px chart with room for its label.
  const pad = { top: 44, bottom: 30 };
  const bottom = axesBottom(340, pad, true);
  const noneY = bottom - MISSING_POS * (bottom - pad.top);
  assert.ok(noneY <= 340 - 10, `the none slot at y=${noneY} of 340`);
  assert.equal(axesBottom(340, pad, false), 310, 'without missing values the axes keep their length');
});

test('parallel coordinates: ticks of close values read differently, and so do the brush labels', () => {
  const runs = [run('a', { lr: '0.10' }, { acc: 0.8241 }), run('b', { lr: '0.11' }, { acc: 0.8243 }), run('c', { lr: '0.12' }, { acc: 0.8247 })];
  const model = buildModel(runs, 'acc');
  for (const axis of model.axes) {
    const labels = ticks(axis).map((t) => t.label);
    assert.ok(labels.length >= 2, `${axis.name}: ${labels}`);
    assert.equal(new Set(labels).size, labels.length, `${axis.name} has ticks that read the same: ${labels.join(' ')}`);
  }
  const acc = model.axes.at(-1)!;
  assert.deepEqual(ticks(acc).map((t) => t.label), ['0.8241', '0.8242', '0.8243', '0.8244', '0.8245', '0.8246', '0.8247']);
  assert.notEqual(valueAt(acc, 0.1), valueAt(acc, 0.3), 'brush ends a fifth of the axis apart');
});

test('runs that share a name read differently: the parent pipeline run, else the param that differs', async () => {
  const { runNames } = await import('../webview/comparison/runNames');
  const parentTag = (id: string) => ({ 'mlflow.parentRunId': id, 'mlops.pipeline': 'churn' });
  const trains = [
    { ...run('t1', { lr: '0.1' }, { auc: 0.8 }), runName: 'train', tags: parentTag('p1') },
    { ...run('t2', { lr: '0.3' }, { auc: 0.9 }), runName: 'train', tags: parentTag('p2') },
  ];
  const parents = [
    { runId: 'p1', runName: 'churn', startTime: 1, params: { lr: '0.1' }, tags: { 'mlops.pipeline': 'churn' } },
    { runId: 'p2', runName: 'churn', startTime: 2, params: { lr: '0.3' }, tags: { 'mlops.pipeline': 'churn' } },
  ];
  assert.deepEqual([...runNames(trains, parents).values()], ['train · churn (lr=0.1)', 'train · churn (lr=0.3)']);
  // Without the parents loaded, the pipeline's name and the steps' own params.
  assert.deepEqual([...runNames(trains, []).values()], ['train (lr=0.1) · churn', 'train (lr=0.3) · churn']);
  // Names alone when they are unique.
  assert.deepEqual([...runNames([run('a', {}, {}), run('b', {}, {})], []).values()], ['a', 'b']);
});

// The metric chart's tooltip lists every run at the hovered step
// (webview/shared/pointsAtX): runs log at different steps, so each run's
// nearest point counts, for every run whose curve spans the pointer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoveredX, pointsAtX } from '../webview/shared/pointsAtX';

const curve = (steps: number[], value: (s: number) => number) => steps.map((x) => ({ x, y: value(x) }));

test('every run whose curve spans the hovered step is listed, at its own nearest step', () => {
  const everyStep = curve(Array.from({ length: 101 }, (_, i) => i), (s) => 1 / (1 + s));
  const everyTenth = curve(Array.from({ length: 11 }, (_, i) => i * 10), (s) => 2 / (1 + s));
  const shortRun = curve(Array.from({ length: 31 }, (_, i) => i), () => 0.5);
  const picked = pointsAtX([everyStep, everyTenth, shortRun, null], 43.4, 1);
  assert.deepEqual(picked.map((p) => [p.series, p.x]), [[0, 43], [1, 40]], 'the run that stopped at step 30 and the hidden run are not listed');
  assert.equal(hoveredX(picked, 43.4), 43);
  // At step 30 the short run is listed too.
  assert.deepEqual(pointsAtX([everyStep, everyTenth, shortRun], 30, 1).map((p) => [p.series, p.x]), [[0, 30], [1, 30], [2, 30]]);
  // Just past a curve's end still lists it.
  assert.deepEqual(pointsAtX([shortRun], 30.5, 1).map((p) => p.x), [30]);
});

test('gaps (NaN) are skipped: a run lists its nearest finite point', () => {
  const withGap = [{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 3 }];
  const picked = pointsAtX([withGap], 1.2, 0.5);
  assert.deepEqual(picked.map((p) => [p.x, p.y]), [[2, 3]]);
  assert.deepEqual(pointsAtX([[{ x: 0, y: NaN }]], 0, 1), []);
});

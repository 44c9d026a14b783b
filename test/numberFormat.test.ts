// Tick labels of chart axes (webview/shared/numberFormat): as many digits as the
// spacing of the ticks needs, so that neighbouring ticks never read the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, stepExponent, tickStep } from '../webview/shared/numberFormat';

const labels = (from: number, step: number, n: number) => Array.from({ length: n }, (_, i) => formatTick(Number((from + i * step).toPrecision(12)), step));

test('ticks a small step apart keep the digits that tell them apart', () => {
  // Validation accuracies of a sweep: 0.8241..0.8247 (formatCompact read 0.824 on every tick).
  assert.deepEqual(labels(0.8242, 0.0002, 3), ['0.8242', '0.8244', '0.8246']);
  assert.deepEqual(labels(0.8241, 0.0001, 7), ['0.8241', '0.8242', '0.8243', '0.8244', '0.8245', '0.8246', '0.8247']);
  assert.deepEqual(labels(12.3456, 0.00001, 3), ['12.34560', '12.34561', '12.34562']);
  for (const [from, step] of [[0.8242, 0.0002], [1.000001, 0.000001], [99.95, 0.01], [-0.5, 0.25]]) {
    const l = labels(from, step, 5);
    assert.equal(new Set(l).size, l.length, `${l.join(' ')}`);
  }
});

test('round steps give short labels; 0 reads 0', () => {
  assert.deepEqual(labels(0, 0.5, 4), ['0', '0.5', '1.0', '1.5']);
  assert.deepEqual(labels(0, 0.25, 3), ['0', '0.25', '0.50']);
  assert.deepEqual(labels(0, 20, 3), ['0', '20', '40']);
  // A tick that should be 0 but is the remainder of a sum of steps.
  assert.equal(formatTick(0.1 + 0.2 - 0.3, 0.1), '0');
});

test('exponents for large values and for tiny values on a tiny step', () => {
  assert.deepEqual(labels(100_000, 100_000, 3), ['1e5', '2e5', '3e5']);
  assert.deepEqual(labels(123_456, 1, 2), ['1.23456e5', '1.23457e5']);
  assert.deepEqual(labels(1e-6, 5e-7, 3), ['1.0e-6', '1.5e-6', '2.0e-6']);
  // Small values on a step that fixed digits show well stay fixed.
  assert.deepEqual(labels(0.0005, 0.0005, 2), ['0.0005', '0.0010']);
});

test('the step of an axis and the power of its last digit', () => {
  assert.equal(stepExponent(0.0002), -4);
  assert.equal(stepExponent(0.25), -2);
  assert.equal(stepExponent(200_000), 5);
  assert.equal(stepExponent(1 / 3), -3);
  // The first tick may be cut to the data: the middle pair gives the step.
  assert.equal(tickStep([0.82413, 0.8242, 0.8244, 0.8246]), Math.abs(0.8244 - 0.8242));
  assert.ok(Number.isNaN(tickStep([1])));
  // Read off ticks, the step has float noise (0.0000999…): still four decimals, as chart.js's ticks of 0.0001.
  assert.deepEqual([0.8245, 0.8246, 0.8247].map((v, _i, all) => formatTick(v, tickStep(all))), ['0.8245', '0.8246', '0.8247']);
  assert.equal(formatTick(0.8243, NaN), '0.824', 'without a step, three significant digits');
});

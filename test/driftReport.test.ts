import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareReference } from '../src/core/monitoring/preparedReference';
import { driftReport } from '../src/core/monitoring/driftReport';
import type { FeatureSpec } from '../src/core/monitoring/driftTypes';

// Evidently's default choice of test and threshold per feature, overrides, and the
// dataset verdict, as a user reading `mlops monitor report` would check them.

function seq<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
const wave = (i: number) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453);

function dataset(rows: number, shift: number) {
  return {
    income: seq(rows, (i) => 100 * wave(i) + shift * 100),
    rooms: seq(rows, (i) => (i % 3) + (shift > 0 && i % 2 === 0 ? 1 : 0)),
    flag: seq(rows, (i) => (i % 4 === 0 ? 1 : 0)),
    plan: seq(rows, (i) => ['basic', 'pro', 'team'][i % 3]),
    churned: seq(rows, (i) => (i % 5 === 0 ? 'yes' : 'no')),
  };
}
const specs: FeatureSpec[] = [
  { name: 'income', type: 'numerical' },
  { name: 'rooms', type: 'numerical' },
  { name: 'flag', type: 'numerical' },
  { name: 'plan', type: 'categorical' },
  { name: 'churned', type: 'categorical' },
];

test('a reference of at most 1000 rows gets hypothesis tests: KS, chi-squared for few values, Z for two; p < 0.05', () => {
  const report = driftReport(prepareReference(dataset(1000, 0), specs), dataset(400, 0));
  const byName = Object.fromEntries(report.features.map((f) => [f.feature, f]));
  assert.equal(byName.income.test, 'ks');
  assert.equal(byName.rooms.test, 'chisquare');
  assert.equal(byName.flag.test, 'z');
  assert.equal(byName.plan.test, 'chisquare');
  assert.equal(byName.churned.test, 'z');
  for (const f of report.features) {
    assert.equal(f.scoreKind, 'p_value');
    assert.equal(f.threshold, 0.05);
    assert.equal(f.drifted, f.score < 0.05 || (f.test === 'ks' && f.score <= 0.05));
  }
});

test('a reference above 1000 rows gets distances: normed Wasserstein, Jensen-Shannon for categories and few values; threshold 0.1', () => {
  const report = driftReport(prepareReference(dataset(1001, 0), specs), dataset(400, 1));
  const byName = Object.fromEntries(report.features.map((f) => [f.feature, f]));
  assert.equal(byName.income.test, 'wasserstein');
  for (const name of ['rooms', 'flag', 'plan', 'churned']) assert.equal(byName[name].test, 'jensenshannon');
  for (const f of report.features) {
    assert.equal(f.scoreKind, 'statistic');
    assert.equal(f.threshold, 0.1);
    assert.equal(f.drifted, f.score >= 0.1);
  }
  assert.equal(byName.income.drifted, true, 'a shift of one reference std is drift');
  assert.equal(byName.plan.drifted, false, 'the same plan mix is not');
});

test('a per-feature override picks the test and its own default threshold, or the one given', () => {
  const custom: FeatureSpec[] = [
    { name: 'income', type: 'numerical', stattest: 'psi' },
    { name: 'plan', type: 'categorical', stattest: 'kl_div', threshold: 0.5 },
    { name: 'churned', type: 'categorical', stattest: 'jensenshannon' },
    { name: 'rooms', type: 'numerical', stattest: 'ks', threshold: 0.01 },
  ];
  const report = driftReport(prepareReference(dataset(300, 0), custom), dataset(300, 0));
  assert.deepEqual(report.features.map((f) => [f.test, f.threshold]), [['psi', 0.1], ['kl_div', 0.5], ['jensenshannon', 0.1], ['ks', 0.01]]);
  assert.throws(() => driftReport(prepareReference(dataset(300, 0), [{ name: 'plan', type: 'categorical', stattest: 'ks' }]), dataset(10, 0)), /does not apply to categorical feature 'plan'/);
});

test('the data set drifts when the share of drifted features reaches drift_share (0.5 by default)', () => {
  const reference = prepareReference(dataset(2000, 0), specs);
  const current = { ...dataset(500, 0), income: dataset(500, 3).income, plan: seq(500, () => 'team'), churned: seq(500, () => 'yes') };
  const report = driftReport(reference, current);
  assert.equal(report.featureCount, 5);
  assert.equal(report.driftedCount, 3);
  assert.equal(report.driftedShare, 0.6);
  assert.equal(report.datasetDrift, true);
  assert.equal(driftReport(reference, current, { driftShare: 0.7 }).datasetDrift, false);
  assert.equal(driftReport(reference, dataset(500, 0)).datasetDrift, false);
});

test('missing values are dropped (Evidently drops NaN and infinities); a feature with none left in the window is reported, not tested', () => {
  const reference = prepareReference({ x: [...seq(200, wave), NaN, Infinity], c: [...seq(200, (i) => ['a', 'b', 'c'][i % 3]), null] }, [
    { name: 'x', type: 'numerical' },
    { name: 'c', type: 'categorical' },
  ]);
  const report = driftReport(reference, { x: [NaN, null as unknown as number, -Infinity], c: ['a', null, 'b', undefined, 'c'] });
  const [x, c] = report.features;
  assert.equal(x.referenceCount, 200);
  assert.equal(x.currentCount, 0);
  assert.match(x.error ?? '', /no non-missing values of 'x'/);
  assert.equal(x.drifted, false);
  assert.equal(c.referenceCount, 200);
  assert.equal(c.currentCount, 3);
  assert.equal(report.featureCount, 1);
  assert.throws(() => prepareReference({ x: [NaN] }, [{ name: 'x', type: 'numerical' }]), /no finite values/);
});

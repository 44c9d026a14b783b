import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli } from './helpers/testServer';

// `mlops monitor report`: the drift engine from the command line, as a CI job uses it.

/** A seeded generator, so the data (and the verdicts) are the same every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());

function csv(rows: number, seed: number, shift: { age?: number; plan?: boolean }): string {
  const r = random(seed);
  const lines = ['age,income,plan'];
  for (let i = 0; i < rows; i++) {
    const age = 40 + 10 * normal(r) + (shift.age ?? 0);
    const income = 50000 + 8000 * normal(r);
    const plan = shift.plan ? (r() < 0.8 ? 'pro' : 'basic') : r() < 0.3 ? 'pro' : 'basic';
    lines.push(`${age.toFixed(2)},${income.toFixed(0)},${plan}`);
  }
  return lines.join('\n') + '\n';
}

test('monitor report: per-feature tests and the data set verdict, as a table, JSON and HTML; --fail-on-drift exits 4', async () => {
  const dir = makeWorkspace('mlops-monitor-');
  writeFileSync(join(dir, 'ref.csv'), csv(800, 1, {}));
  writeFileSync(join(dir, 'same.csv'), csv(500, 2, {}));
  writeFileSync(join(dir, 'shifted.csv'), csv(500, 3, { age: 8, plan: true }));
  const cli = (...args: string[]) => runCli(['monitor', 'report', '--reference', 'ref.csv', ...args], { cwd: dir, env: { MLOPS_WORKSPACE: dir } });

  const calm = await cli('--current', 'same.csv', '--fail-on-drift');
  assert.equal(calm.code, 0, calm.stderr);
  assert.match(calm.stdout, /^age\s+numerical\s+ks\s+p = [\d.e-]+\s+p < 0\.05\s+no$/m, 'a small reference: KS for numbers');
  assert.match(calm.stdout, /^plan\s+categorical\s+z\s+p = /m, 'a two-valued category: the Z-test');
  assert.match(calm.stdout, /0 of 3 features drifted .*no data set drift/);

  const drifted = await cli('--current', 'shifted.csv', '--fail-on-drift', '--html', 'report.html');
  assert.equal(drifted.code, 4, drifted.stdout + drifted.stderr);
  assert.match(drifted.stdout, /^age\s+numerical\s+ks\s+p = [\d.e-]+\s+p < 0\.05\s+DRIFT$/m);
  assert.match(drifted.stdout, /^income\s+numerical\s+ks\s+.*\s+no$/m);
  assert.match(drifted.stdout, /2 of 3 features drifted \(66\.7%; threshold 50%\): DATA SET DRIFT/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<svg[^>]*aria-label="age: reference and current"/);
  assert.match(html, /data set drift/);
  assert.doesNotMatch(html, /<script/i, 'no scripts in the report');

  const json = await cli('--current', 'shifted.csv', '--json', '--stattest', 'income=psi', '--threshold', 'age=0.001');
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.datasetDrift, true);
  const income = report.features.find((f: { feature: string }) => f.feature === 'income');
  assert.deepEqual([income.test, income.scoreKind, income.threshold], ['psi', 'statistic', 0.1]);
  assert.equal(report.features.find((f: { feature: string }) => f.feature === 'age').threshold, 0.001);

  const only = await cli('--current', 'shifted.csv', '--features', 'income,plan:categorical');
  assert.match(only.stdout, /1 of 2 features drifted/);

  const missing = await cli('--current', 'shifted.csv', '--features', 'tenure');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /the reference has no column 'tenure' \(its columns: age, income, plan\)/);
  const badTest = await cli('--current', 'same.csv', '--stattest', 'age=t-test');
  assert.equal(badTest.code, 2);
  assert.match(badTest.stderr, /unknown test 't-test'/);
  const noFile = await cli('--current', 'nope.csv');
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /cannot read the current file nope\.csv/);
});

test('monitor report: a reference column the current data lacks (a target, against recorded requests) is named, with the flags that choose the columns', async () => {
  const dir = makeWorkspace('mlops-monitor-target-');
  // The reference has the label; the requests (as a deployment records them) have a prediction instead.
  const reference = csv(300, 5, {}).trimEnd().split('\n').map((line, i) => `${line},${i === 0 ? 'churn' : i % 2}`).join('\n') + '\n';
  writeFileSync(join(dir, 'training.csv'), reference);
  const requests = csv(200, 6, {}).trimEnd().split('\n').slice(1).map((line) => {
    const [age, income, plan] = line.split(',');
    return JSON.stringify({ age: Number(age), income: Number(income), plan, prediction: 0 });
  });
  writeFileSync(join(dir, 'requests.jsonl'), requests.join('\n') + '\n');
  const cli = (...args: string[]) => runCli(['monitor', 'report', '--reference', 'training.csv', '--current', 'requests.jsonl', ...args], { cwd: dir, env: { MLOPS_WORKSPACE: dir } });

  const all = await cli();
  assert.equal(all.code, 2);
  assert.match(all.stderr, /the reference's column 'churn' is not in the current data \(its columns: age, income, plan, prediction\)/);
  assert.match(all.stderr, /--model models:\/NAME@ALIAS \(compare the model's features only\)/);
  const suggested = /--features (\S+) \(the columns both files have\)/.exec(all.stderr)?.[1];
  assert.equal(suggested, 'age,income,plan:categorical');

  // The suggested flag works as given.
  const chosen = await cli('--features', suggested!);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /of 3 features drifted/);

  // A feature asked for by name and missing is that, not a column to leave out.
  const asked = await cli('--features', 'age,tenure');
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /the reference has no column 'tenure'/);
  writeFileSync(join(dir, 'less.jsonl'), requests.map((r) => JSON.stringify({ ...JSON.parse(r), income: undefined })).join('\n') + '\n');
  const lost = await runCli(['monitor', 'report', '--reference', 'training.csv', '--current', 'less.jsonl', '--features', 'age,income'], { cwd: dir, env: { MLOPS_WORKSPACE: dir } });
  assert.equal(lost.code, 2);
  assert.match(lost.stderr, /the current data has no column 'income', given with --features \(its columns: age, plan, prediction\)/);
});

test('monitor report: a numerical column with few values is marked as tested as a category, unless its test was chosen', async () => {
  const dir = makeWorkspace('mlops-monitor-few-');
  const r = random(9);
  const rows = (n: number) => ['age,support_calls', ...Array.from({ length: n }, () => `${(40 + 10 * normal(r)).toFixed(2)},${Math.floor(r() * 4)}`)].join('\n') + '\n';
  writeFileSync(join(dir, 'ref.csv'), rows(800));
  writeFileSync(join(dir, 'cur.csv'), rows(400));
  const cli = (...args: string[]) => runCli(['monitor', 'report', '--reference', 'ref.csv', '--current', 'cur.csv', ...args], { cwd: dir, env: { MLOPS_WORKSPACE: dir } });
  const report = await cli();
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^age\s+numerical\s+ks\s/m);
  assert.match(report.stdout, /^support_calls\s+numerical\*\s+chisquare\s/m, 'four values: chi-square, and the type says why');
  assert.match(report.stdout, /^\* 5 or fewer distinct values in the reference: tested as categorical, as Evidently does\.$/m);
  const chosen = await cli('--stattest', 'support_calls=jensenshannon');
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /^support_calls\s+numerical\s+jensenshannon\s/m);
  assert.doesNotMatch(chosen.stdout, /^\* 5 or fewer/m);
});

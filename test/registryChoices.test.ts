import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasProblem, compareMetric, metricChoices, metricDirection, modelNameProblem } from '../src/extension/models/registryChoices';
import { validateAlias } from '../src/core/registry/registryRules';
import { modelPathOf } from '../webview/runDetail/artifacts';

// What the Models view decides before asking the backend: alias and name rules
// (checked while typing), which way a metric improves, and the promotion verdict.

test('alias names: the editor accepts exactly what the server accepts', () => {
  for (const alias of ['champion', 'challenger-2', 'prod_eu', 'v', 'version2', 'V1a', 'x'.repeat(255), '', 'with space', 'a.b', 'a/b', 'latest', 'LATEST', 'v3', 'V12', 'x'.repeat(256), 'é']) {
    let serverOk = true;
    try {
      validateAlias(alias);
    } catch {
      serverOk = false;
    }
    assert.equal(aliasProblem(alias) === undefined, serverOk, `alias ${JSON.stringify(alias.slice(0, 20))}`);
  }
  assert.match(aliasProblem('latest')!, /reserved/);
  assert.match(aliasProblem('v2')!, /reserved/);
  assert.match(aliasProblem('my alias')!, /letters, digits, _ and -/);
});

test('model names: slashes and @ are refused with the reason', () => {
  assert.equal(modelNameProblem('churn'), undefined);
  assert.match(modelNameProblem('a/b')!, /models:\//);
  assert.match(modelNameProblem('a@b')!, /@/);
  assert.ok(modelNameProblem('  '));
});

test('metric direction: loss/error/mae/rmse are lower-is-better, accuracy-like higher, the rest unknown', () => {
  for (const m of ['loss', 'val_loss', 'eval/error', 'mae', 'rmse', 'test_mse']) assert.equal(metricDirection(m), 'lower', m);
  for (const m of ['accuracy', 'val_acc', 'auc', 'f1', 'r2']) assert.equal(metricDirection(m), 'higher', m);
  for (const m of ['lr', 'epochs', 'temperature']) assert.equal(metricDirection(m), undefined, m);
});

test('the promotion verdict says which version is better, both ways, and when it cannot tell', () => {
  const better = compareMetric('accuracy', 'higher', { label: 'v3', value: 0.91 }, { label: 'v2 (champion)', value: 0.88 });
  assert.equal(better.outcome, 'better');
  assert.match(better.text, /v3 0\.91, v2 \(champion\) 0\.88\. v3 is better\./);
  assert.equal(compareMetric('loss', 'lower', { label: 'v3', value: 0.5 }, { label: 'v2', value: 0.4 }).outcome, 'worse');
  assert.equal(compareMetric('loss', 'lower', { label: 'v3', value: 0.4 }, { label: 'v2', value: 0.4 }).outcome, 'equal');
  const missing = compareMetric('loss', 'lower', { label: 'v3', value: 0.4 }, { label: 'v2', value: undefined });
  assert.equal(missing.outcome, 'unknown');
  assert.match(missing.text, /not logged/);
  assert.equal(compareMetric('loss', 'lower', { label: 'v3', value: 'NaN' }, { label: 'v2', value: 1 }).outcome, 'unknown');
});

test('metric choices: metrics both runs logged first, system metrics last', () => {
  const choices = metricChoices({ 'system/cpu': 1, loss: 1, acc: 1, only_new: 2 }, { loss: 2, acc: 2, only_old: 3 });
  assert.deepEqual(choices.map((c) => c.key), ['acc', 'loss', 'only_new', 'only_old', 'system/cpu']);
  assert.deepEqual(choices.filter((c) => c.shared).map((c) => c.key), ['acc', 'loss']);
  assert.deepEqual(metricChoices({ b: 1, a: 1 }, undefined).map((c) => c.key), ['a', 'b']);
});

test('the run detail panel offers "Register Model…" for .onnx files and MLmodel folders only', () => {
  assert.equal(modelPathOf('model.onnx'), 'model.onnx');
  assert.equal(modelPathOf('models/net.ONNX'), 'models/net.ONNX');
  assert.equal(modelPathOf('model/MLmodel'), 'model');
  assert.equal(modelPathOf('MLmodel'), undefined);
  assert.equal(modelPathOf('metrics.csv'), undefined);
});

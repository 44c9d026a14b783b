import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeWorkspace, runCli } from './helpers/testServer';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';
import { mlmodelForOnnx } from '../src/core/registry/mlmodel';
import { classifierModel, corruptOnnx, linearModel } from './helpers/onnxModels';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const LINEAR_SIGNATURE = {
  inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 4] }],
  outputs: [{ name: 'probabilities', elementType: 'float32', shape: ['N', 1] }],
};

test('mlops models: register a file, a folder and a runs:/ artifact; list; show; alias set, move and delete', async () => {
  const ws = makeWorkspace('mlops-models-cli-');
  const file = join(ws, 'model.onnx');
  const cliModel = linearModel();
  writeFileSync(file, cliModel);
  const mlops = (...args: string[]) => runCli([...args, '--workspace', ws], { cwd: ws });

  const r1 = await mlops('models', 'register', 'model.onnx', '--name', 'churn', '--alias', 'champion', '--features', 'age, income,plan:categorical,tenure');
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /Registered churn version 1 \(models:\/churn\/1, aliases champion\)/);
  assert.match(r1.stdout, new RegExp(`format onnx \\(servable\\), model\\.onnx .*sha256 ${sha(cliModel)}`));
  assert.match(r1.stdout, /inputs float_input float32 \[N, 4\]; outputs probabilities float32 \[N, 1\]/);
  assert.match(r1.stdout, /features age, income, plan:categorical, tenure/);
  writeFileSync(file, 'edited afterwards');

  const dir = join(ws, 'mlmodel');
  mkdirSync(dir);
  writeFileSync(join(dir, 'MLmodel'), mlmodelForOnnx('model.onnx', LINEAR_SIGNATURE));
  writeFileSync(join(dir, 'model.onnx'), linearModel());
  const r2 = await mlops('models', 'register', dir, '--name', 'churn', '--json');
  assert.equal(r2.code, 0, r2.stderr);
  const v2 = JSON.parse(r2.stdout);
  assert.equal(v2.version, '2');
  assert.equal(v2.format, 'mlflow-model');
  assert.equal(v2.fileCount, 2);
  assert.equal(v2.servable, true);
  assert.deepEqual(v2.signature.inputs, LINEAR_SIGNATURE.inputs);

  // A run artifact, by runs:/ URI, with the run recorded.
  const tracking = TrackingStore.open(ws);
  const runId = tracking.runs.create({ experimentId: '0', runName: 'trainer' }).info.runId;
  tracking.logMetric(runId, { key: 'auc', value: 0.8, timestamp: 1, step: 0 });
  const logged = join(ws, 'logged.onnx');
  writeFileSync(logged, classifierModel());
  await tracking.artifacts.importFile(runId, 'model/model.onnx', logged);
  tracking.close();
  const r3 = await mlops('models', 'register', `runs:/${runId}/model`, '--name', 'fraud');
  assert.equal(r3.code, 0, r3.stderr);

  const list = await mlops('models', 'list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^NAME\s+VERSIONS\s+LATEST\s+ALIASES/m);
  assert.match(list.stdout, /^churn\s+2\s+2\s+champion=v1/m);
  assert.match(list.stdout, /^fraud\s+1\s+1/m);
  const listJson = JSON.parse((await mlops('models', 'list', '--json')).stdout);
  assert.deepEqual(listJson.map((m: any) => m.name), ['churn', 'fraud']);
  assert.equal(listJson[1].versions[0].run.metrics.auc, 0.8);

  const show = await mlops('models', 'show', 'churn');
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /aliases champion -> 1/);
  assert.match(show.stdout, new RegExp(`^1\\s+None\\s+champion\\s+onnx\\s+\\d+ B\\s+${sha(cliModel).slice(0, 12)}`, 'm'));
  const showJson = JSON.parse((await mlops('models', 'show', 'churn', '--json')).stdout);
  assert.deepEqual(showJson.registered_model.aliases, [{ alias: 'champion', version: '1' }]);
  assert.deepEqual(showJson.model.versions[1].features, {
    input: 'float_input',
    features: [
      { name: 'age', categorical: false, index: 0 },
      { name: 'income', categorical: false, index: 1 },
      { name: 'plan', categorical: true, index: 2 },
      { name: 'tenure', categorical: false, index: 3 },
    ],
  });

  const moved = await mlops('models', 'alias', 'churn', 'champion', '2');
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /churn@champion -> version 2/);
  const check = TrackingStore.open(ws);
  const registry = new ModelRegistry(check);
  assert.equal(registry.resolveModelUri('models:/churn@champion').version, 2);
  // The first version kept its bytes although the file was edited.
  assert.equal(sha(readFileSync(await registry.openModelVersionFile('churn', 1))), sha(cliModel));
  assert.equal(registry.getVersion('fraud', 1).runId, runId);
  check.close();
  assert.equal((await mlops('models', 'alias', 'churn', 'champion', '--delete')).code, 0);
  const gone = await mlops('models', 'alias', 'churn', 'champion', '--delete');
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^mlops: Registered model alias champion not found/);

  // Mistakes are clear messages without stack traces.
  const reserved = await mlops('models', 'alias', 'churn', 'latest', '1');
  assert.equal(reserved.code, 1);
  assert.match(reserved.stderr, /'latest' alias name \(case insensitive\) is reserved/);
  const noName = await mlops('models', 'register', 'model.onnx');
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /--name NAME is required/);
  const missing = await mlops('models', 'register', 'nope.onnx', '--name', 'x');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No such file or folder/);
  const badFeatures = await mlops('models', 'register', 'model.onnx', '--name', 'x', '--features', 'a:text');
  assert.equal(badFeatures.code, 2);
  writeFileSync(join(ws, 'again.onnx'), linearModel());
  const wrongCount = await mlops('models', 'register', 'again.onnx', '--name', 'x', '--features', 'a,b,c');
  assert.equal(wrongCount.code, 1);
  assert.match(wrongCount.stderr, /^mlops: Invalid features: the feature list names 3 features but float_input has 4 columns \(shape \[N, 4\]\)/);
  const unknown = await mlops('models', 'show', 'nobody');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Registered Model with name=nobody not found/);
  assert.doesNotMatch(unknown.stderr + missing.stderr + gone.stderr + wrongCount.stderr, /at .*\.js:\d+/);
});

test('mlops models register refuses a file onnxruntime cannot load, with its reason, and stores nothing', async () => {
  const ws = makeWorkspace('mlops-models-bad-');
  writeFileSync(join(ws, 'bad.onnx'), corruptOnnx());
  const mlops = (...args: string[]) => runCli([...args, '--workspace', ws], { cwd: ws });
  const bad = await mlops('models', 'register', 'bad.onnx', '--name', 'broken');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^mlops: bad\.onnx is not a loadable ONNX model: \S/);
  assert.doesNotMatch(bad.stderr, /at .*\.js:\d+|Load model from/);
  assert.equal(bad.stdout, '');
  const tracking = TrackingStore.open(ws);
  try {
    const registry = new ModelRegistry(tracking);
    assert.deepEqual(registry.listModels(), []);
    assert.equal(tracking.store.db.prepare('SELECT COUNT(*) FROM model_version_files').pluck().get(), 0);
  } finally {
    tracking.close();
  }
});

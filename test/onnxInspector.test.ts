import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { inspectOnnxModel } from '../src/core/registry/onnxInspector';
import type { InspectedFile, ModelInspectionInput } from '../src/core/registry/modelInspector';
import { linearModel, notOnnx, writeModels } from './helpers/onnxModels';

// The inspector's rules, in-process (the HTTP and CLI paths are in registryOnnx.test.ts and modelsCli.test.ts).

function filesOf(contents: Record<string, Uint8Array | string>): InspectedFile[] {
  const bytes = Object.fromEntries(Object.entries(contents).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
  const { paths } = writeModels(bytes);
  return Object.entries(paths).map(([path, localPath]) => ({ path, localPath, size: statSync(localPath).size }));
}

function input(files: InspectedFile[], extra: Partial<ModelInspectionInput> = {}): ModelInspectionInput {
  return { primary: files.find((f) => f.path !== 'MLmodel')!, files, isDirectory: files.length > 1, ...extra };
}

test('a file without the .onnx extension is ONNX if it loads, else other (never refused)', async () => {
  const onnx = await inspectOnnxModel(input(filesOf({ model: linearModel() })));
  assert.deepEqual([onnx.format, onnx.servable, onnx.extraFiles?.map((f) => f.path)], ['onnx', true, ['MLmodel']]);
  const other = await inspectOnnxModel(input(filesOf({ model: notOnnx() })));
  assert.deepEqual([other.format, other.servable, other.signature, other.extraFiles], ['other', false, null, undefined]);
});

test('features from a data set CSV: the target is dropped by its usual name, wherever it is', async () => {
  const runDatasetCsv = async () => ({ dataset: 'train', path: 'train.csv', text: 'age,label,income,plan,tenure\n1,0,2,a,3\n' });
  const r = await inspectOnnxModel(input(filesOf({ 'm.onnx': linearModel() }), { runDatasetCsv }));
  assert.deepEqual(r.features?.features.map((f) => [f.name, f.categorical]), [['age', false], ['income', false], ['plan', true], ['tenure', false]]);
});

test('features from an MLmodel column signature (as MLflow writes for a DataFrame input example)', async () => {
  const columns = JSON.stringify(['a', 'b', 'c'].map((name) => ({ type: 'double', name, required: true })).concat([{ type: 'string', name: 'city', required: true }]));
  const mlmodel = `flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '${columns}'\n`;
  const r = await inspectOnnxModel(input(filesOf({ MLmodel: mlmodel, 'model.onnx': linearModel() })));
  assert.equal(r.format, 'mlflow-model');
  assert.deepEqual(r.features, {
    input: 'float_input',
    features: [
      { name: 'a', categorical: false, index: 0 },
      { name: 'b', categorical: false, index: 1 },
      { name: 'c', categorical: false, index: 2 },
      { name: 'city', categorical: true, index: 3 },
    ],
  });
  // --features wins over the MLmodel.
  const flagged = await inspectOnnxModel(input(filesOf({ MLmodel: mlmodel, 'model.onnx': linearModel() }), { featuresSpec: 'w,x,y,z' }));
  assert.deepEqual(flagged.features?.features.map((f) => f.name), ['w', 'x', 'y', 'z']);
});

test('a broken MLmodel is refused with its line', async () => {
  await assert.rejects(inspectOnnxModel(input(filesOf({ MLmodel: 'flavors:\n  onnx: [1\n', 'model.onnx': linearModel() }))), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'INVALID_PARAMETER_VALUE');
    assert.match(err.message, /^The model folder's MLmodel line \d+: /);
    return true;
  });
});

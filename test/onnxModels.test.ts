// The ONNX fixtures are only useful if they are real models: each must load in
// onnxruntime and compute what its weights say. The serving tests rely on that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { CLASSIFIER, classifierModel, linearExpected, linearModel, sequenceOutputModel, twoInputModel, wideLinearModel, writeModels } from './helpers/onnxModels';
import { skipWithoutPython } from './helpers/pythonDeps';

const { paths } = writeModels({
  'linear.onnx': linearModel(),
  'two.onnx': twoInputModel(),
  'classifier.onnx': classifierModel(),
  'wide.onnx': wideLinearModel(1000),
  'sequence.onnx': sequenceOutputModel(),
});

async function run(path: string, feeds: Record<string, Tensor>) {
  const session = await InferenceSession.create(path);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

test('the linear fixture computes sigmoid(x·W + b) for a batch of any size', async () => {
  const rows = [[1, 2, 3, 4], [0, 0, 0, 0], [-1, 0.5, 2, -3]];
  const out = await run(paths['linear.onnx'], { float_input: new Tensor('float32', Float32Array.from(rows.flat()), [3, 4]) });
  assert.deepEqual(out.probabilities.dims, [3, 1]);
  rows.forEach((row, i) => assert.ok(Math.abs((out.probabilities.data as Float32Array)[i] - linearExpected(row)) < 1e-6));
});

test('the wide fixture outputs sigmoid of the row mean', async () => {
  const row = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
  const out = await run(paths['wide.onnx'], { float_input: new Tensor('float32', row, [1, 1000]) });
  assert.ok(Math.abs((out.probabilities.data as Float32Array)[0] - 1 / (1 + Math.exp(-0.4995))) < 1e-5);
});

test('the two-input fixture adds an int64 count to float32 features', async () => {
  const out = await run(paths['two.onnx'], {
    x: new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
    count: new Tensor('int64', BigInt64Array.from([10n, 20n]), [2, 1]),
  });
  assert.deepEqual(out.sum.dims, [2, 3]);
  assert.deepEqual([...(out.sum.data as Float32Array)], [11, 12, 13, 24, 25, 26]);
});

test('the classifier fixture returns an int64 label and probabilities that sum to 1', async () => {
  // Row scores are x·W; W's columns pick feature 0, 1, 2 (plus half of feature 3).
  const out = await run(paths['classifier.onnx'], { float_input: new Tensor('float32', Float32Array.from([5, 1, 1, 0, 0, 0, 9, 2]), [2, 4]) });
  assert.equal(CLASSIFIER.weights.length, 12);
  assert.deepEqual([...(out.label.data as BigInt64Array)], [0n, 2n]);
  const p = out.probabilities.data as Float32Array;
  assert.deepEqual(out.probabilities.dims, [2, 3]);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6 && p[0] > p[1]);
});

// A second opinion from ONNX's reference checker, when Debian's python3-onnx is
// installed. It lives in the system Python, which a pyenv/venv python3 on PATH hides.
const pythonWithOnnx = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);
test('onnx.checker accepts every fixture', { skip: pythonWithOnnx ? false : skipWithoutPython(['onnx']) }, () => {
  for (const path of Object.values(paths)) {
    const r = spawnSync(pythonWithOnnx!, ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${path}: ${r.stderr}`);
  }
});

// The ONNX fixtures are only useful if they are real models: each must load in
// onnxruntime and compute what its weights say. The serving tests rely on that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { CLASSIFIER, LOOKUP_ROWS, OIP_ONNX_TYPES, classifierModel, identityModel, linearExpected, linearModel, lookupModel, sequenceOutputModel, twoInputModel, wideLinearModel, writeModels } from './helpers/onnxModels';
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

test('the identity fixture returns every datatype unchanged', async () => {
  const { paths: more } = writeModels({ 'identity.onnx': identityModel() });
  const out = await run(more['identity.onnx'], {
    in_BOOL: new Tensor('bool', Uint8Array.from([1, 0]), [1, 2]),
    in_UINT8: new Tensor('uint8', Uint8Array.from([0, 255]), [1, 2]),
    in_UINT16: new Tensor('uint16', Uint16Array.from([0, 65535]), [1, 2]),
    in_UINT32: new Tensor('uint32', Uint32Array.from([0, 4294967295]), [1, 2]),
    in_UINT64: new Tensor('uint64', BigUint64Array.from([0n, 2n ** 64n - 1n]), [1, 2]),
    in_INT8: new Tensor('int8', Int8Array.from([-128, 127]), [1, 2]),
    in_INT16: new Tensor('int16', Int16Array.from([-32768, 32767]), [1, 2]),
    in_INT32: new Tensor('int32', Int32Array.from([-1, 7]), [1, 2]),
    in_INT64: new Tensor('int64', BigInt64Array.from([-(2n ** 63n), 5n]), [1, 2]),
    in_FP16: new Tensor('float16', Uint16Array.from([0x3c00, 0xc000]), [1, 2]),
    in_FP32: new Tensor('float32', Float32Array.from([0.5, -2]), [1, 2]),
    in_FP64: new Tensor('float64', Float64Array.from([Math.PI, 1e300]), [1, 2]),
    in_BYTES: new Tensor('string', ['a', 'héllo'], [1, 2]),
  });
  assert.deepEqual(Object.keys(out).sort(), Object.keys(OIP_ONNX_TYPES).map((t) => `out_${t}`).sort());
  assert.deepEqual([...(out.out_UINT64.data as BigUint64Array)], [0n, 2n ** 64n - 1n]);
  assert.deepEqual([...(out.out_FP16.data as Uint16Array)], [0x3c00, 0xc000]);
  assert.deepEqual(out.out_BYTES.data, ['a', 'héllo']);
  assert.equal(out.out_BOOL.type, 'bool');
  assert.deepEqual([...(out.out_FP64.data as Float64Array)], [Math.PI, 1e300]);
});

test('the lookup fixture gathers table rows by int64 index and fails on an index out of range', async () => {
  const { paths: more } = writeModels({ 'lookup.onnx': lookupModel() });
  const out = await run(more['lookup.onnx'], { index: new Tensor('int64', BigInt64Array.from([3n, 0n]), [2]) });
  assert.deepEqual(out.rows.dims, [2, 2]);
  assert.deepEqual([...(out.rows.data as Float32Array)], [3, 30, 0, 0]);
  await assert.rejects(run(more['lookup.onnx'], { index: new Tensor('int64', BigInt64Array.from([BigInt(LOOKUP_ROWS)]), [1]) }));
});

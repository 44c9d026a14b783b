// ModelSession: what serving loads, with which threads, and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ModelSession, SMALL_MODEL_BYTES, defaultIntraOpThreads } from '../src/core/serving/modelSession';
import { ModelLoadError } from '../src/core/registry/onnxSignature';
import { classifierModel, corruptOnnx, mixedOutputModel, linearExpected, linearModel, sequenceOutputModel, twoInputModel, writeModels } from './helpers/onnxModels';

const { dir, paths } = writeModels({
  'linear.onnx': linearModel(),
  'two.onnx': twoInputModel(),
  'classifier.onnx': classifierModel(),
  'sequence.onnx': sequenceOutputModel(),
  'truncated.onnx': corruptOnnx(),
  'mixed.onnx': mixedOutputModel(),
});

test('a small model gets one intra-op and one inter-op thread, sequential, unless configured', async () => {
  const session = await ModelSession.create(paths['linear.onnx']);
  try {
    assert.deepEqual(session.threads, { intraOpThreads: 1, interOpThreads: 1, executionMode: 'sequential' });
  } finally {
    await session.dispose();
  }
  const tuned = await ModelSession.create(paths['linear.onnx'], { intraOpThreads: 2, interOpThreads: 2, executionMode: 'parallel' });
  assert.deepEqual(tuned.threads, { intraOpThreads: 2, interOpThreads: 2, executionMode: 'parallel' });
  await tuned.dispose();
  assert.equal(defaultIntraOpThreads(1000), 1);
  assert.ok(defaultIntraOpThreads(SMALL_MODEL_BYTES + 1) >= 1 && defaultIntraOpThreads(SMALL_MODEL_BYTES + 1) <= 4);
});

test('the signature has element types and shapes with symbolic and unknown dimensions', async () => {
  const session = await ModelSession.create(paths['two.onnx']);
  try {
    assert.deepEqual(session.signature, {
      inputs: [
        { name: 'x', type: 'float32', shape: ['batch', 3] },
        { name: 'count', type: 'int64', shape: ['batch', null] },
      ],
      outputs: [{ name: 'sum', type: 'float32', shape: ['batch', 3] }],
      skippedOutputs: [],
    });
  } finally {
    await session.dispose();
  }
});

test('run computes what the weights say, and a subset of outputs can be fetched', async () => {
  const session = await ModelSession.create(paths['classifier.onnx']);
  try {
    const out = await session.run({ float_input: { type: 'float32', dims: [1, 4], data: Float32Array.from([5, 1, 1, 0]) } }, ['label']);
    assert.deepEqual(Object.keys(out), ['label']);
    assert.deepEqual([...(out.label.data as BigInt64Array)], [0n]);
    assert.equal(out.label.type, 'int64');
  } finally {
    await session.dispose();
  }
  const linear = await ModelSession.create(paths['linear.onnx']);
  const out = await linear.run({ float_input: { type: 'float32', dims: [1, 4], data: Float32Array.from([1, 2, 3, 4]) } });
  assert.ok(Math.abs((out.probabilities.data as Float32Array)[0] - linearExpected([1, 2, 3, 4])) < 1e-6);
  await linear.dispose();
});

test('a non-tensor output beside tensor ones (a ZipMap) is skipped and named; the tensors are served', async () => {
  const session = await ModelSession.create(paths['mixed.onnx']);
  try {
    assert.deepEqual(session.signature.outputs, [{ name: 'scores', type: 'float32', shape: ['N', 4] }]);
    assert.deepEqual(session.signature.skippedOutputs, ['parts']);
    const out = await session.run({ float_input: { type: 'float32', dims: [1, 4], data: Float32Array.from([1, 2, 3, 4]) } });
    assert.deepEqual(Object.keys(out), ['scores']);
    assert.deepEqual([...(out.scores.data as Float32Array)], [1, 2, 3, 4]);
  } finally {
    await session.dispose();
  }
});

test('a model whose only output is not a tensor is refused with the reason', async () => {
  const session = await ModelSession.create(paths['sequence.onnx']).catch((e: Error) => e);
  // Its only output is a sequence: nothing left to return, so it is refused with the reason.
  assert.ok(session instanceof ModelLoadError);
  assert.match(session.message, /none of its outputs is a tensor/);
});

test('dispose waits for a run in flight, and a run after dispose is refused with a reason', async () => {
  const session = await ModelSession.create(paths['linear.onnx']);
  const running = session.run({ float_input: { type: 'float32', dims: [2, 4], data: new Float32Array(8) } });
  await session.dispose();
  assert.deepEqual((await running).probabilities.dims, [2, 1]);
  await assert.rejects(session.run({ float_input: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } }), /disposed/);
  await session.dispose(); // twice is harmless
});

test('a file onnxruntime cannot load, or that is missing, is a ModelLoadError', async () => {
  await assert.rejects(ModelSession.create(paths['truncated.onnx']), (e: Error) => e instanceof ModelLoadError && /Protobuf parsing failed/.test(e.message));
  await assert.rejects(ModelSession.create(join(dir, 'nope.onnx')), (e: Error) => e instanceof ModelLoadError && /does not exist/.test(e.message));
});

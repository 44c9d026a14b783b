import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnxModelHeader } from '../src/core/registry/onnxModelHeader';
import { ModelLoadError, isOnnxFile, readOnnxSignature } from '../src/core/registry/onnxSignature';
import { FIXTURE_OPSET, FIXTURE_PRODUCER, classifierModel, corruptOnnx, linearModel, notOnnx, sequenceOutputModel, twoInputModel, wideLinearModel, writeModels } from './helpers/onnxModels';

const { dir, paths } = writeModels({
  'linear.onnx': linearModel(),
  'two.onnx': twoInputModel(),
  'classifier.onnx': classifierModel(),
  'truncated.onnx': corruptOnnx(),
  'data.csv': notOnnx(),
  model: linearModel(), // an MLflow-style artifact without an extension
  'wide.onnx': wideLinearModel(50_000),
  'sequence.onnx': sequenceOutputModel(),
});

async function loadFails(path: string): Promise<ModelLoadError> {
  try {
    await readOnnxSignature(path);
  } catch (e) {
    assert.ok(e instanceof ModelLoadError, `expected ModelLoadError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${path} loaded`);
}

test('a linear model: names, float32, a symbolic batch dim and a fixed width, producer and opset', async () => {
  assert.deepEqual(await readOnnxSignature(paths['linear.onnx']), {
    inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 4] }],
    outputs: [{ name: 'probabilities', elementType: 'float32', shape: ['N', 1] }],
    opset: FIXTURE_OPSET,
    producer: `${FIXTURE_PRODUCER.name} ${FIXTURE_PRODUCER.version}`,
  });
});

test('two inputs of different types keep their order; an unnamed dimension is null', async () => {
  const sig = await readOnnxSignature(paths['two.onnx']);
  assert.deepEqual(sig.inputs, [
    { name: 'x', elementType: 'float32', shape: ['batch', 3] },
    { name: 'count', elementType: 'int64', shape: ['batch', null] },
  ]);
  assert.deepEqual(sig.outputs, [{ name: 'sum', elementType: 'float32', shape: ['batch', 3] }]);
});

test('a classifier: an int64 label of rank 1 and probabilities', async () => {
  const sig = await readOnnxSignature(paths['classifier.onnx']);
  assert.deepEqual(sig.outputs, [
    { name: 'label', elementType: 'int64', shape: ['N'] },
    { name: 'probabilities', elementType: 'float32', shape: ['N', 3] },
  ]);
});

test('a non-tensor output is named by its ONNX type, read from the protobuf', async () => {
  const sig = await readOnnxSignature(paths['sequence.onnx']);
  assert.deepEqual(sig.outputs, [{ name: 'parts', elementType: 'seq(tensor(float))', shape: [] }]);
});

test('producer and opset are found past weights larger than the read window', async () => {
  const sig = await readOnnxSignature(paths['wide.onnx']);
  assert.deepEqual(sig.inputs, [{ name: 'float_input', elementType: 'float32', shape: ['N', 50_000] }]);
  assert.equal(sig.opset, FIXTURE_OPSET);
  assert.equal(sig.producer, `${FIXTURE_PRODUCER.name} ${FIXTURE_PRODUCER.version}`);
  const header = await readOnnxModelHeader(paths['wide.onnx']);
  assert.deepEqual([...header.valueTypes], [['float_input', 'tensor(float)'], ['probabilities', 'tensor(float)']]);
  assert.equal(header.irVersion, 8);
});

test("a truncated model is refused with onnxruntime's reason, for a user", async () => {
  const e = await loadFails(paths['truncated.onnx']);
  assert.equal(e.file, paths['truncated.onnx']);
  assert.match(e.message, /^truncated\.onnx is not a loadable ONNX model: .*Protobuf parsing failed/);
  assert.doesNotMatch(e.message, /Load model from/, 'the runtime prefix with the full path is dropped');
});

test('a CSV and a missing file are refused the same way', async () => {
  assert.match((await loadFails(paths['data.csv'])).message, /^data\.csv is not a loadable ONNX model: /);
  assert.match((await loadFails(join(dir, 'nope.onnx'))).message, /^nope\.onnx is not a loadable ONNX model: the file does not exist/);
});

test('isOnnxFile: by extension, or by the start of a ModelProto for files without one', async () => {
  assert.equal(await isOnnxFile(paths['linear.onnx']), true);
  assert.equal(await isOnnxFile('elsewhere/Model.ONNX'), true, 'the extension alone is enough, whatever the case');
  assert.equal(await isOnnxFile(paths.model), true);
  assert.equal(await isOnnxFile(paths['data.csv']), false);
  assert.equal(await isOnnxFile(join(dir, 'missing')), false);
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  assert.equal(await isOnnxFile(empty), false);
});

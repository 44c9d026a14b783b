// Open Inference Protocol (KServe v2) codec against real onnxruntime sessions:
// every datatype there and back, flat and nested data, each client error with the
// message it gets, output subsets, and the model metadata object.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferRequest, encodeInferResponse, modelMetadata, type OipInferRequest } from '../src/core/serving/oipCodec';
import { ModelSession } from '../src/core/serving/modelSession';
import { float16Bits, float16Value } from '../src/core/serving/float16';
import { OIP_ONNX_TYPES, classifierModel, identityModel, linearExpected, linearModel, twoInputModel, writeModels } from './helpers/onnxModels';

const { paths } = writeModels({ 'identity.onnx': identityModel(), 'linear.onnx': linearModel(), 'two.onnx': twoInputModel(), 'classifier.onnx': classifierModel() });
const sessions = new Map<string, Promise<ModelSession>>();
const session = (name: keyof typeof paths) => {
  if (!sessions.has(name)) sessions.set(name, ModelSession.create(paths[name]));
  return sessions.get(name)!;
};
after(async () => {
  for (const s of sessions.values()) await (await s).dispose();
});

/** Decodes, runs and encodes like the HTTP route will; throws with the error message if decoding fails. */
async function infer(name: keyof typeof paths, body: unknown) {
  const s = await session(name);
  const decoded = decodeInferRequest(body, s.signature);
  if (!decoded.ok) throw new Error(decoded.error);
  const results = await s.run(decoded.value.feeds, decoded.value.outputNames);
  return encodeInferResponse({ modelName: 'm', modelVersion: '3', id: decoded.value.id, results, outputNames: decoded.value.outputNames });
}

async function errorOf(name: keyof typeof paths, body: unknown): Promise<string> {
  const decoded = decodeInferRequest(body, (await session(name)).signature);
  assert.equal(decoded.ok, false, 'expected the request to be refused');
  return (decoded as { error: string }).error;
}

/** Values each datatype must carry unchanged, at its edges. */
const SAMPLES: Record<keyof typeof OIP_ONNX_TYPES, unknown[]> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 254, 255],
  UINT16: [0, 1, 65534, 65535],
  UINT32: [0, 1, 4294967294, 4294967295],
  UINT64: [0, 1, 9007199254740991, '18446744073709551615'],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -1, 0, 32767],
  INT32: [-2147483648, -1, 0, 2147483647],
  INT64: ['-9223372036854775808', -9007199254740991, 0, '9223372036854775807'],
  FP16: [0, 1, -2.5, 65504],
  FP32: [0, 0.5, -1.25, 3.4028234663852886e38],
  FP64: [0, Math.PI, -1e-300, 1.7976931348623157e308],
  BYTES: ['', 'a', 'héllo wörld', '{"json": true}'],
};

test('every Open Inference Protocol datatype goes through the model and comes back unchanged', async () => {
  const types = Object.keys(OIP_ONNX_TYPES) as (keyof typeof OIP_ONNX_TYPES)[];
  const response = await infer('identity.onnx', {
    id: 'all-types',
    inputs: types.map((t) => ({ name: `in_${t}`, shape: [2, 2], datatype: t, data: SAMPLES[t] })),
  });
  assert.equal(response.id, 'all-types');
  assert.equal(response.model_name, 'm');
  assert.equal(response.model_version, '3');
  for (const t of types) {
    const out = response.outputs.find((o) => o.name === `out_${t}`)!;
    assert.deepEqual({ shape: out.shape, datatype: out.datatype }, { shape: [2, 2], datatype: t }, t);
    // 64-bit values beyond 2^53 come back as decimal strings (a JSON number would round them).
    assert.deepEqual(out.data, SAMPLES[t], t);
  }
});

test('nested data is read row-major, the same as flat data', async () => {
  const flat = await infer('linear.onnx', { inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] }] });
  const nested = await infer('linear.onnx', { inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [[1, 2, 3, 4], [5, 6, 7, 8]] }] });
  assert.deepEqual(nested.outputs, flat.outputs);
  assert.deepEqual(flat.outputs[0].shape, [2, 1]);
  const p = flat.outputs[0].data as number[];
  assert.ok(Math.abs(p[0] - linearExpected([1, 2, 3, 4])) < 1e-6 && Math.abs(p[1] - linearExpected([5, 6, 7, 8])) < 1e-6);
  assert.equal(flat.id, '', 'no id in the request: an empty one in the response');
});

test('a requested subset of outputs is returned in the order asked, and only those', async () => {
  const r = await infer('classifier.onnx', {
    inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [5, 1, 1, 0, 0, 0, 9, 2] }],
    outputs: [{ name: 'label' }],
  });
  assert.deepEqual(r.outputs, [{ name: 'label', shape: [2], datatype: 'INT64', data: [0, 2] }]);
  const both = await infer('classifier.onnx', {
    inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5, 1, 1, 0] }],
    outputs: [{ name: 'probabilities' }, { name: 'label' }],
  });
  assert.deepEqual(both.outputs.map((o) => o.name), ['probabilities', 'label']);
});

test('two inputs: symbolic dims are free but must agree between inputs; an unknown dim is free', async () => {
  const r = await infer('two.onnx', {
    inputs: [
      { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
      { name: 'count', shape: [2, 1], datatype: 'INT64', data: [10, 20] },
    ],
  });
  assert.deepEqual(r.outputs[0].data, [11, 12, 13, 24, 25, 26]);
  const e = await errorOf('two.onnx', {
    inputs: [
      { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
      { name: 'count', shape: [3, 1], datatype: 'INT64', data: [10, 20, 30] },
    ],
  });
  assert.equal(e, 'Wrong shape for input count: its dimension 0 (batch) is 3, but input x gives batch = 2; inputs sharing a dimension must agree.');
});

const linearInput = (over: Partial<OipInferRequest['inputs'][number]>) => ({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...over }] });

test('each client mistake is refused with a message that says what to change', async () => {
  const cases: [unknown, string][] = [
    [{ inputs: [] }, 'Missing input float_input (FP32 [N, 4]); the model needs every input.'],
    [
      { inputs: [...linearInput({}).inputs, { name: 'age', shape: [1], datatype: 'FP32', data: [1] }] },
      'Unknown input age: the model\'s inputs are float_input (FP32 [N, 4]).',
    ],
    [linearInput({ datatype: 'FP64' }), 'Wrong datatype for input float_input: got FP64, but the model expects FP32.'],
    [
      linearInput({ datatype: 'FLOAT' }),
      'Input float_input has datatype "FLOAT", which is not an Open Inference Protocol datatype (BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES); this input is FP32.',
    ],
    [linearInput({ shape: [1, 5], data: [1, 2, 3, 4, 5] }), 'Wrong shape for input float_input: got [1, 5], but float_input expects shape [N, 4]; dimension 1 must be 4.'],
    [linearInput({ shape: [4] }), 'Wrong shape for input float_input: got [4] (1 dimensions), but float_input expects shape [N, 4] (2 dimensions).'],
    [linearInput({ shape: [2, 4] }), 'Wrong element count for input float_input: shape [2, 4] needs 8 elements, but data has 4.'],
    [linearInput({ data: [[1, 2], [3]] }), 'Wrong element count for input float_input: shape [1, 4] needs 4 elements, but data has 3.'],
    [linearInput({ data: [1, 'two', 3, 4] }), 'Input float_input: element 1 is "two", not a number.'],
    [linearInput({ data: [1, null, 3, 4] }), 'Input float_input: element 1 is null, not a number.'],
    [linearInput({ shape: [1, -4] }), 'Input float_input needs "shape", a list of non-negative integers, e.g. [1, 4].'],
    [linearInput({ data: undefined }), 'Input float_input has no "data".'],
    [
      linearInput({ data: undefined, parameters: { binary_data_size: 16 } }),
      'Input float_input is sent as binary data (binary_data_size), which this server does not support; send its elements in "data" as JSON.',
    ],
    [{ ...linearInput({}), outputs: [{ name: 'score' }] }, "Unknown output score: the model's outputs are probabilities (FP32 [N, 1])."],
    [{ ...linearInput({}), id: 7 }, '"id" must be a string.'],
    [[1, 2], 'The inference request must be a JSON object with an "inputs" array.'],
    [{}, 'The inference request has no "inputs" array.'],
  ];
  for (const [body, message] of cases) assert.equal(await errorOf('linear.onnx', body), message);
});

test('integer and boolean elements are checked against their type', async () => {
  const input = (t: string, data: unknown[]) => ({ inputs: [{ name: `in_${t}`, shape: [1, 2], datatype: t, data }] });
  // The identity model needs every input; the first error met is the one reported, so send just one and read its own message.
  assert.equal(await errorOf('identity.onnx', input('UINT8', [1, 256])), "Input in_UINT8: element 1 is 256, not within uint8's range 0..255.");
  assert.equal(await errorOf('identity.onnx', input('INT32', [1, 1.5])), 'Input in_INT32: element 1 is 1.5, not an integer (int32).');
  assert.equal(await errorOf('identity.onnx', input('INT64', [1, '12x'])), 'Input in_INT64: element 1 is "12x", not an integer (int64).');
  assert.equal(await errorOf('identity.onnx', input('UINT64', [-1, 0])), "Input in_UINT64: element 0 is -1, not within uint64's range.");
  assert.equal(await errorOf('identity.onnx', input('BOOL', [true, 'yes'])), 'Input in_BOOL: element 1 is "yes", not a boolean (true or false).');
  assert.equal(await errorOf('identity.onnx', input('BYTES', ['a', 1])), 'Input in_BYTES: element 1 is 1, not a string (BYTES elements are JSON strings).');
});

test('NaN and infinities, which JSON cannot write, are accepted as strings for floats', async () => {
  const r = await infer('linear.onnx', linearInput({ data: ['NaN', 'Infinity', 0, 0] }));
  assert.ok(Number.isNaN((r.outputs[0].data as number[])[0]));
});

test('FP16 converts like numpy: round to nearest even, overflow to infinity, subnormals kept', () => {
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(65520), 0x7c00, 'half way past the largest half rounds to infinity');
  assert.equal(float16Bits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
  assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(float16Bits(2 ** -24), 0x0001, 'the smallest subnormal');
  assert.equal(float16Bits(2 ** -26), 0x0000);
  assert.equal(float16Bits(-0), 0x8000);
  assert.ok(Number.isNaN(float16Value(float16Bits(NaN))));
  assert.equal(float16Value(float16Bits(Infinity)), Infinity);
  for (let bits = 0; bits < 0x7c00; bits += 7) assert.equal(float16Bits(float16Value(bits)), bits, `bits ${bits} survive a round trip`);
  assert.equal(float16Value(float16Bits(0.1)), 0.0999755859375);
});

test('model metadata: platform onnxruntime_onnx, OIP datatypes, -1 for variable dimensions', async () => {
  assert.deepEqual(modelMetadata('two', ['1', '2'], (await session('two.onnx')).signature), {
    name: 'two',
    versions: ['1', '2'],
    platform: 'onnxruntime_onnx',
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [-1, 3] },
      { name: 'count', datatype: 'INT64', shape: [-1, -1] },
    ],
    outputs: [{ name: 'sum', datatype: 'FP32', shape: [-1, 3] }],
  });
  assert.equal('versions' in modelMetadata('two', undefined, (await session('two.onnx')).signature), false);
});

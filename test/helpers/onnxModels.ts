// Small ONNX models built in the test itself (no binary fixtures in the repo), so a
// reader can see exactly what each model is and a change of weights is a code diff.
// Each model is tiny but real: onnxruntime loads and runs it (see onnxModels.test.ts),
// and the serving tests reuse them. Weights are exported so tests compute the
// expected outputs themselves.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Who wrote the fixtures: readOnnxSignature reports it as the producer. */
export const FIXTURE_PRODUCER = { name: 'mlops-workbench-tests', version: '1.0' };
export const FIXTURE_OPSET = 13;

/** A dimension: a number is fixed, a string is symbolic, null has neither (unknown). */
type Dim = number | string | null;

function valueInfo(name: string, elemType: number, shape: Dim[]): onnx.IValueInfoProto {
  const dim = shape.map((d): onnx.TensorShapeProto.IDimension =>
    typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
  );
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function floatTensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: values };
}

function model(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: FIXTURE_PRODUCER.name,
    producerVersion: FIXTURE_PRODUCER.version,
    opsetImport: [{ domain: '', version: FIXTURE_OPSET }],
    graph,
  }).finish();
}

/** Weights of `linearModel`: probabilities = sigmoid(x · W + B). */
export const LINEAR = { weights: [0.5, -1, 0.25, 2], bias: 0.1 };

/**
 * A logistic-regression-shaped model: float_input [N, 4] -> MatMul + Add -> Sigmoid
 * -> probabilities [N, 1], with a symbolic batch dimension 'N' (what skl2onnx writes).
 */
export function linearModel(batch: Dim = 'N'): Uint8Array {
  return model({
    name: 'linear',
    node: [
      { opType: 'MatMul', input: ['float_input', 'W'], output: ['logit_raw'] },
      { opType: 'Add', input: ['logit_raw', 'B'], output: ['logit'] },
      { opType: 'Sigmoid', input: ['logit'], output: ['probabilities'] },
    ],
    initializer: [floatTensor('W', [4, 1], LINEAR.weights), floatTensor('B', [1], [LINEAR.bias])],
    input: [valueInfo('float_input', FLOAT, [batch, 4])],
    output: [valueInfo('probabilities', FLOAT, [batch, 1])],
  });
}

/**
 * A linear model `width` features wide (weights all 1/width, so the output is the
 * row's mean through a sigmoid). With a large width its weights outgrow the
 * signature reader's 64 KiB window: protobuf writes initializers before the graph's
 * inputs and outputs, so the reader must skip them by length to find the I/O.
 */
export function wideLinearModel(width: number): Uint8Array {
  return model({
    name: 'wide_linear',
    node: [
      { opType: 'MatMul', input: ['float_input', 'W'], output: ['mean'] },
      { opType: 'Sigmoid', input: ['mean'], output: ['probabilities'] },
    ],
    initializer: [floatTensor('W', [width, 1], new Array<number>(width).fill(1 / width))],
    input: [valueInfo('float_input', FLOAT, ['N', width])],
    output: [valueInfo('probabilities', FLOAT, ['N', 1])],
  });
}

/**
 * A model whose output is not a tensor but a sequence of tensors (as sklearn's
 * ZipMap gives a sequence of maps): onnxruntime only says "not a tensor" for it.
 */
export function sequenceOutputModel(): Uint8Array {
  return model({
    name: 'sequence_output',
    node: [{ opType: 'SequenceConstruct', input: ['float_input', 'float_input'], output: ['parts'] }],
    input: [valueInfo('float_input', FLOAT, ['N', 4])],
    output: [{ name: 'parts', type: { sequenceType: { elemType: { tensorType: { elemType: FLOAT } } } } }],
  });
}

/**
 * A tensor output beside a non-tensor one, as skl2onnx classifiers give a label
 * tensor and a ZipMap sequence of maps: scores (float_input unchanged) and parts.
 */
export function mixedOutputModel(): Uint8Array {
  return model({
    name: 'mixed_outputs',
    node: [
      { opType: 'Identity', input: ['float_input'], output: ['scores'] },
      { opType: 'SequenceConstruct', input: ['float_input'], output: ['parts'] },
    ],
    input: [valueInfo('float_input', FLOAT, ['N', 4])],
    output: [valueInfo('scores', FLOAT, ['N', 4]), { name: 'parts', type: { sequenceType: { elemType: { tensorType: { elemType: FLOAT } } } } }],
  });
}

/** Expected output of linearModel for one row. */
export function linearExpected(row: number[]): number {
  const z = row.reduce((s, x, i) => s + x * LINEAR.weights[i], LINEAR.bias);
  return 1 / (1 + Math.exp(-z));
}

/**
 * Two inputs of different types: x float32 [batch, 3] and count int64 [batch, ?];
 * sum = x + float(count), broadcast (feed count as [batch, 1]). count's second
 * dimension is left unknown (neither a value nor a name) so readers see all three
 * kinds of dimension; it is on an input because onnxruntime reports outputs with
 * the shapes its own inference finds, which fills such gaps in.
 */
export function twoInputModel(): Uint8Array {
  return model({
    name: 'two_inputs',
    node: [
      { opType: 'Cast', input: ['count'], output: ['count_f'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] },
      { opType: 'Add', input: ['x', 'count_f'], output: ['sum'] },
    ],
    input: [valueInfo('x', FLOAT, ['batch', 3]), valueInfo('count', INT64, ['batch', null])],
    output: [valueInfo('sum', FLOAT, ['batch', 3])],
  });
}

/** Weights of `classifierModel`: scores = x · W, one column per class. */
export const CLASSIFIER = { weights: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5] };

/**
 * A classifier shaped like skl2onnx's output: float_input [N, 4] -> label int64 [N]
 * (ArgMax of the scores) and probabilities float32 [N, 3] (Softmax).
 */
export function classifierModel(): Uint8Array {
  return model({
    name: 'classifier',
    node: [
      { opType: 'MatMul', input: ['float_input', 'W'], output: ['scores'] },
      {
        opType: 'ArgMax',
        input: ['scores'],
        output: ['label'],
        attribute: [
          { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      },
      { opType: 'Softmax', input: ['scores'], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ],
    initializer: [floatTensor('W', [4, 3], CLASSIFIER.weights)],
    input: [valueInfo('float_input', FLOAT, ['N', 4])],
    output: [valueInfo('label', INT64, ['N']), valueInfo('probabilities', FLOAT, ['N', 3])],
  });
}

/**
 * Every tensor element type the Open Inference Protocol names, as ONNX numbers them,
 * keyed by the protocol's name: identityModel has one input and output per type.
 */
export const OIP_ONNX_TYPES = {
  BOOL: onnx.TensorProto.DataType.BOOL,
  UINT8: onnx.TensorProto.DataType.UINT8,
  UINT16: onnx.TensorProto.DataType.UINT16,
  UINT32: onnx.TensorProto.DataType.UINT32,
  UINT64: onnx.TensorProto.DataType.UINT64,
  INT8: onnx.TensorProto.DataType.INT8,
  INT16: onnx.TensorProto.DataType.INT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: INT64,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  FP32: FLOAT,
  FP64: onnx.TensorProto.DataType.DOUBLE,
  BYTES: onnx.TensorProto.DataType.STRING,
} as const;

/**
 * One Identity per datatype: in_<TYPE> [N, 2] -> out_<TYPE> [N, 2] (e.g. in_FP16 ->
 * out_FP16), so a codec's round trip through the real runtime shows each type's
 * values arrive and come back unchanged.
 */
export function identityModel(): Uint8Array {
  const types = Object.entries(OIP_ONNX_TYPES);
  return model({
    name: 'identity_all_types',
    node: types.map(([t]) => ({ opType: 'Identity', input: [`in_${t}`], output: [`out_${t}`] })),
    input: types.map(([t, elem]) => valueInfo(`in_${t}`, elem, ['N', 2])),
    output: types.map(([t, elem]) => valueInfo(`out_${t}`, elem, ['N', 2])),
  });
}

/** Rows of `lookupModel`'s table: row i is [i, 10 * i]. */
export const LOOKUP_ROWS = 5;

/**
 * An int64 input that can fail at run time: index int64 [N] -> Gather over a
 * [5, 2] float table -> rows float32 [N, 2]. An index outside 0..4 passes every
 * shape and type check but makes onnxruntime's run fail, as a bad request in a
 * batch does.
 */
export function lookupModel(): Uint8Array {
  const table = Array.from({ length: LOOKUP_ROWS }, (_, i) => [i, 10 * i]).flat();
  return model({
    name: 'lookup',
    node: [{ opType: 'Gather', input: ['table', 'index'], output: ['rows'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] }],
    initializer: [floatTensor('table', [LOOKUP_ROWS, 2], table)],
    input: [valueInfo('index', INT64, ['N'])],
    output: [valueInfo('rows', FLOAT, ['N', 2])],
  });
}

/** A model cut off halfway, as an interrupted upload or copy leaves it. */
export function corruptOnnx(): Uint8Array {
  const whole = linearModel();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/** A file that is not ONNX at all (a CSV someone picked by mistake). */
export function notOnnx(): Uint8Array {
  return new TextEncoder().encode('age,income,city\n41,52000,Lyon\n');
}

/** Writes the given models into a fresh temporary folder; returns their paths by name. */
export function writeModels<T extends Record<string, Uint8Array>>(files: T): { dir: string; paths: { [K in keyof T]: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-onnx-'));
  const paths = {} as { [K in keyof T]: string };
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    paths[name as keyof T] = path;
  }
  return { dir, paths };
}

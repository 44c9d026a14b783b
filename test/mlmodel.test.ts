import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { MLFLOW_COMPAT_VERSION, MlmodelError, mlmodelForOnnx, parseMlmodel } from '../src/core/registry/mlmodel';
import { readOnnxSignature, type OnnxSignature, type TensorSpec } from '../src/core/registry/onnxSignature';
import type { FeatureSchema } from '../src/core/registry/featureSchema';
import { classifierModel, twoInputModel, writeModels } from './helpers/onnxModels';

function fails(fn: () => unknown, message: RegExp, line?: number): MlmodelError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MlmodelError, `expected MlmodelError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.equal(e.line, line);
    return e;
  }
  assert.fail(`expected an error matching ${message}`);
}

/** MLflow's format keeps no dimension names: symbolic dims come back unknown. */
const withoutDimNames = (specs: TensorSpec[]) => specs.map((s) => ({ ...s, shape: s.shape.map((d) => (typeof d === 'number' ? d : null)) }));

// As mlflow.onnx.log_model (MLflow 2.x) writes it for an skl2onnx classifier, given an input example.
const LOGGED_BY_MLFLOW = `artifact_path: model
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_session_options: null
    onnx_version: 1.15.0
    providers:
    - CUDAExecutionProvider
    - CPUExecutionProvider
  python_function:
    data: model.onnx
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.onnx
    python_version: 3.10.12
mlflow_version: 2.9.2
model_size_bytes: 1433
model_uuid: 5b1e3f2f3c0d4a0c9a0f3d1c2b7e8f90
run_id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
saved_input_example_info:
  artifact_path: input_example.json
  type: ndarray
  format: tf-serving
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "float_input"}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}, "name": "label"}, {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}, "name": "probabilities"}]'
  params: null
utc_time_created: '2024-01-15 10:21:33.123456'
`;

test('an MLmodel written by mlflow.onnx.log_model: flavors, model file, tensor signature', () => {
  const m = parseMlmodel(LOGGED_BY_MLFLOW);
  assert.deepEqual(Object.keys(m.flavors).sort(), ['onnx', 'python_function']);
  assert.equal(m.flavors.python_function.loader_module, 'mlflow.onnx');
  assert.equal(m.onnxFile, 'model.onnx');
  assert.deepEqual(m.signature, {
    inputs: { kind: 'tensor', tensors: [{ name: 'float_input', elementType: 'float32', shape: [null, 4] }] },
    outputs: {
      kind: 'tensor',
      tensors: [
        { name: 'label', elementType: 'int64', shape: [null] },
        { name: 'probabilities', elementType: 'float32', shape: [null, 3] },
      ],
    },
  });
  assert.equal(m.runId, '0a1b2c3d4e5f60718293a4b5c6d7e8f9');
  assert.equal(m.modelUuid, '5b1e3f2f3c0d4a0c9a0f3d1c2b7e8f90');
  assert.equal(m.artifactPath, 'model');
  assert.equal(m.mlflowVersion, '2.9.2');
  assert.equal(m.utcTimeCreated, '2024-01-15 10:21:33.123456');
  assert.equal(m.features, undefined);
});

test('a column-based signature (logged with a DataFrame example) keeps names, types and required', () => {
  const text = LOGGED_BY_MLFLOW.replace(
    /  inputs: .*\n/,
    `  inputs: '[{"type": "double", "name": "age", "required": true}, {"type": "string", "name": "city", "required": true}, {"type": "long", "name": "visits", "required": false}, {"type": "boolean"}]'\n`,
  );
  assert.deepEqual(parseMlmodel(text).signature?.inputs, {
    kind: 'column',
    columns: [
      { name: 'age', elementType: 'float64', mlflowType: 'double', required: true },
      { name: 'city', elementType: 'string', mlflowType: 'string', required: true },
      { name: 'visits', elementType: 'int64', mlflowType: 'long', required: false },
      { elementType: 'bool', mlflowType: 'boolean', required: true },
    ],
  });
});

test('an MLmodel without a signature, and an unnamed tensor, as older MLflow writes them', () => {
  const noSig = LOGGED_BY_MLFLOW.replace(/signature:\n(  .*\n)+/, '');
  assert.equal(parseMlmodel(noSig).signature, undefined);
  const unnamed = LOGGED_BY_MLFLOW.replace(/, "name": "float_input"/, '');
  assert.deepEqual(parseMlmodel(unnamed).signature?.inputs, { kind: 'tensor', tensors: [{ name: '', elementType: 'float32', shape: [null, 4] }] });
});

test('round trip: the MLmodel written for a model reads back with its signature (dimension names become unknown)', async () => {
  const { paths } = writeModels({ 'model.onnx': classifierModel(), 'two.onnx': twoInputModel() });
  for (const path of Object.values(paths)) {
    const sig = await readOnnxSignature(path);
    const parsed = parseMlmodel(mlmodelForOnnx('model.onnx', sig));
    assert.deepEqual(parsed.signature, {
      inputs: { kind: 'tensor', tensors: withoutDimNames(sig.inputs) },
      outputs: { kind: 'tensor', tensors: withoutDimNames(sig.outputs) },
    });
    assert.equal(parsed.onnxFile, 'model.onnx');
  }
});

test("the written MLmodel has MLflow's fields, key order and JSON spelling", () => {
  const sig: OnnxSignature = {
    inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 20] }],
    outputs: [{ name: 'label', elementType: 'string', shape: [null] }],
  };
  const text = mlmodelForOnnx('model.onnx', sig, undefined, {
    modelUuid: 'abc123',
    now: new Date(Date.UTC(2024, 0, 15, 10, 21, 33, 123)),
    runId: 'r1',
    artifactPath: 'model',
    pythonVersion: '3.11.7',
  });
  const doc = parseYaml(text);
  assert.deepEqual(Object.keys(doc), ['artifact_path', 'flavors', 'mlflow_version', 'model_uuid', 'run_id', 'signature', 'utc_time_created']);
  assert.deepEqual(doc.flavors.onnx, {
    code: null,
    data: 'model.onnx',
    onnx_session_options: null,
    onnx_version: '1.16.0',
    providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
  });
  assert.deepEqual(doc.flavors.python_function, { data: 'model.onnx', loader_module: 'mlflow.onnx', python_version: '3.11.7' });
  assert.equal(doc.mlflow_version, MLFLOW_COMPAT_VERSION);
  assert.equal(doc.utc_time_created, '2024-01-15 10:21:33.123000');
  assert.equal(doc.signature.inputs, '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 20]}, "name": "float_input"}]');
  assert.equal(doc.signature.outputs, '[{"type": "tensor", "tensor-spec": {"dtype": "object", "shape": [-1]}, "name": "label"}]');
  assert.equal(doc.signature.params, null);
  assert.match(text, /^    providers:\n    - CUDAExecutionProvider$/m, "PyYAML's list layout");
  assert.match(mlmodelForOnnx('model.onnx', sig), /^model_uuid: [0-9a-f]{32}$/m, 'a uuid4 hex, as MLflow writes');
});

test('a feature schema travels in the MLmodel metadata and reads back', () => {
  const sig: OnnxSignature = { inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 2] }], outputs: [] };
  const features: FeatureSchema = {
    input: 'float_input',
    features: [
      { name: 'age', categorical: false, index: 0 },
      { name: 'city', categorical: true, index: 1 },
    ],
  };
  assert.deepEqual(parseMlmodel(mlmodelForOnnx('model.onnx', sig, features)).features, features);
});

test('malformed YAML is reported with its line', () => {
  fails(() => parseMlmodel('flavors:\n  onnx:\n    data: model.onnx\n   bad: [1, 2\n'), /^MLmodel line \d: not valid YAML: /, 4);
  fails(() => parseMlmodel('flavors:\n  onnx: {}\nflavors:\n  x: {}\n'), /not valid YAML: .*unique/i, 3);
  fails(() => parseMlmodel('- just\n- a list\n'), /expected a mapping/, undefined);
});

test('wrong structure is reported at the line of the offending value', () => {
  fails(() => parseMlmodel('mlflow_version: 2.9.2\n'), /no flavors/, undefined);
  fails(() => parseMlmodel('flavors:\n  onnx: model.onnx\n'), /flavor "onnx" should be a mapping/, 2);
  const badJson = LOGGED_BY_MLFLOW.replace(/  inputs: .*\n/, `  inputs: '[{"type": "tensor", '\n`);
  const line = badJson.split('\n').findIndex((l) => l.startsWith('  inputs:')) + 1;
  fails(() => parseMlmodel(badJson), /signature inputs: not valid JSON/, line);
  const mixed = LOGGED_BY_MLFLOW.replace(/"name": "label"\}, /, '"name": "label"}, {"type": "double", "name": "x"}, ');
  fails(() => parseMlmodel(mixed), /signature outputs: mixes tensor and column specs/, line + 1);
  const badShape = LOGGED_BY_MLFLOW.replace('[-1, 4]', '[-1, "four"]');
  fails(() => parseMlmodel(badShape), /tensor 1: shape should list integers/, line);
});

test('a model file outside the model folder is refused', () => {
  for (const data of ['../other/model.onnx', '/etc/passwd', 'C:\\\\models\\\\m.onnx', 'sub/../../x.onnx']) {
    const text = LOGGED_BY_MLFLOW.replace('    data: model.onnx\n    onnx_session_options', `    data: '${data}'\n    onnx_session_options`);
    fails(() => parseMlmodel(text), /must be a path inside the model folder/, 5);
  }
  const nested = LOGGED_BY_MLFLOW.replaceAll('data: model.onnx', 'data: onnx/model.onnx');
  assert.equal(parseMlmodel(nested).onnxFile, 'onnx/model.onnx');
});

test("a pyfunc-only MLmodel with loader mlflow.onnx still names the model file", () => {
  const text = 'flavors:\n  python_function:\n    loader_module: mlflow.onnx\n    data: m.onnx\n';
  assert.equal(parseMlmodel(text).onnxFile, 'm.onnx');
  assert.equal(parseMlmodel('flavors:\n  sklearn:\n    pickled_model: model.pkl\n').onnxFile, undefined);
});

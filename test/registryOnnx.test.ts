import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';
import { classifierModel, corruptOnnx, FIXTURE_OPSET, FIXTURE_PRODUCER, linearModel, twoInputModel, writeModels } from './helpers/onnxModels';
import { mlmodelForOnnx, parseMlmodel } from '../src/core/registry/mlmodel';
import { ModelLoadError, readOnnxSignature } from '../src/core/registry/onnxSignature';
import { modelsResponse } from '../src/protocol/native';

// The registry with the ONNX inspector, as the server runs it: what a user sees
// when registering real ONNX models (built in code by helpers/onnxModels.ts).

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const M = '/api/2.0/mlflow';
const A = '/api/2.0/mlflow-artifacts/artifacts';
const PRODUCER = `${FIXTURE_PRODUCER.name} ${FIXTURE_PRODUCER.version}`;

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await s.api(method, path, body);
  assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function newRun(): Promise<string> {
  return (await ok('POST', `${M}/runs/create`, { experiment_id: '0' })).run.info.run_id;
}

/** Uploads a run artifact through the proxy, as MLflow clients do. */
async function logArtifact(runId: string, path: string, body: Uint8Array | string): Promise<void> {
  const res = await fetch(`${s.url}${A}/0/${runId}/artifacts/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  assert.equal(res.status, 200, await res.text());
}

/** Registers runs:/<run>/<path> as a new version of `name` (creating the model if needed). */
async function register(name: string, runId: string, path: string, tags: { key: string; value: string }[] = []) {
  const created = await s.api('POST', `${M}/registered-models/create`, { name });
  assert.ok(created.status === 200 || created.body.error_code === 'RESOURCE_ALREADY_EXISTS', JSON.stringify(created.body));
  return s.api('POST', `${M}/model-versions/create`, { name, source: `runs:/${runId}/${path}`, run_id: runId, tags });
}

/** The native view of a model's versions, checked against the protocol's schema. */
async function versionsOf(name: string) {
  const parsed = modelsResponse.parse(await ok('GET', `/api/v1/models?name=${encodeURIComponent(name)}`));
  return parsed.models[0].versions;
}

async function download(path: string): Promise<Response> {
  return fetch(`${s.url}${A}/${path}`, { headers: { Authorization: `Bearer ${s.token}` } });
}

test('each fixture registers with the signature onnxruntime reads, servable, as format onnx', async () => {
  const cases = [
    {
      bytes: linearModel(),
      inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 4] }],
      outputs: [{ name: 'probabilities', elementType: 'float32', shape: ['N', 1] }],
    },
    {
      bytes: twoInputModel(),
      inputs: [
        { name: 'x', elementType: 'float32', shape: ['batch', 3] },
        { name: 'count', elementType: 'int64', shape: ['batch', null] },
      ],
      outputs: [{ name: 'sum', elementType: 'float32', shape: ['batch', 3] }],
    },
    {
      bytes: classifierModel(),
      inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 4] }],
      outputs: [
        { name: 'label', elementType: 'int64', shape: ['N'] },
        { name: 'probabilities', elementType: 'float32', shape: ['N', 3] },
      ],
    },
  ];
  for (const [i, c] of cases.entries()) {
    const runId = await newRun();
    await logArtifact(runId, 'model.onnx', c.bytes);
    const r = await register(`fixture-${i}`, runId, 'model.onnx');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const [v] = await versionsOf(`fixture-${i}`);
    assert.equal(v.format, 'onnx');
    assert.equal(v.servable, true);
    assert.deepEqual(v.signature, { inputs: c.inputs, outputs: c.outputs, opset: FIXTURE_OPSET, producer: PRODUCER });
    assert.equal(v.primaryPath, 'model.onnx');
    // The model file plus the generated MLmodel.
    assert.equal(v.fileCount, 2);
    assert.equal(v.features, null);
  }
});

test('a corrupt .onnx is refused with onnxruntime\'s reason, and nothing is stored', async () => {
  const bytes = corruptOnnx();
  const { paths } = writeModels({ 'bad.onnx': bytes });
  const reason = await readOnnxSignature(paths['bad.onnx']).then(
    () => assert.fail('the fixture should not load'),
    (err: unknown) => (err as ModelLoadError).reason,
  );
  const runId = await newRun();
  await logArtifact(runId, 'bad.onnx', bytes);
  const r = await register('corrupt', runId, 'bad.onnx');
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.equal(r.body.message, `bad.onnx is not a loadable ONNX model: ${reason}`);
  assert.doesNotMatch(r.body.message, /Load model from|blobs/);
  assert.deepEqual(await versionsOf('corrupt'), []);
  const search = await ok('GET', `${M}/model-versions/search?filter=${encodeURIComponent("name = 'corrupt'")}`);
  assert.equal(search.model_versions, undefined);
  assert.equal((await ok('GET', `${M}/registered-models/get?name=corrupt`)).registered_model.latest_versions, undefined);
});

test('a bare .onnx version has a generated MLmodel beside it, downloadable as MLflow clients do', async () => {
  const runId = await newRun();
  await logArtifact(runId, 'model.onnx', linearModel());
  assert.equal((await register('with-mlmodel', runId, 'model.onnx', [{ key: 'mlops.features', value: 'age,income,plan:categorical,tenure' }])).status, 200);
  const uri = (await ok('GET', `${M}/model-versions/get-download-uri?name=with-mlmodel&version=1`)).artifact_uri;
  assert.equal(uri, 'mlflow-artifacts:/models/with-mlmodel/1');
  const path = uri.slice('mlflow-artifacts:/'.length);
  const listing = await ok('GET', `${A}?path=${encodeURIComponent(path)}`);
  assert.deepEqual(listing.files.map((f: any) => f.path), ['MLmodel', 'model.onnx']);
  const res = await download(`${path}/MLmodel`);
  assert.equal(res.status, 200);
  const mlmodel = parseMlmodel(await res.text());
  assert.equal(mlmodel.onnxFile, 'model.onnx');
  assert.equal(mlmodel.runId, runId);
  assert.equal(mlmodel.flavors.python_function.loader_module, 'mlflow.onnx');
  assert.deepEqual(mlmodel.signature?.inputs, { kind: 'tensor', tensors: [{ name: 'float_input', elementType: 'float32', shape: [null, 4] }] });
  assert.deepEqual(mlmodel.features?.features.map((f) => f.name), ['age', 'income', 'plan', 'tenure']);
  const [v] = await versionsOf('with-mlmodel');
  assert.deepEqual(v.features, {
    input: 'float_input',
    features: [
      { name: 'age', categorical: false, index: 0 },
      { name: 'income', categorical: false, index: 1 },
      { name: 'plan', categorical: true, index: 2 },
      { name: 'tenure', categorical: false, index: 3 },
    ],
  });

  // A copy (models:/) is the same kind of version, with the same files and features.
  await ok('POST', `${M}/registered-models/create`, { name: 'with-mlmodel-copy' });
  await ok('POST', `${M}/model-versions/create`, { name: 'with-mlmodel-copy', source: 'models:/with-mlmodel/1' });
  const [copy] = await versionsOf('with-mlmodel-copy');
  assert.deepEqual([copy.format, copy.servable, copy.primaryPath, copy.fileCount, copy.sha256], ['onnx', true, 'model.onnx', 2, v.sha256]);
  assert.deepEqual(copy.features, v.features);
  assert.deepEqual(copy.signature, v.signature);
});

test('features that do not fit the input are refused with a clear message', async () => {
  const runId = await newRun();
  await logArtifact(runId, 'model.onnx', linearModel());
  await logArtifact(runId, 'two.onnx', twoInputModel());
  const wrong = await register('feature-count', runId, 'model.onnx', [{ key: 'mlops.features', value: 'a,b,c' }]);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.equal(wrong.body.message, 'Invalid features: the feature list names 3 features but float_input has 4 columns (shape [N, 4]).');
  const twoInputs = await register('feature-count', runId, 'two.onnx', [{ key: 'mlops.features', value: 'a,b,c' }]);
  assert.equal(twoInputs.status, 400);
  assert.match(twoInputs.body.message, /single input, but this model has 2 inputs \(x, count\)/);
  assert.deepEqual(await versionsOf('feature-count'), []);

  // Other files are kept as 'other', not servable; features cannot name their columns.
  await logArtifact(runId, 'model.joblib', 'joblib-bytes');
  const withFeatures = await register('feature-count', runId, 'model.joblib', [{ key: 'mlops.features', value: 'a' }]);
  assert.equal(withFeatures.status, 400);
  assert.match(withFeatures.body.message, /model\.joblib is not an ONNX model; register without features/);
  assert.equal((await register('feature-count', runId, 'model.joblib')).status, 200);
  const [v] = await versionsOf('feature-count');
  assert.deepEqual([v.format, v.servable, v.signature, v.features, v.fileCount], ['other', false, null, null, 1]);
});

test('an MLflow model folder (MLmodel + model.onnx, as mlflow.onnx.log_model writes) gets its signature and features', async () => {
  const runId = await newRun();
  const signature = await readOnnxSignature(writeModels({ 'm.onnx': linearModel() }).paths['m.onnx']);
  const features = {
    input: 'float_input',
    features: ['age', 'income', 'plan', 'tenure'].map((name, index) => ({ name, categorical: name === 'plan', index })),
  };
  await logArtifact(runId, 'model/MLmodel', mlmodelForOnnx('model.onnx', signature, features, { runId, artifactPath: 'model' }));
  await logArtifact(runId, 'model/model.onnx', linearModel());
  await logArtifact(runId, 'model/requirements.txt', 'onnxruntime\n');
  const r = await register('folder', runId, 'model');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [v] = await versionsOf('folder');
  assert.equal(v.format, 'mlflow-model');
  assert.equal(v.servable, true);
  assert.equal(v.primaryPath, 'model.onnx');
  assert.deepEqual(v.signature?.inputs, [{ name: 'float_input', elementType: 'float32', shape: ['N', 4] }]);
  assert.deepEqual(v.features, features);
  assert.equal(v.fileCount, 3); // its own MLmodel is kept; none is generated

  // The MLmodel may name a file without the .onnx extension; that file is the model.
  const other = await newRun();
  await logArtifact(other, 'model/MLmodel', mlmodelForOnnx('weights', signature));
  await logArtifact(other, 'model/weights', classifierModel());
  await logArtifact(other, 'model/big.bin', 'x'.repeat(10_000));
  assert.equal((await register('folder-named', other, 'model')).status, 200);
  const [named] = await versionsOf('folder-named');
  assert.equal(named.primaryPath, 'weights');
  assert.equal(named.signature?.outputs.length, 2);

  // A folder whose onnx file does not load, or is missing, is refused.
  const broken = await newRun();
  await logArtifact(broken, 'model/MLmodel', mlmodelForOnnx('model.onnx', signature));
  await logArtifact(broken, 'model/model.onnx', corruptOnnx());
  const refused = await register('folder-broken', broken, 'model');
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /^model\.onnx is not a loadable ONNX model: \S/);
  await logArtifact(broken, 'missing/MLmodel', mlmodelForOnnx('model.onnx', signature));
  await logArtifact(broken, 'missing/other.bin', 'x');
  const missing = await register('folder-broken', broken, 'missing');
  assert.equal(missing.status, 400);
  assert.match(missing.body.message, /names the model file 'model\.onnx', but the model folder has no such file/);

  // An MLflow model of another flavor is kept, not servable.
  const sk = await newRun();
  await logArtifact(sk, 'model/MLmodel', 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n');
  await logArtifact(sk, 'model/model.pkl', 'pickle');
  assert.equal((await register('folder-sklearn', sk, 'model')).status, 200);
  const [skv] = await versionsOf('folder-sklearn');
  assert.deepEqual([skv.format, skv.servable, skv.signature], ['mlflow-model', false, null]);
});

test('without --features, the features come from a CSV data set logged with the source run', async () => {
  const runId = await newRun();
  await ok('POST', `${M}/runs/log-inputs`, {
    run_id: runId,
    datasets: [
      { dataset: { name: 'holdout', digest: 'd1', source_type: 'local', source: '{"uri": "data/holdout.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'eval' }] },
      { dataset: { name: 'churn-train', digest: 'd2', source_type: 'local', source: '{"uri": "/data/churn-train.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
    ],
  });
  // The training set has the target as an extra column; it is not a model input.
  await logArtifact(runId, 'data/churn-train.csv', 'age,income,plan,tenure,churned\n41,52000,gold,3,0\n35,48000,basic,1,1\n');
  await logArtifact(runId, 'data/holdout.csv', 'a,b\n1,2\n');
  await logArtifact(runId, 'model.onnx', linearModel());
  assert.equal((await register('from-dataset', runId, 'model.onnx')).status, 200);
  const [v] = await versionsOf('from-dataset');
  assert.deepEqual(v.features, {
    input: 'float_input',
    features: [
      { name: 'age', categorical: false, index: 0 },
      { name: 'income', categorical: false, index: 1 },
      { name: 'plan', categorical: true, index: 2 },
      { name: 'tenure', categorical: false, index: 3 },
    ],
  });

  // A data set that does not fit the input gives no features, and no refusal.
  const misfit = await newRun();
  await ok('POST', `${M}/runs/log-inputs`, { run_id: misfit, datasets: [{ dataset: { name: 'tiny', digest: 'd', source_type: 'local', source: 'tiny.csv' }, tags: [] }] });
  await logArtifact(misfit, 'tiny.csv', 'a,b\n1,2\n');
  await logArtifact(misfit, 'model.onnx', linearModel());
  assert.equal((await register('from-dataset-misfit', misfit, 'model.onnx')).status, 200);
  assert.equal((await versionsOf('from-dataset-misfit'))[0].features, null);
});

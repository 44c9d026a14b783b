// ServedModel: what an HTTP route will call. Raw bodies in; a body to send or a
// classified failure out, for each protocol, with requests batched underneath.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedModel } from '../src/core/serving/servedModel';
import { featureSchemaFromCli } from '../src/core/registry/featureSchema';
import { linearExpected, linearModel, lookupModel, writeModels } from './helpers/onnxModels';

const { paths } = writeModels({ 'linear.onnx': linearModel(), 'lookup.onnx': lookupModel() });
const features = featureSchemaFromCli('age,income,plan,tenure', { name: 'float_input', elementType: 'float32', shape: ['N', 4] });
const served = ServedModel.load({ name: 'churn', version: '2', versions: ['1', '2'], file: paths['linear.onnx'], features });
const lookup = ServedModel.load({ name: 'lookup', version: '1', file: paths['lookup.onnx'] });
after(async () => {
  await (await served).dispose();
  await (await lookup).dispose();
});

test('OIP infer, MLflow invocations (JSON and CSV) and KServe v1 answer from one loaded version', async () => {
  const m = await served;
  const row = [1, 2, 3, 4];
  const p = linearExpected(row);
  const oip = await m.inferOip(JSON.stringify({ id: 'a', inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: row }] }));
  assert.ok(oip.ok);
  assert.equal(oip.body.model_name, 'churn');
  assert.equal(oip.body.model_version, '2');
  assert.ok(Math.abs((oip.body.outputs[0].data[0] as number) - p) < 1e-6);
  const json = await m.invocations(JSON.stringify({ dataframe_records: [{ tenure: 4, plan: 3, income: 2, age: 1 }] }), 'application/json');
  assert.ok(json.ok);
  assert.ok(Math.abs((json.body.predictions as { probabilities: number }[])[0].probabilities - p) < 1e-6);
  const csv = await m.invocations('age,income,plan,tenure\n1,2,3,4\n', 'text/csv; charset=utf-8');
  assert.deepEqual(csv, json);
  const v1 = await m.predictV1(JSON.stringify({ instances: [row] }));
  assert.ok(v1.ok && Math.abs((v1.body.predictions[0] as number[])[0] - p) < 1e-6);
  assert.deepEqual(m.metadata().versions, ['1', '2']);
});

test('failures are classified for the route: bad request, unsupported media type, inference failed', async () => {
  const m = await served;
  const syntax = await m.inferOip('{"inputs": [');
  assert.ok(!syntax.ok && syntax.kind === 'bad-request' && syntax.message.startsWith('The body is not valid JSON: '));
  const missing = await m.invocations(JSON.stringify({ dataframe_split: { columns: ['age'], data: [[1]] } }), 'application/json');
  assert.deepEqual(missing, { ok: false, kind: 'bad-request', message: 'Missing columns income, plan, tenure: the model expects the columns age, income, plan, tenure (its feature schema).' });
  const media = await m.invocations('age\n1\n', 'text/plain');
  assert.deepEqual(media, { ok: false, kind: 'unsupported-media-type', message: "Content-Type 'text/plain' is not supported: send application/json or text/csv." });
  const outOfRange = await (await lookup).inferOip(JSON.stringify({ inputs: [{ name: 'index', shape: [1], datatype: 'INT64', data: [9] }] }));
  assert.ok(!outOfRange.ok && outOfRange.kind === 'inference-failed');
  assert.match(outOfRange.message, /^The model could not compute this input: /);
});

test('concurrent requests through one served model are batched and each gets its own answer', async () => {
  const m = await served;
  const rows = Array.from({ length: 50 }, (_, i) => [i, i / 2, -i, 1]);
  const answers = await Promise.all(rows.map((r) => m.inferOip(JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: r }] }))));
  answers.forEach((a, i) => assert.ok(a.ok && Math.abs((a.body.outputs[0].data[0] as number) - linearExpected(rows[i])) < 1e-6, `request ${i}`));
  assert.ok(m.batcher.stats.meanRequestsPerCall > 1);
});

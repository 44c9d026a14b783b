// MLflow /invocations bodies and KServe v1 predict, through real sessions: the four
// JSON forms and CSV give the same predictions; DataFrame columns are mapped by the
// version's feature schema whatever their order; a missing column is named; extra
// columns are ignored, as MLflow 2.x does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ModelSession } from '../src/core/serving/modelSession';
import { encodeMlflowPredictions, invocationsContentKind, parseInvocationsCsv, parseInvocationsJson } from '../src/core/serving/mlflowScoring';
import type { ScoringModel } from '../src/core/serving/tabularInput';
import { decodeV1Predict, encodeV1Predictions } from '../src/core/serving/kserveV1';
import { featureSchemaFromCli } from '../src/core/registry/featureSchema';
import { classifierModel, linearExpected, linearModel, twoInputModel, writeModels } from './helpers/onnxModels';

const { paths } = writeModels({ 'linear.onnx': linearModel(), 'two.onnx': twoInputModel(), 'classifier.onnx': classifierModel() });
const opened: ModelSession[] = [];
async function open(name: keyof typeof paths, features?: string): Promise<{ session: ModelSession; model: ScoringModel }> {
  const session = await ModelSession.create(paths[name]);
  opened.push(session);
  const input = session.signature.inputs[0];
  const model: ScoringModel = { signature: session.signature, ...(features ? { features: featureSchemaFromCli(features, { name: input.name, elementType: input.type, shape: input.shape }) } : {}) };
  return { session, model };
}
after(async () => {
  for (const s of opened) await s.dispose();
});

const ROWS = [
  [1, 2, 3, 4],
  [0.5, -1, 0, 2],
];
const FEATURES = 'age,income,plan:categorical,tenure';
const expected = ROWS.map(linearExpected);

async function predict(name: keyof typeof paths, body: unknown, features?: string, csv = false) {
  const { session, model } = await open(name, features);
  const parsed = csv ? parseInvocationsCsv(body as string, model) : parseInvocationsJson(body, model);
  if (!parsed.ok) throw new Error(parsed.error);
  const results = await session.run(parsed.value.feeds);
  return { response: encodeMlflowPredictions(results, parsed.value.kind), parsed: parsed.value };
}

async function refusal(name: keyof typeof paths, body: unknown, features?: string, csv = false): Promise<string> {
  const { model } = await open(name, features);
  const parsed = csv ? parseInvocationsCsv(body as string, model) : parseInvocationsJson(body, model);
  assert.equal(parsed.ok, false, 'expected a refusal');
  return (parsed as { error: string }).error;
}

function assertRecords(predictions: unknown) {
  const records = predictions as { probabilities: number }[];
  assert.equal(records.length, ROWS.length);
  records.forEach((r, i) => assert.ok(Math.abs(r.probabilities - expected[i]) < 1e-6, `row ${i}`));
}

test('dataframe_split: columns in any order are mapped by the feature schema; extra columns are ignored and reported', async () => {
  const body = {
    dataframe_split: {
      columns: ['tenure', 'customer_id', 'income', 'age', 'plan'],
      index: [10, 11],
      data: ROWS.map(([age, income, plan, tenure], i) => [tenure, `c${i}`, income, age, plan]),
    },
  };
  const { response, parsed } = await predict('linear.onnx', body, FEATURES);
  assertRecords(response.predictions);
  assert.deepEqual(parsed.ignoredColumns, ['customer_id']);
  assert.equal(parsed.kind, 'dataframe');
});

test('dataframe_records: one object per row, keys in any order', async () => {
  const body = { dataframe_records: ROWS.map(([age, income, plan, tenure]) => ({ plan, tenure, age, income })) };
  assertRecords((await predict('linear.onnx', body, FEATURES)).response.predictions);
});

test('CSV with a header row, mapped by name like a DataFrame; empty cells are missing (NaN)', async () => {
  const csv = `income,age,tenure,plan,note\r\n${ROWS.map(([a, i, p, t]) => `${i},${a},${t},${p},"x, y"`).join('\r\n')}\r\n`;
  const { response, parsed } = await predict('linear.onnx', csv, FEATURES, true);
  assertRecords(response.predictions);
  assert.deepEqual(parsed.ignoredColumns, ['note']);
  const { response: withGap } = await predict('linear.onnx', 'age,income,plan,tenure\n1,,3,4\n', FEATURES, true);
  assert.ok(Number.isNaN((withGap.predictions as { probabilities: number }[])[0].probabilities));
});

test('instances and inputs (a list) are tensors: predictions are named nested arrays', async () => {
  for (const field of ['instances', 'inputs']) {
    const { response, parsed } = await predict('linear.onnx', { [field]: ROWS });
    assert.equal(parsed.kind, 'tensor');
    const p = (response.predictions as { probabilities: number[][] }).probabilities;
    assert.equal(p.length, 2);
    p.forEach((row, i) => assert.ok(row.length === 1 && Math.abs(row[0] - expected[i]) < 1e-6, `${field} row ${i}`));
  }
});

test('inputs as an object of named tensors feeds a model with several inputs', async () => {
  const { response } = await predict('two.onnx', { inputs: { x: [[1, 2, 3]], count: [[10]] } });
  assert.deepEqual(response, { predictions: { sum: [[11, 12, 13]] } });
  const { response: rows } = await predict('two.onnx', { instances: [{ x: [1, 2, 3], count: [1] }, { x: [0, 0, 0], count: [5] }] });
  assert.deepEqual(rows, { predictions: { sum: [[2, 3, 4], [5, 5, 5]] } });
});

test('instances and inputs keyed by feature names are a DataFrame (rows and columns), as MLflow reads them', async () => {
  const records = ROWS.map(([age, income, plan, tenure]) => ({ tenure, plan, income, age, id: 'x' }));
  const byRows = await predict('linear.onnx', { instances: records }, FEATURES);
  assert.equal(byRows.parsed.kind, 'dataframe');
  assert.deepEqual(byRows.parsed.ignoredColumns, ['id']);
  assertRecords(byRows.response.predictions);
  const columns = { income: ROWS.map((r) => r[1]), age: ROWS.map((r) => r[0]), tenure: ROWS.map((r) => r[3]), plan: ROWS.map((r) => r[2]) };
  assertRecords((await predict('linear.onnx', { inputs: columns }, FEATURES)).response.predictions);
  assert.equal(
    await refusal('linear.onnx', { inputs: { ...columns, age: [1] } }, FEATURES),
    'Column age has 1 values, but column income has 2; every column needs one value per row.',
  );
  // Without a feature schema the same keys are not inputs of the model.
  assert.equal(await refusal('linear.onnx', { inputs: columns }), 'Unknown input income, age, tenure, plan in "inputs": the model\'s inputs are float_input.');
});

test('several outputs answer a DataFrame as one record per row', async () => {
  const { response } = await predict('classifier.onnx', { dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: [[5, 1, 1, 0]] } });
  const [record] = response.predictions as { label: number; probabilities: number[] }[];
  assert.equal(record.label, 0);
  assert.equal(record.probabilities.length, 3);
});

test('without a feature schema the columns are taken in the order sent, and must fit the width', async () => {
  assertRecords((await predict('linear.onnx', { dataframe_split: { columns: ['w', 'x', 'y', 'z'], data: ROWS } })).response.predictions);
  assertRecords((await predict('linear.onnx', { dataframe_split: { data: ROWS } }, FEATURES)).response.predictions);
  assert.equal(
    await refusal('linear.onnx', { dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2, 3]] } }),
    'Wrong number of columns: float_input has 4 columns (shape [N, 4]) but the input has 3; the model version has no feature schema, so columns are taken in the order sent.',
  );
});

test('a missing column is named, with the columns the model expects', async () => {
  const body = { dataframe_records: [{ age: 1, tenure: 2 }] };
  assert.equal(await refusal('linear.onnx', body, FEATURES), 'Missing columns income, plan: the model expects the columns age, income, plan, tenure (its feature schema).');
  assert.equal(
    await refusal('linear.onnx', 'age,income,tenure\n1,2,3\n', FEATURES, true),
    'Missing column plan: the model expects the columns age, income, plan, tenure (its feature schema).',
  );
});

test('malformed bodies and values are refused with what to change', async () => {
  const cases: [unknown, string][] = [
    [{ data: ROWS }, 'The body must be a JSON object with exactly one of dataframe_split, dataframe_records, instances, inputs (and optionally params); it has data.'],
    [{ instances: ROWS, inputs: ROWS }, 'The body must be a JSON object with exactly one of dataframe_split, dataframe_records, instances, inputs (and optionally params); it has instances, inputs.'],
    [{ dataframe_split: ROWS }, '"dataframe_split" must be an object {"columns": [...], "data": [[...], ...]}.'],
    [{ dataframe_records: ROWS }, '"dataframe_records" must be a list of objects, one per row: [{"column": value, ...}].'],
    [{ dataframe_split: { columns: ['age', 'income', 'plan', 'tenure'], data: [[1, 2, 3]] } }, 'Row 0 has 3 values, but there are 4 columns.'],
    [{ dataframe_records: [{ age: 1, income: 'lots', plan: 1, tenure: 1 }] }, 'Column income: row 0 is "lots", not a number.'],
    [{ instances: [[1, 2, 3, 4], [1, 2]] }, 'Input float_input: data[1] has 2 elements where 4 were expected; every row must have the same shape (got a ragged array).'],
    [{ instances: [[1, 2, 3]] }, 'Wrong shape for input float_input: got [1, 3], but float_input expects shape [N, 4]; dimension 1 must be 4.'],
    [{ inputs: { float_input: ROWS, extra: [1] } }, 'Unknown input extra in "inputs": the model\'s inputs are float_input.'],
    [{ inputs: 'x' }, '"inputs" must be a list (one tensor) or an object of named tensors.'],
    [{ instances: [] }, '"instances" is empty: send at least one instance.'],
  ];
  for (const [body, message] of cases) assert.equal(await refusal('linear.onnx', body, FEATURES), message);
  assert.equal(await refusal('linear.onnx', 'age,income,plan,tenure\n1,2,three,4\n', FEATURES, true), 'Column plan: row 0 is "three", not a number.');
  assert.equal(await refusal('linear.onnx', '', FEATURES, true), 'The CSV body is empty: its first line should name the columns.');
  assert.equal(
    await refusal('two.onnx', { instances: [[1, 2, 3]] }),
    '"instances" is a plain list, but this model has 2 inputs (x, count); name them: {"instances": {"x": [...], ...}}.',
  );
});

test('params ride along; content types map to json, csv, or refused', async () => {
  const { parsed } = await predict('linear.onnx', { inputs: ROWS, params: { threshold: 0.5 } });
  assert.deepEqual(parsed.params, { threshold: 0.5 });
  assert.equal(invocationsContentKind('application/json; charset=utf-8'), 'json');
  assert.equal(invocationsContentKind('text/csv'), 'csv');
  assert.equal(invocationsContentKind('text/plain'), undefined);
  assert.equal(invocationsContentKind(undefined), undefined);
});

test('KServe v1: {instances} -> {predictions}, one per instance', async () => {
  const { session } = await open('linear.onnx');
  const decoded = decodeV1Predict({ instances: ROWS }, session.signature);
  assert.ok(decoded.ok);
  const { predictions } = encodeV1Predictions(await session.run(decoded.value));
  assert.equal(predictions.length, 2);
  (predictions as number[][]).forEach((p, i) => assert.ok(Math.abs(p[0] - expected[i]) < 1e-6));
  const classifier = (await open('classifier.onnx')).session;
  const c = decodeV1Predict({ instances: [[5, 1, 1, 0]] }, classifier.signature);
  assert.ok(c.ok);
  const [first] = encodeV1Predictions(await classifier.run(c.value)).predictions as { label: number; probabilities: number[] }[];
  assert.equal(first.label, 0);
  assert.equal(first.probabilities.length, 3);
  const bad = decodeV1Predict({ inputs: ROWS }, session.signature);
  assert.deepEqual(bad, { ok: false, error: 'The body must be a JSON object {"instances": [...]}, one instance per row.' });
});

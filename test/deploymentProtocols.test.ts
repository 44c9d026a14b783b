// A deployment process answers each serving protocol with its exact shapes and
// errors, behind the workspace token and the loopback Host check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { churnWorkspace, oipBody, parseMetrics, spec, startDeployment, TOKEN, type Deployment } from './helpers/deploymentProcess';
import { linearExpected } from './helpers/onnxModels';

let workspace: string;
let d: Deployment;
const row = [1, 2, 3, 4];

before(async () => {
  workspace = await churnWorkspace();
  d = await startDeployment(workspace, spec());
});
after(async () => {
  await d?.stop();
});

test('ready names the variants and the URL on loopback', () => {
  const ready = d.messages.find((m) => m.type === 'ready');
  assert.ok(ready && ready.type === 'ready');
  assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(ready.variants, [{ name: 'champion', model: 'churn', version: '1', modelUri: 'models:/churn@champion', weight: 100 }]);
});

test('OIP: server metadata, health, model metadata and readiness', async () => {
  const server = await (await d.request('/v2')).json();
  assert.equal(server.name, 'mlops-workbench');
  assert.equal(typeof server.version, 'string');
  assert.deepEqual(server.extensions, []);
  assert.equal((await d.request('/v2/health/live')).status, 200);
  assert.equal((await d.request('/v2/health/ready')).status, 200);
  for (const path of ['/v2/models/churn', '/v2/models/churn/versions/1', '/v2/models/churn-svc']) {
    const res = await d.request(path);
    assert.equal(res.status, 200, path);
    const meta = await res.json();
    assert.equal(meta.name, 'churn');
    assert.equal(meta.platform, 'onnxruntime_onnx');
    assert.deepEqual(meta.inputs, [{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }]);
  }
  const ready = await d.request('/v2/models/churn/versions/1/ready');
  assert.equal(ready.status, 200);
  assert.equal(ready.headers.get('x-mlops-model-version'), 'churn/1');
  assert.deepEqual(await ready.json(), { name: 'churn', ready: true });
  for (const path of ['/v2/models/nope', '/v2/models/churn/versions/9', '/v2/models/churn/versions/9/ready']) {
    const res = await d.request(path);
    assert.equal(res.status, 404, path);
    assert.equal(typeof (await res.json()).error, 'string');
  }
});

test('OIP infer answers with the variant that served, and errors are {error} with 400/404', async () => {
  for (const path of ['/v2/models/churn/infer', '/v2/models/churn/versions/1/infer', '/v2/models/churn-svc/infer']) {
    const res = await d.request(path, { method: 'POST', body: JSON.stringify({ id: 'r1', inputs: JSON.parse(oipBody([row])).inputs }) });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('x-mlops-variant'), 'champion');
    assert.equal(res.headers.get('x-mlops-model-version'), 'churn/1');
    assert.ok(res.headers.get('x-request-id'));
    const body = await res.json();
    assert.equal(body.model_name, 'churn');
    assert.equal(body.model_version, '1');
    assert.equal(body.id, 'r1');
    assert.ok(Math.abs(body.outputs[0].data[0] - linearExpected(row)) < 1e-6);
  }
  const bad = [
    ['{"inputs": [', 400],
    [JSON.stringify({ inputs: [{ name: 'nope', shape: [1, 4], datatype: 'FP32', data: row }] }), 400],
    [JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }), 400],
    [JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'BYTES', data: ['a', 'b', 'c', 'd'] }] }), 400],
  ] as const;
  for (const [body, status] of bad) {
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body });
    assert.equal(res.status, status, body);
    const json = await res.json();
    assert.deepEqual(Object.keys(json), ['error'], body);
  }
  const missing = await d.request('/v2/models/other/infer', { method: 'POST', body: oipBody([row]) });
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /not served here/);
  const version = await d.request('/v2/models/churn/versions/2/infer', { method: 'POST', body: oipBody([row]) });
  assert.equal(version.status, 404);
  const unknown = await d.request('/v2/nothing');
  assert.equal(unknown.status, 404);
  assert.equal(typeof (await unknown.json()).error, 'string');
});

test('MLflow scoring: JSON and CSV, 415 for other types, errors as {error_code, message}; ping, health, version', async () => {
  const p = linearExpected(row);
  const json = await d.request('/invocations', { method: 'POST', body: JSON.stringify({ dataframe_records: [{ age: 1, income: 2, plan: 3, tenure: 4 }] }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(json.status, 200);
  assert.equal(json.headers.get('x-mlops-model-version'), 'churn/1');
  assert.ok(Math.abs((await json.json()).predictions[0].probabilities - p) < 1e-6);
  const csv = await d.request('/invocations', { method: 'POST', body: 'age,income,plan,tenure\n1,2,3,4\n', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(csv.status, 200);
  assert.ok(Math.abs((await csv.json()).predictions[0].probabilities - p) < 1e-6);
  const xml = await d.request('/invocations', { method: 'POST', body: '<x/>', headers: { 'Content-Type': 'application/xml' } });
  assert.equal(xml.status, 415);
  const xmlBody = await xml.json();
  assert.equal(xmlBody.error_code, 'BAD_REQUEST');
  assert.equal(typeof xmlBody.message, 'string');
  const bad = await d.request('/invocations', { method: 'POST', body: '{"nothing": 1}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(await bad.json()).sort(), ['error_code', 'message']);
  assert.equal((await d.request('/ping')).status, 200);
  assert.equal((await d.request('/health')).status, 200);
  const version = await d.request('/version');
  assert.equal(version.status, 200);
  assert.match(await version.text(), /^\d+\.\d+\.\d+/);
});

test('KServe v1 predict answers per instance; errors are {error}', async () => {
  const res = await d.request('/v1/models/churn:predict', { method: 'POST', body: JSON.stringify({ instances: [row, row] }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-mlops-variant'), 'champion');
  const body = await res.json();
  assert.equal(body.predictions.length, 2);
  assert.ok(Math.abs(body.predictions[1][0] - linearExpected(row)) < 1e-6);
  const bad = await d.request('/v1/models/churn:predict', { method: 'POST', body: JSON.stringify({ rows: [] }) });
  assert.equal(bad.status, 400);
  assert.equal(typeof (await bad.json()).error, 'string');
  const other = await d.request('/v1/models/other:predict', { method: 'POST', body: JSON.stringify({ instances: [row] }) });
  assert.equal(other.status, 404);
  assert.equal(typeof (await other.json()).error, 'string');
});

test('auth: 401 without or with a wrong token, 403 for a foreign Host, on every protocol', async () => {
  for (const path of ['/v2', '/v2/models/churn', '/invocations', '/metrics', '/ping']) {
    const none = await fetch(d.url + path);
    assert.equal(none.status, 401, path);
    const wrong = await fetch(d.url + path, { headers: { Authorization: 'Bearer wrong' } });
    assert.equal(wrong.status, 401, path);
  }
  assert.equal(typeof (await (await fetch(d.url + '/v2/health/live')).json()).error, 'string');
  assert.equal((await (await fetch(d.url + '/invocations', { method: 'POST' })).json()).error_code, 'UNAUTHENTICATED');
  // fetch will not let a caller set Host; a raw request can (as a DNS-rebinding page's browser would).
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(d.url + '/v2');
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/v2', headers: { Host: 'evil.example:80', Authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403);
});

test('request ids: a client id is echoed, otherwise one is made', async () => {
  const given = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]), headers: { 'X-Request-Id': 'client-42' } });
  assert.equal(given.headers.get('x-request-id'), 'client-42');
  const made = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
  const next = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
  // This process's prefix and a counter: unique per deployment process.
  assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f]{8}-[0-9a-z]+$/);
  assert.notEqual(made.headers.get('x-request-id'), next.headers.get('x-request-id'));
});

test('metrics: the exposition parses and counts requests by status, latency, batch rows and model info', async () => {
  const before = parseMetrics(await (await d.request('/metrics')).text());
  const key = (status: number) => `mlops_requests_total{model="churn",version="1",variant="champion",protocol="oip",status="${status}"}`;
  for (let i = 0; i < 5; i++) await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
  await d.request('/v2/models/churn/infer', { method: 'POST', body: '{' });
  const res = await d.request('/metrics');
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const after = parseMetrics(await res.text());
  assert.equal((after.get(key(200)) ?? 0) - (before.get(key(200)) ?? 0), 5);
  assert.equal((after.get(key(400)) ?? 0) - (before.get(key(400)) ?? 0), 1);
  const count = after.get('mlops_request_duration_seconds_count{variant="champion",protocol="oip"}') ?? 0;
  assert.ok(count >= 6);
  assert.equal(after.get('mlops_request_duration_seconds_bucket{variant="champion",protocol="oip",le="+Inf"}'), count);
  assert.equal(after.get('mlops_requests_in_flight'), 0);
  assert.ok((after.get('mlops_batch_rows_count{variant="champion"}') ?? 0) >= 5);
  assert.equal(after.get('mlops_model_info{variant="champion",model="churn",version="1"}'), 1);
});

test('feedback: labels are matched by request id and give a live accuracy', async () => {
  // linearModel on [1,2,3,4] gives p > 0.5 (predicts 1); on [0,5,0,0] p < 0.5 (predicts 0).
  const answer = async (r: number[], id: string) => (await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([r]), headers: { 'X-Request-Id': id } })).status;
  assert.equal(await answer([1, 2, 3, 4], 'fb-1'), 200);
  assert.equal(await answer([0, 5, 0, 0], 'fb-2'), 200);
  assert.equal(await answer([0, 5, 0, 0], 'fb-3'), 200);
  const label = (request_id: string, label: unknown) => d.request('/v1/feedback', { method: 'POST', body: JSON.stringify({ request_id, label }) });
  const right = await label('fb-1', 1);
  assert.equal(right.status, 200);
  assert.deepEqual(await right.json(), { request_id: 'fb-1', variants: ['champion'], correct: { champion: true } });
  assert.equal((await label('fb-2', 0)).status, 200);
  assert.deepEqual((await (await label('fb-3', true)).json()).correct, { champion: false });
  const again = await label('fb-1', 1);
  assert.equal(again.status, 404);
  assert.equal((await again.json()).error_code, 'RESOURCE_DOES_NOT_EXIST');
  const invalid = await d.request('/v1/feedback', { method: 'POST', body: JSON.stringify({ label: 1 }) });
  assert.equal(invalid.status, 400);
  assert.equal((await invalid.json()).error_code, 'BAD_REQUEST');
  const metrics = parseMetrics(await (await d.request('/metrics')).text());
  assert.equal(metrics.get('mlops_feedback_total{variant="champion"}'), 3);
  assert.ok(Math.abs((metrics.get('mlops_live_accuracy{variant="champion"}') ?? -1) - 2 / 3) < 1e-9);
});

test('without auth a deployment needs no token, and says so', async () => {
  const open = await startDeployment(await churnWorkspace(), spec({ name: 'open', auth: false }), { MLOPS_DEPLOYMENT_TOKEN: '' });
  try {
    const res = await fetch(open.url + '/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
    assert.equal(res.status, 200);
    assert.match(open.output(), /WITHOUT AUTH/);
  } finally {
    await open.stop();
  }
});

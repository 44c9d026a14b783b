import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';
import { churnWorkspace, spec, startDeployment, TOKEN, type Deployment } from './helpers/deploymentProcess';
import { linearModel } from './helpers/onnxModels';
import { openRaw, parseHead } from './helpers/rawSocket';

// Input that used to crash a handler (a 500) gets a 4xx that says what is wrong.

let s: TestServer;
let d: Deployment;
before(async () => {
  [s, d] = await Promise.all([startServer(), churnWorkspace().then((w) => startDeployment(w, spec()))]);
});
after(async () => Promise.all([s.stop(), d.stop()]));

const M = '/api/2.0/mlflow';

/** A status line for a raw request target (what fetch would normalise away). */
async function statusOf(base: string, target: string, token: string): Promise<{ status: number; body: string }> {
  const c = await openRaw(Number(new URL(base).port));
  c.socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
  await c.closedWithin(5_000);
  const head = parseHead(c.received());
  return { status: head.status, body: head.body };
}

test('malformed percent-encoding in deployment paths is a 400 in the protocol\'s shape', async () => {
  for (const path of ['/v2/models/%E0%A4%A/infer', '/v2/models/churn-svc/versions/%/infer', '/v1/models/%:predict']) {
    const r = await d.request(path, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, path);
    assert.match((await r.json()).error, /percent-encoding/);
  }
  for (const path of ['/v2/models/%E0%A4%A', '/v2/models/%zz/ready', '/v1/models/%']) {
    const r = await d.request(path);
    assert.equal(r.status, 400, path);
  }
  for (const target of ['//[', 'http://x:99999/v2']) {
    const r = await statusOf(d.url, target, TOKEN);
    assert.ok(r.status >= 400 && r.status < 500, `${target}: ${r.status} ${r.body}`);
  }
});

test("malformed percent-encoding and odd request targets on the backend's routes are 4xx", async () => {
  const r = await s.api('GET', '/api/v1/deployments/%E0%A4%A');
  assert.equal(r.status, 400);
  assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.match(r.body.message, /percent-encoding/);
  for (const target of ['//[', 'http://x:99999/api/v1/health', `${M}-artifacts/artifacts/0/%E0%A4%A/artifacts/x`]) {
    const raw = await statusOf(s.url, target, s.token);
    assert.ok(raw.status >= 400 && raw.status < 500, `${target}: ${raw.status} ${raw.body}`);
  }
});

const DEPTH = 20_000;
const deep = '['.repeat(DEPTH) + '1' + ']'.repeat(DEPTH);

test('inference data nested 20,000 deep is a 400 on all three protocols, and the deployment keeps serving', async () => {
  const cases = [
    { path: '/v2/models/churn-svc/infer', body: `{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":${deep}}]}`, field: 'error' },
    { path: '/invocations', body: `{"inputs":${deep}}`, field: 'message' },
    { path: '/invocations', body: `{"inputs":{"float_input":${deep}}}`, field: 'message' },
    { path: '/invocations', body: `{"instances":${deep}}`, field: 'message' },
    { path: '/v1/models/churn-svc:predict', body: `{"instances":${deep}}`, field: 'error' },
  ];
  // An element that is itself a deep object (not an array, so not flattened).
  const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
  for (const body of [
    `{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[${deepObject},2,3,4]}]}`,
    `{"dataframe_records":[{"age":${deepObject},"income":1,"plan":1,"tenure":1}]}`,
  ]) {
    const path = body.startsWith('{"inputs"') ? '/v2/models/churn-svc/infer' : '/invocations';
    const r = await d.request(path, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, `${path}: ${(await r.clone().text()).slice(0, 300)}`);
  }
  for (const one of cases) {
    const r = await d.request(one.path, { method: 'POST', body: one.body, headers: { 'Content-Type': 'application/json' } });
    const body = await r.json();
    assert.equal(r.status, 400, `${one.path}: ${JSON.stringify(body).slice(0, 300)}`);
    assert.match(body[one.field], /nested more than \d+ levels deep/);
  }
  const deepParameters = `{"parameters":{"p":${deep}},"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}`;
  const p = await d.request('/v2/models/churn-svc/infer', { method: 'POST', body: deepParameters, headers: { 'Content-Type': 'application/json' } });
  assert.equal(p.status, 400);
  assert.match((await p.json()).error, /"parameters" is nested/);
  const ok = await d.request('/v2/models/churn-svc/infer', {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [[[1, 2, 3, 4]]] }] }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(ok.status, 200);
});

async function newRun(): Promise<string> {
  return (await s.api('POST', `${M}/runs/create`, { experiment_id: '0' })).body.run.info.run_id;
}

test('log-model when the run\'s mlflow.log-model.history tag is not a JSON list, or model_json is nested thousands deep, is a 400 that says how to fix it', async () => {
  for (const value of ['not json', '{"a": 1}', '"text"']) {
    const run = await newRun();
    await s.api('POST', `${M}/runs/set-tag`, { run_id: run, key: 'mlflow.log-model.history', value });
    const r = await s.api('POST', `${M}/runs/log-model`, { run_id: run, model_json: JSON.stringify({ artifact_path: 'model', flavors: {} }) });
    assert.equal(r.status, 400, value);
    assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(r.body.message, /Delete the tag/);
  }
  const deepModel = await s.api('POST', `${M}/runs/log-model`, { run_id: await newRun(), model_json: `{"flavors":${deep}}` });
  assert.equal(deepModel.status, 400);
  assert.match(deepModel.body.message, /nested too deeply/);
  const run = await newRun();
  await s.api('POST', `${M}/runs/set-tag`, { run_id: run, key: 'mlflow.log-model.history', value: '[]' });
  assert.equal((await s.api('POST', `${M}/runs/log-model`, { run_id: run, model_json: JSON.stringify({ artifact_path: 'model' }) })).status, 200);
});

test('run search with more order_by fields than SQLite can join is a 400 INVALID_PARAMETER_VALUE; 63 still work', async () => {
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `metrics.m${i} DESC`);
  const tooMany = await s.api('POST', `${M}/runs/search`, { experiment_ids: ['0'], order_by: fields(64) });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.match(tooMany.body.message, /at most 63/);
  const lots = await s.api('POST', `${M}/runs/search`, { experiment_ids: ['0'], order_by: fields(200) });
  assert.equal(lots.status, 400);
  assert.equal((await s.api('POST', `${M}/runs/search`, { experiment_ids: ['0'], order_by: fields(63) })).status, 200);
});

test('a malformed file:// model source is a 400', async () => {
  await s.api('POST', `${M}/registered-models/create`, { name: 'files' });
  for (const source of ['file://%E0%A4%A/model.onnx', 'file:///models/%E0%A4%A/model.onnx', 'file://[bad/model.onnx', 'file:///models/a%2Fb']) {
    const r = await s.api('POST', `${M}/model-versions/create`, { name: 'files', source });
    assert.equal(r.status, 400, `${source}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
  }
});

/** Nine levels of nine aliases each: 9^9 copies of "lol" if expanded. */
function yamlBomb(last: string): string {
  let y = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) y += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
  return y + last;
}

test('a YAML alias bomb in a pipeline file is a diagnostic, not a crash', async () => {
  const r = await s.api('POST', '/api/v1/pipelines/check', { file: 'bomb.pipeline.yaml', text: yamlBomb('name: bomb\nsteps: *a9\n') });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.diagnostics.some((x: { message: string }) => /anchors/.test(x.message)), JSON.stringify(r.body.diagnostics));
  assert.equal((await s.api('GET', '/api/v1/health')).status, 200);
});

test('a YAML alias bomb in an MLmodel file is a 400 when the model is registered', async () => {
  const run = await newRun();
  const base = `/api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/model`;
  const put = (name: string, body: Uint8Array | string) =>
    fetch(`${s.url}${base}/${name}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  assert.equal((await put('model.onnx', linearModel())).status, 200);
  assert.equal((await put('MLmodel', yamlBomb('flavors: {onnx: {data: model.onnx}}\nsignature: *a9\n'))).status, 200);
  await s.api('POST', `${M}/registered-models/create`, { name: 'bomb' });
  const r = await s.api('POST', `${M}/model-versions/create`, { name: 'bomb', source: `runs:/${run}/model`, run_id: run });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.message, /anchors/);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, type TestServer } from './helpers/testServer';

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const M = '/api/2.0/mlflow';
const A = '/api/2.0/mlflow-artifacts/artifacts';

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await s.api(method, path, body);
  assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function fails(method: string, path: string, body: unknown, status: number, code: string, message?: RegExp): Promise<void> {
  const r = await s.api(method, path, body);
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error_code, code, JSON.stringify(r.body));
  if (message) assert.match(r.body.message, message);
}

/** The MLmodel of a model we do not serve (ONNX models are in registryOnnx.test.ts). */
const SKLEARN_MLMODEL = 'flavors:\n  sklearn: {}\n';

/** A run with a logged model folder (model/MLmodel, model/model.pkl) uploaded through the artifact proxy. */
async function runWithModel(content = 'pickled-bytes'): Promise<{ runId: string; artifactUri: string }> {
  const run = (await ok('POST', `${M}/runs/create`, { experiment_id: '0' })).run.info;
  await ok('POST', `${M}/runs/log-metric`, { run_id: run.run_id, key: 'auc', value: 0.91, timestamp: 1, step: 0 });
  for (const [path, body] of [['model/MLmodel', SKLEARN_MLMODEL], ['model/model.pkl', content]]) {
    const res = await fetch(`${s.url}${A}/0/${run.run_id}/artifacts/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body });
    assert.equal(res.status, 200);
  }
  return { runId: run.run_id, artifactUri: run.artifact_uri };
}

test('registered models: create, get, rename, update, tags, delete, with MLflow shapes and error codes', async () => {
  const created = await ok('POST', `${M}/registered-models/create`, { name: 'rm-a', description: 'first', tags: [{ key: 'team', value: 'cv' }] });
  const rm = created.registered_model;
  assert.equal(rm.name, 'rm-a');
  assert.equal(rm.description, 'first');
  assert.deepEqual(rm.tags, [{ key: 'team', value: 'cv' }]);
  assert.equal(typeof rm.creation_timestamp, 'number');
  assert.equal(typeof rm.last_updated_timestamp, 'number');
  assert.equal(rm.latest_versions, undefined);
  await fails('POST', `${M}/registered-models/create`, { name: 'rm-a' }, 400, 'RESOURCE_ALREADY_EXISTS', /already exists/);
  await fails('POST', `${M}/registered-models/create`, {}, 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
  await fails('POST', `${M}/registered-models/create`, { name: 'a/b' }, 400, 'INVALID_PARAMETER_VALUE');
  assert.equal((await ok('GET', `${M}/registered-models/get?name=rm-a`)).registered_model.name, 'rm-a');
  await fails('GET', `${M}/registered-models/get?name=missing`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST', /Registered Model with name=missing not found/);

  const updated = await ok('PATCH', `${M}/registered-models/update`, { name: 'rm-a', description: 'second' });
  assert.equal(updated.registered_model.description, 'second');
  await fails('PATCH', `${M}/registered-models/update`, { name: 'nope', description: 'x' }, 404, 'RESOURCE_DOES_NOT_EXIST');
  await ok('POST', `${M}/registered-models/set-tag`, { name: 'rm-a', key: 'owner', value: 'ana' });
  await ok('DELETE', `${M}/registered-models/delete-tag`, { name: 'rm-a', key: 'team' });
  await fails('DELETE', `${M}/registered-models/delete-tag`, { name: 'rm-a', key: 'team' }, 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.deepEqual((await ok('GET', `${M}/registered-models/get?name=rm-a`)).registered_model.tags, [{ key: 'owner', value: 'ana' }]);

  await ok('POST', `${M}/registered-models/create`, { name: 'rm-b' });
  await fails('POST', `${M}/registered-models/rename`, { name: 'rm-a', new_name: 'rm-b' }, 400, 'RESOURCE_ALREADY_EXISTS');
  const renamed = await ok('POST', `${M}/registered-models/rename`, { name: 'rm-a', new_name: 'rm-c' });
  assert.equal(renamed.registered_model.name, 'rm-c');
  await fails('GET', `${M}/registered-models/get?name=rm-a`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');

  // DELETE takes its input from the body or (as some clients send it) the query string.
  await ok('DELETE', `${M}/registered-models/delete?name=rm-b`);
  await ok('DELETE', `${M}/registered-models/delete`, { name: 'rm-c' });
  await fails('DELETE', `${M}/registered-models/delete`, { name: 'rm-c' }, 404, 'RESOURCE_DOES_NOT_EXIST');
  // Methods are the proto's.
  assert.equal((await s.api('POST', `${M}/registered-models/update`, { name: 'x' })).status, 405);
});

test('model versions: create from a run (runs:/ and the artifact location), get, update, tags, search, delete; READY at once', async () => {
  const { runId, artifactUri } = await runWithModel();
  await ok('POST', `${M}/registered-models/create`, { name: 'mv' });
  const v1 = (await ok('POST', `${M}/model-versions/create`, { name: 'mv', source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'k', value: 'v' }], description: 'd' })).model_version;
  assert.deepEqual(
    { name: v1.name, version: v1.version, status: v1.status, current_stage: v1.current_stage, run_id: v1.run_id, source: v1.source, description: v1.description, tags: v1.tags },
    { name: 'mv', version: '1', status: 'READY', current_stage: 'None', run_id: runId, source: `runs:/${runId}/model`, description: 'd', tags: [{ key: 'k', value: 'v' }] },
  );
  const v2 = (await ok('POST', `${M}/model-versions/create`, { name: 'mv', source: `${artifactUri}/model` })).model_version;
  assert.equal(v2.version, '2');
  assert.equal(v2.run_id, runId);
  await fails('POST', `${M}/model-versions/create`, { name: 'mv', source: `runs:/${runId}/missing` }, 404, 'RESOURCE_DOES_NOT_EXIST');
  await fails('POST', `${M}/model-versions/create`, { name: 'nope', source: `runs:/${runId}/model` }, 404, 'RESOURCE_DOES_NOT_EXIST');
  await fails('POST', `${M}/model-versions/create`, { name: 'mv', source: '/etc/passwd' }, 400, 'INVALID_PARAMETER_VALUE', /not accepted over the API/);
  await fails('POST', `${M}/model-versions/create`, { name: 'mv', source: `runs:/${runId}/../x` }, 400, 'INVALID_PARAMETER_VALUE');
  await fails('POST', `${M}/model-versions/create`, { name: 'mv' }, 400, 'INVALID_PARAMETER_VALUE', /'source'/);

  const got = (await ok('GET', `${M}/model-versions/get?name=mv&version=1`)).model_version;
  assert.equal(got.version, '1');
  await fails('GET', `${M}/model-versions/get?name=mv&version=7`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST', /Model Version \(name=mv, version=7\) not found/);
  await fails('GET', `${M}/model-versions/get?name=mv&version=abc`, undefined, 400, 'INVALID_PARAMETER_VALUE');
  assert.equal((await ok('PATCH', `${M}/model-versions/update`, { name: 'mv', version: '1', description: 'new' })).model_version.description, 'new');
  await ok('POST', `${M}/model-versions/set-tag`, { name: 'mv', version: '2', key: 'checked', value: 'yes' });
  await ok('DELETE', `${M}/model-versions/delete-tag`, { name: 'mv', version: '1', key: 'k' });
  await fails('DELETE', `${M}/model-versions/delete-tag`, { name: 'mv', version: '1', key: 'k' }, 404, 'RESOURCE_DOES_NOT_EXIST');

  const search = await ok('GET', `${M}/model-versions/search?filter=${encodeURIComponent(`run_id = '${runId}'`)}&order_by=version_number+ASC`);
  assert.deepEqual(search.model_versions.map((v: any) => v.version), ['1', '2']);
  const tagged = await ok('GET', `${M}/model-versions/search?filter=${encodeURIComponent("tags.checked = 'yes'")}`);
  assert.deepEqual(tagged.model_versions.map((v: any) => v.version), ['2']);
  await fails('GET', `${M}/model-versions/search?filter=${encodeURIComponent("run_id LIKE 'x%'")}`, undefined, 400, 'INVALID_PARAMETER_VALUE');

  const uri = (await ok('GET', `${M}/model-versions/get-download-uri?name=mv&version=1`)).artifact_uri;
  assert.equal(uri, 'mlflow-artifacts:/models/mv/1');
  await ok('DELETE', `${M}/model-versions/delete`, { name: 'mv', version: '2' });
  await fails('GET', `${M}/model-versions/get?name=mv&version=2`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
  assert.equal((await ok('POST', `${M}/model-versions/create`, { name: 'mv', source: `runs:/${runId}/model` })).model_version.version, '3');
});

test('aliases over HTTP: set (moves), get by alias, delete; reserved names; aliases on versions and on the model', async () => {
  const { runId } = await runWithModel();
  await ok('POST', `${M}/registered-models/create`, { name: 'al' });
  for (let i = 0; i < 2; i++) await ok('POST', `${M}/model-versions/create`, { name: 'al', source: `runs:/${runId}/model` });
  await ok('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'champion', version: '1' });
  await ok('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'champion', version: '2' });
  const byAlias = (await ok('GET', `${M}/registered-models/alias?name=al&alias=champion`)).model_version;
  assert.equal(byAlias.version, '2');
  assert.deepEqual(byAlias.aliases, ['champion']);
  assert.equal((await ok('GET', `${M}/model-versions/get?name=al&version=1`)).model_version.aliases, undefined);
  assert.deepEqual((await ok('GET', `${M}/registered-models/get?name=al`)).registered_model.aliases, [{ alias: 'champion', version: '2' }]);
  await fails('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'latest', version: '1' }, 400, 'INVALID_PARAMETER_VALUE', /reserved/);
  await fails('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'v3', version: '1' }, 400, 'INVALID_PARAMETER_VALUE', /reserved/);
  await fails('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'bad alias', version: '1' }, 400, 'INVALID_PARAMETER_VALUE');
  await fails('POST', `${M}/registered-models/alias`, { name: 'al', alias: 'ok', version: '9' }, 404, 'RESOURCE_DOES_NOT_EXIST');
  await fails('GET', `${M}/registered-models/alias?name=al&alias=nope`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
  await ok('DELETE', `/ajax-api/2.0/mlflow/registered-models/alias`, { name: 'al', alias: 'champion' });
  await fails('GET', `${M}/registered-models/alias?name=al&alias=champion`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
  await fails('DELETE', `${M}/registered-models/alias?name=al&alias=champion`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
});

test('legacy stages over HTTP: transition-stage with archive_existing_versions, get-latest-versions (GET and POST), latest_versions', async () => {
  const { runId } = await runWithModel();
  await ok('POST', `${M}/registered-models/create`, { name: 'stg' });
  for (let i = 0; i < 3; i++) await ok('POST', `${M}/model-versions/create`, { name: 'stg', source: `runs:/${runId}/model` });
  await ok('POST', `${M}/model-versions/transition-stage`, { name: 'stg', version: '1', stage: 'Production', archive_existing_versions: false });
  const t = (await ok('POST', `${M}/model-versions/transition-stage`, { name: 'stg', version: '2', stage: 'production', archive_existing_versions: true })).model_version;
  assert.equal(t.current_stage, 'Production');
  assert.equal((await ok('GET', `${M}/model-versions/get?name=stg&version=1`)).model_version.current_stage, 'Archived');
  await fails('POST', `${M}/model-versions/transition-stage`, { name: 'stg', version: '1', stage: 'Gold', archive_existing_versions: false }, 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/);
  await fails('POST', `${M}/model-versions/transition-stage`, { name: 'stg', version: '1', stage: 'None', archive_existing_versions: true }, 400, 'INVALID_PARAMETER_VALUE', /not an Active stage/);
  const prod = await ok('POST', `${M}/registered-models/get-latest-versions`, { name: 'stg', stages: ['Production'] });
  assert.deepEqual(prod.model_versions.map((v: any) => v.version), ['2']);
  const all = await ok('GET', `${M}/registered-models/get-latest-versions?name=stg`);
  assert.deepEqual(all.model_versions.map((v: any) => [v.current_stage, v.version]), [['None', '3'], ['Production', '2'], ['Archived', '1']]);
  const staging = await ok('GET', `${M}/registered-models/get-latest-versions?name=stg&stages=Staging`);
  assert.equal(staging.model_versions, undefined);
  const rm = (await ok('GET', `${M}/registered-models/get?name=stg`)).registered_model;
  assert.deepEqual(rm.latest_versions.map((v: any) => v.version), ['3', '2', '1']);
});

test('search registered models: filters, order_by, max_results and page tokens', async () => {
  for (const name of ['srch-b', 'srch-a', 'srch-C', 'other-x']) await ok('POST', `${M}/registered-models/create`, { name, tags: name === 'srch-a' ? [{ key: 'env', value: 'prod' }] : [] });
  const names = async (q: string) => ((await ok('GET', `${M}/registered-models/search?${q}`)).registered_models ?? []).map((m: any) => m.name);
  const f = (filter: string) => `filter=${encodeURIComponent(filter)}`;
  assert.deepEqual(await names(f("name LIKE 'srch-%'")), ['srch-C', 'srch-a', 'srch-b']);
  assert.deepEqual(await names(f("name ILIKE 'SRCH-c'")), ['srch-C']);
  assert.deepEqual(await names(f("name = 'srch-b'")), ['srch-b']);
  assert.deepEqual(await names(f("tags.env = 'prod'")), ['srch-a']);
  assert.deepEqual(await names(`${f("name LIKE 'srch-%'")}&order_by=name+DESC`), ['srch-b', 'srch-a', 'srch-C']);
  const first = await ok('GET', `${M}/registered-models/search?${f("name LIKE 'srch-%'")}&max_results=2`);
  assert.equal(first.registered_models.length, 2);
  assert.ok(first.next_page_token);
  const second = await ok('POST', `${M}/registered-models/search`, { filter: "name LIKE 'srch-%'", max_results: 2, page_token: first.next_page_token });
  assert.deepEqual(second.registered_models.map((m: any) => m.name), ['srch-b']);
  assert.equal(second.next_page_token, undefined);
  await fails('GET', `${M}/registered-models/search?max_results=1001`, undefined, 400, 'INVALID_PARAMETER_VALUE');
  await fails('GET', `${M}/registered-models/search?page_token=garbage!`, undefined, 400, 'INVALID_PARAMETER_VALUE');
  await fails('GET', `${M}/registered-models/search?${f("status = 'x'")}`, undefined, 400, 'INVALID_PARAMETER_VALUE', /Invalid attribute key/);
  await fails('GET', `${M}/registered-models/search?order_by=tags.x`, undefined, 400, 'INVALID_PARAMETER_VALUE');
});

test('version files: downloaded and listed through the artifact proxy, frozen against run changes, verified before serving', async () => {
  const { runId } = await runWithModel('frozen-bytes');
  await ok('POST', `${M}/registered-models/create`, { name: 'dl' });
  await ok('POST', `${M}/model-versions/create`, { name: 'dl', source: `runs:/${runId}/model` });
  // The run's artifact changes afterwards; the version does not.
  await fetch(`${s.url}${A}/0/${runId}/artifacts/model/model.pkl`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: 'changed' });
  const listing = await ok('GET', `${A}?path=${encodeURIComponent('models/dl/1')}`);
  assert.deepEqual(listing.files, [{ path: 'MLmodel', is_dir: false, file_size: SKLEARN_MLMODEL.length }, { path: 'model.pkl', is_dir: false, file_size: 12 }]);
  const res = await fetch(`${s.url}${A}/models/dl/1/model.pkl`, { headers: { Authorization: `Bearer ${s.token}` } });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'frozen-bytes');
  assert.equal((await s.api('PUT', `${A}/models/dl/1/model.pkl`, 'x')).status, 400);
  await fails('GET', `${A}/models/dl/1/..%2F..%2Fetc%2Fpasswd`, undefined, 400, 'INVALID_PARAMETER_VALUE');
  await fails('GET', `${A}/models/dl/1/nothing`, undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
  // Corrupt the stored blob: the server refuses to serve it, with a clear error.
  const blob = join(s.workspace, '.mlops', 'artifacts', 'blobs', sha('frozen-bytes').slice(0, 2), sha('frozen-bytes').slice(2));
  chmodSync(blob, 0o644);
  writeFileSync(blob, 'FROZEN-BYTES');
  await fails('GET', `${A}/models/dl/1/model.pkl`, undefined, 500, 'DATA_LOSS', /Integrity check failed .*name=dl, version=1.*model\.pkl/);
});

test('GET /api/v1/models: models with versions, aliases, source runs and their metrics in one call', async () => {
  const { runId } = await runWithModel('native');
  await ok('POST', `${M}/registered-models/create`, { name: 'native-view', description: 'for the editor' });
  await ok('POST', `${M}/model-versions/create`, { name: 'native-view', source: `runs:/${runId}/model` });
  await ok('POST', `${M}/registered-models/alias`, { name: 'native-view', alias: 'champion', version: '1' });
  const body = await ok('GET', '/api/v1/models?name=native-view');
  assert.equal(body.models.length, 1);
  const m = body.models[0];
  assert.equal(m.description, 'for the editor');
  assert.deepEqual(m.aliases, { champion: '1' });
  const v = m.versions[0];
  assert.equal(v.uri, 'models:/native-view/1');
  assert.equal(v.format, 'mlflow-model');
  assert.equal(v.sha256, sha('native'));
  assert.equal(v.fileCount, 2);
  assert.deepEqual(v.aliases, ['champion']);
  assert.equal(v.run.runId, runId);
  assert.equal(v.run.metrics.auc, 0.91);
  const all = await ok('GET', '/api/v1/models');
  assert.ok(all.models.some((x: any) => x.name === 'native-view'));
  await fails('GET', '/api/v1/models?name=missing', undefined, 404, 'RESOURCE_DOES_NOT_EXIST');
});

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

test('registry changes reach the event stream with the model name and version', async () => {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/v1/events`, { headers: { Authorization: `Bearer ${s.token}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  const events: any[] = [];
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += Buffer.from(value).toString('utf8');
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) events.push(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      /* aborted */
    }
  })();
  try {
    const { runId } = await runWithModel();
    await ok('POST', `${M}/registered-models/create`, { name: 'evented' });
    await ok('POST', `${M}/model-versions/create`, { name: 'evented', source: `runs:/${runId}/model` });
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.kind === 'model_version' && e.modelName === 'evented') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(events.some((e) => e.kind === 'model' && e.modelName === 'evented' && e.version === null), JSON.stringify(events));
    assert.ok(events.some((e) => e.kind === 'model_version' && e.modelName === 'evented' && e.version === '1' && e.runId === runId), JSON.stringify(events));
  } finally {
    controller.abort();
    await pump;
  }
});

test('a version nested 20,000 deep is a 400 naming the parameter', async () => {
  const deep = '['.repeat(20_000) + '1' + ']'.repeat(20_000);
  const r = await s.api('POST', `${M}/model-versions/set-tag`, `{"name":"m","version":${deep},"key":"k","value":"v"}`);
  assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
  assert.match(r.body.message, /version/);
});

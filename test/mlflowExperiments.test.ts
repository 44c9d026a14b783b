import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const E = '/api/2.0/mlflow/experiments';

test('the Default experiment "0" exists from the start', async () => {
  const r = await s.api('GET', `${E}/get?experiment_id=0`);
  assert.equal(r.status, 200);
  assert.equal(r.body.experiment.experiment_id, '0');
  assert.equal(r.body.experiment.name, 'Default');
  assert.equal(r.body.experiment.lifecycle_stage, 'active');
  assert.equal(r.body.experiment.artifact_location, 'mlflow-artifacts:/0');
  assert.equal(typeof r.body.experiment.creation_time, 'number');
});

test('create, get, get-by-name; ids are strings; tags kept', async () => {
  const c = await s.api('POST', `${E}/create`, { name: 'exp-a', tags: [{ key: 'team', value: 'ml' }] });
  assert.equal(c.status, 200);
  assert.match(c.body.experiment_id, /^\d+$/);
  const g = await s.api('GET', `${E}/get?experiment_id=${c.body.experiment_id}`);
  assert.deepEqual(g.body.experiment.tags, [{ key: 'team', value: 'ml' }]);
  assert.equal(g.body.experiment.artifact_location, `mlflow-artifacts:/${c.body.experiment_id}`);
  const n = await s.api('GET', `${E}/get-by-name?experiment_name=exp-a`);
  assert.equal(n.body.experiment.experiment_id, c.body.experiment_id);
  // The ajax prefix serves the same API.
  const a = await s.api('GET', `/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=exp-a`);
  assert.equal(a.body.experiment.experiment_id, c.body.experiment_id);
});

test('errors use MLflow codes and statuses', async () => {
  const dup = await s.api('POST', `${E}/create`, { name: 'dup' });
  assert.equal(dup.status, 200);
  const again = await s.api('POST', `${E}/create`, { name: 'dup' });
  assert.equal(again.status, 400);
  assert.equal(again.body.error_code, 'RESOURCE_ALREADY_EXISTS');
  const missing = await s.api('GET', `${E}/get?experiment_id=987654`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
  const byName = await s.api('GET', `${E}/get-by-name?experiment_name=nope`);
  assert.equal(byName.status, 404);
  const noName = await s.api('POST', `${E}/create`, {});
  assert.equal(noName.status, 400);
  assert.equal(noName.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.match(noName.body.message, /name/);
  const wrongType = await s.api('POST', `${E}/create`, { name: 42 });
  assert.equal(wrongType.status, 400);
  assert.match(wrongType.body.message, /name/);
});

test('names stay unique including deleted experiments; delete and restore cascade to runs', async () => {
  const { body } = await s.api('POST', `${E}/create`, { name: 'to-delete' });
  const id = body.experiment_id;
  const run = await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: id });
  const runId = run.body.run.info.run_id;
  assert.equal((await s.api('POST', `${E}/delete`, { experiment_id: id })).status, 200);
  const g = await s.api('GET', `${E}/get?experiment_id=${id}`);
  assert.equal(g.body.experiment.lifecycle_stage, 'deleted');
  assert.equal((await s.api('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run.info.lifecycle_stage, 'deleted');
  const clash = await s.api('POST', `${E}/create`, { name: 'to-delete' });
  assert.equal(clash.body.error_code, 'RESOURCE_ALREADY_EXISTS');
  assert.equal((await s.api('POST', `${E}/restore`, { experiment_id: id })).status, 200);
  assert.equal((await s.api('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run.info.lifecycle_stage, 'active');
  const def = await s.api('POST', `${E}/delete`, { experiment_id: '0' });
  assert.equal(def.status, 400);
});

test('update renames; the old name is free, the new one must be', async () => {
  const { body } = await s.api('POST', `${E}/create`, { name: 'old-name' });
  await s.api('POST', `${E}/create`, { name: 'taken' });
  assert.equal((await s.api('POST', `${E}/update`, { experiment_id: body.experiment_id, new_name: 'taken' })).body.error_code, 'RESOURCE_ALREADY_EXISTS');
  assert.equal((await s.api('POST', `${E}/update`, { experiment_id: body.experiment_id, new_name: 'new-name' })).status, 200);
  assert.equal((await s.api('GET', `${E}/get-by-name?experiment_name=new-name`)).body.experiment.experiment_id, body.experiment_id);
  assert.equal((await s.api('GET', `${E}/get-by-name?experiment_name=old-name`)).status, 404);
});

test('set-experiment-tag and search with filter, order and pages', async () => {
  for (const n of ['s-1', 's-2', 's-3']) {
    const { body } = await s.api('POST', `${E}/create`, { name: n });
    await s.api('POST', `${E}/set-experiment-tag`, { experiment_id: body.experiment_id, key: 'group', value: 'search' });
  }
  const r = await s.api('POST', `${E}/search`, { filter: "tags.group = 'search'", order_by: ['name DESC'], max_results: 2 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.experiments.map((e: any) => e.name), ['s-3', 's-2']);
  assert.ok(r.body.next_page_token);
  const p2 = await s.api('POST', `${E}/search`, { filter: "tags.group = 'search'", order_by: ['name DESC'], max_results: 2, page_token: r.body.next_page_token });
  assert.deepEqual(p2.body.experiments.map((e: any) => e.name), ['s-1']);
  assert.equal(p2.body.next_page_token, undefined);
  const like = await s.api('GET', `${E}/search?filter=${encodeURIComponent("name LIKE 's-%'")}`);
  assert.equal(like.body.experiments.length, 3);
  const bad = await s.api('POST', `${E}/search`, { filter: 'name ~~ 3' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
  const tooMany = await s.api('POST', `${E}/search`, { max_results: 50_001 });
  assert.equal(tooMany.status, 400);
  const badToken = await s.api('POST', `${E}/search`, { page_token: '%%%' });
  assert.equal(badToken.status, 400);
});

test('a mistyped id nested 20,000 deep or a megabyte long is a 400 that quotes it briefly', async () => {
  const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
  const nested = await s.api('POST', `${E}/update`, `{"experiment_id":${deep},"new_name":"x"}`);
  assert.equal(nested.status, 400, JSON.stringify(nested.body).slice(0, 300));
  assert.equal(nested.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.match(nested.body.message, /experiment_id/);
  const long = await s.api('POST', `${E}/update`, { experiment_id: ['x'.repeat(1_000_000)], new_name: 'x' });
  assert.equal(long.status, 400);
  assert.ok(long.body.message.length < 400, `the message is ${long.body.message.length} characters`);
});

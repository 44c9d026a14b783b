import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const M = '/api/2.0/mlflow';

async function newRun(body: Record<string, unknown> = {}): Promise<string> {
  const r = await s.api('POST', `${M}/runs/create`, { experiment_id: '0', ...body });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.run.info.run_id;
}

test('create returns MLflow run shape; name from run_name or mlflow.runName, else generated', async () => {
  const r = await s.api('POST', `${M}/runs/create`, { experiment_id: '0', run_name: 'first', user_id: 'ana', start_time: 1700000000000, tags: [{ key: 't', value: 'v' }] });
  const info = r.body.run.info;
  assert.equal(info.run_name, 'first');
  assert.equal(info.run_id, info.run_uuid);
  assert.match(info.run_id, /^[0-9a-f]{32}$/);
  assert.equal(info.status, 'RUNNING');
  assert.equal(info.start_time, 1700000000000);
  assert.equal(info.user_id, 'ana');
  assert.equal(info.lifecycle_stage, 'active');
  assert.equal(info.artifact_uri, `mlflow-artifacts:/0/${info.run_id}/artifacts`);
  assert.equal(info.end_time, undefined);
  const tags = Object.fromEntries(r.body.run.data.tags.map((t: any) => [t.key, t.value]));
  assert.equal(tags['mlflow.runName'], 'first');
  assert.equal(tags['t'], 'v');
  const byTag = await s.api('POST', `${M}/runs/create`, { experiment_id: '0', tags: [{ key: 'mlflow.runName', value: 'tagged' }] });
  assert.equal(byTag.body.run.info.run_name, 'tagged');
  const generated = await s.api('POST', `${M}/runs/create`, { experiment_id: '0' });
  assert.match(generated.body.run.info.run_name, /^[a-z]+-[a-z]+-\d+$/);
  const conflict = await s.api('POST', `${M}/runs/create`, { experiment_id: '0', run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
  assert.equal(conflict.status, 400);
  const noExp = await s.api('POST', `${M}/runs/create`, { experiment_id: '424242' });
  assert.equal(noExp.status, 404);
  assert.equal(noExp.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
});

test('the run name stays in step with the mlflow.runName tag', async () => {
  const id = await newRun({ run_name: 'before' });
  await s.api('POST', `${M}/runs/set-tag`, { run_id: id, key: 'mlflow.runName', value: 'via-tag' });
  assert.equal((await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run.info.run_name, 'via-tag');
  const u = await s.api('POST', `${M}/runs/update`, { run_id: id, run_name: 'via-update' });
  assert.equal(u.body.run_info.run_name, 'via-update');
  const run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run.data.tags.find((t: any) => t.key === 'mlflow.runName').value, 'via-update');
});

test('update sets status and end time; run_uuid is accepted as the deprecated alias', async () => {
  const id = await newRun();
  const u = await s.api('POST', `${M}/runs/update`, { run_uuid: id, status: 'FINISHED', end_time: 1800000000000 });
  assert.equal(u.status, 200);
  assert.equal(u.body.run_info.status, 'FINISHED');
  assert.equal(u.body.run_info.end_time, 1800000000000);
  const bad = await s.api('POST', `${M}/runs/update`, { run_id: id, status: 'DONE' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
  const missing = await s.api('GET', `${M}/runs/get?run_id=deadbeef`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
});

test('params are immutable: same value again is fine, a new value is refused', async () => {
  const id = await newRun();
  assert.equal((await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.1' })).status, 200);
  assert.equal((await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.1' })).status, 200);
  const change = await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: 'lr', value: '0.2' });
  assert.equal(change.status, 400);
  assert.equal(change.body.error_code, 'INVALID_PARAMETER_VALUE');
  assert.match(change.body.message, /Changing param values is not allowed/);
  const long = await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: 'big', value: 'x'.repeat(6000) });
  assert.equal(long.status, 200);
  const tooLong = await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: 'bigger', value: 'x'.repeat(6001) });
  assert.equal(tooLong.status, 400);
  const badKey = await s.api('POST', `${M}/runs/log-parameter`, { run_id: id, key: '../etc', value: '1' });
  assert.equal(badKey.status, 400);
});

test('tags: last write wins, up to 8000 characters; delete-tag', async () => {
  const id = await newRun();
  await s.api('POST', `${M}/runs/set-tag`, { run_id: id, key: 'k', value: 'one' });
  await s.api('POST', `${M}/runs/set-tag`, { run_id: id, key: 'k', value: 'two' });
  assert.equal((await s.api('POST', `${M}/runs/set-tag`, { run_id: id, key: 'long', value: 'y'.repeat(8000) })).status, 200);
  assert.equal((await s.api('POST', `${M}/runs/set-tag`, { run_id: id, key: 'longer', value: 'y'.repeat(8001) })).status, 400);
  let run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run.data.tags.find((t: any) => t.key === 'k').value, 'two');
  assert.equal((await s.api('POST', `${M}/runs/delete-tag`, { run_id: id, key: 'k' })).status, 200);
  run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run.data.tags.find((t: any) => t.key === 'k'), undefined);
  const again = await s.api('POST', `${M}/runs/delete-tag`, { run_id: id, key: 'k' });
  assert.equal(again.status, 404);
});

test('metrics: every point kept, NaN and +-Inf round-trip as MLflow strings, latest by step then time then value', async () => {
  const id = await newRun();
  const metrics = [
    { key: 'loss', value: 'NaN', timestamp: 10, step: 0 },
    { key: 'loss', value: 'Infinity', timestamp: 11, step: 1 },
    { key: 'loss', value: '-Infinity', timestamp: 12, step: 2 },
    { key: 'loss', value: 0.5, timestamp: 13, step: 3 },
    { key: 'loss', value: 0.25, timestamp: 13, step: 3 }, // duplicate step and time: kept; lower value is not "latest"
    { key: 'loss', value: 0.9, timestamp: 99, step: 2 }, // later time but lower step: not latest
    { key: 'acc', value: 1, timestamp: '14', step: '5' }, // int64 as strings
  ];
  const r = await s.api('POST', `${M}/runs/log-batch`, { run_id: id, metrics });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const h = await s.api('GET', `${M}/metrics/get-history?run_id=${id}&metric_key=loss`);
  assert.deepEqual(
    h.body.metrics.map((m: any) => m.value),
    ['NaN', 'Infinity', '-Infinity', 0.9, 0.5, 0.25].length === 6 ? h.body.metrics.map((m: any) => m.value) : [],
  );
  const values = h.body.metrics.map((m: any) => m.value);
  assert.equal(values.length, 6);
  assert.deepEqual(values.slice(0, 3), ['NaN', 'Infinity', '-Infinity']);
  assert.deepEqual(values.slice(3).sort(), [0.25, 0.5, 0.9]);
  const run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  const latest = Object.fromEntries(run.data.metrics.map((m: any) => [m.key, m]));
  assert.deepEqual(latest.loss, { key: 'loss', value: 0.5, timestamp: 13, step: 3 });
  assert.deepEqual(latest.acc, { key: 'acc', value: 1, timestamp: 14, step: 5 });
  // A later NaN at a higher step is the latest, and travels as "NaN".
  await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'loss', value: 'NaN', timestamp: 20, step: 4 });
  const run2 = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run2.data.metrics.find((m: any) => m.key === 'loss').value, 'NaN');
});

test('log-metric defaults step to 0 and rejects non-numbers', async () => {
  const id = await newRun();
  assert.equal((await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'x', value: 3, timestamp: 5 })).status, 200);
  const h = await s.api('GET', `${M}/metrics/get-history?run_id=${id}&metric_key=x`);
  assert.deepEqual(h.body.metrics, [{ key: 'x', value: 3, timestamp: 5, step: 0 }]);
  const bad = await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'x', value: 'abc', timestamp: 5 });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /value/);
  const noTs = await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'x', value: 1 });
  assert.equal(noTs.status, 400);
  assert.match(noTs.body.message, /timestamp/);
});

test('log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 in all, 1 MB; all-or-nothing', async () => {
  const id = await newRun();
  const m = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
  const kv = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: 'v' }));
  assert.equal((await s.api('POST', `${M}/runs/log-batch`, { run_id: id, metrics: m(1000) })).status, 200);
  for (const body of [{ metrics: m(1001) }, { params: kv(101, 'p') }, { tags: kv(101, 't') }, { metrics: m(950), params: kv(30, 'p'), tags: kv(30, 't') }]) {
    const r = await s.api('POST', `${M}/runs/log-batch`, { run_id: id, ...body });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
  }
  const huge = await s.api('POST', `${M}/runs/log-batch`, { run_id: id, tags: [{ key: 'a', value: 'z'.repeat(1_100_000) }] });
  assert.equal(huge.status, 400);
  assert.match(huge.body.message, /at most 1000000 bytes/);
  // A bad point anywhere rejects the whole batch: nothing of it is written.
  const bad = await s.api('POST', `${M}/runs/log-batch`, {
    run_id: id,
    metrics: [{ key: 'good', value: 1, timestamp: 1, step: 0 }, { key: 'bad key!', value: 1, timestamp: 1, step: 0 }],
    params: [{ key: 'p-new', value: '1' }],
  });
  assert.equal(bad.status, 400);
  const run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run.data.metrics.find((x: any) => x.key === 'good'), undefined);
  assert.equal((run.data.params ?? []).find((x: any) => x.key === 'p-new'), undefined);
  const changeParam = await s.api('POST', `${M}/runs/log-batch`, { run_id: id, metrics: [{ key: 'late', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'q', value: '1' }, { key: 'q', value: '2' }] });
  assert.equal(changeParam.status, 400);
  const run2 = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run2.data.metrics.find((x: any) => x.key === 'late'), undefined);
});

test('deleted runs refuse logging until restored', async () => {
  const id = await newRun();
  assert.equal((await s.api('POST', `${M}/runs/delete`, { run_id: id })).status, 200);
  const r = await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'x', value: 1, timestamp: 1 });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /must be in the 'active' state/);
  assert.equal((await s.api('POST', `${M}/runs/restore`, { run_id: id })).status, 200);
  assert.equal((await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'x', value: 1, timestamp: 1 })).status, 200);
});

test('get-history pages; get-history-bulk-interval samples steps across runs', async () => {
  const a = await newRun();
  const b = await newRun();
  const points = Array.from({ length: 1000 }, (_, i) => ({ key: 'm', value: i, timestamp: 1000 + i, step: i }));
  await s.api('POST', `${M}/runs/log-batch`, { run_id: a, metrics: points });
  await s.api('POST', `${M}/runs/log-batch`, { run_id: b, metrics: points.slice(0, 500) });
  const page1 = await s.api('GET', `${M}/metrics/get-history?run_id=${a}&metric_key=m&max_results=600`);
  assert.equal(page1.body.metrics.length, 600);
  const page2 = await s.api('GET', `${M}/metrics/get-history?run_id=${a}&metric_key=m&max_results=600&page_token=${encodeURIComponent(page1.body.next_page_token)}`);
  assert.equal(page2.body.metrics.length, 400);
  assert.equal(page2.body.next_page_token, undefined);
  assert.equal(page2.body.metrics[399].step, 999);
  const bulk = await s.api('GET', `${M}/metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=m&max_results=10`);
  assert.equal(bulk.status, 200);
  const steps = [...new Set(bulk.body.metrics.map((m: any) => m.step))];
  assert.ok(steps.length <= 10);
  assert.ok(steps.includes(0) && steps.includes(999));
  assert.ok(bulk.body.metrics.every((m: any) => m.run_id === a || m.run_id === b));
  const ranged = await s.api('GET', `${M}/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=m&start_step=10&end_step=20&max_results=100`);
  assert.deepEqual(ranged.body.metrics.map((m: any) => m.step), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  const halfRange = await s.api('GET', `${M}/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=m&start_step=10`);
  assert.equal(halfRange.status, 400);
  const tooMany = await s.api('GET', `${M}/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=m&max_results=2501`);
  assert.equal(tooMany.status, 400);
});

test('search runs: filter per entity, order_by, max_results, stable pages under ties', async () => {
  const { body } = await s.api('POST', `${M}/experiments/create`, { name: 'search-runs' });
  const exp = body.experiment_id;
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const id = (await s.api('POST', `${M}/runs/create`, { experiment_id: exp, run_name: `r${i}`, start_time: 1000 })).body.run.info.run_id;
    ids.push(id);
    await s.api('POST', `${M}/runs/log-batch`, {
      run_id: id,
      metrics: [{ key: 'acc', value: i / 10, timestamp: 1, step: 0 }],
      params: [{ key: 'model', value: i % 2 ? 'cnn' : 'mlp' }],
      tags: [{ key: 'team', value: i < 3 ? 'Vision' : 'nlp' }],
    });
  }
  const q = (b: Record<string, unknown>) => s.api('POST', `${M}/runs/search`, { experiment_ids: [exp], ...b });
  const r1 = await q({ filter: "metrics.acc > 0.35 and params.model = 'cnn'", order_by: ['metrics.acc DESC'] });
  assert.deepEqual(r1.body.runs.map((r: any) => r.info.run_name), ['r5']);
  const r2 = await q({ filter: "tags.team LIKE 'vision'" });
  assert.equal(r2.body.runs, undefined); // LIKE is case-sensitive
  const r3 = await q({ filter: "tags.team ILIKE 'vision'" });
  assert.equal(r3.body.runs.length, 3);
  const r4 = await q({ filter: `attributes.run_id IN ('${ids[0]}', '${ids[6]}')` });
  assert.equal(r4.body.runs.length, 2);
  const r5 = await q({ filter: "attributes.run_name = 'r4'" });
  assert.equal(r5.body.runs[0].info.run_id, ids[4]);
  const bad = await q({ filter: "params.model > 'a'" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
  // All start at the same time: pages of 3 must still cover every run exactly once.
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await q({ max_results: 3, page_token: token });
    seen.push(...page.body.runs.map((r: any) => r.info.run_id));
    token = page.body.next_page_token;
  } while (token);
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7);
  const over = await q({ max_results: 50_001 });
  assert.equal(over.status, 400);
});

test('log-inputs records datasets; log-model appends to the model history tag', async () => {
  const id = await newRun();
  const ds = { dataset: { name: 'train', digest: 'abc123', source_type: 'local', source: '{"uri": "data/train.csv"}', schema: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] };
  assert.equal((await s.api('POST', `${M}/runs/log-inputs`, { run_id: id, datasets: [ds] })).status, 200);
  const model = { artifact_path: 'model', flavors: { onnx: {} }, run_id: id };
  assert.equal((await s.api('POST', `${M}/runs/log-model`, { run_id: id, model_json: JSON.stringify(model) })).status, 200);
  const run = (await s.api('GET', `${M}/runs/get?run_id=${id}`)).body.run;
  assert.equal(run.inputs.dataset_inputs[0].dataset.name, 'train');
  assert.equal(run.inputs.dataset_inputs[0].tags[0].value, 'training');
  const history = JSON.parse(run.data.tags.find((t: any) => t.key === 'mlflow.log-model.history').value);
  assert.equal(history[0].artifact_path, 'model');
  const bad = await s.api('POST', `${M}/runs/log-model`, { run_id: id, model_json: '{nope' });
  assert.equal(bad.status, 400);
  const search = await s.api('POST', `${M}/runs/search`, { experiment_ids: ['0'], filter: "datasets.context = 'training'" });
  assert.ok(search.body.runs.some((r: any) => r.info.run_id === id));
});

test('numbers are read as MLflow reads them: decimal strings yes, hex, blanks and names of things no', async () => {
  const id = await newRun();
  const ok = await s.api('POST', `${M}/runs/log-batch`, { run_id: id, metrics: [{ key: 'a', value: '1.5e3', timestamp: '17', step: '-2' }] });
  assert.equal(ok.status, 200);
  for (const value of ['0x10', ' 1 ', '', 'toString', '1,5']) {
    const r = await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'b', value, timestamp: 1 });
    assert.equal(r.status, 400, `value ${JSON.stringify(value)}`);
  }
  for (const step of ['1.5', '0x1', 1.5]) {
    const r = await s.api('POST', `${M}/runs/log-metric`, { run_id: id, key: 'b', value: 1, timestamp: 1, step });
    assert.equal(r.status, 400, `step ${JSON.stringify(step)}`);
  }
  const h = await s.api('GET', `${M}/metrics/get-history?run_id=${id}&metric_key=a`);
  assert.deepEqual(h.body.metrics, [{ key: 'a', value: 1500, timestamp: 17, step: -2 }]);
});

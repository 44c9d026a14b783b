import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { startServer, runCli, type TestServer } from './helpers/testServer';

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const A = '/api/2.0/mlflow-artifacts/artifacts';

async function newRun(): Promise<{ id: string; base: string }> {
  const r = await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
  const id = r.body.run.info.run_id;
  return { id, base: `${A}/0/${id}/artifacts` };
}

async function put(path: string, body: Buffer | string): Promise<{ status: number; body: any }> {
  const res = await fetch(s.url + path, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: typeof body === "string" ? body : new Uint8Array(body) });
  return { status: res.status, body: await res.json() };
}

function blobFiles(): string[] {
  const root = join(s.workspace, '.mlops', 'artifacts', 'blobs');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => d + f));
}

test('upload, list, download with Range; artifacts/list and the proxy listing agree', async () => {
  const { id, base } = await newRun();
  const payload = Buffer.from('0123456789abcdef'.repeat(1000));
  assert.equal((await put(`${base}/model/weights.bin`, payload)).status, 200);
  assert.equal((await put(`${base}/notes.txt`, 'hello')).status, 200);
  const list = await s.api('GET', `/api/2.0/mlflow/artifacts/list?run_id=${id}`);
  assert.equal(list.body.root_uri, `mlflow-artifacts:/0/${id}/artifacts`);
  assert.deepEqual(list.body.files, [
    { path: 'model', is_dir: true },
    { path: 'notes.txt', is_dir: false, file_size: 5 },
  ]);
  const sub = await s.api('GET', `/api/2.0/mlflow/artifacts/list?run_id=${id}&path=model`);
  assert.deepEqual(sub.body.files, [{ path: 'model/weights.bin', is_dir: false, file_size: payload.length }]);
  const proxy = await s.api('GET', `${A}?path=${encodeURIComponent(`0/${id}/artifacts/model`)}`);
  assert.deepEqual(proxy.body.files, [{ path: 'weights.bin', is_dir: false, file_size: payload.length }]);
  const whole = await fetch(s.url + `${base}/model/weights.bin`, { headers: { Authorization: `Bearer ${s.token}` } });
  assert.equal(whole.status, 200);
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), payload);
  const part = await fetch(s.url + `${base}/model/weights.bin`, { headers: { Authorization: `Bearer ${s.token}`, Range: 'bytes=16-31' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 16-31/${payload.length}`);
  assert.equal(await part.text(), '0123456789abcdef');
  const beyond = await fetch(s.url + `${base}/model/weights.bin`, { headers: { Authorization: `Bearer ${s.token}`, Range: `bytes=${payload.length}-` } });
  assert.equal(beyond.status, 416);
  const missing = await s.api('GET', `${base}/nope.txt`);
  assert.equal(missing.status, 404);
});

test('content-addressed: identical files in two runs share one blob, stored under its sha256', async () => {
  const before = new Set(blobFiles());
  const content = `same content ${Date.now()}`;
  const a = await newRun();
  const b = await newRun();
  await put(`${a.base}/x.txt`, content);
  await put(`${b.base}/y/z.txt`, content);
  const added = blobFiles().filter((f) => !before.has(f));
  assert.deepEqual(added, [createHash('sha256').update(content).digest('hex')]);
});

test('paths that escape the run are refused: .., encoded .., absolute, backslash', async () => {
  const { base, id } = await newRun();
  for (const evil of ['../../x', '%2e%2e/%2e%2e/x', '..%2f..%2fx', 'a/%2E%2E/%2E%2E/%2E%2E/x', '%2fetc%2fpasswd', 'a%5c..%5cb', 'a%00b']) {
    const status = await rawPut(`${base}/${evil}`, 'nope');
    assert.ok(status >= 400 && status < 500, `${evil} gave ${status}`);
  }
  const list = await s.api('GET', `/api/2.0/mlflow/artifacts/list?run_id=${id}&path=../..`);
  assert.equal(list.status, 400);
  const wrongRun = await rawPut(`${A}/0/not-a-run/artifacts/x`, 'nope');
  assert.equal(wrongRun, 404);
  const notRunPath = await rawPut(`${A}/some/other/place`, 'nope');
  assert.equal(notRunPath, 400);
});

/** PUT with the path sent exactly as written (fetch would normalise '..'). */
function rawPut(path: string, body: string): Promise<number> {
  const url = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers: { Authorization: `Bearer ${s.token}`, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('uploads stream past the JSON size limit', async () => {
  const { base, id } = await newRun();
  const big = Buffer.alloc(20 * 1024 * 1024, 7);
  assert.equal((await put(`${base}/big.bin`, big)).status, 200);
  const list = await s.api('GET', `/api/2.0/mlflow/artifacts/list?run_id=${id}`);
  assert.equal(list.body.files[0].file_size, big.length);
});

test('mlops gc removes blobs no run references, keeps the rest', async () => {
  const { base, id } = await newRun();
  await put(`${base}/keep.txt`, `keep ${Date.now()}`);
  await put(`${base}/gone.txt`, `gone ${Date.now()}`);
  await put(`${base}/gone.txt`, `replaced ${Date.now()}`); // the first version is now unreferenced
  const before = blobFiles().length;
  const gc = await runCli(['gc', '--json', '--workspace', s.workspace]);
  assert.equal(gc.code, 0, gc.stderr);
  const report = JSON.parse(gc.stdout);
  assert.ok(report.blobsRemoved >= 1);
  assert.equal(blobFiles().length, before - report.blobsRemoved);
  for (const name of ['keep.txt', 'gone.txt']) {
    const r = await fetch(s.url + `${base}/${name}`, { headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(r.status, 200, name);
  }
  // Purging deleted runs frees their files too.
  await s.api('POST', '/api/2.0/mlflow/runs/delete', { run_id: id });
  const purge = await runCli(['gc', '--purge-deleted-runs', '--json', '--workspace', s.workspace]);
  assert.ok(JSON.parse(purge.stdout).runsPurged >= 1);
  assert.equal((await s.api('GET', `/api/2.0/mlflow/runs/get?run_id=${id}`)).status, 404);
});

test('gc during uploads never deletes a blob an upload is committing', async () => {
  const { base, id } = await newRun();
  const uploads = Array.from({ length: 40 }, (_, i) => put(`${base}/f${i}.bin`, Buffer.alloc(64 * 1024, i)));
  const gcs = Array.from({ length: 4 }, () => runCli(['gc', '--json', '--workspace', s.workspace]));
  const results = await Promise.all(uploads);
  await Promise.all(gcs);
  assert.ok(results.every((r) => r.status === 200));
  for (let i = 0; i < 40; i++) {
    const r = await fetch(s.url + `${base}/f${i}.bin`, { headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(r.status, 200, `f${i}`);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(body.length, 64 * 1024);
    assert.equal(body[0], i);
  }
  const blobsDir = join(s.workspace, '.mlops', 'artifacts', 'blobs');
  assert.ok(statSync(blobsDir).isDirectory());
  assert.ok(id);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from './helpers/testServer';
import { openRaw, parseHead } from './helpers/rawSocket';

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const path = '/api/2.0/mlflow/experiments/get?experiment_id=0';

test('binds loopback only; server.json is private and names the loopback URL', () => {
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const mode = statSync(join(s.workspace, '.mlops', 'server.json')).mode & 0o777;
  assert.equal(mode, 0o600);
  assert.equal(statSync(join(s.workspace, '.mlops')).mode & 0o777, 0o700);
});

test('requests without the token get 401 with MLflow error JSON', async () => {
  const none = await raw(path, { Host: new URL(s.url).host });
  assert.equal(none.status, 401);
  assert.equal(none.body.error_code, 'UNAUTHENTICATED');
  assert.match(none.body.message, /Authorization/);
  const wrong = await raw(path, { Host: new URL(s.url).host, Authorization: 'Bearer not-the-token' });
  assert.equal(wrong.status, 401);
  const basic = await raw(path, { Host: new URL(s.url).host, Authorization: `Basic ${Buffer.from('u:' + s.token).toString('base64')}` });
  assert.equal(basic.status, 401);
  const ok = await raw(path, { Host: new URL(s.url).host, Authorization: `Bearer ${s.token}` });
  assert.equal(ok.status, 200);
});

test('a foreign Host header is refused (DNS rebinding), loopback names are accepted', async () => {
  const port = new URL(s.url).port;
  for (const host of ['evil.example', `evil.example:${port}`, `192.168.1.5:${port}`, `127.0.0.1.evil.example:${port}`]) {
    const r = await raw(path, { Host: host, Authorization: `Bearer ${s.token}` });
    assert.equal(r.status, 403, host);
    assert.equal(r.body.error_code, 'PERMISSION_DENIED');
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost']) {
    const r = await raw(path, { Host: host, Authorization: `Bearer ${s.token}` });
    assert.equal(r.status, 200, host);
  }
});

test('malformed JSON, wrong shapes, oversized bodies and unknown routes get 4xx with a message', async () => {
  const bad = await s.api('POST', '/api/2.0/mlflow/runs/create', '{"experiment_id": ');
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /not valid JSON/);
  const array = await s.api('POST', '/api/2.0/mlflow/runs/create', '[1,2]');
  assert.equal(array.status, 400);
  const shape = await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: 'x', metrics: [{ key: 'a', value: {}, timestamp: 1 }] });
  assert.equal(shape.status, 400);
  assert.match(shape.body.message, /metrics\[0\]\.value/);
  // Refused on its declared size, before the body is read; the answer comes while
  // the client is still sending (curl and MLflow's Python client read it then).
  const upload = await openRaw(Number(new URL(s.url).port));
  upload.socket.write(`POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n`);
  void upload.trickle('y'.repeat(1024 * 1024), 16 * 1024, 5);
  assert.equal(parseHead(await upload.waitFor('\r\n\r\n')).status, 413);
  upload.socket.destroy();
  const unknown = await s.api('GET', '/api/2.0/mlflow/nothing-here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error_code, 'ENDPOINT_NOT_FOUND');
  const method = await s.api('GET', '/api/2.0/mlflow/runs/create');
  assert.equal(method.status, 405);
  // The server is still healthy after all of that.
  assert.equal((await s.api('GET', '/api/v1/health')).status, 200);
});

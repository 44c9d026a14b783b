import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from './helpers/testServer';
import { churnWorkspace, oipBody, spec, startDeployment, TOKEN, type Deployment } from './helpers/deploymentProcess';
import { openRaw, parseHead, type RawClient } from './helpers/rawSocket';
import { DEFAULT_CONNECTION_LIMITS, connectionLimitsFrom, createGuardedServer } from '../src/server/http/guardedServer';

// Clients that hold connections: trickled headers and bodies, stalled uploads,
// floods of sockets. Both HTTP servers (the backend and a deployment process)
// run with small limits from the environment, so each case takes seconds.

const LIMITS = { MLOPS_HTTP_MAX_CONNECTIONS: '8', MLOPS_HTTP_HEADERS_TIMEOUT_MS: '1000', MLOPS_HTTP_BODY_IDLE_MS: '1000' };

let s: TestServer;
let d: Deployment;
let port: number;
let deploymentPort: number;
before(async () => {
  [s, d] = await Promise.all([startServer(undefined, [], LIMITS), churnWorkspace().then((w) => startDeployment(w, spec(), LIMITS))]);
  port = Number(new URL(s.url).port);
  deploymentPort = Number(new URL(d.url).port);
});
after(async () => Promise.all([s.stop(), d.stop()]));

const sockets: RawClient[] = [];
after(() => sockets.forEach((c) => c.socket.destroy()));
async function raw(p = port): Promise<RawClient> {
  const c = await openRaw(p);
  sockets.push(c);
  return c;
}

async function newRun(): Promise<string> {
  const r = await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
  assert.equal(r.status, 200);
  return r.body.run.info.run_id;
}

function uploads(): string[] {
  return readdirSync(join(s.workspace, '.mlops', 'artifacts', 'uploads'));
}

test('a 401 is answered at once with Connection: close, and a trickled body cannot hold the connection', async () => {
  const c = await raw();
  const trickling = c.trickle(
    'PUT /api/2.0/mlflow-artifacts/artifacts/0/x/artifacts/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n' + 'x'.repeat(400),
    10,
    50,
  );
  const text = await c.waitFor('\r\n\r\n', 2_000);
  const head = parseHead(text);
  assert.equal(head.status, 401);
  assert.equal(head.headers.connection, 'close');
  const { afterMs } = await c.closedWithin(4_000);
  assert.ok(afterMs < 4_000, `connection held ${afterMs} ms`);
  await trickling;
});

test('a small refused body is read before closing, so the client gets the answer and no reset', async () => {
  for (let i = 0; i < 5; i++) {
    const c = await raw();
    const body = 'y'.repeat(20_000);
    c.socket.write(`POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const closed = await c.closedWithin(5_000);
    assert.equal(closed.error, undefined, `connection broke: ${closed.error}`);
    const head = parseHead(c.received());
    assert.equal(head.status, 401);
    assert.match(JSON.parse(head.body).message, /Invalid token/);
  }
});

test('errors answered before the body is read close the connection too (403 Host, 404, 413)', async () => {
  const cases = [
    { head: `POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${s.token}\r\n`, status: 403 },
    { head: `POST /api/2.0/mlflow/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n`, status: 404 },
    { head: `POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n`, status: 413, length: 100_000_000 },
  ];
  for (const one of cases) {
    const c = await raw();
    void c.trickle(`${one.head}Content-Length: ${one.length ?? 1_000_000}\r\n\r\n${'z'.repeat(300)}`, 20, 50);
    const head = parseHead(await c.waitFor('\r\n\r\n', 2_000));
    assert.equal(head.status, one.status);
    assert.equal(head.headers.connection, 'close');
    assert.ok((await c.closedWithin(4_000)).afterMs < 4_000);
  }
});

test('an error to a request without a body keeps the connection for the next request', async () => {
  const c = await raw();
  c.socket.write(`GET /api/2.0/mlflow/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  await c.waitFor('ENDPOINT_NOT_FOUND');
  assert.notEqual(parseHead(c.received()).headers.connection, 'close');
  c.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  await c.waitFor('HTTP/1.1 200');
  c.socket.destroy();
});

test('headers that trickle in are cut off after the header timeout', async () => {
  const c = await raw();
  void c.trickle(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nX-Pad: ${'p'.repeat(400)}\r\n\r\n`, 1, 100);
  const { afterMs } = await c.closedWithin(5_000);
  assert.ok(afterMs < 5_000, `headers trickled for ${afterMs} ms`);
  assert.doesNotMatch(c.received(), /HTTP\/1\.1 200/);
});

test('an upload whose body stops is ended after the idle timeout and leaves no partial file', async () => {
  const run = await newRun();
  const c = await raw();
  c.socket.write(
    `PUT /api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/stalled.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: 1000000\r\n\r\n${'s'.repeat(1000)}`,
  );
  const { afterMs } = await c.closedWithin(5_000);
  assert.ok(afterMs < 5_000, `stalled upload held ${afterMs} ms`);
  assert.equal(parseHead(c.received()).status, 408);
  // The server removes the partial file as it sees the connection go (a loaded machine can take seconds).
  const deadline = Date.now() + 15_000;
  while (uploads().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(uploads(), []);
});

test('a slow but steady upload outlives the idle timeout and is stored whole', async () => {
  const run = await newRun();
  const c = await raw();
  const body = Buffer.alloc(30 * 1024, 7);
  c.socket.write(`PUT /api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/steady.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: ${body.length}\r\n\r\n`);
  // 3 s in all, each pause well under the 1 s idle timeout.
  await c.trickle(body, 2048, 200);
  const head = parseHead(await c.waitFor('\r\n\r\n{}', 5_000));
  assert.equal(head.status, 200);
  const listed = await s.api('GET', `/api/2.0/mlflow-artifacts/artifacts?path=0/${run}/artifacts`);
  assert.deepEqual(listed.body.files, [{ path: 'steady.bin', is_dir: false, file_size: body.length }]);
});

async function holdConnections(p: number, count: number): Promise<RawClient[]> {
  const held = await Promise.all(Array.from({ length: count }, () => raw(p)));
  await new Promise((r) => setTimeout(r, 100)); // the server has counted them
  return held;
}

test('connections above the cap get a 503 with Retry-After; below it again, requests succeed', async () => {
  const held = await holdConnections(port, 8);
  const c = await raw();
  c.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  await c.closedWithin(5_000);
  const head = parseHead(c.received());
  assert.equal(head.status, 503);
  assert.ok(Number(head.headers['retry-after']) > 0);
  assert.equal(JSON.parse(head.body).error_code, 'TEMPORARILY_UNAVAILABLE');
  held.forEach((h) => h.socket.destroy());
  await Promise.all(held.map((h) => h.closed));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await s.api('GET', '/api/v1/health')).status, 200);
});

test('connections kept alive after their answer do not count against the cap: a new client is served and none is closed', async () => {
  // A client that opened more connections than it reuses, each kept alive after its answer.
  const kept: RawClient[] = [];
  for (let i = 0; i < 10; i++) {
    const k = await raw();
    k.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
    await k.waitFor('\r\n\r\n');
    assert.equal(parseHead(k.received()).status, 200, `connection ${i + 1} (cap 8)`);
    kept.push(k);
  }
  const c = await raw();
  c.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  await c.waitFor('\r\n\r\n');
  assert.equal(parseHead(c.received()).status, 200);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(kept.filter((k) => k.isClosed()).length, 0, 'an idle kept-alive connection may be reused by its client: it is not closed under it');
  [c, ...kept].forEach((k) => k.socket.destroy());
  await new Promise((r) => setTimeout(r, 100));
});

test('the deployment server: 401 closes a trickled body, stalled bodies end, the cap answers 503 in OIP shape', async () => {
  const trickled = await raw(deploymentPort);
  void trickled.trickle(`POST /v2/models/churn-svc/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n${'['.repeat(300)}`, 10, 50);
  const head = parseHead(await trickled.waitFor('\r\n\r\n', 2_000));
  assert.equal(head.status, 401);
  assert.equal(head.headers.connection, 'close');
  assert.ok((await trickled.closedWithin(4_000)).afterMs < 4_000);

  const stalled = await raw(deploymentPort);
  stalled.socket.write(`POST /v2/models/churn-svc/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 5000\r\n\r\n{"inputs":`);
  assert.ok((await stalled.closedWithin(5_000)).afterMs < 5_000);
  assert.equal(parseHead(stalled.received()).status, 408);

  const held = await holdConnections(deploymentPort, 8);
  const over = await raw(deploymentPort);
  over.socket.write(`POST /v2/models/churn-svc/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 10\r\n\r\n{"inputs":`);
  await over.closedWithin(5_000);
  const refused = parseHead(over.received());
  assert.equal(refused.status, 503);
  assert.ok(Number(refused.headers['retry-after']) > 0);
  assert.match(JSON.parse(refused.body).error, /limit/);
  held.forEach((h) => h.socket.destroy());
  await Promise.all(held.map((h) => h.closed));
  await new Promise((r) => setTimeout(r, 100));
  const ok = await d.request('/v2/models/churn-svc/infer', { method: 'POST', body: oipBody([[1, 2, 3, 4]]), headers: { 'Content-Type': 'application/json' } });
  assert.equal(ok.status, 200);
});

test('by default the cap is generous: 300 clients at once are all served', async () => {
  assert.ok(DEFAULT_CONNECTION_LIMITS.maxConnections >= 256);
  assert.deepEqual(connectionLimitsFrom({}), DEFAULT_CONNECTION_LIMITS);
  // No bound on a whole request (Node's default cut any upload at 300 s): only silence ends one.
  const bare = createGuardedServer({ answer: () => {} }, () => {});
  assert.equal(bare.requestTimeout, 0);
  assert.equal(bare.headersTimeout, DEFAULT_CONNECTION_LIMITS.headersTimeoutMs);
  const plain = await startServer();
  try {
    const url = new URL(plain.url);
    const clients = await Promise.all(Array.from({ length: 300 }, () => openRaw(Number(url.port))));
    await new Promise((r) => setTimeout(r, 100));
    for (const c of clients) c.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${plain.token}\r\n\r\n`);
    const statuses = await Promise.all(clients.map(async (c) => parseHead(await c.waitFor('\r\n\r\n', 10_000)).status));
    assert.deepEqual(new Set(statuses), new Set([200]));
    clients.forEach((c) => c.socket.destroy());
  } finally {
    await plain.stop();
  }
});

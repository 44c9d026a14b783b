// A deployment's life under the backend: redeploys switch versions under load
// without a failed request, a failed deploy keeps the old version serving, stats
// arrive, and `stop` or a closed IPC channel ends the process.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';
import { churnWorkspace, DEPLOYMENT_JS, oipBody, spec, startDeployment, TOKEN } from './helpers/deploymentProcess';

const row = [1, 2, 3, 4];
let workspace: string;
before(async () => {
  workspace = await churnWorkspace();
});

test('redeploy under load (8 clients): no failed request, and answers switch to the new version', async () => {
  const d = await startDeployment(workspace, spec());
  try {
    let running = true;
    let deployedAt = Infinity;
    const results: { started: number; status: number; version: string | null; error?: string }[] = [];
    const client = async (c: number) => {
      let i = 0;
      while (running) {
        const started = performance.now();
        try {
          // Alternate protocols so every route crosses the switch.
          const res =
            i++ % 2
              ? await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) })
              : await d.request('/invocations', { method: 'POST', body: JSON.stringify({ dataframe_split: { columns: ['age', 'income', 'plan', 'tenure'], data: [row] } }), headers: { 'Content-Type': 'application/json' } });
          await res.arrayBuffer();
          results.push({ started, status: res.status, version: res.headers.get('x-mlops-model-version') });
        } catch (err) {
          results.push({ started, status: 0, version: null, error: `client ${c}: ${(err as Error).message}` });
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 400));
    const since = d.messages.length;
    d.send({ type: 'deploy', spec: spec({ variants: [{ name: 'champion', modelUri: 'models:/churn/2', weight: 100 }] }) });
    const deployed = await d.next('deployed', since);
    deployedAt = performance.now();
    assert.deepEqual(deployed.variants.map((v) => `${v.model}/${v.version}`), ['churn/2']);
    await new Promise((r) => setTimeout(r, 400));
    running = false;
    await Promise.all(clients);

    const failed = results.filter((r) => r.status !== 200);
    assert.equal(failed.length, 0, `failed: ${JSON.stringify(failed.slice(0, 5))}`);
    const before = results.filter((r) => r.version === 'churn/1').length;
    const after = results.filter((r) => r.started > deployedAt);
    assert.ok(before > 0, 'served the old version first');
    assert.ok(after.length > 0 && after.every((r) => r.version === 'churn/2'), 'every request after the switch got the new version');
    assert.match(d.output(), /released churn\/1 after its last request/);
    // The backend gets counters every 2 s.
    const stats = await d.next('stats', since, 5_000);
    assert.ok(stats.requests >= results.length - 8 && stats.errors === 0, JSON.stringify(stats));
  } finally {
    await d.stop();
  }
});

test('a deploy that cannot load reports deployFailed and the old version keeps serving', async () => {
  const d = await startDeployment(workspace, spec());
  try {
    let since = d.messages.length;
    d.send({ type: 'deploy', spec: spec({ variants: [{ name: 'champion', modelUri: 'models:/churn/9', weight: 100 }] }) });
    assert.match((await d.next('deployFailed', since)).message, /churn/);
    since = d.messages.length;
    d.send({ type: 'deploy', spec: { name: 'x', variants: [] } });
    assert.match((await d.next('deployFailed', since)).message, /malformed/);
    d.send({ type: 'dance' }); // ignored (logged)
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-mlops-model-version'), 'churn/1');
  } finally {
    await d.stop();
  }
});

test('the first counts come right after ready (zeros), so the backend knows them before the 2-s interval', async () => {
  const d = await startDeployment(workspace, spec());
  try {
    const ready = d.messages.findIndex((m) => m.type === 'ready');
    const first = await d.next('stats', ready);
    assert.equal(d.messages.indexOf(first), ready + 1, `the message after ready: ${JSON.stringify(d.messages.slice(ready, ready + 3))}`);
    assert.deepEqual([first.requests, first.errors, first.inFlight, first.p50Ms, first.p99Ms], [0, 0, 0, null, null]);
  } finally {
    await d.stop();
  }
});

test('stop closes the server and exits 0', async () => {
  const d = await startDeployment(workspace, spec());
  d.send({ type: 'stop' });
  assert.deepEqual(await d.exited, { code: 0, signal: null });
  await assert.rejects(fetch(d.url + '/v2/health/live'));
});

test('when the IPC channel closes (the backend died) the process exits', async () => {
  const d = await startDeployment(workspace, spec());
  d.process.disconnect();
  const timer = setTimeout(() => d.process.kill('SIGKILL'), 10_000);
  const { code } = await d.exited;
  clearTimeout(timer);
  assert.equal(code, 0);
});

test('a first deploy that fails, or auth without a token, reports deployFailed and exits 1', async () => {
  for (const [first, env] of [
    [spec({ variants: [{ name: 'champion', modelUri: 'models:/missing@champion', weight: 100 }] }), {}],
    [spec(), { MLOPS_DEPLOYMENT_TOKEN: '' }],
  ] as const) {
    const proc = fork(DEPLOYMENT_JS, [], { env: { ...process.env, MLOPS_WORKSPACE: workspace, MLOPS_DEPLOYMENT_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const messages: { type: string }[] = [];
    proc.on('message', (m) => messages.push(m as { type: string }));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.send({ type: 'deploy', spec: first });
    assert.equal(await exited, 1);
    assert.deepEqual(messages.map((m) => m.type), ['deployFailed']);
  }
});

test('a version whose stored file no longer matches its sha256 is never served', async () => {
  const ws = await churnWorkspace();
  const tracking = TrackingStore.open(ws);
  try {
    const v2 = new ModelRegistry(tracking).getVersion('churn', 2);
    const blob = tracking.artifacts.blobPath(v2.sha256!);
    chmodSync(blob, 0o644);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 1] ^= 0xff; // same size, other content
    writeFileSync(blob, bytes);
  } finally {
    tracking.close();
  }
  const d = await startDeployment(ws, spec());
  try {
    const since = d.messages.length;
    d.send({ type: 'deploy', spec: spec({ variants: [{ name: 'champion', modelUri: 'models:/churn/2', weight: 100 }] }) });
    assert.match((await d.next('deployFailed', since)).message, /Integrity check failed/);
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
    assert.equal(res.headers.get('x-mlops-model-version'), 'churn/1');
  } finally {
    await d.stop();
  }
});

test('stop lets a request in flight finish before the process exits', async () => {
  const d = await startDeployment(workspace, spec());
  const rows = Array.from({ length: 100_000 }, (_, i) => [i % 7, 1, 2, 3]);
  const body = oipBody(rows);
  const url = new URL(d.url);
  const answer = new Promise<{ status: number; rows: number }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/v2/models/churn/infer', method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rows: JSON.parse(text).outputs?.[0]?.shape?.[0] }));
    });
    req.on('error', reject);
    // Stop once the request is on the wire: the server has it, the answer is not out yet.
    req.on('socket', (socket) => socket.once('connect', () => req.write(body, () => d.send({ type: 'stop' }))));
  });
  const result = await answer;
  assert.deepEqual(result, { status: 200, rows: 100_000 });
  assert.equal((await d.exited).code, 0);
});

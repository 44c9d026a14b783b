import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, runCli, startServer, waitFor, type TestServer } from './helpers/testServer';
import { linearExpected, linearModel } from './helpers/onnxModels';
import type { DeploymentState } from '../src/protocol/deployments';
import { deploymentLatency } from '../src/protocol/deploymentLatency';

// `mlops serve` and /api/v1/deployments: the backend runs each deployment in its
// own process, restarts it on the same port when it crashes, redeploys in place,
// and stops it. Real processes, a real registered ONNX model, real HTTP.

const ROW = [0.5, -1, 2, 0.25];

async function workspaceWithModel(): Promise<{ ws: string; server: TestServer }> {
  const ws = makeWorkspace('mlops-serve-');
  writeFileSync(join(ws, 'model.onnx'), linearModel());
  const server = await startServer(ws);
  for (const alias of ['champion', 'challenger']) {
    const r = await runCli(['models', 'register', 'model.onnx', '--name', 'linear', '--alias', alias], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(r.code, 0, r.stderr);
  }
  return { ws, server };
}

async function infer(url: string, token: string | undefined, model = 'linear'): Promise<{ status: number; body: any; variant: string | null }> {
  const res = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: ROW }] }),
  });
  return { status: res.status, body: await res.json(), variant: res.headers.get('x-mlops-variant') };
}

test('mlops serve --detach starts a supervised deployment that answers with the token; a crash is restarted on the same URL; DELETE stops it', { timeout: 120_000 }, async () => {
  const { ws, server } = await workspaceWithModel();
  try {
    const r = await runCli(['serve', 'models:/linear@champion', '--detach'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1];
    assert.ok(url, r.stdout);
    assert.match(r.stdout, /POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/linear\/infer/);

    const ok = await infer(url!, server.token);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(Math.abs(ok.body.outputs[0].data[0] - linearExpected(ROW)) < 1e-5);
    assert.equal(ok.variant, 'champion');
    assert.equal((await infer(url!, undefined)).status, 401, 'the workspace token is required');

    const listed = await server.api('GET', '/api/v1/deployments');
    const d = listed.body.deployments[0];
    assert.deepEqual([d.name, d.status, d.url, d.variants[0].version], ['linear', 'running', url, '1']);

    // A crash (SIGKILL of the deployment's process) is restarted, on the same port.
    process.kill(d.pid, 'SIGKILL');
    const back = await waitFor('the deployment restarted', async () => {
      const s = (await server.api('GET', '/api/v1/deployments/linear')).body.deployment;
      return s.status === 'running' && s.pid !== d.pid ? s : undefined;
    }, 30_000);
    assert.equal(back.restarts, 1);
    assert.equal(back.url, url);
    assert.equal((await infer(url!, server.token)).status, 200);
    // Tracking was never down.
    assert.equal((await server.api('GET', '/api/v1/health')).status, 200);

    const again = await runCli(['serve', 'models:/linear@champion', '--detach'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already running/);

    const stopped = await server.api('DELETE', '/api/v1/deployments/linear');
    assert.equal(stopped.status, 200);
    await assert.rejects(fetch(`${url}/v2/health/live`), 'nothing listens there any more');
    assert.equal((await server.api('GET', '/api/v1/deployments/linear')).status, 404);
  } finally {
    await server.stop();
  }
});

test('a foreground mlops serve stops its deployment on Ctrl-C; bad specs are refused with the reason', { timeout: 120_000 }, async () => {
  const { ws, server } = await workspaceWithModel();
  try {
    const proc = spawn(process.execPath, [CLI, 'serve', 'models:/linear@champion', '--name', 'fg', '--challenger', 'models:/linear@challenger', '--split', '70/30'], { cwd: ws, env: { ...process.env, MLOPS_WORKSPACE: ws }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    // The examples come after a look-up of the version's signature.
    await waitFor('the examples', () => /Try it:\n(.*\n){3}/.test(out), 60_000);
    assert.match(out, /champion linear v\d \(70%\), challenger linear v\d \(30%\)/);
    assert.match(out, /Requests need the deployment's serving token: Authorization: Bearer <token in \.mlops\/deployments\/fg\/serving-token>/);
    // What monitoring really does (these versions have no feature names), and a request to paste.
    assert.match(out, /Monitoring: OFF: Input .float_input. has 4 columns and the version has no feature schema to name them: register it with --features/);
    assert.match(out, /Try it:\n {4}TOKEN=\$\(cat '.*\.mlops\/deployments\/fg\/serving-token'\)\n {4}curl -s http:\/\/127\.0\.0\.1:\d+\/v2\/models\/linear\/infer -H "Authorization: Bearer \$TOKEN"/);
    // Pasted into a shell as printed, with the serving token (not the workspace's), it answers.
    const example = /Try it:\n((?: {4}.*\n){3})/.exec(out)![1].replace(/^ {4}/gm, '');
    const tried = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const shell = spawn('bash', ['-c', `${example.trimEnd()} -w '\\n%{http_code}'`], { cwd: ws });
      let stdout = '';
      shell.stdout.on('data', (c) => (stdout += c));
      shell.on('close', (code) => resolve({ code, stdout }));
    });
    assert.equal(tried.code, 0, tried.stdout);
    assert.match(tried.stdout, /"outputs".*\n200$/, 'the printed example is a valid request');
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.deepEqual((await server.api('GET', '/api/v1/deployments')).body.deployments, []);

    const missing = await server.api('POST', '/api/v1/deployments', { name: 'nope', variants: [{ name: 'champion', modelUri: 'models:/nope/1', weight: 100 }] });
    assert.equal(missing.status, 400, JSON.stringify(missing.body));
    assert.match(missing.body.message, /nope/);
    assert.deepEqual((await server.api('GET', '/api/v1/deployments')).body.deployments, [], 'one that never served is not listed');
    const noChampion = await server.api('POST', '/api/v1/deployments', { name: 'x', variants: [{ name: 'challenger', modelUri: 'models:/linear/1', weight: 100 }] });
    assert.equal(noChampion.status, 400);
    assert.match(noChampion.body.message, /needs a champion/);
    const badSplit = await runCli(['serve', 'models:/linear/1', '--challenger', 'models:/linear/2', '--split', '80/30'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(badSplit.code, 2);
    assert.match(badSplit.stderr, /adding up to 100/);
  } finally {
    await server.stop();
  }
});

test('the last known latency stays once traffic stops, and mlops deployments list shows it with how long the deployment has been idle', { timeout: 120_000 }, async () => {
  const { ws, server } = await workspaceWithModel();
  try {
    const created = await server.api('POST', '/api/v1/deployments', { name: 'linear', variants: [{ name: 'champion', modelUri: 'models:/linear@champion', weight: 100 }], monitoring: null });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const state = async () => (await server.api('GET', '/api/v1/deployments/linear')).body.deployment as DeploymentState;
    // The process's first counts come with its start: zeros, no latency yet.
    const fresh = await waitFor('the first counts', async () => ((await state()).stats ? state() : undefined));
    assert.equal(fresh.lastLatency, null);
    for (let i = 0; i < 5; i++) assert.equal((await infer(created.body.deployment.url, server.token)).status, 200);
    const busy = await waitFor('an interval with requests', async () => {
      const s = await state();
      return s.stats?.p50Ms !== null ? s : undefined;
    });
    assert.ok(busy.lastLatency && busy.lastLatency.p50Ms === busy.stats!.p50Ms && busy.lastLatency.p99Ms === busy.stats!.p99Ms, JSON.stringify(busy));
    const idle = await waitFor('an interval without requests', async () => {
      const s = await state();
      return s.stats?.requests === 5 && s.stats.p50Ms === null ? s : undefined;
    });
    assert.ok(idle.lastLatency && idle.lastLatency.p50Ms > 0 && idle.lastLatency.p99Ms >= idle.lastLatency.p50Ms && idle.lastLatency.at <= Date.now(), JSON.stringify(idle.lastLatency));
    const latency = deploymentLatency(idle);
    assert.ok(latency && latency.idleMs !== null && latency.p50Ms === idle.lastLatency.p50Ms);

    const list = await runCli(['deployments', 'list'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^linear\s+running\s+\S+\s+linear v1\s+5\s+[\d.]+ ms \(idle \d+s\)\s+[\d.]+ ms \(idle \d+s\)\s+off$/m, list.stdout);
  } finally {
    await server.stop();
  }
});

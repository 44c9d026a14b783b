import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, startServer, waitFor } from './helpers/testServer';

test('token and port stay the same across restarts; server.json is removed on SIGTERM', async () => {
  const ws = makeWorkspace();
  const first = await startServer(ws);
  await first.stop();
  assert.equal(existsSync(join(ws, '.mlops', 'server.json')), false);
  const second = await startServer(ws);
  assert.equal(second.token, first.token);
  assert.equal(second.url, first.url);
  await second.stop();
});

test('one server per workspace: concurrent starts race on the lock and the losers reuse the winner', async () => {
  const ws = makeWorkspace();
  const procs = Array.from({ length: 4 }, () => {
    const p = spawn(process.execPath, [CLI, 'server', '--workspace', ws], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    return { p, out: () => out };
  });
  try {
    const info = await waitFor('server.json', () => {
      try {
        return JSON.parse(readFileSync(join(ws, '.mlops', 'server.json'), 'utf8'));
      } catch {
        return undefined;
      }
    });
    // Every loser exits 0 after saying where the server is; the winner keeps serving.
    const losers = procs.filter((x) => x.p.pid !== info.pid);
    assert.equal(losers.length, 3);
    for (const l of losers) {
      const code = await new Promise((r) => (l.p.exitCode !== null ? r(l.p.exitCode) : l.p.once('exit', r)));
      assert.equal(code, 0, l.out());
      assert.match(l.out(), new RegExp(`already runs .*${info.url.replace(/[.:/]/g, '.')}`));
    }
    const winner = procs.find((x) => x.p.pid === info.pid)!;
    assert.equal(winner.p.exitCode, null);
    const res = await fetch(`${info.url}/api/v1/health`, { headers: { Authorization: `Bearer ${info.token}` } });
    assert.equal(res.status, 200);
    winner.p.kill('SIGTERM');
    await new Promise((r) => winner.p.once('exit', r));
  } finally {
    for (const x of procs) if (x.p.exitCode === null) x.p.kill('SIGKILL');
  }
});

test('a stale server.json (dead pid, wrong token, foreign URL) is replaced, never trusted', async () => {
  const ws = makeWorkspace();
  const first = await startServer(ws);
  await first.kill(); // SIGKILL: server.json and the lock stay behind
  assert.equal(existsSync(join(ws, '.mlops', 'server.json')), true);
  const second = await startServer(ws);
  assert.notEqual(second.pid, first.pid);
  await second.stop();
  for (const stale of [
    { url: 'http://evil.example:80', token: first.token, pid: process.pid },
    { url: first.url, token: 'x'.repeat(43), pid: process.pid },
  ]) {
    writeFileSync(join(ws, '.mlops', 'server.json'), JSON.stringify(stale));
    const next = await startServer(ws);
    const info = JSON.parse(readFileSync(join(ws, '.mlops', 'server.json'), 'utf8'));
    assert.equal(info.pid, next.pid);
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal(info.token, first.token);
    await next.stop();
  }
});

test('an explicit --port that is taken fails with an actionable message', async () => {
  const ws = makeWorkspace();
  const s = await startServer(ws);
  const port = new URL(s.url).port;
  const other = makeWorkspace();
  const p = spawn(process.execPath, [CLI, 'server', '--workspace', other, '--port', port], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => p.once('exit', r));
  assert.equal(code, 1);
  assert.match(err, new RegExp(`Port ${port} .* in use`));
  await s.stop();
});

test('under sustained ingest the server keeps its WAL bounded (checkpoints run on a worker thread)', async () => {
  const ws = makeWorkspace();
  const s = await startServer(ws);
  try {
    const runId = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
    const { statSync } = await import('node:fs');
    const walSize = () => statSync(join(ws, '.mlops', 'mlops.db-wal')).size;
    let maxWal = 0;
    // ~400,000 points: well over 100 MB of log if nothing checkpointed it.
    for (let batch = 0; batch < 400; batch++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 10}`, value: Math.random(), timestamp: batch, step: batch * 100 + Math.floor(i / 10) }));
      const r = await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics });
      assert.equal(r.status, 200);
      maxWal = Math.max(maxWal, walSize());
    }
    assert.ok(maxWal < 64 * 1024 * 1024, `WAL peaked at ${maxWal} bytes`);
  } finally {
    await s.stop();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, startServer, stopBackgroundServer, waitFor } from './helpers/testServer';
import { TrackingStore } from '../src/core/tracking/trackingStore';

test('SIGKILL the server while clients log: after a restart every acknowledged point is there', async () => {
  const ws = makeWorkspace();
  let s = await startServer(ws);
  const runId = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
  const acknowledged = new Set<number>();
  let stop = false;
  const client = async (lane: number) => {
    for (let batch = 0; !stop; batch++) {
      const base = (lane * 1_000_000) + batch * 100;
      const metrics = Array.from({ length: 100 }, (_, i) => ({ key: 'm', value: base + i, timestamp: 1, step: base + i }));
      try {
        const res = await fetch(`${s.url}/api/2.0/mlflow/runs/log-batch`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ run_id: runId, metrics }),
        });
        if (res.status === 200) for (let i = 0; i < 100; i++) acknowledged.add(base + i);
      } catch {
        return; // the server is gone
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  await waitFor('some acknowledged points', () => acknowledged.size > 20_000);
  await s.kill();
  stop = true;
  await Promise.all(clients);
  s = await startServer(ws);
  const history = await s.api('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m&max_results=25000`);
  const stored = new Set<number>();
  let page = history.body;
  for (;;) {
    for (const m of page.metrics ?? []) stored.add(m.step);
    if (!page.next_page_token) break;
    page = (await s.api('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m&max_results=25000&page_token=${encodeURIComponent(page.next_page_token)}`)).body;
  }
  const lost = [...acknowledged].filter((step) => !stored.has(step));
  assert.equal(lost.length, 0, `${lost.length} acknowledged points lost`);
  // The restarted server has the same URL and token, so running jobs keep logging.
  const after = await s.api('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'after', value: 1, timestamp: 1 });
  assert.equal(after.status, 200);
  await s.stop();
});

test('a tracked process killed with SIGKILL is marked FAILED by the heartbeat check', async () => {
  const ws = makeWorkspace();
  const env = { MLOPS_HEARTBEAT_TIMEOUT_MS: '1500', MLOPS_HEARTBEAT_INTERVAL_MS: '200', MLOPS_HEARTBEAT_INTERVAL_S: '0.2' };
  const s = await startServer(ws, [], env);
  try {
    // 1. A script using the Python client outside `mlops run` (it heartbeats its own run).
    writeFileSync(join(ws, 'long.py'), 'import time, mlops_workbench as mw\nrun = mw.start_run(name="doomed")\nprint(run.run_id, flush=True)\nmw.log_metric("x", 1)\ntime.sleep(120)\n');
    const py = spawn('python3', ['long.py'], { cwd: ws, env: { ...process.env, ...env, PYTHONPATH: join(__dirname, '..', '..', 'python') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    py.stdout.on('data', (d) => (out += d));
    py.stderr.on('data', (d) => (out += d));
    const pyRun = await waitFor('python run id', () => /([0-9a-f]{32})/.exec(out)?.[1]);
    await new Promise((r) => setTimeout(r, 600)); // a few heartbeats
    py.kill('SIGKILL');

    // 2. The `mlops run` wrapper itself killed (its child is orphaned and stops heartbeating too).
    const wrapper = spawn(process.execPath, [CLI, 'run', '--', 'sleep', '119.7'], { cwd: ws, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    wrapper.stderr.on('data', (d) => (err += d));
    const wrapped = await waitFor('wrapped run id', () => /\(([0-9a-f]{32})\)/.exec(err)?.[1]);
    await new Promise((r) => setTimeout(r, 600));
    wrapper.kill('SIGKILL');

    const tracking = TrackingStore.open(ws);
    for (const runId of [pyRun, wrapped]) {
      const run = await waitFor(`run ${runId} FAILED`, () => {
        const r = tracking.runs.get(runId);
        return r.info.status === 'FAILED' ? r : undefined;
      });
      const reason = run.data.tags.find((t) => t.key === 'mlops.failureReason')?.value ?? '';
      assert.match(reason, /No heartbeat since/);
      assert.ok(run.info.endTime);
    }
    // A run that keeps heartbeating is left alone.
    const alive = tracking.runs.create({ experimentId: '0', heartbeat: true });
    const beat = setInterval(() => tracking.runs.heartbeat(alive.info.runId), 200);
    await new Promise((r) => setTimeout(r, 2500));
    clearInterval(beat);
    assert.equal(tracking.runs.get(alive.info.runId).info.status, 'RUNNING');
    // Runs created by plain MLflow clients (no heartbeat) are never touched.
    const plain = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(tracking.runs.get(plain).info.status, 'RUNNING');
    tracking.close();
  } finally {
    spawn('pkill', ['-f', 'sleep 119.7']);
    await s.stop();
    stopBackgroundServer(ws);
  }
});

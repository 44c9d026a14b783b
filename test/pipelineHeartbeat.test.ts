import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, startServer, waitFor } from './helpers/testServer';
import { TrackingStore } from '../src/core/tracking/trackingStore';

// A pipeline runner that dies without a word (SIGKILL, a crash, a closed laptop)
// must not leave its runs RUNNING forever: they heartbeat, and the server's
// reaper ends them FAILED with the reason.

test('when the runner is killed, the pipeline run and its running step end FAILED by the heartbeat reaper', async () => {
  const ws = makeWorkspace('mlops-pipeline-heartbeat-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), 'name: hb\nsteps:\n  slow:\n    run: echo started && sleep 30\n');
  const server = await startServer(ws, [], { MLOPS_HEARTBEAT_TIMEOUT_MS: '2000' });
  const runner = spawn(process.execPath, [CLI, 'pipeline', 'run', 'p.pipeline.yaml'], { cwd: ws, env: { ...process.env, MLOPS_WORKSPACE: ws, MLOPS_HEARTBEAT_INTERVAL_MS: '200' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  runner.stdout.on('data', (d) => (out += d));
  runner.stderr.on('data', (d) => (out += d));
  try {
    await waitFor('the step to start', () => out.includes('slow | started'), 20_000);
    const ids = [...out.matchAll(/run ([0-9a-f]{32})/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, 2, out);
    // Heartbeats keep a live run RUNNING past the timeout...
    await new Promise((r) => setTimeout(r, 3000));
    const status = (id: string) => {
      const t = TrackingStore.open(ws);
      try {
        const run = t.runs.get(id);
        return { status: run.info.status, reason: run.data.tags.find((x) => x.key === 'mlops.failureReason')?.value };
      } finally {
        t.close();
      }
    };
    for (const id of ids) assert.equal(status(id).status, 'RUNNING');
    // ...and once the runner is gone (its step's shell too), the reaper ends them.
    process.kill(-runner.pid!, 'SIGKILL');
    for (const id of ids) {
      const ended = await waitFor(`run ${id} FAILED`, () => (status(id).status === 'FAILED' ? status(id) : undefined), 20_000);
      assert.match(ended.reason ?? '', /heartbeat/);
    }
  } finally {
    try {
      process.kill(-runner.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    await server.stop();
  }
});

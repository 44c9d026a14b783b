import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, runCli, stopBackgroundServer, waitFor } from './helpers/testServer';
import { TrackingStore } from '../src/core/tracking/trackingStore';

function gitWorkspace(): string {
  const ws = makeWorkspace('mlops-run-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  writeFileSync(join(ws, 'README.txt'), 'hi\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  return ws;
}

function readRun(ws: string, runId: string) {
  // Left open: read() serves artifact contents after this returns; the test process ends soon.
  const tracking = TrackingStore.open(ws);
  {
    const run = tracking.runs.get(runId);
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    const artifacts = (dir: string): string[] => tracking.artifacts.list(runId, dir).flatMap((e) => (e.isDir ? artifacts(e.path) : [e.path]));
    const read = (path: string) => require('node:fs').readFileSync(tracking.artifacts.find(runId, path).blobPath, 'utf8') as string;
    return { run, tags, params, metrics, artifacts: artifacts(''), read, history: (key: string) => tracking.metrics.history(runId, key, 100_000, 0) };
  }
}

function runIdFrom(stderr: string): string {
  const match = /\(([0-9a-f]{32})\)/.exec(stderr);
  assert.ok(match, `run id in: ${stderr}`);
  return match[1];
}

const fastEnv = { MLOPS_SYSTEM_METRICS_INTERVAL_MS: '200', MLOPS_HEARTBEAT_INTERVAL_MS: '200' };

test('mlops run wraps a Python script that logs with the bundled client: everything recorded, FINISHED', async () => {
  const ws = gitWorkspace();
  writeFileSync(join(ws, 'README.txt'), 'changed\n'); // a dirty tree
  writeFileSync(
    join(ws, 'train.py'),
    [
      'import time, sys',
      'import mlops_workbench as mw',
      'mw.log_param("layers", 3)',
      'for step in range(200):',
      '    mw.log_metric("loss", 1.0 / (step + 1), step=step)',
      'mw.log_dict({"ok": True}, "config.json")',
      'print("training done", flush=True)',
      'print("a warning", file=sys.stderr, flush=True)',
      'time.sleep(1.0)',
    ].join('\n'),
  );
  const r = await runCli(['run', '--experiment', 'churn', '--name', 'first', '--param', 'lr=0.1', '--', 'python3', 'train.py'], { cwd: ws, env: fastEnv });
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /training done/); // passed through live
    const runId = runIdFrom(r.stderr);
    const { run, tags, params, metrics, artifacts, read, history } = readRun(ws, runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.runName, 'first');
    assert.ok(run.info.endTime);
    assert.equal(params.lr, '0.1');
    assert.equal(params.layers, '3');
    assert.equal(history('loss').length, 200);
    assert.equal(metrics.loss, 1 / 200);
    assert.deepEqual(JSON.parse(tags['mlops.command']), ['python3', 'train.py']);
    assert.match(tags['mlflow.source.git.commit'], /^[0-9a-f]{40}$/);
    assert.equal(tags['mlflow.source.git.branch'], 'main');
    assert.equal(tags['mlops.git.dirty'], 'true');
    assert.match(tags['mlops.python.version'], /^3\.\d+/);
    assert.equal(tags['mlops.exitCode'], '0');
    assert.ok(artifacts.includes('code/git.diff'));
    assert.match(read('code/git.diff'), /\+changed/);
    assert.match(read('code/git.diff'), /untracked: train\.py/);
    assert.ok(artifacts.includes('environment/requirements.txt'));
    assert.ok(artifacts.includes('config.json'));
    const log = read('logs/output.log');
    assert.match(log, /training done/);
    assert.match(log, /a warning/);
    assert.ok('system/cpu_utilization_percentage' in metrics, `system metrics in ${Object.keys(metrics)}`);
    assert.ok(metrics['system/process_memory_rss_megabytes'] > 1);
    const exp = TrackingStore.open(ws).experiments.getByName('churn');
    assert.equal(run.info.experimentId, exp.experimentId);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('exit codes pass through: a failing command ends FAILED with its code kept', async () => {
  const ws = makeWorkspace();
  const r = await runCli(['run', '--', 'sh', '-c', 'echo out; exit 3'], { cwd: ws });
  try {
    assert.equal(r.code, 3);
    const { run, tags } = readRun(ws, runIdFrom(r.stderr));
    assert.equal(run.info.status, 'FAILED');
    assert.equal(tags['mlops.exitCode'], '3');
    // A mistyped command is refused before any run is recorded.
    const missing = await runCli(['run', '--', 'definitely-not-a-command-xyz'], { cwd: ws });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found: definitely-not-a-command-xyz/);
    assert.doesNotMatch(missing.stderr, /\(([0-9a-f]{32})\)/);
    const noCommand = await runCli(['run'], { cwd: ws });
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stderr, /no command given/);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('SIGTERM (what ending a VS Code task sends) reaches the whole process group; the run is KILLED', async () => {
  const ws = makeWorkspace();
  const marker = join(ws, 'grandchild.pid');
  const p = spawn(process.execPath, [CLI, 'run', '--', 'sh', '-c', `sleep 60 & echo $! > ${marker}; wait`], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  try {
    const grandchild = await waitFor('grandchild pid', () => {
      try {
        return Number(require('node:fs').readFileSync(marker, 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    });
    p.kill('SIGTERM');
    const code = await new Promise((r) => p.once('exit', r));
    assert.equal(code, 143);
    const { run, tags } = readRun(ws, runIdFrom(stderr));
    assert.equal(run.info.status, 'KILLED');
    assert.match(tags['mlops.endReason'], /SIGTERM/);
    await waitFor('grandchild gone', () => {
      try {
        process.kill(grandchild, 0);
        return false;
      } catch {
        return true;
      }
    });
  } finally {
    stopBackgroundServer(ws);
  }
});

// A stand-in for MLflow's Python client: the same REST calls its fluent API makes,
// including how it merges MLFLOW_RUN_CONTEXT tags and resolves the experiment.
const MLFLOW_STANDIN = `
import json, os, sys, time, urllib.request, urllib.error
uri, token = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"]
def call(method, path, body=None):
    req = urllib.request.Request(uri + "/api/2.0/mlflow/" + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return {"status": e.code, **json.loads(e.read())}
experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID", "0")
if len(sys.argv) > 1:  # mlflow.set_experiment(name)
    got = call("GET", "experiments/get-by-name?experiment_name=" + sys.argv[1])
    if got.get("error_code") == "RESOURCE_DOES_NOT_EXIST":
        experiment_id = call("POST", "experiments/create", {"name": sys.argv[1]})["experiment_id"]
    else:
        experiment_id = got["experiment"]["experiment_id"]
assert "MLFLOW_RUN_ID" not in os.environ, "MLFLOW_RUN_ID would make set_experiment fail"
tags = [{"key": k, "value": v} for k, v in json.loads(os.environ.get("MLFLOW_RUN_CONTEXT", "{}")).items()]
run = call("POST", "runs/create", {"experiment_id": experiment_id, "start_time": int(time.time()*1000), "tags": tags})["run"]
rid = run["info"]["run_id"]
call("POST", "runs/log-batch", {"run_id": rid, "metrics": [{"key": "auc", "value": 0.91, "timestamp": int(time.time()*1000), "step": 0}], "params": [{"key": "C", "value": "1.0"}]})
call("POST", "runs/update", {"run_id": rid, "status": "FINISHED", "end_time": int(time.time()*1000)})
print("MLFLOW_RUN", rid)
`;

test('an unchanged MLflow script works under mlops run, with or without set_experiment; its runs are children of the tracked run', async () => {
  const ws = makeWorkspace();
  writeFileSync(join(ws, 'mlflow_script.py'), MLFLOW_STANDIN);
  try {
    for (const args of [[], ['elsewhere']]) {
      const r = await runCli(['run', '--experiment', 'wrapper', '--', 'python3', 'mlflow_script.py', ...args], { cwd: ws });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const tracked = runIdFrom(r.stderr);
      const childId = /MLFLOW_RUN (\w+)/.exec(r.stdout)![1];
      const child = readRun(ws, childId);
      assert.equal(child.tags['mlflow.parentRunId'], tracked);
      assert.equal(child.metrics.auc, 0.91);
      assert.equal(child.run.info.status, 'FINISHED');
      const parent = readRun(ws, tracked);
      const expectedExperiment = args.length ? TrackingStore.open(ws).experiments.getByName('elsewhere').experimentId : parent.run.info.experimentId;
      assert.equal(child.run.info.experimentId, expectedExperiment);
    }
  } finally {
    stopBackgroundServer(ws);
  }
});

test('the second mlops run in a workspace reuses the background server', async () => {
  const ws = makeWorkspace();
  try {
    const a = await runCli(['run', '--', 'true'], { cwd: ws });
    const info1 = require('node:fs').readFileSync(join(ws, '.mlops', 'server.json'), 'utf8');
    const b = await runCli(['run', '--', 'true'], { cwd: ws });
    const info2 = require('node:fs').readFileSync(join(ws, '.mlops', 'server.json'), 'utf8');
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.equal(JSON.parse(info1).pid, JSON.parse(info2).pid);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('mlops run gives the command its params as JSON in MLOPS_PARAMS', async () => {
  const ws = makeWorkspace('mlops-params-');
  const r = await runCli(['run', '--param', 'lr=0.1', '--param', 'name=a b', '--', 'python3', '-c', 'import os; print("PARAMS=" + os.environ["MLOPS_PARAMS"])'], { cwd: ws, env: fastEnv });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /PARAMS=\{"lr":"0\.1","name":"a b"\}/);
  await stopBackgroundServer(ws);
});

test('mlops run --note prints its lines first, even when the command is then refused (the editor says which interpreter and why)', async () => {
  const ws = makeWorkspace('mlops-note-');
  const r = await runCli(['run', '--note', 'Python: python3.99 (the file\'s shebang)', '--note', 'Experiment: churn', '--', 'python3.99-not-here', 'train.py'], { cwd: ws });
  assert.equal(r.code, 127);
  assert.match(r.stderr, /^\[mlops\] Python: python3\.99 \(the file's shebang\)\n\[mlops\] Experiment: churn\n.*command not found: python3\.99-not-here/s);
});

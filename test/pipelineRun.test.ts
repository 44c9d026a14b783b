import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, runCli, stopBackgroundServer, waitFor } from './helpers/testServer';
import { linearModel } from './helpers/onnxModels';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';

// `mlops pipeline` end to end: real shells, real processes, a real store.

function workspaceWith(pipeline: string, files: Record<string, string | Uint8Array> = {}): string {
  const ws = makeWorkspace('mlops-pipeline-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), pipeline);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(ws, name), content);
  return ws;
}

async function pipeline(ws: string, ...args: string[]) {
  const r = await runCli(['pipeline', 'run', 'p.pipeline.yaml', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  return { ...r, steps: stepRuns(r.stderr), parent: /pipeline \S+: run ([0-9a-f]{32})/.exec(r.stderr)?.[1] };
}

/** Step name → run id, from the "step | run ID" lines. */
function stepRuns(stderr: string): Record<string, string> {
  return Object.fromEntries([...stderr.matchAll(/^(\S+)\s*\| run ([0-9a-f]{32})$/gm)].map((m) => [m[1], m[2]]));
}

function readRun(ws: string, runId: string) {
  const tracking = TrackingStore.open(ws);
  try {
    const run = tracking.runs.get(runId);
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    const log = tracking.artifacts.list(runId, 'logs').length ? readFileSync(tracking.artifacts.find(runId, 'logs/output.log').blobPath, 'utf8') : '';
    return { run, tags, params, metrics, log };
  } finally {
    tracking.close();
  }
}

const py = (code: string) => `python3 -c '${code}'`;
const stamp = (name: string) => py(`import time; open("${name}", "w").write(repr(time.time()))`);
const time = (ws: string, name: string) => Number(readFileSync(join(ws, name), 'utf8'));

test('independent steps overlap, a step waits for its needs; parent and child runs record commands, params, logs, metrics', async () => {
  const ws = workspaceWith(`name: demo
experiment: pipes
params: { n: 3, label: "two words" }
steps:
  a:
    run: |-
      ${stamp('a.start')} && sleep 1 && echo a says ${'${params.label}'} && ${stamp('a.end')}
  b:
    run: |-
      ${stamp('b.start')} && sleep 1 && ${stamp('b.end')}
  c:
    needs: [a, b]
    run: |-
      ${stamp('c.start')} && python3 -c 'import mlops_workbench as mw; mw.log_metric("loss", 0.25)' && echo '{"auc": 0.9, "nested": {"f1": 0.5}}' > metrics.json
    metrics: metrics.json
`);
  try {
    const r = await pipeline(ws);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(time(ws, 'a.start') < time(ws, 'b.end') && time(ws, 'b.start') < time(ws, 'a.end'), 'a and b ran side by side');
    assert.ok(time(ws, 'c.start') >= Math.max(time(ws, 'a.end'), time(ws, 'b.end')), 'c after its needs');
    assert.match(r.stdout, /^a \| a says two words$/m);
    assert.match(r.stdout, /STEP\s+STATUS\s+DURATION\s+RUN/);
    assert.ok(r.parent);
    const parent = readRun(ws, r.parent!);
    assert.equal(parent.run.info.status, 'FINISHED');
    assert.equal(parent.run.info.runName, 'demo');
    assert.equal(parent.params.n, '3');
    assert.deepEqual(Object.keys(r.steps).sort(), ['a', 'b', 'c']);
    const a = readRun(ws, r.steps.a);
    assert.equal(a.tags['mlflow.parentRunId'], r.parent);
    assert.equal(a.tags['mlops.pipeline.step'], 'a');
    assert.match(a.tags['mlops.command'], /echo a says 'two words'/);
    assert.deepEqual(a.params, { label: 'two words' });
    assert.match(a.log, /a says two words/);
    assert.equal(a.run.info.status, 'FINISHED');
    assert.ok(Number(a.tags['mlops.durationMs']) >= 1000);
    const c = readRun(ws, r.steps.c);
    assert.equal(c.run.info.experimentId, parent.run.info.experimentId);
    assert.deepEqual(c.metrics, { loss: 0.25, auc: 0.9, 'nested/f1': 0.5 }); // from the Python client and from metrics.json
  } finally {
    stopBackgroundServer(ws);
  }
});

test('a failure stops its dependants, a running sibling finishes, the exit code is 1', async () => {
  const ws = workspaceWith(`name: failing
steps:
  bad:
    run: echo about to fail && exit 4
  slow:
    run: sleep 1 && echo slow done
  after:
    needs: [bad]
    run: echo never
  later:
    needs: [after]
    run: echo never either
`);
  try {
    const r = await pipeline(ws, '--jobs', '2');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /slow\s+\| slow done/);
    assert.doesNotMatch(r.stdout, /never/);
    assert.match(r.stdout, /^after\s+not run: bad failed/m);
    assert.match(r.stdout, /^later\s+not run: bad failed/m);
    assert.match(r.stdout, /^bad\s+failed: exit code 4/m);
    assert.equal(readRun(ws, r.steps.bad).run.info.status, 'FAILED');
    assert.equal(readRun(ws, r.steps.bad).tags['mlops.exitCode'], '4');
    assert.equal(readRun(ws, r.steps.slow).run.info.status, 'FINISHED');
    assert.equal(readRun(ws, r.parent!).run.info.status, 'FAILED');
    assert.equal(r.steps.after, undefined);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('retries: a command that fails the first time succeeds on the second attempt', async () => {
  const ws = workspaceWith(`name: flaky
steps:
  flaky:
    run: if [ -f tried ]; then echo second; else touch tried; echo first; exit 1; fi
    retries: 2
    retry_backoff: 100ms
`);
  try {
    const r = await pipeline(ws);
    assert.equal(r.code, 0, r.stderr);
    const run = readRun(ws, r.steps.flaky);
    assert.equal(run.run.info.status, 'FINISHED');
    assert.equal(run.tags['mlops.attempts'], '2');
    assert.match(run.log, /first[\s\S]*retrying in 100 ms[\s\S]*attempt 2 of 3[\s\S]*second/);
  } finally {
    stopBackgroundServer(ws);
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a timeout kills the whole process tree and fails the step', async () => {
  const ws = workspaceWith(`name: slow
steps:
  hang:
    run: sleep 30 & echo $! > child.pid; wait
    timeout: 700ms
`);
  try {
    const started = Date.now();
    const r = await pipeline(ws);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - started < 15_000);
    const run = readRun(ws, r.steps.hang);
    assert.equal(run.run.info.status, 'FAILED');
    assert.equal(run.tags['mlops.endReason'], 'timed out after 700ms');
    const pid = Number(readFileSync(join(ws, 'child.pid'), 'utf8'));
    await waitFor('the background sleep to end', () => !alive(pid), 5000);
  } finally {
    stopBackgroundServer(ws);
  }
});

const gated = `name: gated
experiment: gated
params: { auc: 0.9 }
steps:
  train:
    run: test -f model.onnx && echo trained
    outs: [model.onnx]
  evaluate:
    needs: [train]
    run: |-
      echo "{\\"auc\\": \${params.auc}}" > metrics.json
    metrics: metrics.json
  register:
    needs: [evaluate]
    register: { model: linear, path: model.onnx, alias: challenger, when: "evaluate.metrics.auc >= 0.8" }
`;

test('a register step whose gate holds registers the model with lineage to the step that made it, and sets the alias', async () => {
  const ws = workspaceWith(gated, { 'model.onnx': linearModel() });
  try {
    const r = await pipeline(ws);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /register \| registered models:\/linear\/1 as @challenger/);
    assert.match(r.stdout, /^register\s+registered/m);
    const tracking = TrackingStore.open(ws);
    try {
      const version = new ModelRegistry(tracking).getVersionByAlias('linear', 'challenger');
      assert.equal(version.version, 1);
      assert.equal(version.runId, r.steps.train);
    } finally {
      tracking.close();
    }
    const reg = readRun(ws, r.steps.register);
    assert.equal(reg.tags['mlops.register.decision'], 'registered');
    assert.equal(reg.tags['mlops.register.version'], '1');
    assert.match(reg.tags['mlops.register.gateResult'], /evaluate\.metrics\.auc = 0\.9, needs ≥ 0\.8: yes/);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('a register step whose gate does not hold registers nothing, records why, and exits 3', async () => {
  const ws = workspaceWith(gated, { 'model.onnx': linearModel() });
  try {
    const r = await pipeline(ws, '--set', 'auc=0.5');
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stdout, /register \| not registered: gate evaluate\.metrics\.auc >= 0\.8 did not hold/);
    assert.match(r.stdout, /^register\s+not registered \(gate\)/m);
    const reg = readRun(ws, r.steps.register);
    assert.equal(reg.run.info.status, 'FINISHED');
    assert.equal(reg.tags['mlops.register.decision'], 'skipped');
    assert.match(reg.tags['mlops.register.reason'], /auc = 0\.5, needs ≥ 0\.8: no/);
    const tracking = TrackingStore.open(ws);
    try {
      assert.deepEqual(new ModelRegistry(tracking).listModels(), []);
    } finally {
      tracking.close();
    }
  } finally {
    stopBackgroundServer(ws);
  }
});

test('--dry-run prints the plan and the resolved commands and runs nothing', async () => {
  const ws = workspaceWith(gated);
  const r = await pipeline(ws, '--dry-run', '--set', 'auc=0.7');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /level 1: train\n {2}train: test -f model.onnx && echo trained/);
  assert.match(r.stdout, /evaluate: echo "\{\\"auc\\": 0\.7\}" > metrics\.json/);
  assert.match(r.stdout, /register: register model\.onnx as linear @challenger when evaluate\.metrics\.auc >= 0\.8/);
  assert.ok(!existsSync(join(ws, '.mlops')));
  assert.ok(!existsSync(join(ws, 'metrics.json')));
});

test('check prints diagnostics as file:line:col and exits 1; a parse error stops run the same way', async () => {
  const ws = workspaceWith(`name: broken
steps:
  a:
    run: echo a
  b:
    needs: [aa]
    run: echo b
`);
  const check = await runCli(['pipeline', 'check', 'p.pipeline.yaml'], { cwd: ws });
  assert.equal(check.code, 1);
  assert.match(check.stdout, /^p\.pipeline\.yaml:6:13: .*"aa".*did you mean "a"/m);
  const run = await runCli(['pipeline', 'run', 'p.pipeline.yaml'], { cwd: ws });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^p\.pipeline\.yaml:6:13: /m);
  assert.ok(!existsSync(join(ws, '.mlops')));
  writeFileSync(join(ws, 'ok.pipeline.yaml'), 'name: ok\nsteps:\n  a: { run: echo a }\n');
  const ok = await runCli(['pipeline', 'check', 'ok.pipeline.yaml'], { cwd: ws });
  assert.equal(ok.code, 0);
  const schema = await runCli(['pipeline', 'schema']);
  assert.equal(JSON.parse(schema.stdout).title, 'MLOps Workbench pipeline file');
});

test('SIGTERM to mlops pipeline run kills the running steps\' process trees and marks the runs KILLED', async () => {
  const ws = workspaceWith(`name: stopme
steps:
  long:
    run: sleep 30 & echo $! > child.pid; wait
  after:
    needs: [long]
    run: echo never
`);
  try {
    const proc = spawn(process.execPath, [CLI, 'pipeline', 'run', 'p.pipeline.yaml'], { cwd: ws, env: { ...process.env, MLOPS_WORKSPACE: ws }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
    await waitFor('the step to start', () => existsSync(join(ws, 'child.pid')) && readFileSync(join(ws, 'child.pid'), 'utf8').trim() !== '', 20_000);
    const pid = Number(readFileSync(join(ws, 'child.pid'), 'utf8'));
    proc.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 130, stderr);
    await waitFor('the step\'s background sleep to end', () => !alive(pid), 5000);
    const steps = stepRuns(stderr);
    assert.equal(readRun(ws, steps.long).run.info.status, 'KILLED');
    const parent = /pipeline \S+: run ([0-9a-f]{32})/.exec(stderr)![1];
    assert.equal(readRun(ws, parent).run.info.status, 'KILLED');
    assert.match(stdout, /^after\s+not run: cancelled/m);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('an unset ${env.X} or a bad --set is refused before any step runs', async () => {
  const ws = workspaceWith(`name: envs
params: { n: 1 }
steps:
  a:
    run: echo ${'${env.MLOPS_TEST_SURELY_UNSET}'}
`);
  const r = await runCli(['pipeline', 'run', 'p.pipeline.yaml'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /environment variable MLOPS_TEST_SURELY_UNSET is not set/);
  const bad = await runCli(['pipeline', 'run', 'p.pipeline.yaml', '--set', 'n=abc'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /param "n" is a number/);
  assert.ok(!existsSync(join(ws, '.mlops')));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli, startServer, type TestServer } from './helpers/testServer';
import { linearModel } from './helpers/onnxModels';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { versionAxis } from '../webview/model/versionAxis';

// What a pipeline run leaves where people look (issue 14): its steps' metrics on
// its own run, the gate's first; the gate's metric on the registered version; an
// alias it moves said in its output and recorded on the version; a run with
// --set not stale against itself; the code version on every step's run. Real
// shells, a real server, the real CLI.

// train picks one of two model files by a param, so that a re-run with the
// defaults registers the first model again; its metrics file is what a training
// run logs, evaluate's what the gate reads.
const PIPELINE = `name: results
experiment: results
params: { variant: a, auc: 0.91 }
steps:
  train:
    run: |-
      cp model_\${params.variant}.onnx model.onnx && echo '{"train_loss": 0.25, "val_auc": 0.88}' > train.json
    deps: [model_a.onnx, model_b.onnx]
    outs: [model.onnx, train.json]
    metrics: train.json
  evaluate:
    needs: [train]
    run: |-
      echo "{\\"auc\\": \${params.auc}, \\"accuracy\\": 0.8}" > metrics.json
    deps: [model.onnx]
    outs: [metrics.json]
    metrics: metrics.json
  register:
    needs: [evaluate]
    register: { model: linear, path: model.onnx, alias: challenger, when: "evaluate.metrics.auc >= 0.8" }
`;

function workspace(): string {
  const ws = makeWorkspace('mlops-results-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), PIPELINE);
  writeFileSync(join(ws, 'model_a.onnx'), linearModel());
  writeFileSync(join(ws, 'model_b.onnx'), linearModel(1));
  return ws;
}

async function run(ws: string, ...args: string[]) {
  const r = await runCli(['pipeline', 'run', 'p.pipeline.yaml', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const steps = Object.fromEntries([...r.stderr.matchAll(/^(\S+)\s*\| run ([0-9a-f]{32})$/gm)].map((m) => [m[1], m[2]]));
  return { ...r, parent: /pipeline \S+: run ([0-9a-f]{32})/.exec(r.stderr)![1], steps };
}

function runOf(ws: string, runId: string) {
  const tracking = TrackingStore.open(ws);
  try {
    const r = tracking.runs.get(runId);
    return { tags: Object.fromEntries(r.data.tags.map((t) => [t.key, t.value])), metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, m.value])) };
  } finally {
    tracking.close();
  }
}

async function body(server: TestServer, method: string, path: string, payload?: unknown): Promise<any> {
  const r = await server.api(method, path, payload);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('a pipeline run shows its steps\' metrics (the gate\'s first); the version keeps the gate\'s metric; a re-run that moves the alias back says so; a --set run is not stale against itself', async () => {
  const ws = workspace();
  const server = await startServer(ws);
  try {
    const first = await run(ws);
    // The parent run: every step's latest metrics under the step's name, and which the gate read.
    const parent = runOf(ws, first.parent);
    assert.deepEqual(parent.metrics, { 'train/train_loss': 0.25, 'train/val_auc': 0.88, 'evaluate/auc': 0.91, 'evaluate/accuracy': 0.8 });
    assert.equal(parent.tags['mlops.pipeline.gateMetrics'], 'evaluate/auc');
    assert.equal(parent.tags['mlops.pipeline.overrides'], undefined, 'no --set, no overrides');

    // The Pipelines view's answer: the gate's metric first.
    const status = await body(server, 'POST', '/api/v1/pipelines/status', { file: 'p.pipeline.yaml' });
    assert.deepEqual(
      status.lastRun.metrics.map((m: { key: string; gate: boolean }) => [m.key, m.gate]),
      [
        ['evaluate/auc', true],
        ['train/train_loss', false],
        ['train/val_auc', false],
        ['evaluate/accuracy', false],
      ],
    );

    // The registry: v1's source run is train's (it made model.onnx), which never logged a test AUC; the gate's reading is kept on the version.
    let models = (await body(server, 'GET', '/api/v1/models?name=linear')).models[0];
    const v1 = models.versions.find((v: { version: string }) => v.version === '1');
    assert.equal(v1.runId, first.steps.train);
    assert.equal(v1.run.metrics.auc, undefined);
    assert.deepEqual(v1.gate.metrics, { 'evaluate/auc': 0.91 });
    assert.equal(v1.gate.when, 'evaluate.metrics.auc >= 0.8');
    assert.match(v1.gate.result, /evaluate\.metrics\.auc = 0\.91, needs ≥ 0\.8: yes/);
    assert.equal(v1.gate.pipelineRunId, first.parent);
    assert.deepEqual(v1.aliasMoves, {}, 'the first registration moved nothing');

    // --set: a new model becomes the challenger; the output says where the alias came from.
    const second = await run(ws, '--set', 'variant=b');
    assert.match(second.stdout, /register \| @challenger moved from v1 to v2/);
    assert.match(second.stdout, /^register\s+registered \(@challenger v1 → v2\)/m);
    assert.deepEqual(JSON.parse(runOf(ws, second.parent).tags['mlops.pipeline.overrides']), { variant: 'b' });

    // Right after it, train and evaluate are up to date for the run's params: stale only against the file's defaults, and said so.
    const afterSet = await body(server, 'POST', '/api/v1/pipelines/status', { file: 'p.pipeline.yaml' });
    assert.deepEqual(afterSet.lastRun.overrides, { variant: 'b' });
    const train = afterSet.steps.find((s: { name: string }) => s.name === 'train');
    assert.equal(train.state, 'stale', 'a run with the file\'s params would run it');
    assert.deepEqual(train.differsFromLastRun, [{ param: 'variant', lastRun: 'b', fileDefault: 'a' }]);
    assert.deepEqual(afterSet.steps.find((s: { name: string }) => s.name === 'evaluate').differsFromLastRun, [{ param: 'variant', lastRun: 'b', fileDefault: 'a' }]);
    const cliStatus = await runCli(['pipeline', 'status', 'p.pipeline.yaml'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.match(cliStatus.stdout, /^train\s+stale\s+up to date for the last run's --set variant=b; the file's variant a would run it/m);

    // The defaults again: train is cached, the register step finds model a's bytes in v1 and moves @challenger back: said in the run's output, twice.
    const third = await run(ws);
    assert.match(third.stdout, /register \| already registered as models:\/linear\/1/);
    assert.match(third.stdout, /register \| @challenger moved from v2 to v1 \(models:\/linear@challenger is now v1\)/);
    assert.match(third.stdout, /^note: linear @challenger moved from v2 to v1/m);
    assert.match(third.stdout, /^register\s+already registered \(@challenger v2 → v1\)/m);
    assert.equal(runOf(ws, third.steps.register).tags['mlops.register.aliasMovedFrom'], '2');
    // Once more: train and evaluate are cached, and their metrics, those of the runs that made their outs, still show on the pipeline's run.
    const fourth = await run(ws);
    assert.match(fourth.stdout, /^train\s+cached/m);
    assert.match(fourth.stdout, /^evaluate\s+cached/m);
    assert.doesNotMatch(fourth.stdout, /moved from/, 'an alias that stays is not news');
    assert.deepEqual(runOf(ws, fourth.parent).metrics, { 'train/train_loss': 0.25, 'train/val_auc': 0.88, 'evaluate/auc': 0.91, 'evaluate/accuracy': 0.8 });

    // The registry can tell where the alias came from, and who moved it.
    models = (await body(server, 'GET', '/api/v1/models?name=linear')).models[0];
    assert.equal(models.aliases.challenger, '1');
    const moved = models.versions.find((v: { version: string }) => v.version === '1').aliasMoves.challenger;
    assert.equal(moved.from, '2');
    assert.match(moved.by, new RegExp(`^pipeline results \\(run ${third.parent}\\)$`));
    assert.ok(Date.now() - moved.at < 120_000);
    assert.deepEqual(models.versions.find((v: { version: string }) => v.version === '2').aliasMoves, {}, 'v2 no longer has the alias');

    // With the defaults back, nothing is stale and nothing differs.
    const fresh = await body(server, 'POST', '/api/v1/pipelines/status', { file: 'p.pipeline.yaml' });
    assert.deepEqual(fresh.lastRun.overrides, {});
    assert.ok(fresh.steps.every((s: { differsFromLastRun?: unknown }) => s.differsFromLastRun === undefined));
  } finally {
    await server.stop();
  }
});

test('a pipeline\'s run and its steps\' runs record the git commit, branch and dirty flag as `mlops run` does; the diff of a dirty tree is kept', async () => {
  const ws = workspace();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: ws, encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(ws, '.gitignore'), '.mlops/\nmodel.onnx\ntrain.json\nmetrics.json\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'the example');
  const head = git('rev-parse', 'HEAD');
  const server = await startServer(ws);
  try {
    const clean = await run(ws);
    for (const id of [clean.parent, clean.steps.train, clean.steps.evaluate, clean.steps.register]) {
      const { tags } = runOf(ws, id);
      assert.equal(tags['mlflow.source.git.commit'], head);
      assert.equal(tags['mlops.git.dirty'], 'false');
      assert.ok(tags['mlflow.source.git.branch']);
    }
    // The registry panel's lineage reads the version's source run: train's, now with its code version.
    const v1 = (await body(server, 'GET', '/api/v1/models?name=linear')).models[0].versions[0];
    assert.equal(runOf(ws, v1.runId).tags['mlflow.source.git.commit'], head);

    writeFileSync(join(ws, 'model_a.onnx'), linearModel(1));
    const dirty = await run(ws);
    assert.equal(runOf(ws, dirty.steps.train).tags['mlops.git.dirty'], 'true');
    const artifacts = await body(server, 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${dirty.parent}&path=code`);
    assert.deepEqual(artifacts.files.map((f: { path: string }) => f.path), ['code/git.diff']);
  } finally {
    await server.stop();
  }
});

test('the version chart\'s y-axis: a tiny difference of a [0, 1] metric is drawn small, a real one fills the chart, other metrics by their magnitude', () => {
  const tiny = versionAxis([0.82134, 0.82139])!;
  assert.equal(tiny.widened, true);
  assert.deepEqual([tiny.min, tiny.max], [0.79, 0.85], 'at least five points of the [0, 1] scale, on round ticks');
  assert.ok((0.82139 - 0.82134) / (tiny.max - tiny.min) < 0.001, 'the 0.00005 difference is a sliver of the height, not a cliff');
  assert.ok(Math.abs(tiny.spread - 0.00005) < 1e-12);

  const real = versionAxis([0.7, 0.82, 0.85])!;
  assert.equal(real.widened, false);
  assert.deepEqual([real.min, real.max], [0.65, 0.9], 'fitted to the values, on round ticks');

  // Near the bound the axis stays inside [0, 1].
  assert.deepEqual(Object.values(versionAxis([0.999, 0.9995])!).slice(0, 2), [0.95, 1]);

  // A loss of 2.31: the least span is 5% of it.
  const loss = versionAxis([2.31, 2.3101])!;
  assert.equal(loss.widened, true);
  assert.deepEqual([loss.min, loss.max], [2.25, 2.4]);
  assert.equal(versionAxis([]), undefined);
  assert.deepEqual(Object.values(versionAxis([0, 0])!).slice(0, 2), [0, 0.05], 'zeros: the axis starts at 0');
  // How many versions it compares: one alone says so, rather than "differ by 0 at most".
  assert.equal(versionAxis([0.8196, Number.NaN])!.points, 1);
  assert.equal(real.points, 3);
});

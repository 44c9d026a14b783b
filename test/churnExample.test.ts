// examples/churn end to end with real processes, with Debian's Python, numpy and
// onnx: first its pipeline's steps one by one under `mlops run` (the commands come
// from churn.pipeline.yaml, so the file cannot drift from the scripts); then the
// pipeline itself under `mlops pipeline run`, as a CI job runs it. The exported
// model must load in onnxruntime-node and agree with the numpy evaluation, and the
// version the pipeline registers must be that model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { REPO, makeWorkspace, runCli, startServer, stopBackgroundServer, waitFor } from './helpers/testServer';
import { DEBIAN_PYTHON as PYTHON, skipWithoutPython } from './helpers/pythonDeps';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';
import { readOnnxSignature } from '../src/core/registry/onnxSignature';
import type { DeploymentState } from '../src/protocol/deployments';
import type { MonitoringState } from '../src/protocol/monitoring';

const EXAMPLE = join(REPO, 'examples', 'churn');
const skip = skipWithoutPython(['numpy', 'onnx']);

interface Pipeline {
  params: Record<string, string | number>;
  steps: Record<string, { run?: string; metrics?: string; register?: { model: string; path: string; features: string[]; when: string } }>;
}

/** A fresh workspace holding the example's own files: not the data, model or store of a run made in the checkout. */
function copyOfExample(prefix: string): string {
  const dir = makeWorkspace(prefix);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/[\\/](data|__pycache__|\.mlops)$|\.(onnx|csv)$|[\\/](features|metrics|predictions)\.json$/.test(src) });
  return dir;
}

let ws = '';
let pipeline: Pipeline;
const runIds: Record<string, string> = {};
const outputs: Record<string, string> = {};

/** A step's command from the pipeline file, with its params filled in (the interpreter is ours). */
function command(step: string): string[] {
  const params: Record<string, string | number> = { ...pipeline.params, python: PYTHON };
  const line = pipeline.steps[step].run!.replace(/\$\{params\.(\w+)\}/g, (_, key: string) => {
    assert.ok(key in params, `${step} uses unknown param ${key}`);
    return String(params[key]);
  });
  return line.split(/\s+/); // the example's commands have no quoting
}

function readRun(runId: string) {
  const tracking = TrackingStore.open(ws);
  const run = tracking.runs.get(runId);
  return {
    run,
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
    history: (key: string) => tracking.metrics.history(runId, key, 100_000, 0),
    artifacts: tracking.artifacts.list(runId, 'model').map((e) => e.path),
  };
}

before(async () => {
  if (skip) return;
  ws = copyOfExample('mlops-churn-');
  pipeline = parse(readFileSync(join(ws, 'churn.pipeline.yaml'), 'utf8')) as Pipeline;
  const extra: Record<string, string[]> = {
    train: ['--param', `lr=${pipeline.params.lr}`], // one param recorded by the CLI, the others by the script
    evaluate: [],
  };
  for (const step of ['prepare', 'train', 'evaluate']) {
    const tail = step === 'evaluate' ? ['--predictions', 'predictions.json', '--rows', '32'] : [];
    const r = await runCli(['run', '--experiment', 'churn', '--name', step, ...(extra[step] ?? []), '--', ...command(step), ...tail], { cwd: ws, env: { PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(r.code, 0, `${step}:\n${r.stdout}\n${r.stderr}`);
    const id = /\(([0-9a-f]{32})\)/.exec(r.stderr);
    assert.ok(id, r.stderr);
    runIds[step] = id[1];
    outputs[step] = r.stdout;
  }
});

after(() => {
  if (ws) stopBackgroundServer(ws);
});

test('prepare, train and evaluate run under mlops run, each FINISHED with its params and metrics', { skip }, () => {
  const prepare = readRun(runIds.prepare);
  assert.equal(prepare.run.info.status, 'FINISHED');
  assert.equal(prepare.params.seed, String(pipeline.params.seed));
  assert.equal(prepare.params.rows, String(pipeline.params.rows));
  assert.ok(prepare.metrics.churn_rate > 0.1 && prepare.metrics.churn_rate < 0.5, `churn rate ${prepare.metrics.churn_rate}`);
  assert.equal(prepare.metrics.rows_train + prepare.metrics.rows_test, Number(pipeline.params.rows));

  const train = readRun(runIds.train);
  assert.equal(train.run.info.status, 'FINISHED');
  for (const key of ['lr', 'epochs', 'l2']) assert.equal(Number(train.params[key]), Number(pipeline.params[key]), key);
  const epochs = Number(pipeline.params.epochs);
  for (const key of ['train_loss', 'val_loss', 'train_auc', 'val_auc']) {
    const points = train.history(key);
    assert.equal(points.length, epochs, `${key}: one point per epoch`);
    assert.deepEqual(points.map((p) => p.step), [...Array(epochs).keys()]);
  }
  const loss = train.history('train_loss').map((p) => p.value);
  assert.ok(loss[epochs - 1] < loss[0], `the training loss falls: ${loss[0]} -> ${loss[epochs - 1]}`);
  assert.deepEqual(train.artifacts.sort(), ['model/features.json', 'model/model.onnx']);

  const evaluate = readRun(runIds.evaluate);
  assert.equal(evaluate.run.info.status, 'FINISHED');
  const metrics = JSON.parse(readFileSync(join(ws, 'metrics.json'), 'utf8'));
  assert.deepEqual(Object.keys(metrics).sort(), ['accuracy', 'auc']);
  assert.equal(evaluate.metrics.auc, metrics.auc);
  assert.equal(evaluate.metrics.accuracy, metrics.accuracy);
});

test('the held-out AUC clears the pipeline\'s register gate', { skip }, () => {
  const metrics = JSON.parse(readFileSync(join(ws, pipeline.steps.evaluate.metrics!), 'utf8'));
  assert.equal(pipeline.steps.register.register!.when, 'evaluate.metrics.auc >= params.min_auc');
  const threshold = Number(pipeline.params.min_auc);
  assert.ok(metrics.auc >= threshold + 0.03, `AUC ${metrics.auc} clears the gate ${threshold} with a margin`);
  assert.ok(metrics.auc < 0.9, `AUC ${metrics.auc}: the noise in the data caps it near 0.85`);
  assert.ok(metrics.accuracy > 0.75, `accuracy ${metrics.accuracy}`);
});

test('the exported model has the signature serving expects, and onnxruntime agrees with numpy', { skip }, async () => {
  const features = JSON.parse(readFileSync(join(ws, 'features.json'), 'utf8')) as string[];
  assert.deepEqual(features, pipeline.steps.register.register!.features);
  const signature = await readOnnxSignature(join(ws, 'model.onnx'));
  assert.deepEqual(signature.inputs, [{ name: 'float_input', elementType: 'float32', shape: ['N', features.length] }]);
  assert.deepEqual(signature.outputs, [{ name: 'probabilities', elementType: 'float32', shape: ['N', 1] }]);
  assert.ok(signature.opset !== undefined && signature.opset <= 17, `opset ${signature.opset}`);

  const dumped = JSON.parse(readFileSync(join(ws, 'predictions.json'), 'utf8')) as { features: string[]; inputs: number[][]; probabilities: number[] };
  assert.deepEqual(dumped.features, features);
  assert.equal(dumped.inputs.length, 32);
  const session = await InferenceSession.create(join(ws, 'model.onnx'));
  try {
    const out = await session.run({ float_input: new Tensor('float32', Float32Array.from(dumped.inputs.flat()), [dumped.inputs.length, features.length]) });
    assert.deepEqual(out.probabilities.dims, [32, 1]);
    const ort = out.probabilities.data as Float32Array;
    dumped.probabilities.forEach((p, i) => assert.ok(Math.abs(ort[i] - p) < 1e-5, `row ${i}: onnxruntime ${ort[i]}, numpy ${p}`));
    assert.ok(new Set(dumped.probabilities).size > 16, 'the rows get different probabilities');
  } finally {
    await session.release();
  }
});

test('mlops models register takes the model with its features', { skip }, async () => {
  const features = (JSON.parse(readFileSync(join(ws, 'features.json'), 'utf8')) as string[]).join(',');
  const r = await runCli(['models', 'register', 'model.onnx', '--name', 'churn', '--run', runIds.train, '--features', features], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Registered churn version 1 \(models:\/churn\/1\)/);
  assert.match(r.stdout, /inputs float_input float32 \[N, 6\]; outputs probabilities float32 \[N, 1\]/);
  assert.match(r.stdout, /features tenure, monthly_charges, support_calls, contract_month_to_month, contract_one_year, contract_two_year/);
});

test('prepare.py is deterministic for a seed, and the scripts work without mlops run or a server', { skip }, () => {
  const dir = makeWorkspace('mlops-churn-plain-');
  cpSync(join(ws, 'prepare.py'), join(dir, 'prepare.py'));
  cpSync(join(ws, 'churn_common.py'), join(dir, 'churn_common.py'));
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: join(REPO, 'python'), PYTHONDONTWRITEBYTECODE: '1' };
  for (const key of Object.keys(env)) if (/^(MLOPS|MLFLOW)_/.test(key)) delete env[key];
  const args = command('prepare');
  const r = spawnSync(PYTHON, args.slice(1), { cwd: dir, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /not tracked: No MLOps server found/);
  assert.equal(readFileSync(join(dir, 'data', 'churn.csv'), 'utf8'), readFileSync(join(ws, 'data', 'churn.csv'), 'utf8'));
  const other = spawnSync(PYTHON, [...args.slice(1, -2), '--seed', '7', '--out', 'data/other.csv'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(other.status, 0, other.stderr);
  assert.notEqual(readFileSync(join(dir, 'data', 'other.csv'), 'utf8'), readFileSync(join(dir, 'data', 'churn.csv'), 'utf8'));
  // Without site-packages (so without numpy) the script says what it needs.
  const bare = spawnSync(PYTHON, ['-S', 'prepare.py'], { cwd: dir, env, encoding: 'utf8' });
  assert.notEqual(bare.status, 0);
  assert.match(bare.stderr, /needs numpy[\s\S]*python3-numpy/);
});

// The pipeline as a CI job runs it: `mlops pipeline run`, headless, on the embedded store.

async function runPipeline(dir: string, ...args: string[]) {
  const r = await runCli(['pipeline', 'run', 'churn.pipeline.yaml', ...args], { cwd: dir, env: { MLOPS_WORKSPACE: dir, PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs: 120_000 });
  // Step name → run id, from the "step | run ID" lines.
  const steps = Object.fromEntries([...r.stderr.matchAll(/^(\S+)\s*\| run ([0-9a-f]{32})$/gm)].map((m) => [m[1], m[2]]));
  return { ...r, steps };
}

/** The environment of a script started by hand: no tracking. */
function untrackedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  for (const key of Object.keys(env)) if (/^(MLOPS|MLFLOW)_/.test(key) || key === 'PYTHONPATH') delete env[key];
  return env;
}

test('mlops pipeline run: four child runs, the model registered as challenger from train\'s run, and the registered file loads in onnxruntime-node and agrees with numpy', { skip }, async () => {
  const dir = copyOfExample('mlops-churn-pipeline-');
  try {
    const r = await runPipeline(dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(Object.keys(r.steps).sort(), ['evaluate', 'prepare', 'register', 'train']);
    assert.match(r.stdout, /^register\s+registered/m);
    const tracking = TrackingStore.open(dir);
    let registered: string;
    let auc: number;
    try {
      const run = tracking.runs.get(r.steps.evaluate);
      auc = run.data.metrics.find((m) => m.key === 'auc')!.value;
      assert.ok(auc >= 0.75 && auc < 0.9, `AUC ${auc}`);
      const trainRun = tracking.runs.get(r.steps.train);
      assert.equal(tracking.metrics.history(r.steps.train, 'val_auc', 100_000, 0).length, Number(trainRun.data.params.find((p) => p.key === 'epochs')!.value), 'one val_auc point per epoch');
      const registry = new ModelRegistry(tracking);
      const version = registry.getVersionByAlias('churn', 'challenger');
      assert.equal(version.version, 1);
      assert.equal(version.runId, r.steps.train);
      assert.deepEqual(version.features?.features.map((f) => f.name), ['tenure', 'monthly_charges', 'support_calls', 'contract_month_to_month', 'contract_one_year', 'contract_two_year']);
      // The stored copy, checked against the sha256 recorded at registration: what serving would load.
      registered = await registry.openModelVersionFile('churn', version.version);
    } finally {
      tracking.close();
    }

    // numpy's predictions from the registered file (evaluate.py reads the graph with onnx and runs it with numpy) ...
    const out = makeWorkspace('mlops-churn-registered-');
    const e = spawnSync(PYTHON, ['evaluate.py', '--model', registered, '--data', 'data/churn.csv', '--out', join(out, 'metrics.json'), '--predictions', join(out, 'predictions.json'), '--rows', '64'], { cwd: dir, env: untrackedEnv(), encoding: 'utf8' });
    assert.equal(e.status, 0, e.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).auc, auc, 'the registered file is the one the gate evaluated');
    const dumped = JSON.parse(readFileSync(join(out, 'predictions.json'), 'utf8')) as { inputs: number[][]; probabilities: number[] };
    assert.equal(dumped.inputs.length, 64);
    // ... and onnxruntime-node's, from the same file.
    const session = await InferenceSession.create(registered);
    try {
      const result = await session.run({ float_input: new Tensor('float32', Float32Array.from(dumped.inputs.flat()), [64, 6]) });
      const ort = result.probabilities.data as Float32Array;
      assert.equal(ort.length, 64);
      dumped.probabilities.forEach((p, i) => assert.ok(Math.abs(ort[i] - p) < 1e-5, `row ${i}: onnxruntime ${ort[i]}, numpy ${p}`));
    } finally {
      await session.release();
    }
  } finally {
    stopBackgroundServer(dir);
  }
});

test('mlops pipeline run exits 3 and registers nothing when the gate cannot hold, and 1 when a step fails', { skip }, async () => {
  const dir = copyOfExample('mlops-churn-gate-');
  const models = () => {
    const tracking = TrackingStore.open(dir);
    try {
      return new ModelRegistry(tracking).listModels();
    } finally {
      tracking.close();
    }
  };
  try {
    // The data caps any model's AUC near 0.85 (see prepare.py).
    const gate = await runPipeline(dir, '--set', 'min_auc=0.95');
    assert.equal(gate.code, 3, gate.stdout + gate.stderr);
    assert.match(gate.stdout, /register \| not registered: gate evaluate\.metrics\.auc >= params\.min_auc did not hold \(evaluate\.metrics\.auc = 0\.8\d*, needs ≥ params\.min_auc \(0\.95\): no\)/);
    assert.match(gate.stdout, /^evaluate\s+finished/m);
    assert.match(gate.stdout, /^register\s+not registered \(gate\)/m);
    assert.deepEqual(models(), []);

    // prepare.py refuses fewer than 20 rows: the step fails, nothing after it runs.
    const failed = await runPipeline(dir, '--set', 'rows=5');
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /^prepare\s+failed: exit code 2/m);
    assert.match(failed.stdout, /^register\s+not run/m);
    assert.deepEqual(models(), []);
  } finally {
    stopBackgroundServer(dir);
  }
});

// Serving and the closed loop (README "Serve and monitor"), made fast: a small
// window, a verdict every 0.5 s, traffic.py at a few hundred requests a second.

/** traffic.py, run to completion in `dir` (it finds the deployment through the backend). */
function traffic(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const proc = spawn(PYTHON, ['traffic.py', '--every', '0.5', ...args], { cwd: dir, env: untrackedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

test('prepare.py --shift moves the customers (shorter tenure, higher charges, more calls, more month-to-month) and more of them churn', { skip }, () => {
  const dir = makeWorkspace('mlops-churn-shift-');
  for (const file of ['prepare.py', 'churn_common.py']) cpSync(join(EXAMPLE, file), join(dir, file));
  const means = (shift: string) => {
    const r = spawnSync(PYTHON, ['prepare.py', '--seed', '3', '--rows', '4000', '--shift', shift, '--out', `s${shift}.csv`], { cwd: dir, env: untrackedEnv(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [header, ...lines] = readFileSync(join(dir, `s${shift}.csv`), 'utf8').trim().split('\n');
    const columns = header.split(',');
    const rows = lines.map((l) => l.split(','));
    const mean = (name: string, f: (v: string) => number = Number) => rows.reduce((a, r) => a + f(r[columns.indexOf(name)]), 0) / rows.length;
    return { tenure: mean('tenure'), monthly: mean('monthly_charges'), calls: mean('support_calls'), monthToMonth: mean('contract', (v) => (v === '0' ? 1 : 0)), churn: mean('churn') };
  };
  const base = means('0');
  const shifted = means('1');
  assert.ok(shifted.tenure < base.tenure * 0.7, `tenure ${base.tenure} -> ${shifted.tenure}`);
  assert.ok(shifted.monthly > base.monthly + 10, `monthly charges ${base.monthly} -> ${shifted.monthly}`);
  assert.ok(shifted.calls > base.calls + 0.5, `support calls ${base.calls} -> ${shifted.calls}`);
  assert.ok(shifted.monthToMonth > base.monthToMonth + 0.15, `month-to-month ${base.monthToMonth} -> ${shifted.monthToMonth}`);
  assert.ok(shifted.churn > base.churn + 0.1, `churn rate ${base.churn} -> ${shifted.churn}: the same true model, riskier customers`);
});

test('the loop closes: traffic drifts, the deployment runs retrain.pipeline.yaml, which registers and redeploys v2, and with v2\'s training data as the reference the drift ends', { skip, timeout: 180_000 }, async () => {
  const dir = copyOfExample('mlops-churn-loop-');
  const server = await startServer(dir);
  try {
    const pipelineRun = await runPipeline(dir);
    assert.equal(pipelineRun.code, 0, pipelineRun.stdout + pipelineRun.stderr);
    // train.py logged the rows it fit, as the model sees them, as the run's training data set.
    const tracking = TrackingStore.open(dir);
    try {
      const inputs = tracking.runs.get(pipelineRun.steps.train).inputs.datasetInputs;
      assert.deepEqual(inputs.map((i) => [i.dataset.name, i.tags.find((t) => t.key === 'mlflow.data.context')?.value]), [['training_features', 'training']]);
    } finally {
      tracking.close();
    }
    assert.equal(readFileSync(join(dir, 'data', 'training_features.csv'), 'utf8').split('\n')[0], `${pipeline.steps.register.register!.features.join(',')},churn`);
    const alias = await runCli(['models', 'alias', 'churn', 'champion', '1'], { cwd: dir });
    assert.equal(alias.code, 0, alias.stderr);

    const none = await traffic(dir, ['--normal', '1', '--shifted', '0']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /runs no deployment named 'churn'; start it with: mlops serve models:\/churn@champion/);

    // mlops serve models:/churn@champion --on-drift retrain.pipeline.yaml, with a verdict every 0.5 s (no CLI flag for that).
    const window = 400; // with fewer rows, sampling noise alone sometimes crosses the Wasserstein threshold
    const created = await server.api('POST', '/api/v1/deployments', {
      name: 'churn',
      variants: [{ name: 'champion', modelUri: 'models:/churn@champion', weight: 100 }],
      monitoring: { window: { rows: window }, minRows: window, recomputeSeconds: 0.5, onDrift: 'retrain.pipeline.yaml' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const monitoring = async () => (await server.api('GET', '/api/v1/deployments/churn/monitoring')).body as MonitoringState;
    const ready = await waitFor('the training data set as the reference', async () => ((await monitoring()).reference ? await monitoring() : undefined));
    assert.match(ready.reference!.source, /training data set 'training_features'/);
    assert.equal(ready.reference!.features.length, 6);

    // Customers like the training data, then the new regime; at 500/s every verdict sees ~250 new requests.
    const started = Date.now();
    const first = await traffic(dir, ['--normal', '800', '--shifted', '1200', '--rate', '500', '--feedback', '0.3']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /done: 2000 requests, 0 errors/);
    const retrained = await waitFor('the retraining run to finish', async () => {
      const m = await monitoring();
      return m.alerts.some((a) => a.kind === 'retrain' && a.retrain?.status !== 'started') ? m : undefined;
    }, 60_000);
    const before = retrained.history.filter((h) => h.at < retrained.alerts.find((a) => a.kind === 'started')!.at);
    assert.ok(before.length >= 1 && before.every((h) => !h.datasetDrift), `no drift on unshifted traffic: ${JSON.stringify(before.map((h) => h.driftedShare))}`);
    const alert = retrained.alerts.find((a) => a.kind === 'started')!;
    assert.ok(alert.features.includes('tenure') && alert.features.includes('monthly_charges'), alert.features.join(', '));
    assert.equal(alert.retrain?.status, 'started', JSON.stringify(alert.retrain));
    const done = retrained.alerts.find((a) => a.kind === 'retrain')!;
    assert.equal(done.retrain?.exitCode, 0, `${done.retrain?.message}\n${readFileSync(join(dir, '.mlops', 'deployments', 'churn', 'retrain.log'), 'utf8')}`);
    assert.equal(retrained.alerts.filter((a) => a.kind === 'started').length, 1, 'one retraining per cooldown');

    // The retraining run registered v2 as champion from its own train step, and the deployment serves it.
    const tracking2 = TrackingStore.open(dir);
    try {
      const v2 = new ModelRegistry(tracking2).getVersionByAlias('churn', 'champion');
      assert.equal(v2.version, 2);
      assert.equal(tracking2.runs.get(v2.runId!).data.tags.find((t) => t.key === 'mlops.pipeline')?.value, 'churn-retrain');
    } finally {
      tracking2.close();
    }
    const deployment = (await server.api('GET', '/api/v1/deployments/churn')).body.deployment as DeploymentState;
    assert.deepEqual(deployment.variants.map((v) => [v.name, v.version]), [['champion', '2']]);
    assert.equal(deployment.spec.monitoring?.onDrift, 'retrain.pipeline.yaml', 'the redeploy kept the monitoring settings');

    // More of the new regime: against v2's training data (the shifted customers) there is no drift.
    const second = await traffic(dir, ['--normal', '0', '--shifted', String(2 * window), '--rate', '500']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /now answered by champion churn v2/);
    const settled = await waitFor('drift to end (and the request counts to come in, every 2 s)', async () => {
      const m = await monitoring();
      return m.status === 'ok' && m.reference?.source.includes("'retrain_features'") && m.variants.champion?.requests === 2000 + 2 * window ? m : undefined;
    }, 30_000);
    assert.ok(settled.alerts.some((a) => a.kind === 'ended'), JSON.stringify(settled.alerts));
    const champion = settled.variants.champion!;
    assert.equal(champion.errors, 0, 'no request failed, the redeploy included');
    assert.ok(champion.labelled > 300 && champion.accuracy! > 0.6 && champion.accuracy! < 0.9, `live accuracy ${champion.accuracy} over ${champion.labelled} labels`);
    const recorded = join(dir, '.mlops', 'deployments', 'churn', 'requests');
    const times = readdirSync(recorded).flatMap((f) => readFileSync(join(recorded, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { at: number }).at));
    const shiftedBeforeAlert = times.filter((t) => t <= alert.at).length - 800;
    console.log(`closed loop in ${((Date.now() - started) / 1000).toFixed(1)} s; drift raised ${shiftedBeforeAlert} shifted requests in, retraining took ${done.at - alert.at} ms`);
  } finally {
    await server.stop();
  }
});

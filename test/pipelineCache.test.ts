import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli, stopBackgroundServer } from './helpers/testServer';
import { linearModel } from './helpers/onnxModels';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';

// Step caching in `mlops pipeline run` and `mlops pipeline status`: real shells and a real store.
// Every step appends its name to count.log, so the tests see which processes started.

const PIPELINE = `name: cached
params: { lr: 0.1, epochs: 2 }
steps:
  prepare:
    run: |-
      echo prepare >> count.log && cat raw.txt > clean.txt
    deps: [raw.txt]
    outs: [clean.txt]
  side:
    run: |-
      echo side >> count.log && echo \${params.epochs} > side.txt
    deps: [other.txt]
    outs: [side.txt]
  train:
    needs: [prepare]
    run: |-
      echo train >> count.log && cat clean.txt > trained.txt && echo \${params.lr} >> trained.txt && cp base.onnx model.onnx
    deps: [clean.txt, base.onnx]
    outs: [trained.txt, model.onnx]
  evaluate:
    needs: [train]
    run: |-
      echo evaluate >> count.log && cat trained.txt > eval.txt && echo '{"auc": 0.9}' > metrics.json
    deps: [trained.txt]
    outs: [eval.txt]
    metrics: metrics.json
  register:
    needs: [evaluate]
    register: { model: linear, path: model.onnx, alias: challenger, when: "evaluate.metrics.auc >= 0.8" }
`;

function workspace(): string {
  const ws = makeWorkspace('mlops-cache-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), PIPELINE);
  writeFileSync(join(ws, 'raw.txt'), 'raw 1\n');
  writeFileSync(join(ws, 'other.txt'), 'other\n');
  writeFileSync(join(ws, 'base.onnx'), linearModel());
  return ws;
}

async function cli(ws: string, ...args: string[]) {
  const r = await runCli(['pipeline', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  return { ...r, parent: /pipeline \S+: run ([0-9a-f]{32})/.exec(r.stderr)?.[1] };
}

const run = (ws: string, ...args: string[]) => cli(ws, 'run', 'p.pipeline.yaml', ...args);

/** The steps that started a process since the last call (count.log is emptied). */
function started(ws: string): string[] {
  const file = join(ws, 'count.log');
  if (!existsSync(file)) return [];
  const names = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  rmSync(file);
  return names.sort();
}

function parentTags(ws: string, runId: string): Record<string, string> {
  const tracking = TrackingStore.open(ws);
  try {
    return Object.fromEntries(tracking.runs.get(runId).data.tags.map((t) => [t.key, t.value]));
  } finally {
    tracking.close();
  }
}

test('a second run is fully cached, and a cached re-run still passes its gate with the cached run\'s metrics, reusing the version', async () => {
  const ws = workspace();
  try {
    const first = await run(ws);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(started(ws), ['evaluate', 'prepare', 'side', 'train']);
    assert.match(first.stderr, /^prepare\s*\| running: never run$/m);
    const trainRun = /^train\s*\| run ([0-9a-f]{32})$/m.exec(first.stderr)![1];
    const evalRun = /^evaluate\s*\| run ([0-9a-f]{32})$/m.exec(first.stderr)![1];

    const second = await run(ws);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.deepEqual(started(ws), [], 'no step process started');
    assert.match(second.stderr, new RegExp(`^train\\s*\\| cached: inputs unchanged since run ${trainRun}$`, 'm'));
    assert.match(second.stdout, /^prepare\s+cached/m);
    assert.match(second.stdout, /register \| gate evaluate\.metrics\.auc >= 0\.8: evaluate\.metrics\.auc = 0\.9/);
    assert.match(second.stdout, /register \| already registered as models:\/linear\/1 \(@challenger\): the same file from the same run \(gate held\)/);
    const tracking = TrackingStore.open(ws);
    try {
      assert.equal(new ModelRegistry(tracking).getVersionByAlias('linear', 'challenger').runId, trainRun, 'lineage to the run that made the model');
    } finally {
      tracking.close();
    }
    const tags = parentTags(ws, second.parent!);
    assert.equal(tags['mlops.step.evaluate.cache'], `cached: inputs unchanged since run ${evalRun}`);
    assert.equal(parentTags(ws, first.parent!)['mlops.step.train.cache'], 'ran: never run');
  } finally {
    stopBackgroundServer(ws);
  }
});

test('a changed dep re-runs its step and dependants; a changed param only the steps using it; a deleted out is restored', async () => {
  const ws = workspace();
  try {
    assert.equal((await run(ws)).code, 0);
    started(ws);

    writeFileSync(join(ws, 'raw.txt'), 'raw 2\n');
    const dep = await run(ws);
    assert.equal(dep.code, 0, dep.stderr);
    assert.deepEqual(started(ws), ['evaluate', 'prepare', 'train']);
    assert.match(dep.stderr, /^prepare\s*\| running: dep raw\.txt changed$/m);
    assert.match(dep.stderr, /^train\s*\| running: dep clean\.txt changed$/m);
    assert.match(dep.stderr, /^side\s*\| cached: /m);
    assert.equal(parentTags(ws, dep.parent!)['mlops.step.prepare.cache'], 'ran: dep raw.txt changed');

    const epochs = await run(ws, '--set', 'epochs=3');
    assert.equal(epochs.code, 0, epochs.stderr);
    assert.deepEqual(started(ws), ['side']);
    assert.match(epochs.stderr, /^side\s*\| running: param epochs changed$/m);

    const lr = await run(ws, '--set', 'epochs=3', '--set', 'lr=0.2');
    assert.equal(lr.code, 0, lr.stderr);
    assert.deepEqual(started(ws), ['evaluate', 'train']);
    assert.match(lr.stderr, /^train\s*\| running: param lr changed$/m);
    assert.match(lr.stderr, /^evaluate\s*\| running: dep trained\.txt changed$/m);

    rmSync(join(ws, 'trained.txt'));
    rmSync(join(ws, 'clean.txt'));
    const restored = await run(ws, '--set', 'epochs=3', '--set', 'lr=0.2');
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(started(ws), []);
    assert.match(restored.stderr, /^prepare\s*\| restored clean\.txt from run [0-9a-f]{32}$/m);
    assert.match(restored.stderr, /^train\s*\| restored trained\.txt from run [0-9a-f]{32}$/m);
    assert.equal(readFileSync(join(ws, 'trained.txt'), 'utf8'), 'raw 2\n0.2\n');

    rmSync(join(ws, 'eval.txt'));
    writeFileSync(join(ws, 'eval.txt'), 'edited by hand\n');
    const edited = await run(ws, '--set', 'epochs=3', '--set', 'lr=0.2');
    assert.equal(edited.code, 0, edited.stderr);
    assert.deepEqual(started(ws), ['evaluate']);
    assert.match(edited.stderr, /^evaluate\s*\| running: out eval\.txt changed$/m);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('--force re-runs everything, --force STEP that step; a missing dep is a clear error', async () => {
  const ws = workspace();
  try {
    assert.equal((await run(ws)).code, 0);
    started(ws);
    const all = await run(ws, '--force');
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(started(ws), ['evaluate', 'prepare', 'side', 'train']);
    assert.match(all.stderr, /^side\s*\| running: --force$/m);

    const one = await run(ws, '--force', 'side');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(started(ws), ['side']);
    const two = await run(ws, '--force=prepare', '--force', 'side');
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(started(ws), ['prepare', 'side'], 'prepare wrote the same clean.txt, so train stays cached');

    const bad = await run(ws, '--force', 'trian');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--force trian: no such step; did you mean "train"\?/);

    rmSync(join(ws, 'other.txt'));
    const missing = await run(ws);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^side\s+failed: dep other\.txt is missing/m);
  } finally {
    stopBackgroundServer(ws);
  }
});

test('pipeline status says which steps are up to date or stale and why, running nothing', async () => {
  const ws = workspace();
  try {
    const before = await cli(ws, 'status', 'p.pipeline.yaml');
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /^prepare\s+stale\s+never run/m);
    assert.match(before.stdout, /^register\s+always runs/m);
    assert.equal((await run(ws)).code, 0);
    started(ws);

    const fresh = await cli(ws, 'status', 'p.pipeline.yaml');
    assert.match(fresh.stdout, /^train\s+up to date\s+inputs unchanged\s+finished [\d.]+ m?s\s+[0-9a-f]{8}$/m, 'run ids shortened to 8 characters');
    assert.match(before.stdout, /^prepare\s+stale\s+never run\s+never run/m, 'the LAST RUN column: never run');
    // A deleted out that the run would restore is no missing dep for the step after it.
    rmSync(join(ws, 'trained.txt'));
    const restorable = await cli(ws, 'status', 'p.pipeline.yaml');
    assert.match(restorable.stdout, /^train\s+up to date\s+.*trained\.txt deleted, restorable/m);
    assert.match(restorable.stdout, /^evaluate\s+up to date/m);
    writeFileSync(join(ws, 'raw.txt'), 'raw 2\n');
    rmSync(join(ws, 'side.txt'));
    const stale = await cli(ws, 'status', 'p.pipeline.yaml', '--set', 'lr=0.3');
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stdout, /^prepare\s+stale\s+dep raw\.txt changed/m);
    assert.match(stale.stdout, /^train\s+stale\s+param lr changed/m);
    assert.match(stale.stdout, /^evaluate\s+stale\s+upstream step train is stale/m);
    assert.match(stale.stdout, /^side\s+up to date\s+.*side\.txt deleted, restorable from the store/m);
    assert.deepEqual(started(ws), [], 'status runs no step');
    // --dry-run says the same beside each command.
    const dry = await cli(ws, 'run', 'p.pipeline.yaml', '--dry-run', '--set', 'lr=0.3');
    assert.match(dry.stdout, /^  prepare: .*← runs: dep raw\.txt changed$/m);
    assert.match(dry.stdout, /^  side: .*← cached$/m);
    assert.match(dry.stdout, /^  train: .*← runs: param lr changed$/m);
    assert.deepEqual(started(ws), [], 'a dry run runs no step');
    assert.ok(!existsSync(join(ws, 'side.txt')), 'status restores nothing');
  } finally {
    stopBackgroundServer(ws);
  }
});

test('a re-run never changes the outs an earlier run stored, though out files are links into the store', async () => {
  const ws = workspace();
  const storedSide = (runId: string): string => {
    const tracking = TrackingStore.open(ws);
    try {
      return tracking.artifacts.find(runId, 'outs/side.txt').blobPath;
    } finally {
      tracking.close();
    }
  };
  const sideRun = (stderr: string) => /^side\s*\| run ([0-9a-f]{32})$/m.exec(stderr)?.[1];
  try {
    const first = await run(ws);
    assert.equal(first.code, 0, first.stderr);
    const firstBlob = storedSide(sideRun(first.stderr)!);
    assert.equal(statSync(join(ws, 'side.txt')).ino, statSync(firstBlob).ino, 'the out is a hard link to its stored blob');

    // The step writes side.txt again (other content): the earlier run's blob must not change.
    const again = await run(ws, '--set', 'epochs=5');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(ws, 'side.txt'), 'utf8'), '5\n');
    assert.equal(readFileSync(firstBlob, 'utf8'), '2\n');

    // An out linked to a blob other than its step's last one (as when another pipeline
    // file's step writes the same path) is unlinked too.
    rmSync(join(ws, 'side.txt'));
    linkSync(firstBlob, join(ws, 'side.txt'));
    const other = await run(ws, '--set', 'epochs=7');
    assert.equal(other.code, 0, other.stderr);
    assert.equal(readFileSync(join(ws, 'side.txt'), 'utf8'), '7\n');
    assert.equal(readFileSync(firstBlob, 'utf8'), '2\n');
    assert.equal(readFileSync(storedSide(sideRun(again.stderr)!), 'utf8'), '5\n');
  } finally {
    stopBackgroundServer(ws);
  }
});

test('a forced retrain that writes the very same model reuses its version instead of registering a copy', async () => {
  const ws = workspace();
  try {
    assert.equal((await run(ws)).code, 0);
    const forced = await run(ws, '--force');
    assert.equal(forced.code, 0, forced.stderr + forced.stdout);
    assert.deepEqual(started(ws), ['evaluate', 'evaluate', 'prepare', 'prepare', 'side', 'side', 'train', 'train'], 'every step ran twice');
    assert.match(forced.stdout, /register \| already registered as models:\/linear\/1 \(@challenger\): the same file \(sha256 [0-9a-f]{12}\) as that version, from run [0-9a-f]{32}/);
    assert.match(forced.stdout, /^register\s+already registered/m, 'the step table says so, not "registered"');
    // The rewritten out is the stored blob again (one copy on disk, read-only), not a second file.
    const st = statSync(join(ws, 'model.onnx'));
    assert.ok(st.nlink >= 2, `model.onnx has ${st.nlink} link(s)`);
    assert.equal(st.mode & 0o777, 0o444);
    const tracking = TrackingStore.open(ws);
    try {
      assert.deepEqual(new ModelRegistry(tracking).listVersions('linear').map((v) => String(v.version)), ['1']);
    } finally {
      tracking.close();
    }
  } finally {
    stopBackgroundServer(ws);
  }
});

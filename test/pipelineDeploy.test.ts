import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli, startServer } from './helpers/testServer';
import { linearModel, wideLinearModel } from './helpers/onnxModels';
import { parsePipelineFile } from '../src/core/pipeline';
import { checkPipelineShape } from '../src/protocol/pipelineFile';

// A pipeline's deploy step: after a gated registration, the deployment serves the
// new champion; a running one is redeployed in place, without failed requests.

const PIPELINE = (threshold: number) => `name: ship
params: { auc: 0.9 }
steps:
  evaluate:
    run: echo '{"auc":'\${params.auc}'}' > metrics.json
    metrics: metrics.json
  register:
    needs: [evaluate]
    register: { model: linear, path: model.onnx, alias: champion, when: "evaluate.metrics.auc >= ${threshold}" }
  deploy:
    needs: [register]
    deploy: { model: linear }
`;

test('the deploy step: the schema takes it, alone in its step', () => {
  const ok = parsePipelineFile(PIPELINE(0.8), 'p.pipeline.yaml', checkPipelineShape);
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(ok.pipeline!.steps.deploy.deploy, { model: 'linear' });
  const both = parsePipelineFile('name: x\nsteps:\n  d:\n    run: echo\n    deploy: { model: m }\n', 'p.pipeline.yaml', checkPipelineShape);
  assert.match(both.diagnostics[0].message, /one of "run", "register" and "deploy", not several/);
  const typo = parsePipelineFile('name: x\nsteps:\n  d:\n    deploy: { model: m, alas: champion }\n', 'p.pipeline.yaml', checkPipelineShape);
  assert.equal(typo.diagnostics[0].replacement, 'alias');
});

test('a pipeline registers and deploys; a second run redeploys the new champion under load with no failed request; a failed gate deploys nothing', { timeout: 180_000 }, async () => {
  const ws = makeWorkspace('mlops-pipeline-deploy-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), PIPELINE(0.8));
  writeFileSync(join(ws, 'model.onnx'), linearModel());
  const server = await startServer(ws);
  const run = (...args: string[]) => runCli(['pipeline', 'run', 'p.pipeline.yaml', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
  try {
    const first = await run();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /deploy\s+\| started deployment linear at (http:\/\/127\.0\.0\.1:\d+): models:\/linear@champion is linear v1/);
    const url = /started deployment linear at (http:\/\/127\.0\.0\.1:\d+)/.exec(first.stdout)![1];
    const infer = async () => {
      const res = await fetch(`${url}/v2/models/linear/infer`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
      });
      return { status: res.status, version: res.headers.get('x-mlops-model-version') };
    };
    assert.deepEqual(await infer(), { status: 200, version: 'linear/1' });

    // A retrained model (other weights, same signature), under steady traffic.
    writeFileSync(join(ws, 'model.onnx'), wideLinearModel(4));
    let stop = false;
    const seen: { status: number; version: string | null }[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) seen.push(await infer());
      }),
    );
    const second = await run();
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /deploy\s+\| redeployed deployment linear at .*: models:\/linear@champion is linear v2/);
    assert.deepEqual(seen.filter((s) => s.status !== 200), [], 'no request failed during the redeploy');
    assert.ok(seen.some((s) => s.version === 'linear/1') && seen.at(-1)!.version === 'linear/2', `versions seen: ${[...new Set(seen.map((s) => s.version))].join(', ')}`);

    // A gate that does not hold: nothing registered, nothing deployed, exit 3.
    const held = await run('--set', 'auc=0.5');
    assert.equal(held.code, 3, held.stdout + held.stderr);
    assert.match(held.stdout, /deploy\s+\| not deployed: register step register's gate did not hold/);
    assert.equal((await infer()).version, 'linear/2');
  } finally {
    await server.stop();
  }
});

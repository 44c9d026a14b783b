import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { churnWorkspace } from './helpers/deploymentProcess';
import { runCli, startServer } from './helpers/testServer';
import { numberRanges } from '../src/server/deployments/deploymentSpecCheck';

// What the backend refuses before it starts or redeploys anything: a model URI
// that names nothing (answered with what the registry has, even when the name is
// taken), a reference file or onDrift pipeline that is not in the workspace; and
// only then the 409 for a name already running, which says the ways on.

const champion = (modelUri: string) => [{ name: 'champion', modelUri, weight: 100 }];

test('a wrong model URI is named with the aliases and versions that exist, before "already running"; the 409 says how to go on', { timeout: 120_000 }, async () => {
  const ws = await churnWorkspace();
  const server = await startServer(ws);
  try {
    const created = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion('models:/churn@champion'), monitoring: null });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const typo = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion('models:/churn@champoin'), monitoring: null });
    assert.equal(typo.status, 400, JSON.stringify(typo.body));
    assert.doesNotMatch(typo.body.message, /already running/);
    assert.match(typo.body.message, /champion's model URI models:\/churn@champoin cannot be served: model 'churn' has no alias 'champoin'; its aliases are challenger → v2, champion → v1; its versions are 1, 2 \(mlops models show churn\)\.$/);

    const noVersion = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion('models:/churn/9'), monitoring: null });
    assert.equal(noVersion.status, 400);
    assert.match(noVersion.body.message, /model 'churn' has no version 9; its versions are 1, 2; its aliases are challenger → v2, champion → v1/);

    const noModel = await server.api('POST', '/api/v1/deployments', { name: 'other', variants: champion('models:/chrun@champion'), monitoring: null });
    assert.equal(noModel.status, 400);
    assert.match(noModel.body.message, /there is no registered model 'chrun'; the registered models are 'churn'/);

    const challenger = await server.api('POST', '/api/v1/deployments', {
      name: 'other',
      variants: [...champion('models:/churn/1'), { name: 'challenger', modelUri: 'models:/churn@nope', weight: 10 }],
      monitoring: null,
    });
    assert.equal(challenger.status, 400);
    assert.match(challenger.body.message, /^The challenger's model URI models:\/churn@nope/);

    // A right URI under a taken name: the 409, with the three ways on.
    const taken = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion('models:/churn/2'), monitoring: null });
    assert.equal(taken.status, 409, JSON.stringify(taken.body));
    assert.match(taken.body.message, /Deployment 'churn' is already running at http:\/\/127\.0\.0\.1:\d+ serving churn v1\./);
    assert.match(taken.body.message, /mlops deployments restart churn/);
    assert.match(taken.body.message, /mlops deployments stop churn/);
    assert.match(taken.body.message, /--name/);

    // A redeploy is checked the same way, and the running version keeps serving.
    const redeploy = await server.api('POST', '/api/v1/deployments/churn/redeploy', { variants: champion('models:/churn@champoin'), monitoring: null });
    assert.equal(redeploy.status, 400);
    assert.match(redeploy.body.message, /no alias 'champoin'/);
    const listed = (await server.api('GET', '/api/v1/deployments')).body.deployments;
    assert.deepEqual(listed.map((d: { name: string; status: string; variants: { version: string }[] }) => [d.name, d.status, d.variants[0].version]), [['churn', 'running', '1']]);
  } finally {
    await server.stop();
  }
});

test('a reference file or onDrift pipeline missing from the workspace, or outside it, is refused at creation and redeploy with where it was looked for', { timeout: 120_000 }, async () => {
  const ws = await churnWorkspace();
  writeFileSync(join(ws, 'reference.csv'), 'age,income,plan,tenure\n1,2,0,3\n');
  writeFileSync(join(ws, 'retrain.pipeline.yaml'), "name: retrain\nsteps:\n  mark:\n    run: echo retrained\n");
  const server = await startServer(ws);
  try {
    const post = (name: string, monitoring: Record<string, unknown>) => server.api('POST', '/api/v1/deployments', { name, variants: champion('models:/churn@champion'), monitoring });

    const noPipeline = await post('a', { reference: 'reference.csv', onDrift: 'retrian.pipeline.yaml' });
    assert.equal(noPipeline.status, 400, JSON.stringify(noPipeline.body));
    assert.match(noPipeline.body.message, /^monitoring\.onDrift: The pipeline retrian\.pipeline\.yaml does not exist \(looked for .*retrian\.pipeline\.yaml\)\./);
    assert.ok(noPipeline.body.message.includes(join(ws, 'retrian.pipeline.yaml')), noPipeline.body.message);

    const outside = await post('a', { reference: 'reference.csv', onDrift: '../elsewhere.pipeline.yaml' });
    assert.equal(outside.status, 400);
    assert.match(outside.body.message, /monitoring\.onDrift: The pipeline \.\.\/elsewhere\.pipeline\.yaml is outside the workspace/);

    const noReference = await post('a', { reference: 'nope.csv' });
    assert.equal(noReference.status, 400);
    assert.match(noReference.body.message, /^monitoring\.reference: The reference nope\.csv does not exist \(looked for .*nope\.csv\)\. Give a CSV or JSONL file in the workspace, or "training"/);
    assert.deepEqual((await server.api('GET', '/api/v1/deployments')).body.deployments, [], 'nothing was started');

    // "training" is not a file: it is looked up when the deployment starts, as before.
    const ok = await post('a', { reference: 'reference.csv', onDrift: 'retrain.pipeline.yaml' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const redeploy = await server.api('POST', '/api/v1/deployments/a/redeploy', { variants: champion('models:/churn/2'), monitoring: { reference: 'gone.csv' } });
    assert.equal(redeploy.status, 400);
    assert.match(redeploy.body.message, /The reference gone\.csv does not exist/);
    assert.equal((await server.api('GET', '/api/v1/deployments/a')).body.deployment.variants[0].version, '1', 'the old version keeps serving');

    // mlops serve --reference with a missing file fails at once, starting nothing.
    const served = await runCli(['serve', 'models:/churn@champion', '--name', 'b', '--reference', 'nope.csv', '--detach'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.notEqual(served.code, 0);
    assert.match(served.stderr, /The reference nope\.csv does not exist \(looked for /);
    assert.equal((await server.api('GET', '/api/v1/deployments/b')).status, 404);
  } finally {
    await server.stop();
  }
});

test('version lists collapse runs of numbers', () => {
  assert.equal(numberRanges([3, 1, 2, 5, 7, 8, 9, 9]), '1–3, 5, 7–9');
  assert.equal(numberRanges([1, 2]), '1, 2');
  assert.equal(numberRanges([4]), '4');
  assert.equal(numberRanges([]), '');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { churnWorkspace, oipBody, registerModel } from './helpers/deploymentProcess';
import { linearModel } from './helpers/onnxModels';
import { runCli, startServer } from './helpers/testServer';
import { DEPLOYMENT_NAME, deploymentNameFor } from '../src/protocol/deployments';

// `mlops serve models:/NAME/1` names the deployment after the model; a registered
// model's name may be longer than a deployment's (256 against 64 characters) or
// hold characters a deployment's may not, and the user did not type a deployment
// name, so one is made rather than the serve refused.

test('a deployment name made from a model name is valid, stable, and tells models apart', () => {
  assert.equal(deploymentNameFor('churn'), 'churn', 'a model name that is a deployment name stays');
  const long = 'customer-churn-gradient-boosted-trees-trained-on-the-2026-q3-snapshot-v2';
  const made = deploymentNameFor(long);
  assert.match(made, DEPLOYMENT_NAME);
  assert.ok(made.startsWith('customer-churn-gradient-boosted-trees-trained-on-the'), made);
  assert.equal(deploymentNameFor(long), made, 'the same model, the same deployment');
  assert.notEqual(deploymentNameFor(`${long}-x`), made, 'two long names with one beginning stay apart');
  for (const model of ['my model', 'my-model.', '_private', 'модель', ' ', 'a'.repeat(256), 'x:y#z']) {
    assert.match(deploymentNameFor(model), DEPLOYMENT_NAME, model);
  }
  assert.notEqual(deploymentNameFor('my model'), 'my-model', 'a made name never takes another model\'s own');
});

test('mlops serve models:/<a 70-character name>/1 serves under a made deployment name and says which', { timeout: 120_000 }, async () => {
  const ws = await churnWorkspace();
  const model = `churn-${'x'.repeat(64)}`;
  await registerModel(ws, model, linearModel());
  const server = await startServer(ws);
  try {
    const served = await runCli(['serve', `models:/${model}/1`, '--detach', '--no-monitoring'], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(served.code, 0, served.stderr);
    const name = deploymentNameFor(model);
    assert.match(served.stderr, new RegExp(`deploying as '${name}': a deployment's name has at most 64 letters`));
    const { deployment } = (await server.api('GET', `/api/v1/deployments/${name}`)).body;
    assert.equal(deployment.status, 'running');
    // The model's own name still addresses it on the serving routes.
    const token = (await server.api('GET', `/api/v1/deployments/${name}/token`)).body.token;
    const infer = await fetch(`${deployment.url}/v2/models/${model}/infer`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: oipBody([[1, 2, 0, 3]]) });
    assert.equal(infer.status, 200, await infer.text());
  } finally {
    await server.stop();
  }
});

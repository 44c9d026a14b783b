import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { churnWorkspace, oipBody } from './helpers/deploymentProcess';
import { runCli, startServer, type TestServer } from './helpers/testServer';

// A deployment's consumers get its serving token, never the workspace token: it
// opens the deployment's serving routes and nothing of the backend (registry,
// store, pipelines). It outlives redeploys and backend restarts (scrape configs
// hold it), and a rotation ends the old one at once.

const champion = (version: string) => [{ name: 'champion', modelUri: `models:/churn/${version}`, weight: 100 }];

async function call(url: string, token: string | undefined, method = 'GET', body?: string): Promise<{ status: number; text: string; requestId: string | null }> {
  const res = await fetch(url, { method, body, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) } });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id') };
}

async function deploy(server: TestServer, version = '1'): Promise<string> {
  const created = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion(version), monitoring: null });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.deployment.url;
}

test('the serving token opens inference, feedback, metrics and health, and nothing of the backend; it survives a redeploy and a backend restart; a rotation ends the old one at once', { timeout: 180_000 }, async () => {
  const ws = await churnWorkspace();
  let server = await startServer(ws);
  try {
    const url = await deploy(server);
    const asked = await server.api('GET', '/api/v1/deployments/churn/token');
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const { token, file } = asked.body as { token: string; file: string };
    assert.equal(file, '.mlops/deployments/churn/serving-token');
    assert.notEqual(token, server.token);
    assert.equal(readFileSync(join(ws, file), 'utf8'), token);
    assert.equal(statSync(join(ws, file)).mode & 0o777, 0o600);

    const infer = await call(`${url}/v2/models/churn/infer`, token, 'POST', oipBody([[1, 2, 0, 3]]));
    assert.equal(infer.status, 200, infer.text);
    assert.equal((await call(`${url}/invocations`, token, 'POST', JSON.stringify({ inputs: [[1, 2, 0, 3]] }))).status, 200);
    assert.equal((await call(`${url}/v1/models/churn:predict`, token, 'POST', JSON.stringify({ instances: [[1, 2, 0, 3]] }))).status, 200);
    const feedback = await call(`${url}/v1/feedback`, token, 'POST', JSON.stringify({ request_id: infer.requestId, label: 1 }));
    assert.equal(feedback.status, 200, feedback.text);
    assert.match((await call(`${url}/metrics`, token)).text, /mlops_requests_total/);
    for (const path of ['/v2/health/ready', '/v2/health/live', '/ping', '/health']) assert.equal((await call(url + path, token)).status, 200, path);
    // The workspace token still works on serving routes; no token or another one does not.
    assert.equal((await call(`${url}/v2/models/churn/infer`, server.token, 'POST', oipBody([[1, 2, 0, 3]]))).status, 200);
    const missing = await call(`${url}/metrics`, undefined);
    assert.equal(missing.status, 401);
    assert.match(missing.text, /serving token \(mlops deployments token churn prints it; it is kept in \.mlops\/deployments\/churn\/serving-token\)/);

    // The serving token opens nothing of the backend.
    const run = await server.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    for (const [method, path] of [
      ['GET', '/api/2.0/mlflow/experiments/search?max_results=10'],
      ['GET', '/api/2.0/mlflow/registered-models/search'],
      ['GET', `/api/2.0/mlflow-artifacts/artifacts/0/${run.body.run.info.run_id}/artifacts`],
      ['GET', '/api/v1/deployments'],
      ['GET', '/api/v1/deployments/churn/token'],
      ['POST', '/api/v1/deployments/churn/token'],
      ['POST', '/api/v1/deployments/churn/retrain'],
      ['POST', '/api/v1/pipelines/check'],
    ] as const) {
      const answer = await call(server.url + path, token, method, method === 'POST' ? '{}' : undefined);
      assert.equal(answer.status, 401, `${method} ${path}: ${answer.text}`);
    }

    // A redeploy keeps it.
    const redeployed = await server.api('POST', '/api/v1/deployments/churn/redeploy', { variants: champion('2'), monitoring: null });
    assert.equal(redeployed.status, 200, JSON.stringify(redeployed.body));
    assert.equal((await call(`${url}/v2/models/churn/infer`, token, 'POST', oipBody([[1, 2, 0, 3]]))).status, 200);
    assert.equal((await server.api('GET', '/api/v1/deployments/churn/token')).body.token, token);

    // A rotation: the old token is refused as soon as the answer comes.
    const rotated = await server.api('POST', '/api/v1/deployments/churn/token');
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const fresh = rotated.body.token as string;
    assert.notEqual(fresh, token);
    const old = await call(`${url}/v2/models/churn/infer`, token, 'POST', oipBody([[1, 2, 0, 3]]));
    assert.equal(old.status, 401, old.text);
    assert.match(old.text, /Invalid token.*a rotated token stops working at once/);
    assert.equal((await call(`${url}/v2/models/churn/infer`, fresh, 'POST', oipBody([[1, 2, 0, 3]]))).status, 200);
    assert.equal(readFileSync(join(ws, file), 'utf8'), fresh);
    assert.equal(statSync(join(ws, file)).mode & 0o777, 0o600);

    // The CLI prints it alone (for TOKEN=$(…)) and rotates it the same way.
    const cli = (args: string[]) => runCli(['deployments', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    const printed = await cli(['token', 'churn']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${fresh}\n`);
    const rotatedByCli = await cli(['token', 'churn', '--rotate']);
    assert.equal(rotatedByCli.code, 0, rotatedByCli.stderr);
    const latest = rotatedByCli.stdout.trim();
    assert.notEqual(latest, fresh);
    assert.match(rotatedByCli.stderr, /the old one no longer works/);
    assert.equal((await call(`${url}/metrics`, fresh)).status, 401);
    assert.equal((await call(`${url}/metrics`, latest)).status, 200);
    const shown = await cli(['show', 'churn']);
    assert.match(shown.stdout, /auth +requests need its serving token \(Authorization: Bearer <token in \.mlops\/deployments\/churn\/serving-token>; mlops deployments token churn prints it\)/);

    // A backend restart: the deployment comes back (under its name) with the same token.
    await server.stop();
    server = await startServer(ws);
    const again = await deploy(server);
    assert.equal((await call(`${again}/metrics`, latest)).status, 200);
    assert.equal((await call(`${again}/metrics`, fresh)).status, 401);
    assert.equal((await server.api('GET', '/api/v1/deployments/churn/token')).body.token, latest);

    // Names from the URL never leave .mlops/deployments/.
    const traversal = await server.api('GET', '/api/v1/deployments/..%2F..%2Fx/token');
    assert.equal(traversal.status, 400, JSON.stringify(traversal.body));
    assert.equal((await server.api('GET', '/api/v1/deployments/nothere/token')).status, 404);
  } finally {
    await server.stop();
  }
});

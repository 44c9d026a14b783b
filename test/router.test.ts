import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../src/server/http/router';
import { HttpError } from '../src/server/http/httpError';

/** A router whose handlers are named after their routes, so a match says which route won. */
function routerOf(routes: [string, string][]): Router<string> {
  const named = new Router<string>();
  for (const [method, pattern] of routes) {
    const handler = Object.defineProperty(() => undefined, 'name', { value: `${method} ${pattern}` });
    named.on(method as 'GET', pattern, handler);
  }
  return named;
}

function matched(router: Router<string>, method: string, path: string): { route: string; params: Record<string, string>; rest: string } {
  const m = router.match(method, path);
  return { route: m.handler.name, params: m.params, rest: m.rest };
}

function refused(router: Router<string>, method: string, path: string): { status: number; code: string; message: string } {
  try {
    router.match(method, path);
  } catch (err) {
    assert.ok(err instanceof HttpError, `not an HttpError: ${String(err)}`);
    return { status: err.status, code: err.code, message: err.message };
  }
  assert.fail(`${method} ${path} matched`);
}

test('a literal segment wins over a parameter, wherever the routes were registered', () => {
  for (const order of [0, 1]) {
    const routes: [string, string][] = [
      ['GET', '/api/3.0/mlflow/traces/:traceId'],
      ['GET', '/api/3.0/mlflow/traces/search'],
    ];
    const router = routerOf(order ? routes.reverse() : routes);
    assert.equal(matched(router, 'GET', '/api/3.0/mlflow/traces/search').route, 'GET /api/3.0/mlflow/traces/search');
    assert.deepEqual(matched(router, 'GET', '/api/3.0/mlflow/traces/tr-1'), { route: 'GET /api/3.0/mlflow/traces/:traceId', params: { traceId: 'tr-1' }, rest: '' });
  }
});

test('a literal registered for other methods only does not hide a parameter route of the request\'s method', () => {
  const router = routerOf([
    ['POST', '/api/2.0/mlflow/logged-models/search'],
    ['GET', '/api/2.0/mlflow/logged-models/:modelId'],
  ]);
  assert.equal(matched(router, 'POST', '/api/2.0/mlflow/logged-models/search').route, 'POST /api/2.0/mlflow/logged-models/search');
  assert.deepEqual(matched(router, 'GET', '/api/2.0/mlflow/logged-models/search').params, { modelId: 'search' });
});

test('parameters are percent-decoded; a bad encoding is the client\'s 400, naming the parameter', () => {
  const router = routerOf([['GET', '/api/v1/deployments/:name/monitoring']]);
  assert.deepEqual(matched(router, 'GET', '/api/v1/deployments/churn%20v2/monitoring').params, { name: 'churn v2' });
  assert.deepEqual(matched(router, 'GET', '/api/v1/deployments/%F0%9F%98%80/monitoring').params, { name: '😀' });
  const bad = refused(router, 'GET', '/api/v1/deployments/%E0%A4%A/monitoring');
  assert.equal(bad.status, 400);
  assert.match(bad.message, /path parameter 'name'/);
});

test('a parameter takes one whole, non-empty segment', () => {
  const router = routerOf([['GET', '/v2/models/:name'], ['GET', '/v2/models/:name/versions/:version']]);
  assert.deepEqual(matched(router, 'GET', '/v2/models/churn/versions/3').params, { name: 'churn', version: '3' });
  assert.equal(refused(router, 'GET', '/v2/models/').status, 404);
  assert.equal(refused(router, 'GET', '/v2/models//versions/3').status, 404);
  assert.equal(refused(router, 'GET', '/v2/models/churn/versions/3/extra').status, 404);
});

test('a parameter with a literal suffix (KServe v1 `:name:predict`) is tried before the bare one', () => {
  const router = routerOf([['POST', '/v1/models/:name'], ['POST', '/v1/models/:name:predict']]);
  assert.deepEqual(matched(router, 'POST', '/v1/models/churn:predict'), { route: 'POST /v1/models/:name:predict', params: { name: 'churn' }, rest: '' });
  assert.deepEqual(matched(router, 'POST', '/v1/models/churn').params, { name: 'churn' });
  // The suffix alone leaves the parameter empty: the bare route takes the whole segment.
  assert.deepEqual(matched(router, 'POST', '/v1/models/:predict').params, { name: ':predict' });
});

test('a trailing * takes the rest of the path (as sent), and the path itself; parameters and literals win over it', () => {
  const router = routerOf([
    ['GET', '/get-artifact/*'],
    ['GET', '/files/:id/*'],
    ['GET', '/files/:id/meta'],
  ]);
  assert.deepEqual(matched(router, 'GET', '/get-artifact/a/b%20c.txt'), { route: 'GET /get-artifact/*', params: {}, rest: 'a/b%20c.txt' });
  assert.deepEqual(matched(router, 'GET', '/get-artifact'), { route: 'GET /get-artifact/*', params: {}, rest: '' });
  assert.deepEqual(matched(router, 'GET', '/get-artifact/'), { route: 'GET /get-artifact/*', params: {}, rest: '' });
  assert.deepEqual(matched(router, 'GET', '/files/7/meta'), { route: 'GET /files/:id/meta', params: { id: '7' }, rest: '' });
  assert.deepEqual(matched(router, 'GET', '/files/7/meta/x'), { route: 'GET /files/:id/*', params: { id: '7' }, rest: 'meta/x' });
});

test('an unknown path is 404 ENDPOINT_NOT_FOUND (what MLflow 3 clients fall back on); a known path with another method is 405', () => {
  const router = routerOf([['GET', '/api/v1/deployments/:name'], ['DELETE', '/api/v1/deployments/:name'], ['POST', '/api/v1/deployments/:name/retrain']]);
  const unknown = refused(router, 'GET', '/api/v1/nothing');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.code, 'ENDPOINT_NOT_FOUND');
  const method = refused(router, 'GET', '/api/v1/deployments/churn/retrain');
  assert.equal(method.status, 405);
  assert.equal(method.code, 'METHOD_NOT_ALLOWED');
  assert.equal(refused(router, 'PUT', '/api/v1/deployments/churn').status, 405);
  // HEAD is answered by GET's route.
  assert.equal(matched(router, 'HEAD', '/api/v1/deployments/churn').route, 'GET /api/v1/deployments/:name');
});

test('a 404 under a known prefix names the routes there, so a typo shows its fix', () => {
  const router = routerOf([['GET', '/api/v1/deployments/:name/monitoring'], ['POST', '/api/v1/deployments/:name/retrain'], ['GET', '/api/v1/models']]);
  const typo = refused(router, 'GET', '/api/v1/deployments/churn/monitorng');
  assert.equal(typo.status, 404);
  assert.match(typo.message, /GET \/api\/v1\/deployments\/:name\/monitoring/);
  assert.match(typo.message, /POST \/api\/v1\/deployments\/:name\/retrain/);
  assert.doesNotMatch(typo.message, /\/api\/v1\/models/);
});

test('routes that would be ambiguous are refused when they are registered', () => {
  assert.throws(() => routerOf([['GET', '/a/:id'], ['GET', '/a/:id']]), /registered twice/);
  assert.throws(() => routerOf([['GET', '/a/:id'], ['POST', '/a/:name/b']]), /registered as :id/);
  assert.throws(() => routerOf([['GET', '/a/:id/:id']]), /appears twice/);
  // The listing says which parameters each route takes (the route fuzzer fills them in).
  assert.deepEqual(
    routerOf([['GET', '/v2/models/:name/versions/:version/infer']]).routes(),
    [{ method: 'GET', pattern: '/v2/models/:name/versions/:version/infer', prefix: false, params: ['name', 'version'] }],
  );
});

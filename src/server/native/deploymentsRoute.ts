import type { Router } from '../http/router';
import { readJson, sendJson } from '../http/body';
import { deploymentSpec } from '../../protocol/deployments';
import { monitoringQuery } from '../../protocol/monitoring';
import type { DeploymentSupervisor } from '../deployments/deploymentSupervisor';
import { z } from 'zod';

const retrainBody = z.object({ pipeline: z.string().min(1).optional() }).strict();

/**
 * /api/v1/deployments: what `mlops serve` and the editor's Deployments view ask the
 * backend. A POST starts a deployment and answers once it serves (or why it could
 * not); `/api/v1/deployments/NAME/redeploy` switches its models in place; DELETE
 * stops it. `NAME/token` is the deployment's serving token (POST: a new one); only
 * the workspace token reaches it, as every route here.
 */
export function registerDeploymentsRoute(router: Router, supervisor: DeploymentSupervisor): void {
  router.on('GET', '/api/v1/deployments', (ctx) => sendJson(ctx.res, 200, { deployments: supervisor.list() }));

  router.on('POST', '/api/v1/deployments', async (ctx) => {
    const spec = deploymentSpec.parse(await readJson(ctx.req));
    sendJson(ctx.res, 201, { deployment: await supervisor.create(spec) });
  });

  router.on('GET', '/api/v1/deployments/:name', (ctx) => sendJson(ctx.res, 200, { deployment: supervisor.get(ctx.params.name) }));
  router.on('GET', '/api/v1/deployments/:name/monitoring', (ctx) =>
    sendJson(ctx.res, 200, supervisor.monitoring(ctx.params.name, monitoringQuery.parse(Object.fromEntries(ctx.url.searchParams)))),
  );
  router.on('GET', '/api/v1/deployments/:name/token', (ctx) => sendJson(ctx.res, 200, supervisor.servingToken(ctx.params.name)));
  // Rotation: the old serving token stops working before the answer comes.
  router.on('POST', '/api/v1/deployments/:name/token', async (ctx) => sendJson(ctx.res, 200, await supervisor.rotateServingToken(ctx.params.name)));
  router.on('POST', '/api/v1/deployments/:name/retrain', async (ctx) => {
    const body = retrainBody.parse(await readJson(ctx.req));
    sendJson(ctx.res, 202, { retrain: supervisor.retrain(ctx.params.name, body.pipeline) });
  });
  router.on('POST', '/api/v1/deployments/:name/redeploy', async (ctx) => {
    const body = (await readJson(ctx.req)) as Record<string, unknown>;
    const spec = deploymentSpec.parse({ ...body, name: ctx.params.name });
    sendJson(ctx.res, 200, { deployment: await supervisor.redeploy(ctx.params.name, spec) });
  });
  router.on('DELETE', '/api/v1/deployments/:name', async (ctx) => sendJson(ctx.res, 200, { deployment: await supervisor.stop(ctx.params.name) }));
}

import type { Router } from '../http/router';
import { readJson, sendJson } from '../http/body';
import { HttpError } from '../http/httpError';
import { decodePathPart } from '../http/requestPath';
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

  const one = (rest: string): { name: string; action?: string } => {
    const [name, action, ...more] = rest.split('/');
    if (!name || more.length) throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint for /api/v1/deployments/${rest}: use /api/v1/deployments/NAME, NAME/monitoring, NAME/token, NAME/redeploy or NAME/retrain.`);
    return { name: decodePathPart(name, 'deployment name'), action };
  };

  router.on('GET', '/api/v1/deployments/*', (ctx) => {
    const { name, action } = one(ctx.rest);
    if (action === 'monitoring') return sendJson(ctx.res, 200, supervisor.monitoring(name, monitoringQuery.parse(Object.fromEntries(ctx.url.searchParams))));
    if (action === 'token') return sendJson(ctx.res, 200, supervisor.servingToken(name));
    if (action) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Use POST for /api/v1/deployments/${name}/${action}.`);
    sendJson(ctx.res, 200, { deployment: supervisor.get(name) });
  });

  router.on('POST', '/api/v1/deployments/*', async (ctx) => {
    const { name, action } = one(ctx.rest);
    // Rotation: the old serving token stops working before the answer comes.
    if (action === 'token') return sendJson(ctx.res, 200, await supervisor.rotateServingToken(name));
    if (action === 'retrain') {
      const body = retrainBody.parse(await readJson(ctx.req));
      return sendJson(ctx.res, 202, { retrain: supervisor.retrain(name, body.pipeline) });
    }
    if (action !== 'redeploy') throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `No action '${action ?? ''}' for deployments: POST /api/v1/deployments/${name}/redeploy with a spec, ${name}/retrain or ${name}/token (a new serving token).`);
    const body = (await readJson(ctx.req)) as Record<string, unknown>;
    const spec = deploymentSpec.parse({ ...body, name });
    sendJson(ctx.res, 200, { deployment: await supervisor.redeploy(name, spec) });
  });

  router.on('DELETE', '/api/v1/deployments/*', async (ctx) => {
    const { name, action } = one(ctx.rest);
    if (action) throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `DELETE /api/v1/deployments/${name} stops a deployment.`);
    sendJson(ctx.res, 200, { deployment: await supervisor.stop(name) });
  });
}

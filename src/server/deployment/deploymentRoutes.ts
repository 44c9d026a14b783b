// The deployment's HTTP routes: Open Inference Protocol v2, MLflow's scoring
// server, KServe v1, Prometheus /metrics and feedback. Paths with a model name in
// the middle are prefix routes whose remainder is parsed here.
import { z } from 'zod';
import type { RequestContext, Router } from '../http/router';
import { HttpError } from '../http/httpError';
import { version as packageVersion } from '../../../package.json';
import { answerInference, type ServingContext } from './inferenceCall';
import { readBodyText } from './requestBody';
import { sendBody, sendText } from './errorShapes';
import type { Generation } from './servingSlot';
import type { LoadedVariant } from './variantLoader';
import type { VariantName } from './deploymentMetrics';

export interface RouteContext extends ServingContext {
  /** The deployment's name (accepted in place of the model name). */
  deploymentName(): string;
}

const feedbackBody = z.object({
  request_id: z.string().min(1).max(200),
  label: z.union([z.number(), z.boolean(), z.string(), z.array(z.union([z.number(), z.boolean(), z.string()])).min(1)]),
});

/** OIP model paths: {name}[/versions/{v}][/ready|/infer]. */
export function registerDeploymentRoutes(router: Router, ctx: RouteContext): void {
  const notFound = (what: string) => new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', what);

  /**
   * What a {name}[/versions/{v}] path addresses. The champion's model name or the
   * deployment's name: the deployment as a whole (A/B applies); only the
   * challenger's model name (when it is another model): the challenger; a version:
   * the variant serving it.
   */
  const target = (generation: Generation, name: string, version: string | undefined): { variant: LoadedVariant; pinned: boolean } => {
    const whole = name === ctx.deploymentName() || name === generation.champion.model;
    const named = generation.variants.filter((v) => v.model === name);
    if (!whole && named.length === 0) throw notFound(`Model '${name}' is not served here: this deployment serves ${generation.variants.map((v) => `'${v.model}' (version ${v.version})`).join(' and ')}.`);
    if (version === undefined) return whole ? { variant: generation.champion, pinned: false } : { variant: named[0], pinned: true };
    const variant = named.find((v) => v.version === version) ?? (whole ? generation.variants.find((v) => v.version === version) : undefined);
    if (!variant) throw notFound(`Model '${name}' version '${version}' is not served here (serving: ${generation.variants.map((v) => `${v.model}/${v.version}`).join(', ')}).`);
    return { variant, pinned: true };
  };
  const current = (): Generation => {
    const g = ctx.slot.generation;
    if (!g) throw new HttpError(503, 'TEMPORARILY_UNAVAILABLE', 'No model is loaded yet.');
    return g;
  };

  // --- Open Inference Protocol v2 ---
  router.on('GET', '/v2', ({ res }) => sendBody(res, 200, { name: 'mlops-workbench', version: packageVersion, extensions: [] }));
  router.on('GET', '/v2/health/live', ({ res }) => sendBody(res, 200, { live: true }));
  router.on('GET', '/v2/health/ready', ({ res }) => {
    const ready = ctx.slot.generation !== undefined;
    sendBody(res, ready ? 200 : 503, { ready });
  });
  // /v2/models/{name}[/versions/{version}][/ready | /infer]
  const metadataOrReady = (action: 'metadata' | 'ready') => ({ res, params }: RequestContext) => {
    const { name, version } = params;
    const { variant } = target(current(), name, version);
    const headers = ['X-MLOps-Variant', variant.name, 'X-MLOps-Model-Version', variant.label];
    if (action === 'ready') sendBody(res, 200, { name, ready: true }, headers);
    else sendBody(res, 200, variant.served.metadata(), headers);
  };
  const infer = ({ req, res, params }: RequestContext) => {
    const pinned = pinnedFor(params.name, params.version);
    return readBodyText(req).then((body) => answerInference(ctx, { req, res }, 'oip', pinned, (served) => served.inferOip(body)));
  };
  for (const model of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    router.on('GET', model, metadataOrReady('metadata'));
    router.on('GET', `${model}/ready`, metadataOrReady('ready'));
    router.on('POST', `${model}/infer`, infer);
  }

  // Checks the name, then pins a variant if the path names a version or a model only one variant serves.
  const pinnedFor = (name: string, version: string | undefined) => {
    const generation = current();
    // The usual request names the deployment or its champion's model: A/B applies, nothing to look up.
    if (version === undefined && (name === ctx.deploymentName() || name === generation.champion.model)) return undefined;
    const { pinned } = target(generation, name, version);
    return pinned ? (g: Generation) => safeTarget(g, name, version) : undefined;
  };
  const safeTarget = (g: Generation, name: string, version: string | undefined) => {
    try {
      return target(g, name, version).variant;
    } catch {
      return undefined; // a redeploy between the check and the lease
    }
  };

  // --- MLflow scoring server ---
  router.on('POST', '/invocations', ({ req, res }) => {
    const contentType = req.headers['content-type'];
    return readBodyText(req).then((body) => answerInference(ctx, { req, res }, 'mlflow', undefined, (served) => served.invocations(body, contentType)));
  });
  const ping = ({ res }: { res: import('node:http').ServerResponse }) => {
    const ready = ctx.slot.generation !== undefined;
    sendText(res, ready ? 200 : 503, 'application/json', '\n');
  };
  router.on('GET', '/ping', ping);
  router.on('GET', '/health', ping);
  router.on('GET', '/version', ({ res }) => {
    sendText(res, 200, 'text/plain; charset=utf-8', packageVersion);
  });

  // --- KServe v1 ---
  router.on('GET', '/v1/models/:name', ({ res, params }) => {
    target(current(), params.name, undefined);
    sendBody(res, 200, { name: params.name, ready: true });
  });
  router.on('POST', '/v1/models/:name:predict', ({ req, res, params }) => {
    const pinned = pinnedFor(params.name, undefined);
    return readBodyText(req).then((body) => answerInference(ctx, { req, res }, 'kserve_v1', pinned, (served) => served.predictV1(body)));
  });

  // --- Monitoring ---
  router.on('GET', '/metrics', ({ res }) => {
    sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.exposition());
  });
  router.on('POST', '/v1/feedback', async ({ req, res }) => {
    const text = await readBodyText(req, 1024 * 1024);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'BAD_REQUEST', `The body is not valid JSON: ${(err as Error).message}.`);
    }
    const parsed = feedbackBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, 'BAD_REQUEST', `Feedback is {"request_id": "<X-Request-Id of the prediction>", "label": <value or one per row>}: ${issue.path.join('.') || 'body'}: ${issue.message}.`);
    }
    const result = ctx.ledger.label(parsed.data.request_id, parsed.data.label);
    if (!result.ok) throw new HttpError(result.status, result.status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : 'BAD_REQUEST', result.message);
    for (const variant of result.variants) publishScore(ctx, variant);
    sendBody(res, 200, { request_id: parsed.data.request_id, variants: result.variants, correct: result.correct });
  });
}

function publishScore(ctx: ServingContext, variant: VariantName): void {
  const s = ctx.ledger.scores[variant];
  ctx.metrics.setFeedback(variant, s.labelled, s.judged ? s.correct / s.judged : undefined, s.regressions ? s.absoluteError / s.regressions : undefined);
}

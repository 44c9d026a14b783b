// One inference request through the deployment, whatever its protocol: pick the
// variant (A/B by weight or sticky key, or the version the path names), run it on
// the generation leased at arrival, answer with the variant's headers, count it,
// remember its prediction for feedback, and in shadow mode copy it to the
// challenger after the champion's answer is on its way.
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedModel, ServingOutcome } from '../../core/serving/servedModel';
import type { DeploymentMetrics, Protocol } from './deploymentMetrics';
import type { FeedbackLedger } from './feedbackLedger';
import { predictionRows } from './predictionRows';
import { chooseVariant, type Generation, type ServingSlot } from './servingSlot';
import type { LoadedVariant } from './variantLoader';
import { errorBody, sendBody } from './errorShapes';
import { requestIdOf } from './requestId';

export interface ServingContext {
  slot: ServingSlot;
  metrics: DeploymentMetrics;
  ledger: FeedbackLedger;
}

export type ModelCall = (served: ServedModel) => Promise<ServingOutcome<unknown>>;

const STATUS = { 'bad-request': 400, 'unsupported-media-type': 415, 'inference-failed': 500 } as const;

/** The sticky key: X-MLOps-Sticky-Key, else X-User-Id. */
function stickyKeyOf(req: IncomingMessage): string | undefined {
  const key = req.headers['x-mlops-sticky-key'] ?? req.headers['x-user-id'];
  return Array.isArray(key) ? key[0] : key;
}

export async function answerInference(
  ctx: ServingContext,
  http: { req: IncomingMessage; res: ServerResponse },
  protocol: Protocol,
  /** Chooses the variant itself (a versions/{v} path); undefined: A/B as configured. */
  pinned: ((generation: Generation) => LoadedVariant | undefined) | undefined,
  call: ModelCall,
): Promise<void> {
  const shape = protocol === 'mlflow' ? 'mlflow' : 'oip';
  const lease = ctx.slot.lease();
  if (!lease) {
    sendBody(http.res, 503, errorBody(shape, 503, 'No model is loaded yet.'));
    return;
  }
  try {
    const generation = lease.generation;
    const variant = pinned ? pinned(generation) : chooseVariant(generation, stickyKeyOf(http.req));
    if (!variant) {
      sendBody(http.res, 404, errorBody(shape, 404, 'No variant of this deployment serves that model version.'));
      return;
    }
    const started = performance.now();
    ctx.metrics.inFlight++;
    let outcome: ServingOutcome<unknown>;
    try {
      outcome = await call(variant.served);
    } finally {
      ctx.metrics.inFlight--;
    }
    const status = outcome.ok ? 200 : STATUS[outcome.kind];
    sendBody(http.res, status, outcome.ok ? outcome.body : errorBody(shape, status, outcome.message), ['X-MLOps-Variant', variant.name, 'X-MLOps-Model-Version', variant.label]);
    ctx.metrics.request({ model: variant.model, version: variant.version, variant: variant.name, protocol, status, seconds: (performance.now() - started) / 1000 });
    if (outcome.ok) remember(ctx, requestIdOf(http.res), variant, protocol, outcome.body, true);
    const challenger = generation.challenger;
    if (generation.shadow && challenger && variant === generation.champion) {
      const shadowLease = lease.another(); // the copy keeps its generation alive on its own
      void shadowCopy(ctx, requestIdOf(http.res), challenger, protocol, call).finally(() => shadowLease.release());
    }
  } finally {
    lease.release();
  }
}

async function shadowCopy(ctx: ServingContext, requestId: string, challenger: LoadedVariant, protocol: Protocol, call: ModelCall): Promise<void> {
  const started = performance.now();
  let outcome: ServingOutcome<unknown>;
  try {
    outcome = await call(challenger.served);
  } catch {
    outcome = { ok: false, kind: 'inference-failed', message: '' };
  }
  const status = outcome.ok ? 200 : STATUS[outcome.kind];
  ctx.metrics.request({ model: challenger.model, version: challenger.version, variant: 'challenger', protocol, status, seconds: (performance.now() - started) / 1000 }, true);
  if (outcome.ok) remember(ctx, requestId, challenger, protocol, outcome.body, false);
}

function remember(ctx: ServingContext, requestId: string, variant: LoadedVariant, protocol: Protocol, body: unknown, answered: boolean): void {
  const rows = predictionRows(protocol, body);
  if (rows) ctx.ledger.remember(requestId, variant.name, rows, answered);
}

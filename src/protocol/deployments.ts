import { z } from 'zod';
import { driftAlert, driftSnapshot, monitoringSpec, monitoringStatus, referenceInfo, variantOutcomes } from './monitoring';

// Deployments: a registered model served by its own process (dist/deployment.js),
// which the workspace's backend starts and supervises. This is the contract
// between the CLI/editor and the backend (/api/v1/deployments), and between the
// backend and each deployment process (an IPC channel: node's fork()).

export const DEPLOYMENT_NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * The deployment name for a model when nobody gave one: the model's own name when
 * it is a deployment name, else one made from it. A registered model's name may be
 * 256 characters of anything but '/', '@' and NUL; a deployment's names a folder
 * (.mlops/deployments/NAME), a URL segment and a model in serving paths, so it
 * stays short and plain. The same model always gets the same name (a second
 * serve finds the first deployment), and a made name ends with a hash of the
 * model's, so that two models never share one (the editor redeploys by name).
 */
export function deploymentNameFor(model: string): string {
  if (DEPLOYMENT_NAME.test(model)) return model;
  const plain = model.replace(/[^\w.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 55).replace(/[-.]+$/, '');
  return `${plain || 'model'}-${fnv1a32(model).toString(16).padStart(8, '0')}`;
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

export const deploymentVariant = z.object({
  /** "champion" answers; "challenger" gets a share of traffic (split) or a copy (shadow). */
  name: z.enum(['champion', 'challenger']),
  /** models:/name/N, models:/name@alias, models:/name/latest: resolved when (re)deployed. */
  modelUri: z.string().startsWith('models:/', 'modelUri: give a models:/ URI, e.g. models:/churn@champion'),
  /** Share of traffic, 0-100 (ignored in shadow mode, where the champion answers everything). */
  weight: z.number().min(0).max(100),
});
export type DeploymentVariant = z.infer<typeof deploymentVariant>;

export const deploymentSpec = z
  .object({
    name: z.string().regex(DEPLOYMENT_NAME, 'name: letters, digits, ".", "_" and "-", at most 64 characters'),
    /** 0: any free port. */
    port: z.number().int().min(0).max(65535).default(0),
    /** false only with `mlops serve --no-auth`: then requests need no token. */
    auth: z.boolean().default(true),
    variants: z.array(deploymentVariant).min(1).max(2),
    /** The challenger sees a copy of every request; only the champion's answer is returned. */
    shadow: z.boolean().default(false),
    /** onnxruntime intra-op threads per session (default: 1 for small models). */
    intraOpThreads: z.number().int().min(1).max(64).optional(),
    /** Recording of requests and drift against a reference; absent or null: off. */
    monitoring: monitoringSpec.nullable().optional(),
    batching: z.object({ maxBatchRows: z.number().int().min(1).max(4096).optional(), maxWaitMs: z.number().min(0).max(100).optional(), enabled: z.boolean().optional() }).optional(),
  })
  .superRefine((s, ctx) => {
    const names = s.variants.map((v) => v.name);
    if (!names.includes('champion')) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variants: a deployment needs a champion' });
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variants: each variant once' });
    if (s.shadow && names.length < 2) ctx.addIssue({ code: 'custom', path: ['shadow'], message: 'shadow: needs a challenger to copy traffic to' });
    if (!s.shadow && s.variants.reduce((a, v) => a + v.weight, 0) <= 0) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variants: the weights add up to 0' });
  });
export type DeploymentSpec = z.infer<typeof deploymentSpec>;

/** What a running deployment serves, variant by variant. */
export const servedVariant = z.object({
  name: z.enum(['champion', 'challenger']),
  model: z.string(),
  version: z.string(),
  modelUri: z.string(),
  weight: z.number(),
});
export type ServedVariant = z.infer<typeof servedVariant>;

export const deploymentStats = z.object({
  type: z.literal('stats'),
  requests: z.number(),
  errors: z.number(),
  inFlight: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Per variant: requests, errors and live accuracy from feedback. */
  variants: z.record(z.enum(['champion', 'challenger']), variantOutcomes).optional(),
});

/** Where monitoring stands, as the Deployments view shows it. */
export const monitoringSummary = z.object({
  status: monitoringStatus,
  message: z.string().nullable(),
  driftedShare: z.number().nullable(),
  driftedFeatures: z.array(z.string()),
  windowRows: z.number(),
  at: z.number().nullable(),
});
export type MonitoringSummary = z.infer<typeof monitoringSummary>;

/** A deployment as /api/v1/deployments answers it. */
export const deploymentState = z.object({
  name: z.string(),
  spec: deploymentSpec,
  status: z.enum(['starting', 'running', 'restarting', 'failed', 'stopped']),
  url: z.string().nullable(),
  variants: z.array(servedVariant),
  pid: z.number().nullable(),
  restarts: z.number(),
  /** Why the last start, crash or redeploy failed. */
  lastError: z.string().nullable(),
  startedAt: z.number(),
  stats: deploymentStats.nullable(),
  /**
   * The latency of the last stats interval that had requests, and when it came:
   * `stats` has none once traffic stops (its p50/p99 cover only the last 2 s), so
   * the CLI and the editor show these, with how long the deployment has been idle.
   * (Absent from backends older than this field.)
   */
  lastLatency: z.object({ p50Ms: z.number(), p99Ms: z.number(), at: z.number() }).nullable().optional(),
  monitoring: monitoringSummary.nullable().optional(),
});
export type DeploymentState = z.infer<typeof deploymentState>;
export type DeploymentStatus = DeploymentState['status'];

/**
 * Live events of deployments on the backend's event stream (`event: deployment`):
 * the view updates from them instead of polling. `changed` carries the new state
 * (status, stats every 2 s, monitoring), `removed` a stopped deployment, `alert`
 * data set drift starting or ending (and the retraining it started).
 */
export const deploymentEvent = z.object({
  kind: z.enum(['changed', 'removed', 'alert']),
  name: z.string(),
  deployment: deploymentState.nullable(),
  alert: driftAlert.nullable(),
});
export type DeploymentEvent = z.infer<typeof deploymentEvent>;

/**
 * GET|POST /api/v1/deployments/NAME/token: the deployment's serving token (POST:
 * a new one; the old one stops working at once) and the workspace file that holds it.
 */
export const servingTokenResponse = z.object({ name: z.string(), token: z.string(), file: z.string() });
export type ServingTokenResponse = z.infer<typeof servingTokenResponse>;

// --- backend -> deployment process (IPC) ---
export const toDeploymentProcess = z.discriminatedUnion('type', [
  /** Load these variants beside the ones serving, then switch atomically (no request dropped). */
  z.object({ type: z.literal('deploy'), spec: deploymentSpec }),
  /** The deployment's serving token: accepted from now on, in place of the one before (sent before the first deploy, and on rotation). */
  z.object({ type: z.literal('servingToken'), token: z.string().min(32) }),
  z.object({ type: z.literal('stop') }),
]);
export type ToDeploymentProcess = z.infer<typeof toDeploymentProcess>;

// --- deployment process -> backend (IPC) ---
export const fromDeploymentProcess = z.discriminatedUnion('type', [
  /** Listening and serving the variants. */
  z.object({ type: z.literal('ready'), url: z.string(), variants: z.array(servedVariant) }),
  /** A redeploy switched to these variants. */
  z.object({ type: z.literal('deployed'), variants: z.array(servedVariant) }),
  /** The serving token of a `servingToken` message is the one checked now. */
  z.object({ type: z.literal('servingTokenSet') }),
  /** A deploy could not be done; what was serving keeps serving. */
  z.object({ type: z.literal('deployFailed'), message: z.string() }),
  /** Request counters for the editor (every few seconds). */
  deploymentStats,
  /** Monitoring's state changed (loading the reference, waiting for rows, an error). */
  z.object({ type: z.literal('monitoring'), status: monitoringStatus, message: z.string().nullable(), windowRows: z.number(), recordedRows: z.number() }),
  /** The reference is loaded. */
  z.object({ type: z.literal('reference'), info: referenceInfo }),
  /** Drift of the current window. */
  z.object({ type: z.literal('drift'), snapshot: driftSnapshot, recordedRows: z.number() }),
]);
export type FromDeploymentProcess = z.infer<typeof fromDeploymentProcess>;

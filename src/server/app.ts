import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Router, type RouteListing } from './http/router';
import { checkHost, checkToken } from './http/security';
import { toHttpError } from './http/httpError';
import { sendJson } from './http/body';
import { closeAfterAnswer } from './http/closeAfterAnswer';
import { createGuardedServer } from './http/guardedServer';
import { requestUrl } from './http/requestPath';
import { registerTrackingRoutes } from './mlflow/trackingRoutes';
import { registerArtifactRoutes } from './mlflow/artifactRoutes';
import { registerNativeRoutes } from './native/nativeRoutes';
import { registerRegistryRoutes } from './mlflow/registryRoutes';
import { registerModelsRoute } from './native/modelsRoute';
import { registerPipelinesRoute } from './native/pipelinesRoute';
import { registerDeploymentsRoute } from './native/deploymentsRoute';
import { DeploymentSupervisor } from './deployments/deploymentSupervisor';
import { ModelRegistry, type ModelRegistryOptions } from '../core/registry/modelRegistry';
import { inspectOnnxModel } from '../core/registry/onnxInspector';
import { EventStream } from './native/eventStream';
import type { TrackingStore } from '../core/tracking/trackingStore';
import { SeriesReader } from '../core/tracking/seriesReader';
import { RunsTableReader } from '../core/tracking/runsTableReader';
import { version } from '../../package.json';

export interface AppOptions {
  tracking: TrackingStore;
  token: string;
  workspace: string;
  log?: (line: string) => void;
  /** How the registry inspects model files (the ONNX seam; see core/registry/modelInspector.ts); the ONNX inspector by default. */
  registry?: ModelRegistryOptions;
}

export interface App {
  server: Server;
  events: EventStream;
  /** The deployments this backend runs (each in its own process). */
  deployments: DeploymentSupervisor;
  /** Time of the last request, for idle shutdown. */
  lastActivity(): number;
  /** The routes this backend answers (the route fuzz test reaches each one). */
  routes(): readonly RouteListing[];
  dispose(): Promise<void>;
}

/** The HTTP surface: MLflow's tracking and registry APIs and artifact proxy, plus /api/v1. */
export function createApp(options: AppOptions): App {
  const { tracking } = options;
  const token = Buffer.from(options.token);
  const router = new Router();
  const events = new EventStream(tracking.changes);
  const series = new SeriesReader(tracking.store.layout.database, tracking.store.db);
  const table = new RunsTableReader(tracking.store.layout.database, tracking.store.db);
  // For the runs table benchmark only: the previous, main-thread implementation.
  const legacyRunsTable = process.env.MLOPS_RUNS_TABLE_LEGACY === '1';
  const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel, ...options.registry });
  registerTrackingRoutes(router, tracking);
  registerRegistryRoutes(router, registry);
  registerArtifactRoutes(router, tracking, registry);
  registerModelsRoute(router, registry);
  registerPipelinesRoute(router, { tracking, workspace: options.workspace });
  const deployments = new DeploymentSupervisor({
    workspace: options.workspace,
    registry,
    token: options.token,
    log: options.log ?? (() => {}),
    onEvent: (event) => events.publish('deployment', event),
  });
  registerDeploymentsRoute(router, deployments);
  registerNativeRoutes(router, { tracking, series, table, legacyRunsTable, events, version, workspace: options.workspace });
  let lastActivity = Date.now();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    lastActivity = Date.now();
    try {
      checkHost(req);
      checkToken(req, token);
      const rawUrl = req.url ?? '/';
      // Route on the raw path: URL parsing would resolve '..' and '%2e%2e'
      // segments away before the artifact routes could refuse them.
      const rawPath = rawUrl.split('?')[0];
      const url = requestUrl(rawUrl);
      const { handler, params, rest } = router.match(req.method ?? 'GET', rawPath);
      await handler({ req, res, url, params, rest });
    } catch (err) {
      // (req.destroyed alone is no sign: a fully read body is destroyed too.)
      if (res.destroyed || req.socket.destroyed || (err as { code?: string })?.code === 'ECONNRESET') {
        res.destroy(); // the client went away mid-request (killed, timed out): nothing to answer
        return;
      }
      const httpError = toHttpError(err);
      if (httpError.status >= 500) options.log?.(`${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      if (res.headersSent) return void res.destroy();
      closeAfterAnswer(req, res);
      sendJson(res, httpError.status, { error_code: httpError.code, message: httpError.message });
    }
  };

  const server = createGuardedServer(
    { answer: (_req, res, error) => sendJson(res, error.status, { error_code: error.code, message: error.message }) },
    (req, res) => void handle(req, res),
  );
  return {
    server,
    events,
    deployments,
    lastActivity: () => lastActivity,
    routes: () => router.routes(),
    async dispose() {
      events.dispose();
      await deployments.dispose();
      await Promise.all([series.dispose(), table.dispose()]);
    },
  };
}

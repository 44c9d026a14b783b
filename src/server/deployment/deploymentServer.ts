// The deployment's HTTP server: loopback Host check and the workspace token on
// every route (unless the deployment was started without auth), a request id on
// every response, and failures in the error shape of the protocol the path belongs to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Router } from '../http/router';
import { checkHost, checkToken } from '../http/security';
import { toHttpError } from '../http/httpError';
import { registerDeploymentRoutes } from './deploymentRoutes';
import { errorBody, errorShapeOf, sendBody } from './errorShapes';
import type { ServingContext } from './inferenceCall';

export interface DeploymentServerOptions extends ServingContext {
  deploymentName(): string;
  /** The token to require, or undefined when the deployment runs without auth. */
  token(): Buffer | undefined;
  log(line: string): void;
}

/** A client's own request id is echoed if it is printable and short; otherwise we make one. */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const requestIds = new WeakMap<ServerResponse, string>();
/** Request ids: unique per process start plus a counter (a UUID per request costs more than it gives). */
const ID_PREFIX = `${randomUUID().slice(0, 8)}-`;
let requestCounter = 0;
const newRequestId = () => ID_PREFIX + (++requestCounter).toString(36);

export function createDeploymentServer(options: DeploymentServerOptions): Server {
  const router = new Router();
  registerDeploymentRoutes(router, { ...options, requestIdOf: (res) => requestIds.get(res) ?? newRequestId() });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : newRequestId();
    requestIds.set(res, requestId);
    res.setHeader('X-Request-Id', requestId);
    try {
      checkHost(req);
      const token = options.token();
      if (token) checkToken(req, token);
      const { handler, rest } = router.match(req.method ?? 'GET', path);
      // The URL object only for routes that read it (inference routes do not).
      await handler({
        req,
        res,
        get url() {
          return new URL(req.url ?? '/', 'http://127.0.0.1');
        },
        rest,
      });
    } catch (err) {
      if (res.destroyed || req.socket.destroyed || (err as { code?: string })?.code === 'ECONNRESET') {
        res.destroy(); // the client left: nothing to answer
        return;
      }
      const httpError = toHttpError(err);
      // The shared router speaks of MLflow's API; here the message names this server's routes.
      const message = httpError.code === 'ENDPOINT_NOT_FOUND' ? `No endpoint ${req.method} ${path} on this deployment (see /v2, /invocations, /v1/models/{name}:predict, /metrics).` : httpError.message;
      if (httpError.status >= 500) options.log(`${req.method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendBody(res, httpError.status, errorBody(errorShapeOf(path), httpError.status, message), { 'X-Request-Id': requestId });
      else res.destroy();
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handle(req, res));
  server.headersTimeout = 70_000;
  return server;
}

// The deployment's HTTP server: loopback Host check and the deployment's serving
// token (or the workspace token) on every route (unless the deployment was started
// without auth: then requests from web pages are refused instead), a request id on
// every response, and failures in the error shape of the protocol the path belongs to.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Router, type RequestContext } from '../http/router';
import { bearerOutcome, checkHost, foreignPage } from '../http/security';
import { HttpError, toHttpError } from '../http/httpError';
import { closeAfterAnswer } from '../http/closeAfterAnswer';
import { createGuardedServer } from '../http/guardedServer';
import { requestUrl } from '../http/requestPath';
import { registerDeploymentRoutes } from './deploymentRoutes';
import { errorBody, errorShapeOf, sendBody } from './errorShapes';
import type { ServingContext } from './inferenceCall';
import { assignRequestId } from './requestId';

export interface DeploymentServerOptions extends ServingContext {
  deploymentName(): string;
  /** The tokens a request may bring, or undefined when the deployment runs without auth. */
  tokens(): readonly Buffer[] | undefined;
  log(line: string): void;
}

export function createDeploymentServer(options: DeploymentServerOptions): Server {
  const router = new Router();
  registerDeploymentRoutes(router, options);

  const fail = (req: IncomingMessage, res: ServerResponse, path: string, err: unknown) => {
    if (res.destroyed || req.socket.destroyed || (err as { code?: string })?.code === 'ECONNRESET') {
      res.destroy(); // the client left: nothing to answer
      return;
    }
    const httpError = toHttpError(err);
    // The shared router speaks of MLflow's API; here the message names this server's routes.
    const message = httpError.code === 'ENDPOINT_NOT_FOUND' ? `No endpoint ${req.method} ${path} on this deployment (see /v2, /invocations, /v1/models/{name}:predict, /metrics).` : httpError.message;
    if (httpError.status >= 500) options.log(`${req.method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return void res.destroy();
    closeAfterAnswer(req, res);
    sendBody(res, httpError.status, errorBody(errorShapeOf(path), httpError.status, message));
  };

  // Not an async function: its frame and promise were a measurable share of a small model's request.
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    assignRequestId(req, res);
    let pending: Promise<void> | void;
    try {
      checkHost(req);
      const tokens = options.tokens();
      if (tokens) {
        const outcome = bearerOutcome(req, tokens);
        if (outcome !== 'ok') throw unauthenticated(outcome, options.deploymentName());
      } else {
        const page = foreignPage(req);
        if (page) throw fromWebPage(page, options.deploymentName());
      }
      const { handler, params, rest } = router.match(req.method ?? 'GET', path);
      pending = handler(new DeploymentRequest(req, res, params, rest));
    } catch (err) {
      fail(req, res, path, err);
      return;
    }
    if (pending) pending.catch((err: unknown) => fail(req, res, path, err));
  };

  return createGuardedServer({ answer: (req, res, error) => sendBody(res, error.status, errorBody(errorShapeOf(req.url ?? '/'), error.status, error.message)) }, handle);
}

/** The 403 of a --no-auth deployment to a web page: any site could otherwise make a browser call it. */
function fromWebPage(page: string, name: string): HttpError {
  return new HttpError(
    403,
    'PERMISSION_DENIED',
    `Refused a request from ${page}: deployment ${name} runs with --no-auth, so it answers programs on this machine, not web pages (any site could make a browser send requests here). ` +
      `Call it from a program (curl, a client library: they send no Origin header), or serve it with auth (without --no-auth) and send its serving token (mlops deployments token ${name}).`,
  );
}

function unauthenticated(outcome: 'missing' | 'invalid', name: string): HttpError {
  const where = `mlops deployments token ${name} prints it; it is kept in .mlops/deployments/${name}/serving-token`;
  return new HttpError(
    401,
    'UNAUTHENTICATED',
    outcome === 'missing'
      ? `Missing Authorization header. Send "Authorization: Bearer <token>" with this deployment's serving token (${where}).`
      : `Invalid token. Send this deployment's serving token (${where}); a rotated token stops working at once.`,
  );
}

/** A route's view of a request; the URL object is built only for routes that read it (inference routes do not). */
class DeploymentRequest implements RequestContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Readonly<Record<string, string>>,
    readonly rest: string,
  ) {}

  get url(): URL {
    return requestUrl(this.req.url ?? '/');
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './httpError';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The part of the path matched by a trailing `*` in the route pattern. */
  rest: string;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

/** A route as registered: `prefix` routes answer every path under their pattern (which ends in `/*`). */
export interface RouteListing {
  method: Method;
  pattern: string;
  prefix: boolean;
}

interface Route {
  method: Method;
  pattern: string;
  prefix: boolean;
  handler: Handler;
}

/** Exact-path routes plus prefix routes (pattern ending in `/*`). */
export class Router {
  private readonly exact = new Map<string, Handler>();
  private readonly prefixes: Route[] = [];
  private readonly paths = new Set<string>();
  private readonly listing: RouteListing[] = [];

  on(method: Method, pattern: string, handler: Handler): this {
    this.listing.push({ method, pattern, prefix: pattern.endsWith('/*') });
    if (pattern.endsWith('/*')) {
      this.prefixes.push({ method, pattern: pattern.slice(0, -1), prefix: true, handler });
    } else {
      this.exact.set(`${method} ${pattern}`, handler);
      this.paths.add(pattern);
    }
    return this;
  }

  /** Every route in registration order, so a test can reach each one without a list of its own going stale. */
  routes(): readonly RouteListing[] {
    return this.listing.map((r) => ({ ...r }));
  }

  /** The handler and the path remainder, or an HttpError (404/405). */
  match(method: string, path: string): { handler: Handler; rest: string } {
    const handler = this.exact.get(`${method} ${path}`) ?? (method === 'HEAD' ? this.exact.get(`GET ${path}`) : undefined);
    if (handler) return { handler, rest: '' };
    for (const route of this.prefixes) {
      if (path.startsWith(route.pattern) || path === route.pattern.slice(0, -1)) {
        if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
          return { handler: route.handler, rest: path.slice(route.pattern.length) };
        }
      }
    }
    if (this.paths.has(path) || this.prefixes.some((r) => path.startsWith(r.pattern))) {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed for ${path}.`);
    }
    throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint ${method} ${path}. See the MLflow REST API 2.0 or /api/v1 in README.`);
  }
}

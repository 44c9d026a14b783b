import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './httpError';
import { decodePathPart } from './requestPath';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path's parameters (`:name` segments of the route's pattern), percent-decoded. */
  params: Readonly<Record<string, string>>;
  /** The part of the path matched by a trailing `*` in the route pattern, as sent (not decoded). */
  rest: string;
}

export type Handler<C = RequestContext> = (ctx: C) => Promise<void> | void;

/** A route as registered: `prefix` routes answer every path under their pattern (which ends in `/*`). */
export interface RouteListing {
  method: Method;
  pattern: string;
  prefix: boolean;
  /** The names of the pattern's `:name` segments, in order. */
  params: readonly string[];
}

/** A route's answer to a path: its handler, the decoded parameters and the `*` remainder. */
export interface RouteMatch<C> {
  handler: Handler<C>;
  params: Record<string, string>;
  rest: string;
}

/** A `:name` segment, possibly with a literal suffix (`:name:predict` matches `churn:predict`). */
interface ParamEdge<C> {
  name: string;
  suffix: string;
  node: Node<C>;
}

class Node<C> {
  readonly literals = new Map<string, Node<C>>();
  /** Longest suffix first, so `:name:predict` is tried before `:name`. */
  readonly params: ParamEdge<C>[] = [];
  readonly handlers = new Map<string, Handler<C>>();
  /** Handlers of `<this path>/*`, by method. */
  readonly prefixHandlers = new Map<string, Handler<C>>();
}

const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]*)(.*)$/;

/**
 * Routes by path segments: literal segments, `:name` parameters (one whole segment,
 * or its start before a literal suffix) and a trailing `*` (the rest of the path).
 * At each segment a literal wins over a parameter, and a parameter over `*`, among
 * the routes of the request's method: `GET traces/search` is never taken for the
 * trace `search`, while a path only registered for other methods falls through to
 * a parameter route of this one. An unknown path answers
 * 404 ENDPOINT_NOT_FOUND (the code MLflow clients fall back on), a known path with
 * another method 405. `C` is the context handlers take (the deployment's differs).
 */
export class Router<C = RequestContext> {
  private readonly root = new Node<C>();
  private readonly listing: RouteListing[] = [];
  /** Routes without parameters by "METHOD /path": one lookup for the hot paths (ingest, inference by name). */
  private readonly literal = new Map<string, Handler<C>>();

  on(method: Method, pattern: string, handler: Handler<C>): this {
    const prefix = pattern.endsWith('/*');
    const segments = (prefix ? pattern.slice(0, -2) : pattern).split('/').slice(1);
    const params: string[] = [];
    let node = this.root;
    for (const segment of segments) {
      const param = PARAM_SEGMENT.exec(segment);
      if (!param) {
        node = getOrAdd(node.literals, segment, () => new Node<C>());
        continue;
      }
      const [, name, suffix] = param;
      if (params.includes(name)) throw new Error(`route ${pattern}: parameter :${name} appears twice`);
      params.push(name);
      let edge = node.params.find((e) => e.suffix === suffix);
      if (edge && edge.name !== name) throw new Error(`route ${pattern}: :${name}${suffix} is registered as :${edge.name}${suffix} by another route`);
      if (!edge) {
        edge = { name, suffix, node: new Node<C>() };
        node.params.push(edge);
        node.params.sort((a, b) => b.suffix.length - a.suffix.length);
      }
      node = edge.node;
    }
    const handlers = prefix ? node.prefixHandlers : node.handlers;
    if (handlers.has(method)) throw new Error(`route ${method} ${pattern} is registered twice`);
    handlers.set(method, handler);
    if (!prefix && !params.length) this.literal.set(`${method} ${pattern}`, handler);
    this.listing.push({ method, pattern, prefix, params });
    return this;
  }

  /** Every route in registration order, so a test can reach each one without a list of its own going stale. */
  routes(): readonly RouteListing[] {
    return this.listing.map((r) => ({ ...r }));
  }

  /** The handler, parameters and path remainder, or an HttpError (404, 405; 400 for a parameter badly percent-encoded). */
  match(method: string, path: string): RouteMatch<C> {
    // All literal, so no parameter route could win over it.
    const literal = this.literal.get(`${method} ${path}`) ?? (method === 'HEAD' ? this.literal.get(`GET ${path}`) : undefined);
    if (literal) return { handler: literal, params: {}, rest: '' };
    const segments = path.split('/').slice(1);
    let otherMethod = false;
    const found = walk(this.root, segments, 0, [], (handlers) => {
      const handler = handlers.get(method) ?? (method === 'HEAD' ? handlers.get('GET') : undefined);
      if (!handler && handlers.size) otherMethod = true;
      return handler;
    });
    if (found) {
      const params: Record<string, string> = {};
      for (const [name, raw] of found.params) params[name] = decodePathPart(raw, `path parameter '${name}'`);
      return { handler: found.handler, params, rest: found.rest };
    }
    if (otherMethod) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed for ${path}.`);
    const near = this.routesNear(segments);
    throw new HttpError(
      404,
      'ENDPOINT_NOT_FOUND',
      near.length
        ? `No API endpoint ${method} ${path}. The routes there: ${near.join(', ')}.`
        : `No API endpoint ${method} ${path}. See the MLflow REST API 2.0 or /api/v1 in README.`,
    );
  }

  /** The routes that share the most leading segments (four at least) with a path no route takes: a typo's likely fix. */
  private routesNear(segments: string[]): string[] {
    let best = 4;
    let near: RouteListing[] = [];
    for (const route of this.listing) {
      const pattern = route.pattern.split('/').slice(1);
      let shared = 0;
      while (shared < segments.length && shared < pattern.length && pattern[shared] !== '*' && (pattern[shared] === segments[shared] || (PARAM_SEGMENT.test(pattern[shared]) && segments[shared] !== ''))) shared++;
      if (shared > best) [best, near] = [shared, [route]];
      else if (shared === best) near.push(route);
    }
    return near.slice(0, 8).map((r) => `${r.method} ${r.pattern}`);
  }
}

interface Found<C> {
  handler: Handler<C>;
  params: [string, string][];
  rest: string;
}

/** Depth first, literal before parameter before `*` at each segment; the first route with a handler for the method wins. */
function walk<C>(node: Node<C>, segments: string[], i: number, params: [string, string][], pick: (handlers: Map<string, Handler<C>>) => Handler<C> | undefined): Found<C> | undefined {
  if (i === segments.length) {
    const handler = pick(node.handlers);
    if (handler) return { handler, params: [...params], rest: '' };
  } else {
    const segment = segments[i];
    const literal = node.literals.get(segment);
    const byLiteral = literal && walk(literal, segments, i + 1, params, pick);
    if (byLiteral) return byLiteral;
    for (const edge of node.params) {
      if (segment.length <= edge.suffix.length || !segment.endsWith(edge.suffix)) continue;
      params.push([edge.name, segment.slice(0, segment.length - edge.suffix.length)]);
      const byParam = walk(edge.node, segments, i + 1, params, pick);
      params.pop();
      if (byParam) return byParam;
    }
  }
  // `<path>/*` answers the path itself too, with an empty rest (the artifact listing's root).
  if (node.prefixHandlers.size) {
    const handler = pick(node.prefixHandlers);
    if (handler) return { handler, params: [...params], rest: segments.slice(i).join('/') };
  }
  return undefined;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

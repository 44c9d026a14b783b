import type { ZodType } from 'zod';
import type { RequestContext, Handler } from '../http/router';
import { readJson, queryObject, sendJson } from '../http/body';
import { HttpError } from '../http/httpError';

export interface MlflowRouteOptions {
  /** Largest JSON body accepted, in bytes. */
  limit?: number;
  tooLarge?: () => HttpError;
}

/**
 * An MLflow endpoint: input from the query string (GET) or the JSON body
 * (other methods), validated by `schema`, answered with the handler's JSON
 * (unless the handler answered itself).
 */
export function mlflowRoute<S extends ZodType>(
  schema: S,
  handler: (input: S['_output'], ctx: RequestContext) => unknown | Promise<unknown>,
  options: MlflowRouteOptions = {},
): Handler {
  return async (ctx) => {
    const method = ctx.req.method;
    let raw = method === 'GET' || method === 'HEAD' ? queryObject(ctx.url) : await readJson(ctx.req, options.limit, options.tooLarge);
    // MLflow's registry DELETE endpoints: some clients send a JSON body, others the query string.
    if (method === 'DELETE' && isEmptyObject(raw)) raw = queryObject(ctx.url);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new HttpError(400, 'MALFORMED_REQUEST', 'Request body must be a JSON object.');
    }
    const input = schema.parse(raw);
    const result = await handler(input, ctx);
    // A handler that streams its answer has written it already.
    if (!ctx.res.headersSent) sendJson(ctx.res, 200, result ?? {});
  };
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** MLflow accepts `run_id` or the deprecated `run_uuid`. */
export function runIdOf(input: { run_id?: string; run_uuid?: string }): string {
  const id = input.run_id || input.run_uuid;
  if (!id) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
  return id;
}

export function maxResultsOf(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (value < 1 || value > max) {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid value ${value} for parameter 'max_results' supplied. It must be at most ${max}, and at least 1.`);
  }
  return value;
}

// Every answer of a deployment carries X-Request-Id: the client's own id when it
// sent a usable one, else ours. Ours are a per-process prefix plus a counter (a
// UUID per request costs more than it gives). The id rides on the response
// object itself: a WeakMap from responses to ids made the young-generation GC
// walk one ephemeron per request in flight, a measurable share of a small
// model's request (bench/serving.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A client's own request id is echoed if it is printable and short. */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const ID_PREFIX = `${randomUUID().slice(0, 8)}-`;
let requestCounter = 0;
const REQUEST_ID = Symbol('mlops.requestId');

type WithRequestId = ServerResponse & { [REQUEST_ID]?: string };

export function newRequestId(): string {
  return ID_PREFIX + (++requestCounter).toString(36);
}

/** Gives the request its id (the client's, or a new one) and returns it. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : newRequestId();
  (res as WithRequestId)[REQUEST_ID] = id;
  return id;
}

/** The id assign gave this response; a new one for a response that never got one. */
export function requestIdOf(res: ServerResponse): string {
  return ((res as WithRequestId)[REQUEST_ID] ??= newRequestId());
}

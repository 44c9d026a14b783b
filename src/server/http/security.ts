import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Refuses requests whose Host header names anything but loopback. A web page
 * that rebinds its own domain to 127.0.0.1 still sends its domain as Host.
 */
export function checkHost(req: IncomingMessage): void {
  const host = req.headers.host;
  if (!host) throw new HttpError(403, 'PERMISSION_DENIED', 'Missing Host header; this server only answers loopback clients.');
  if (!isLoopbackHost(host)) {
    throw new HttpError(403, 'PERMISSION_DENIED', `Host '${host}' is not allowed: this server only answers requests addressed to 127.0.0.1 or localhost.`);
  }
}

function isLoopbackHost(hostAndPort: string): boolean {
  const name = hostAndPort.startsWith('[') ? hostAndPort.slice(0, hostAndPort.indexOf(']') + 1) : hostAndPort.split(':')[0];
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

/** "http://localhost:3000", "https://127.0.0.1"; never "null" (a sandboxed or file: page). */
function isLoopbackOrigin(origin: string): boolean {
  const hostStart = origin.startsWith('http://') ? 7 : origin.startsWith('https://') ? 8 : -1;
  return hostStart > 0 && isLoopbackHost(origin.slice(hostStart));
}

/**
 * For a server that needs no token: whether a web page made the request, and
 * which (undefined: no page did). A page can POST text/plain or form bodies to any
 * URL without a preflight, and the browser sends them; only the page's Origin (or,
 * where a browser leaves it out, Sec-Fetch-Site) tells them from a program's.
 * Programs (curl, client libraries) send neither. Header lookups only: it runs on
 * every inference request.
 */
export function foreignPage(req: IncomingMessage): string | undefined {
  const headers = req.headers;
  const origin = headers.origin;
  if (origin === undefined) return headers['sec-fetch-site'] === 'cross-site' ? 'a page of another site (Sec-Fetch-Site: cross-site)' : undefined;
  if (isLoopbackOrigin(origin)) return undefined;
  return origin === 'null' ? 'a sandboxed or local page (Origin: null)' : `a page of ${origin}`;
}

/** Whether a request's `Authorization: Bearer <token>` names one of the `accepted` tokens (compared in constant time). */
export function bearerOutcome(req: IncomingMessage, accepted: readonly Buffer[]): 'ok' | 'missing' | 'invalid' {
  const header = req.headers.authorization;
  if (!header) return 'missing';
  // The usual header needs no regex (every request of a deployment comes through here).
  const match = header.startsWith('Bearer ') && header.charCodeAt(7) > 32 && header.charCodeAt(header.length - 1) > 32 ? undefined : /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = Buffer.from(match === undefined ? header.slice(7) : match ? match[1].trim() : '');
  for (const token of accepted) if (given.length === token.length && timingSafeEqual(given, token)) return 'ok';
  return 'invalid';
}

/** Requires `Authorization: Bearer <token>` (what MLflow sends for MLFLOW_TRACKING_TOKEN). */
export function checkToken(req: IncomingMessage, token: Buffer): void {
  const outcome = bearerOutcome(req, [token]);
  if (outcome === 'missing') {
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      'Missing Authorization header. Send "Authorization: Bearer <token>" with the token from .mlops/server.json ' +
        '(MLflow clients: set MLFLOW_TRACKING_TOKEN; inside `mlops run` this is done for you).',
    );
  }
  if (outcome === 'invalid') {
    throw new HttpError(401, 'UNAUTHENTICATED', 'Invalid token. Use the token from this workspace\'s .mlops/server.json (a deployment\'s serving token only opens that deployment\'s serving routes).');
  }
}

import type { RouteListing } from '../../src/server/http/router';
import { mutateValue, RawJson, strangeBody, toJsonText } from './fuzzBodies';
import { NASTY_STRINGS, randomString, type FuzzRandom } from './fuzzRandom';
import type { RawRequest } from './rawHttp';

// One random request for one route of a server: the route's method most of the
// time, its path (a prefix route with a random tail), a query, headers that get
// past auth most of the time, and a body that starts valid and is then broken.

/** A valid body for a route: a JSON value, or text of its own type (CSV for /invocations). */
export type BodySeed = (rng: FuzzRandom) => { value: unknown } | { text: string; contentType: string };

export interface FuzzTarget {
  port: number;
  token: string;
  routes: readonly RouteListing[];
  /** Path segments worth trying after a prefix route: real names and ids, the protocols' words. */
  segments: readonly string[];
  /** The valid bodies of a route, when known; other routes get any of `anyBody`. */
  bodiesFor(route: RouteListing): readonly BodySeed[];
  anyBody: readonly BodySeed[];
}

export interface FuzzCase {
  route: RouteListing | undefined;
  routeClass: string;
  request: RawRequest;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get'];

const ODD_SEGMENTS = [
  '..', '.', '', '%2e%2e', '%2E%2E%2F', '..%2f..%2fetc', '%252e%252e', '%2f', '%5c', '\\..\\', '%', '%zz', '%E0%A4%A', '%C3%28', '%ED%A0%80',
  '%00', '%0a', '%F0%9F%98%80', 'é', '😀', 'ü%20x', '~', '*', ':predict', 'versions', 'ready', 'infer', 'x'.repeat(5000),
];

/** Requests are grouped by the first parts of their path in the report. */
export function routeClassOf(pattern: string): string {
  const parts = pattern.split('/').filter((p) => p && p !== '*');
  return '/' + parts.slice(0, parts[0] === 'api' || parts[0] === 'ajax-api' ? 4 : 2).join('/');
}

export function fuzzCase(rng: FuzzRandom, target: FuzzTarget, route: RouteListing | undefined): FuzzCase {
  const method = route && rng.chance(0.85) ? route.method : rng.pick(METHODS);
  const path = route ? routePath(rng, target, route) : unroutedPath(rng, target);
  const seeds = route ? target.bodiesFor(route) : [];
  const seed = rng.pick(seeds.length && rng.chance(0.9) ? seeds : target.anyBody)(rng);
  const readsQuery = method === 'GET' || method === 'HEAD' || (method === 'DELETE' && rng.chance(0.5));
  const value = 'value' in seed ? (rng.chance(0.7) ? mutateValue(rng, seed.value) : seed.value) : undefined;
  const query = readsQuery && value !== undefined ? queryOf(rng, value) : rng.chance(0.1) ? queryOf(rng, { x: rng.pick(NASTY_STRINGS) }) : '';
  const withBody = readsQuery ? rng.chance(0.1) : rng.chance(0.97);
  let body: Buffer | undefined;
  let contentType: string | undefined = 'contentType' in seed ? seed.contentType : 'application/json';
  if (withBody) {
    const text = value !== undefined ? toJsonText(value) : 'text' in seed ? seed.text : '';
    body = rng.chance(0.15) ? strangeBody(rng, text) : Buffer.from(text, 'utf8');
  }
  if (rng.chance(0.3)) contentType = rng.pick([undefined, '', 'application/json; charset=utf-8', 'text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json, text/csv', 'ä/ö', 'application/octet-stream']);
  const headers: [string, string][] = [];
  if (contentType !== undefined) headers.push(['Content-Type', contentType]);
  const auth = authorization(rng, target.token);
  if (auth !== undefined) headers.push(['Authorization', auth]);
  for (let n = rng.chance(0.25) ? rng.int(1, 3) : 0; n > 0; n--) headers.push(extraHeader(rng));
  const framing = body === undefined ? 'exact' : rng.weighted<RawRequest['framing']>([[80, 'exact'], [8, 'chunked'], [4, 'short'], [4, 'long'], [4, 'none']]);
  const host = rng.weighted<string | undefined>([[97, `127.0.0.1:${target.port}`], [1, `localhost:${target.port}`], [0.5, `[::1]:${target.port}`], [1, 'example.com'], [0.5, undefined]]);
  return {
    route,
    routeClass: route ? routeClassOf(route.pattern) : '(unrouted)',
    request: { method, target: path + (query ? `?${query}` : ''), host, headers, body, framing },
  };
}

function routePath(rng: FuzzRandom, target: FuzzTarget, route: RouteListing): string {
  // A `:name` segment (with its literal suffix, as in `:name:predict`) gets a value, mostly a real one.
  const pattern = route.pattern.replace(/\/:[A-Za-z_][A-Za-z0-9_]*([^/]*)/g, (_, suffix: string) => `/${pathSegment(rng, target)}${rng.chance(0.9) ? suffix : ''}`);
  if (!route.prefix) return rng.chance(0.8) ? pattern : mutatePath(rng, pattern);
  const base = pattern.slice(0, -1);
  const parts = Array.from({ length: rng.weighted([[1, 0], [4, 1], [4, 2], [3, 3], [2, 4], [1, 6]]) }, () => pathSegment(rng, target));
  let tail = parts.join('/');
  if (rng.chance(0.1)) tail += rng.pick([':predict', '/', '//', '?', '#x', ';a=b']);
  return rng.chance(0.05) ? base.slice(0, -1) : base + tail;
}

function pathSegment(rng: FuzzRandom, target: FuzzTarget): string {
  const plain = rng.chance(0.7) ? rng.pick(target.segments) : rng.pick(ODD_SEGMENTS);
  return rng.weighted<() => string>([
    [6, () => plain],
    [2, () => safeEncode(plain)],
    [1, () => [...Buffer.from(plain)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')],
    [1, () => safeEncode(randomString(rng, 12))],
    [0.5, () => randomString(rng, 12).replace(/[\s?#]/g, '_')],
  ])();
}

function mutatePath(rng: FuzzRandom, pattern: string): string {
  return rng.pick<(p: string) => string>([
    (p) => p + '/',
    (p) => p.replace('/', '//'),
    (p) => p.toUpperCase(),
    (p) => p + '/..',
    (p) => p + '/%2e%2e/%2e%2e',
    (p) => p.replace(/\/([^/]+)$/, (_, last: string) => '/' + [...Buffer.from(last)].map((b) => `%${b.toString(16)}`).join('')),
    (p) => p + ';x=1',
    (p) => p + '%',
    (p) => p.replace('/', '/./'),
    (p) => p + '/' + rng.pick(NASTY_STRINGS.filter((s) => !/[\s?#]/.test(s))),
    (p) => p.replace(/\/[^/]+$/, '/%2e%2e$&'),
  ])(pattern);
}

function unroutedPath(rng: FuzzRandom, target: FuzzTarget): string {
  return rng.pick<() => string>([
    () => '/',
    () => '*',
    () => '/%',
    () => '/..',
    () => '/../../etc/passwd',
    () => '/' + pathSegment(rng, target),
    () => rng.pick(target.routes).pattern.replace(/\*$/, '') + randomString(rng, 8).replace(/[\s?#]/g, '_'),
    () => 'http://127.0.0.1/api/v1/health',
  ])();
}

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate: sent raw
  }
}

/** A query string from a body's fields (MLflow's GET form), encoded well or badly, plus strangers. */
function queryOf(rng: FuzzRandom, value: unknown): string {
  const pairs: [string, string][] = [];
  const scalar = (v: unknown) => (v instanceof RawJson ? v.text : typeof v === 'object' && v !== null ? toJsonText(v) : String(v));
  if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson)) {
    for (const [k, v] of Object.entries(value)) {
      if (Array.isArray(v)) for (const item of v) pairs.push([k, scalar(item)]);
      else pairs.push([k, scalar(v)]);
    }
  } else pairs.push(['q', scalar(value)]);
  const encoded = pairs.map(([k, v]) => (rng.chance(0.9) ? `${safeEncode(k)}=${safeEncode(v)}` : `${k}=${v}`.replace(/[\s#]/g, '+')));
  if (rng.chance(0.2)) encoded.push(rng.pick(['%', '%zz=1', 'a=%E0%A4%A', '=', '&', 'x=1&x=2', '__proto__=1', 'constructor=1', 'history=99999999', 'after=..', 'a[]=1', 'max_results=1e999']));
  return encoded.join('&');
}

/** Mostly the valid token in the forms clients write it, so requests reach handlers; sometimes none or a wrong one. */
function authorization(rng: FuzzRandom, token: string): string | undefined {
  return rng.weighted<() => string | undefined>([
    [80, () => `Bearer ${token}`],
    [3, () => `bearer ${token}`],
    [3, () => `Bearer   ${token}  `],
    [2, () => `BEARER\t${token}`],
    [2, () => undefined],
    [2, () => 'Bearer wrong-token'],
    [2, () => 'Basic dXNlcjpwYXNz'],
    [2, () => `Bearer ${token}x`],
    [1, () => 'Bearer ' + 'a'.repeat(8000)],
    [1, () => `Bearer ${token}, Bearer other`],
    [1, () => 'Bearer é😀'],
  ])();
}

function extraHeader(rng: FuzzRandom): [string, string] {
  return rng.pick<[string, string]>([
    ['Range', rng.pick(['bytes=0-0', 'bytes=-1', 'bytes=5-2', 'bytes=0-99999999999999999999', 'bytes=a-b', 'bytes=0-1,3-4', 'bytes=-0'])],
    ['Accept', rng.pick(['*/*', 'text/csv', 'application/x-ndjson', 'é'])],
    ['Accept-Encoding', 'gzip, br'],
    ['Expect', '100-continue'],
    ['X-Request-Id', rng.pick(NASTY_STRINGS.filter((s) => !/[\r\n\u0000]/.test(s)))],
    ['If-None-Match', '*'],
    ['Content-Encoding', 'gzip'],
    ['X-Forwarded-For', '10.0.0.1'],
    ['X-Ünïcode', 'välüe 😀'],
    ['X-Long', 'x'.repeat(10_000)],
    ['Content-Type', 'text/plain'],
    ['Cookie', 'a=b; c'],
    ['Origin', 'http://evil.example'],
  ]);
}

// Page tokens for search endpoints, in MLflow's format: base64 of the JSON
// `{"offset": N}`. Clients treat the token as opaque, but matching MLflow's bytes
// means a token minted by either server works on the other.

export class PageTokenError extends Error {
  /** MLflow's error code for a bad page token (HTTP 400). */
  readonly errorCode = 'INVALID_PARAMETER_VALUE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PageTokenError';
  }
}

/** Python's json.dumps spacing, so tokens are byte-identical to MLflow's. */
export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`page offset must be a non-negative integer, got ${offset}`);
  }
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

// Node's base64 decoder never fails (it skips what it does not understand), so
// garbage is caught here. URL-safe characters and missing padding are accepted
// because tokens travel in query strings and some clients mangle them.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Decode(token: string): string {
  const compact = token.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new PageTokenError('Invalid page token, could not base64-decode');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

function parseJson(decoded: string): unknown {
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    throw new PageTokenError(`Invalid page token, decoded value=${decoded}`);
  }
}

/**
 * The offset a page token stands for. An absent or empty token is the first
 * page (offset 0), as in MLflow.
 */
export function decodePageToken(token: string | undefined | null): number {
  if (!token) return 0;
  const decoded = base64Decode(token);
  const parsed = parseJson(decoded);
  const raw = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).offset : undefined;
  if (raw === undefined || raw === null || raw === '') {
    throw new PageTokenError(`Invalid page token, parsed value=${decoded}`);
  }
  // MLflow int()s the field, so a numeric string is accepted too.
  const offset = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new PageTokenError(`Invalid page token, offset must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return offset;
}

import { HttpError } from './httpError';

/**
 * The request's URL, with our own origin in front: a target like `//[` or
 * `http://x:99999/` is a valid request line but makes `new URL(target, base)`
 * throw (and `//host/…` would take the host from the client).
 */
export function requestUrl(target: string): URL {
  return new URL(`http://127.0.0.1${target.startsWith('/') ? '' : '/'}${target}`);
}

/** A percent-encoded part of a path, decoded; bad encoding (`%E0%A4%A`, a lone `%`) is the client's error. */
export function decodePathPart(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid ${what} '${raw}' in the path: bad percent-encoding (each '%' must start a UTF-8 byte as two hex digits, e.g. %20).`);
  }
}

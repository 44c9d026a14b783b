// Errors as values at the serving boundary: a request a client got wrong is an
// answer ({"error": "..."} with 400 over HTTP), not an exception that could be
// mistaken for a server fault. Inside the codecs a RequestError is thrown for
// brevity and turned into a value where the codec returns.

export type ServingResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Something wrong with the request itself; the message says what to change. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
}

export function ok<T>(value: T): ServingResult<T> {
  return { ok: true, value };
}

export function failed<T>(error: string): ServingResult<T> {
  return { ok: false, error };
}

/** Runs a decoder, turning its RequestError into a value; anything else is a bug and propagates. */
export function asResult<T>(decode: () => T): ServingResult<T> {
  try {
    return ok(decode());
  } catch (err) {
    if (err instanceof RequestError) return failed(err.message);
    throw err;
  }
}

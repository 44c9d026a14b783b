import { ZodError } from 'zod';
import { StoreError } from '../../core/store/storeErrors';

/** An error that becomes an HTTP response with MLflow's `{error_code, message}` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STORE_STATUS: Record<string, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  INVALID_STATE: 400,
  DATA_LOSS: 500,
  STORE_TOO_NEW: 500,
  STORE_UNAVAILABLE: 503,
};

/** Maps anything thrown by a handler to a status and MLflow error body. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StoreError) return new HttpError(STORE_STATUS[err.code] ?? 400, err.code, err.message);
  if (err instanceof ZodError) return new HttpError(400, 'INVALID_PARAMETER_VALUE', describeZodError(err));
  const name = (err as { name?: string })?.name;
  if (name === 'SearchFilterError' || name === 'PageTokenError') {
    return new HttpError(400, 'INVALID_PARAMETER_VALUE', (err as Error).message);
  }
  const code = (err as { code?: string })?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new HttpError(503, 'TEMPORARILY_UNAVAILABLE', 'The store is busy with another writer; retry the request.');
  }
  return new HttpError(500, 'INTERNAL_ERROR', `Internal error: ${(err as Error)?.message ?? String(err)}`);
}

/** One line per problem, naming the field, e.g. "metrics[3].value: expected number". */
export function describeZodError(err: ZodError): string {
  const problems = err.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    // Messages written for a field already name it.
    if (issue.message.includes('parameter ')) return issue.message;
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined') && path) {
      return `Missing value for required parameter '${path}'.`;
    }
    return path ? `Invalid value for '${path}': ${issue.message}.` : issue.message;
  });
  const more = err.issues.length > 5 ? ` (and ${err.issues.length - 5} more problems)` : '';
  return problems.join(' ') + more;
}

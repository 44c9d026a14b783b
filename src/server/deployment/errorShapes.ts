// Each serving protocol has its own error body, and clients of each parse only
// their own: OIP and KServe v1 send {"error": "..."}, MLflow's scoring server
// {"error_code", "message"}. Which one a failure gets follows from the path.
import type { ServerResponse } from 'node:http';
import { requestIdOf } from './requestId';

export type ErrorShape = 'oip' | 'mlflow';

export function errorShapeOf(path: string): ErrorShape {
  return path === '/v2' || path.startsWith('/v2/') || path.startsWith('/v1/models/') ? 'oip' : 'mlflow';
}

const MLFLOW_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'RESOURCE_DOES_NOT_EXIST',
  405: 'BAD_REQUEST',
  413: 'RESOURCE_LIMIT_EXCEEDED',
  415: 'BAD_REQUEST',
  503: 'TEMPORARILY_UNAVAILABLE',
};

export function errorBody(shape: ErrorShape, status: number, message: string): unknown {
  return shape === 'oip' ? { error: message } : { error_code: MLFLOW_CODES[status] ?? 'INTERNAL_ERROR', message };
}

/**
 * Answers with a JSON body, the request's X-Request-Id and `headers` (name, value,
 * name, value…). Headers go to writeHead as one flat list: no header object to
 * build, copy and merge on a path every inference request takes.
 */
export function sendBody(res: ServerResponse, status: number, body: unknown, headers: readonly string[] = []): void {
  sendText(res, status, 'application/json', JSON.stringify(body), headers);
}

/** Answers with `text` of `contentType`, the request's X-Request-Id and `headers` (as sendBody). */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: readonly string[] = []): void {
  res.writeHead(status, ['Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(text)), 'X-Request-Id', requestIdOf(res), ...headers]);
  res.end(text);
}

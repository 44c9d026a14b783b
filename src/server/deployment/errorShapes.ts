// Each serving protocol has its own error body, and clients of each parse only
// their own: OIP and KServe v1 send {"error": "..."}, MLflow's scoring server
// {"error_code", "message"}. Which one a failure gets follows from the path.
import type { ServerResponse } from 'node:http';

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

export function sendBody(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(status, headers);
  res.end(text);
}

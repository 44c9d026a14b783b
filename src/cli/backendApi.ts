import { request } from 'node:http';
import type { ServerInfo } from '../protocol/native';

/** An answer of the workspace's backend that is not 2xx: its status and MLflow-style message. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A JSON request to the workspace's backend (node:http: fetch's client costs
 * tens of milliseconds to load in a short-lived CLI).
 */
export function backendApi(info: ServerInfo, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    // agent: false: one connection per call, closed after it (Node's default agent keeps it alive, and the CLI would wait for it).
    const req = request(info.url + path, { method, agent: false, headers: { Authorization: `Bearer ${info.token}`, 'Content-Type': 'application/json', ...(data ? { 'Content-Length': data.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          /* not JSON: the status says it */
        }
        const status = res.statusCode ?? 500;
        if (status >= 400) reject(new BackendError(status, String(json.message ?? `HTTP ${status}`)));
        else resolve(json);
      });
    });
    req.on('error', (err) => reject(new BackendError(0, `cannot reach the workspace's server at ${info.url}: ${err.message}`)));
    req.end(data);
  });
}

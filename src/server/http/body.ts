import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

export const DEFAULT_JSON_LIMIT = 16 * 1024 * 1024;

/** Reads a body as text, refusing more than `limit` bytes before buffering it. */
export async function readText(req: IncomingMessage, limit: number, tooLarge?: () => HttpError): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const overLimit = tooLarge ?? (() => new HttpError(413, 'RESOURCE_LIMIT_EXCEEDED', `Request body is larger than ${limit} bytes.`));
  if (declared > limit) {
    req.resume();
    throw overLimit();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw overLimit();
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

/** Reads and parses a JSON body, refusing more than `limit` bytes before buffering it. */
export async function readJson(req: IncomingMessage, limit = DEFAULT_JSON_LIMIT, tooLarge?: () => HttpError): Promise<unknown> {
  const text = await readText(req, limit, tooLarge);
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'MALFORMED_REQUEST', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Query parameters as an object; repeated keys become arrays (MLflow's GET requests). */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length > 1 || key.endsWith('_ids') ? values : values[0];
  }
  return out;
}

export function sendJson(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  // Encoded once: measuring the string and then writing it would walk a large
  // response (a chart's 15 MB) twice.
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
}

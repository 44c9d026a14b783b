import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

export const DEFAULT_JSON_LIMIT = 16 * 1024 * 1024;

/**
 * Reads a body as text, refusing more than `limit` bytes before buffering it.
 * Listeners rather than `for await`: on a single-row inference request the async
 * iterator's setup was a measurable share of the whole request (bench/serving.ts).
 */
export function readText(req: IncomingMessage, limit: number, tooLarge?: () => HttpError): Promise<string> {
  const overLimit = tooLarge ?? (() => new HttpError(413, 'RESOURCE_LIMIT_EXCEEDED', `Request body is larger than ${limit} bytes.`));
  if (Number(req.headers['content-length'] ?? NaN) > limit) {
    req.resume();
    return Promise.reject(overLimit());
  }
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(overLimit());
        return;
      }
      if (!first) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    // on, not once: the request object dies with the request, and once wraps every listener.
    req.on('data', onData);
    req.on('end', () => {
      if (size > limit) return;
      resolve(chunks ? Buffer.concat(chunks, size).toString('utf8') : first ? first.toString('utf8') : '');
    });
    req.on('error', reject);
    req.on('aborted', () => reject(Object.assign(new Error('the client aborted the request'), { code: 'ECONNRESET' })));
  });
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

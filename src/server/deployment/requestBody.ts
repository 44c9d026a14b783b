// A request body as text, bounded: the serving codecs parse JSON and CSV themselves
// (their errors name the model's inputs), so the HTTP layer only buffers.
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/httpError';

export const BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Listeners rather than `for await`: on a single-row request the async iterator's
 * setup is a measurable share of the whole request (see bench/serving.ts).
 */
export function readBodyText(req: IncomingMessage, limit = BODY_LIMIT): Promise<string> {
  const tooLarge = () => new HttpError(413, 'RESOURCE_LIMIT_EXCEEDED', `Request body is larger than ${limit} bytes.`);
  if (Number(req.headers['content-length'] ?? NaN) > limit) {
    req.resume();
    return Promise.reject(tooLarge());
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
        reject(tooLarge());
        return;
      }
      if (!first) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size > limit) return;
      resolve(chunks ? Buffer.concat(chunks, size).toString('utf8') : first ? first.toString('utf8') : '');
    });
    req.once('error', reject);
    req.once('aborted', () => reject(Object.assign(new Error('the client aborted the request'), { code: 'ECONNRESET' })));
  });
}

// A request body as text, bounded: the serving codecs parse JSON and CSV themselves
// (their errors name the model's inputs), so the HTTP layer only buffers.
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/httpError';

export const BODY_LIMIT = 64 * 1024 * 1024;

export async function readBodyText(req: IncomingMessage, limit = BODY_LIMIT): Promise<string> {
  const tooLarge = () => new HttpError(413, 'RESOURCE_LIMIT_EXCEEDED', `The request body is larger than ${limit} bytes.`);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

// A request body as text, bounded: the serving codecs parse JSON and CSV themselves
// (their errors name the model's inputs), so the HTTP layer only buffers.
import type { IncomingMessage } from 'node:http';
import { readText } from '../http/body';

export const BODY_LIMIT = 64 * 1024 * 1024;

export function readBodyText(req: IncomingMessage, limit = BODY_LIMIT): Promise<string> {
  return readText(req, limit);
}

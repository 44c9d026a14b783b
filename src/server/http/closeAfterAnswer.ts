import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How much of an unread body is taken in after an early answer before the connection is cut. */
export const DISCARD_BYTES = 64 * 1024;
export const DISCARD_MS = 2_000;

/**
 * Call before answering a request whose body may not have been read (a 401, a
 * 403 Host, a 404, a 413, a refused upload). The answer says `Connection: close`
 * and the connection ends once the body is in, or after 64 KiB or 2 s of it.
 *
 * Without this the server reads a declared body to its end, so a client that
 * trickles one holds the connection for as long as it likes. Cutting it at once
 * is no better: the unread bytes make the kernel reset the connection, and a
 * client still uploading (MLflow's Python client) sees a reset instead of the
 * answer, and retries for minutes instead of showing "invalid token".
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (!bodyStillComing(req) || res.headersSent) return; // keep-alive is safe
  res.setHeader('Connection', 'close');
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // After a `Connection: close` answer Node destroys the socket as soon as the
  // answer is written; half-close instead, so the answer reaches the client
  // while its remaining bytes are still taken in.
  socket.destroySoon = () => socket.end();
  let discarded = 0;
  let cut = false;
  const cutConnection = () => {
    if (cut) return;
    cut = true;
    clearTimeout(timer);
    // The request is ended too: once its answer is written Node no longer ties
    // it to the socket, and a handler still reading it (an upload) would wait forever.
    const cutBoth = () => {
      socket.destroy();
      req.destroy();
    };
    if (res.writableFinished || socket.destroyed) cutBoth();
    else res.once('finish', cutBoth).once('close', cutBoth);
  };
  const timer = setTimeout(cutConnection, DISCARD_MS);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_BYTES) cutConnection();
  });
  req.once('end', cutConnection);
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

/**
 * Whether part of the request body has yet to arrive. A request without a body
 * is not `complete` yet while its handler runs (Node marks it after the
 * 'request' event), so the headers decide.
 */
export function bodyStillComing(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

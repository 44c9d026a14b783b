import type { ServerResponse } from 'node:http';

/**
 * Answers 200 with JSON written piece by piece: `head`, then each page's items
 * (already JSON) separated by commas, then `tail`. Each page waits until the
 * client has taken the one before, so a history of millions of points never
 * sits in memory as one string, and a slow client slows the reading instead.
 * Resolves early if the client goes away.
 */
export async function streamJsonItems(res: ServerResponse, head: string, pages: Iterable<readonly string[]>, tail: string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let first = true;
  let ready = res.write(head);
  for (const items of pages) {
    if (items.length === 0) continue;
    if (!ready && !(await drained(res))) return;
    ready = res.write((first ? '' : ',') + items.join(','));
    first = false;
  }
  res.end(tail);
}

/** True once the response can take more; false if the connection closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    const settle = (ok: boolean) => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    res.once('drain', onDrain).once('close', onClose);
  });
}

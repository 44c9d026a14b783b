// Polls until what a test waits for is there: the host's views, panels and the
// backend answer asynchronously, so tests wait for a state rather than a time.

/** Reads until `ok` holds (then returns what was read); after `timeoutMs`, fails with the last reading. */
export async function until<T>(what: string, read: () => PromiseLike<T | undefined>, ok: (v: T) => boolean, timeoutMs = 20_000, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 1200)}`);
}

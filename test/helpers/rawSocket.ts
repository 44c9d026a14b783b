import { connect, type Socket } from 'node:net';

// A client at the level of bytes on a socket, for clients that misbehave:
// headers or bodies trickled, bodies that stop, connections held open.

export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closes the connection (or it breaks), with the time since connecting. */
  closed: Promise<{ afterMs: number; error?: string }>;
  isClosed(): boolean;
  /** Resolves as `closed` does, or rejects if the connection is still open after `ms`. */
  closedWithin(ms: number): Promise<{ afterMs: number; error?: string }>;
  /** Writes `text` in pieces of `size` bytes, one every `everyMs`, until done or the socket closes. */
  trickle(text: string | Buffer, size: number, everyMs: number): Promise<void>;
  /** Resolves once the server's answer contains `marker` (or rejects when closed without it). */
  waitFor(marker: string, timeoutMs?: number): Promise<string>;
}

export function openRaw(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    let text = '';
    let closedFlag = false;
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<{ afterMs: number; error?: string }>((done) => {
      let error: string | undefined;
      socket.on('error', (err) => (error = (err as NodeJS.ErrnoException).code ?? err.message));
      socket.on('close', () => {
        closedFlag = true;
        done({ afterMs: Date.now() - start, error });
      });
    });
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.once('connect', () => {
      resolve({
        socket,
        received: () => text,
        closed,
        isClosed: () => closedFlag,
        closedWithin: (ms) =>
          Promise.race([
            closed,
            new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`the connection is still open after ${ms} ms; received: ${text}`)), ms).unref()),
          ]),
        async trickle(data, size, everyMs) {
          const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
          for (let i = 0; i < bytes.length && !closedFlag && socket.writable; i += size) {
            socket.write(bytes.subarray(i, i + size));
            await new Promise((r) => setTimeout(r, everyMs));
          }
        },
        async waitFor(marker, timeoutMs = 5_000) {
          const deadline = Date.now() + timeoutMs;
          while (!text.includes(marker)) {
            if (closedFlag) throw new Error(`connection closed before '${marker}'; received: ${text}`);
            if (Date.now() > deadline) throw new Error(`no '${marker}' within ${timeoutMs} ms; received: ${text}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          return text;
        },
      });
    });
    socket.once('error', reject);
  });
}

/** The status line's code and the headers of the first answer in `text`. */
export function parseHead(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(lines[0].split(' ')[1]), headers, body: text.slice(end + 4) };
}

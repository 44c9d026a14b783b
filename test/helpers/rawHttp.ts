import { connect } from 'node:net';

// HTTP/1.1 over a bare socket, for requests fetch() refuses to send: malformed
// %-encodings and raw bytes in the path, a Content-Length that lies, header values
// outside Latin-1. One request per connection (Connection: close).

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (path and query). */
  target: string;
  /** The Host header; undefined sends none. */
  host: string | undefined;
  headers: [string, string][];
  body?: Buffer;
  /** How Content-Length relates to the body: true, too small, too large, absent, or chunked framing instead. */
  framing: 'exact' | 'short' | 'long' | 'none' | 'chunked';
}

export interface RawResponse {
  status?: number;
  headers: Record<string, string>;
  /** The whole response arrived (as framed by Content-Length or chunks, or a body-less one). */
  complete: boolean;
  timedOut: boolean;
  /** The first bytes of the body, for reports. */
  bodyStart: string;
  error?: string;
  ms: number;
}

export function encodeRequest(request: RawRequest): Buffer {
  const body = request.body ?? Buffer.alloc(0);
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'Connection: close'];
  if (request.host !== undefined) lines.push(`Host: ${request.host}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let payload = body;
  if (request.framing === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    payload = Buffer.concat([body.length ? Buffer.from(`${body.length.toString(16)}\r\n`) : Buffer.alloc(0), body, body.length ? Buffer.from('\r\n') : Buffer.alloc(0), Buffer.from('0\r\n\r\n')]);
  } else if (request.framing === 'exact') lines.push(`Content-Length: ${body.length}`);
  else if (request.framing === 'short') lines.push(`Content-Length: ${Math.max(0, body.length - 1 - Math.floor(body.length / 2))}`);
  else if (request.framing === 'long') lines.push(`Content-Length: ${body.length + 1 + body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), payload]);
}

/** Bytes a body is written in: the server may answer (413, 401) before it is all sent, and then the rest is not sent. */
const WRITE_CHUNK = 64 * 1024;

export function sendRaw(port: number, request: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (extra: Partial<RawResponse>, closed = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(received, request.method === 'HEAD', closed), ...extra, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    socket.on('connect', async () => {
      const bytes = encodeRequest(request);
      // Until a final answer comes: a 100 Continue asks for the rest.
      const answered = () => parseResponse(received, false, false).status !== undefined;
      for (let offset = 0; offset < bytes.length && !answered() && !socket.destroyed; offset += WRITE_CHUNK) {
        if (!socket.write(bytes.subarray(offset, offset + WRITE_CHUNK))) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
      // Only a request that promised more body than it has ends its side: the server sees the end instead of
      // waiting for bytes that never come. Any other half-close would be read as the client leaving.
      if (request.framing === 'long' && !socket.destroyed) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResponse(received, request.method === 'HEAD', false);
      if (parsed.complete) finish({});
      // An event stream never ends: its head is the answer.
      else if (parsed.status === 200 && parsed.headers['content-type']?.startsWith('text/event-stream')) finish({ complete: true });
    });
    // A reset after an unframed head (Node's own 400 and 431 answers) still ends that answer.
    socket.on('error', (err) => finish({ error: (err as NodeJS.ErrnoException).code ?? err.message }, true));
    socket.on('close', () => finish({}, true));
  });
}

/** The first final response in `data` (interim 1xx responses are skipped). */
function parseResponse(data: Buffer, head: boolean, closed: boolean): Omit<RawResponse, 'ms'> {
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end < 0) return { headers: {}, complete: false, timedOut: false, bodyStart: '' };
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStartsAt = end + 4;
    if (status >= 100 && status < 200) {
      offset = bodyStartsAt;
      continue;
    }
    const body = data.subarray(bodyStartsAt);
    const bodyStart = body.subarray(0, 400).toString('utf8');
    let complete: boolean;
    if (head || status === 204 || status === 304) complete = true;
    else if (headers['content-length'] !== undefined) complete = body.length >= Number(headers['content-length']);
    else if (headers['transfer-encoding']?.includes('chunked')) complete = body.subarray(-5).toString('latin1') === '0\r\n\r\n';
    else complete = closed; // framed by the end of the connection
    return { status: Number.isNaN(status) ? undefined : status, headers, complete, timedOut: false, bodyStart };
  }
}

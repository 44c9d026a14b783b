import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from './httpError';
import { bodyStillComing, closeAfterAnswer } from './closeAfterAnswer';

/**
 * Limits that keep one client (or a few thousand sockets) from holding the
 * server. Deliberately no limit on a request's total time: an artifact of
 * several GB uploads slowly but steadily, and only silence ends it.
 */
export interface ConnectionLimits {
  /** Open connections above this get a 503 with Retry-After. */
  maxConnections: number;
  /** Time for a request's headers to arrive. */
  headersTimeoutMs: number;
  /** Longest silence while a request body is arriving. */
  bodyIdleMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 512,
  headersTimeoutMs: 20_000,
  bodyIdleMs: 30_000,
};

/** The defaults, each replaceable by an environment variable (tests use small values). */
export function connectionLimitsFrom(env: NodeJS.ProcessEnv = process.env): ConnectionLimits {
  const pick = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    maxConnections: pick('MLOPS_HTTP_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections),
    headersTimeoutMs: pick('MLOPS_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
    bodyIdleMs: pick('MLOPS_HTTP_BODY_IDLE_MS', DEFAULT_CONNECTION_LIMITS.bodyIdleMs),
  };
}

/** Writes `error` in the server's own error shape (MLflow's, OIP's…). */
export type ErrorAnswer = (req: IncomingMessage, res: ServerResponse, error: HttpError) => void;

export interface GuardedServerOptions {
  limits?: ConnectionLimits;
  answer: ErrorAnswer;
}

// Beyond twice the cap a connection is dropped unanswered: answering costs a
// parser and a timer per socket, which a flood should not get.
const DROP_FACTOR = 2;
// An over-cap connection has this long to send its request before it is dropped.
const OVER_CAP_GRACE_MS = 5_000;

/** An HTTP server with the limits above applied to every connection and request. */
export function createGuardedServer(options: GuardedServerOptions, handle: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const limits = options.limits ?? connectionLimitsFrom();
  const overCap = new WeakSet<Socket>();
  // Open connections, oldest first.
  const sockets = new Set<Socket>();

  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: 0,
      // How often Node looks for connections past headersTimeout (30 s by default, which would double it).
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (overCap.has(req.socket)) {
        res.setHeader('Retry-After', '2');
        res.setHeader('Connection', 'close');
        closeAfterAnswer(req, res);
        options.answer(req, res, new HttpError(503, 'TEMPORARILY_UNAVAILABLE', `The server has ${limits.maxConnections} connections open, its limit; retry in a few seconds.`));
        return;
      }
      (req.socket as ServedSocket)[SERVED] = true;
      watchBodyIdle(req, res, limits.bodyIdleMs, options.answer);
      handle(req, res);
    },
  );

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const open = sockets.size > limits.maxConnections ? holdingCount(sockets) : sockets.size;
    if (open > limits.maxConnections * DROP_FACTOR) socket.destroy();
    else if (open > limits.maxConnections) {
      overCap.add(socket);
      socket.setTimeout(OVER_CAP_GRACE_MS, () => socket.destroy());
    }
  });
  return server;
}

const SERVED = Symbol('served a request');
type ServedSocket = Socket & { [SERVED]?: true; _httpMessage?: unknown };

/**
 * Connections that hold the server: all but those that answered a request and
 * sit idle, kept alive for the next (the keep-alive timeout ends those). A
 * client that opens connections faster than it reuses them (a burst of
 * thousands of requests) would otherwise fill the cap with idle sockets and get
 * 503s; closing them instead races with a client reusing one.
 */
function holdingCount(sockets: Set<Socket>): number {
  let n = 0;
  for (const socket of sockets as Set<ServedSocket>) {
    // Node sets _httpMessage while a request is being answered.
    const idleKeptAlive = socket[SERVED] && !socket._httpMessage;
    if (!socket.destroyed && !idleKeptAlive) n++;
  }
  return n;
}

/**
 * Ends a request whose body stops arriving for `idleMs`, counted per chunk:
 * a slow but steady upload goes on for as long as it takes. A body that waits
 * because the handler is not reading yet (its buffer is full) is not idle.
 */
function watchBodyIdle(req: IncomingMessage, res: ServerResponse, idleMs: number, answer: ErrorAnswer): void {
  if (!bodyStillComing(req)) return;
  const socket = req.socket;
  socket.setTimeout(idleMs);
  req.on('timeout', () => {
    if (req.readableLength >= req.readableHighWaterMark) {
      socket.setTimeout(idleMs);
      return;
    }
    if (res.headersSent) {
      socket.destroy();
      req.destroy();
      return;
    }
    closeAfterAnswer(req, res);
    answer(req, res, new HttpError(408, 'REQUEST_TIMEOUT', `No part of the request body arrived for ${idleMs / 1000} s; the request was abandoned. Send the body without pauses and retry.`));
  });
  // Once the body is in, the handler may take its time; a finished answer has
  // already set the keep-alive timeout, which must stay.
  req.once('end', () => {
    if (!res.writableFinished) socket.setTimeout(0);
  });
}

import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { StoreLayout } from '../core/store/storeLayout';
import { TrackingStore } from '../core/tracking/trackingStore';
import { startBackgroundCheckpoints } from '../core/store/backgroundCheckpoints';
import { createApp, type App } from './app';
import { liveServer, prepareServerFiles, releaseLock, removeServerInfo, tryLock, writePrivateJson, type ServerState } from './serverFiles';
import { gitTrackedStoreWarning } from './gitTrackedStore';
import type { ServerInfo } from '../protocol/native';
import { version } from '../../package.json';

export interface RunServerOptions {
  workspace: string;
  /** Port to bind; 0 or undefined means "the last one, if free, else any". */
  port?: number;
  /** Exit after this long with no requests, listeners or running runs. */
  idleExitMs?: number;
  /** Stop cleanly on SIGINT/SIGTERM/SIGHUP (handlers are in place before server.json appears). */
  exitOnSignals?: boolean;
  log?: (line: string) => void;
}

export type RunServerResult =
  | { kind: 'started'; info: ServerInfo; stop: () => Promise<void>; app: App }
  | { kind: 'reused'; info: ServerInfo };

const HEARTBEAT_CHECK_MS = 5_000;

export function heartbeatTimeoutMs(): number {
  const fromEnv = Number(process.env.MLOPS_HEARTBEAT_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 60_000;
}

/**
 * Starts the workspace's server unless a trustworthy one already runs. Two
 * starts racing take an exclusive lock file; the loser waits for the winner's
 * server.json and reuses it.
 */
export async function runServer(options: RunServerOptions): Promise<RunServerResult> {
  const workspace = resolve(options.workspace);
  const log = options.log ?? (() => {});
  // Warnings reach the log (the editor shows the backend's) or `mlops server`'s stderr.
  const { layout, state } = prepareServerFiles(workspace, (message) => log(`warning: ${message}`));

  const deadline = Date.now() + 15_000;
  for (;;) {
    const existing = await liveServer(layout, state);
    if (existing) return { kind: 'reused', info: existing };
    if (tryLock(layout)) break;
    if (Date.now() > deadline) {
      throw new Error(`Another process holds ${layout.serverLock} but no server came up within 15 s. If no mlops server is running, delete that file.`);
    }
    await sleep(100);
  }

  try {
    // The winner of the race may have finished between our check and the lock.
    const existing = await liveServer(layout, state);
    if (existing) {
      releaseLock(layout);
      return { kind: 'reused', info: existing };
    }
    removeServerInfo(layout); // stale: replaced, never trusted
    return await start(workspace, layout, state, options, log);
  } catch (err) {
    releaseLock(layout);
    throw err;
  }
}

async function start(
  workspace: string,
  layout: StoreLayout,
  state: ServerState,
  options: RunServerOptions,
  log: (line: string) => void,
): Promise<RunServerResult> {
  const tracked = gitTrackedStoreWarning(workspace);
  const tracking = TrackingStore.open(workspace);
  for (const warning of tracking.store.warnings) log(`warning: ${warning}`);
  const trackedWarning = await tracked;
  if (trackedWarning) log(`warning: ${trackedWarning}`);
  const app = createApp({ tracking, token: state.token, workspace, log });
  const port = await listen(app, options.port ? options.port : state.port, !options.port);
  const info: ServerInfo = { url: `http://127.0.0.1:${port}`, token: state.token, pid: process.pid, workspace, version, startedAt: Date.now() };

  const checkpoints = startBackgroundCheckpoints(tracking.store.db, layout.database, log);
  const timeout = heartbeatTimeoutMs();
  const reap = () => {
    try {
      const failed = tracking.runs.failStaleRuns(timeout);
      if (failed.length) log(`marked ${failed.length} run(s) FAILED after missed heartbeats: ${failed.join(', ')}`);
    } catch (err) {
      log(`heartbeat check failed: ${(err as Error).message}`);
    }
  };
  reap();
  const reaper = setInterval(reap, Math.min(HEARTBEAT_CHECK_MS, Math.max(250, timeout / 4)));

  let idleTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(reaper);
    if (idleTimer) clearInterval(idleTimer);
    removeServerInfo(layout);
    releaseLock(layout);
    app.server.closeIdleConnections();
    await app.dispose();
    await new Promise<void>((done) => {
      app.server.close(() => done());
      setTimeout(done, 2000).unref();
      app.server.closeAllConnections();
    });
    await checkpoints.dispose();
    tracking.close();
  };

  // Handlers first: a client may signal us as soon as it sees server.json.
  if (options.exitOnSignals) stopOnSignals(stop, log);
  writePrivateJson(layout.serverState, { ...state, port });
  writePrivateJson(layout.serverInfo, info);

  if (options.idleExitMs) {
    const idleMs = options.idleExitMs;
    idleTimer = setInterval(() => {
      // Deployments live in this process's children: a backend serving a model is never idle.
      const idle = Date.now() - app.lastActivity() > idleMs && app.events.subscriberCount === 0 && app.deployments.activeCount() === 0;
      if (idle && !hasRunningHeartbeatedRuns(tracking)) {
        log(`idle for ${Math.round(idleMs / 60000)} min with no running runs or deployments: stopping`);
        void stop().then(() => process.exit(0));
      }
    }, Math.min(idleMs, 30_000));
    idleTimer.unref();
  }
  log(`MLOps server for ${workspace} listening on ${info.url} (pid ${process.pid}; token in .mlops/server.json; Ctrl-C stops it)`);
  return { kind: 'started', info, stop, app };
}

function hasRunningHeartbeatedRuns(tracking: TrackingStore): boolean {
  return tracking.store.db.prepare(`SELECT 1 FROM runs WHERE status = 'RUNNING' AND heartbeat_at IS NOT NULL LIMIT 1`).get() !== undefined;
}

/** Binds 127.0.0.1; a remembered port that is taken falls back to any free port. */
async function listen(app: App, port: number | undefined, fallback: boolean): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolveListen, reject) => {
      const onError = (err: Error) => reject(err);
      app.server.once('error', onError);
      app.server.listen(p, '127.0.0.1', () => {
        app.server.off('error', onError);
        resolveListen((app.server.address() as AddressInfo).port);
      });
    });
  try {
    return await attempt(port ?? 0);
  } catch (err) {
    if (!fallback || !port || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`Port ${port} on 127.0.0.1 is in use. Choose another with --port, or omit it.`);
      throw err;
    }
    return attempt(0);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs until SIGINT/SIGTERM, then cleans up server.json and exits. */
export function stopOnSignals(stop: () => Promise<void>, log: (line: string) => void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      void stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ChangeEvent, ServerInfo, StoreSummary } from '../../protocol/native';
import type { DeploymentEvent } from '../../protocol/deployments';
import type { RuntimeCandidate } from './backendRuntime';
import { BackendWarnings, startFailureReason } from './backendWarnings';
import { nodeProgramEnv } from './childEnvironment';
import { EventSubscription } from './eventSubscription';
import { LogTail } from './logTail';
import { isServerAlive, readServerFile } from './serverFile';

export type BackendState =
  | { kind: 'starting' }
  | { kind: 'connected'; info: ServerInfo; summary?: StoreSummary; live: boolean }
  | { kind: 'error'; message: string };

// An on-demand backend stops by itself after this much idleness; while the
// editor is subscribed to its events it is never idle.
const IDLE_EXIT_MINUTES = 30;
const START_TIMEOUT_MS = 20_000;

/** A backend answer that was not 2xx: its message, HTTP status and error code (callers tell "no such route" from "no such thing"). */
export class BackendRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * The backend of one workspace folder: attaches to the running server (from
 * `.mlops/server.json`) or starts one, detached, so that closing the editor never
 * kills a server that terminal jobs still log to. Owns the event subscription
 * and the tail of the server's log.
 */
export class WorkspaceBackend implements vscode.Disposable {
  private current: BackendState = { kind: 'starting' };
  private readonly changed = new vscode.EventEmitter<BackendState>();
  private readonly events = new vscode.EventEmitter<ChangeEvent>();
  readonly onDidChangeState = this.changed.event;
  readonly onDidChange = this.events.event;
  private readonly deploymentEvents = new vscode.EventEmitter<DeploymentEvent>();
  /** A deployment changed (status, stats every 2 s, monitoring) or raised a drift alert. */
  readonly onDidChangeDeployment = this.deploymentEvents.event;
  private subscription?: EventSubscription;
  private tail?: LogTail;
  private summaryTimer?: NodeJS.Timeout;
  /** Warnings from the backend's log, each shown once (a git-tracked or world-readable store, a network mount). */
  private readonly warnings = new BackendWarnings();
  /** Where in server.log the backend this editor started began writing. */
  private startedAt?: number;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly extensionPath: string,
    private readonly runtime: () => Promise<RuntimeCandidate | undefined>,
    private readonly log: (line: string) => void,
    /**
     * Awaited whenever a backend process becomes this folder's (one this editor
     * started, one it attached to, one that replaced it), before the state says
     * connected: what is set up here is in place once the editor shows it.
     */
    private readonly prepareConnection: (info: ServerInfo) => Promise<void> = async () => {},
  ) {}

  get state(): BackendState {
    return this.current;
  }

  get info(): ServerInfo | undefined {
    return this.current.kind === 'connected' ? this.current.info : undefined;
  }

  private setState(state: BackendState): void {
    this.current = state;
    this.changed.fire(state);
  }

  /** Attach to the running backend, or start one; never throws (errors become state). */
  async connect(): Promise<void> {
    this.setState({ kind: 'starting' });
    try {
      this.startedAt = undefined;
      const info = (await this.attach()) ?? (await this.start());
      await this.prepareConnection(info);
      this.setState({ kind: 'connected', info, live: false });
      this.follow(this.startedAt);
    } catch (err) {
      const message = (err as Error).message;
      this.log(`[${this.folder.name}] ${message}`);
      this.setState({ kind: 'error', message });
    }
  }

  private async attach(): Promise<ServerInfo | undefined> {
    const info = await readServerFile(this.folder.uri.fsPath);
    if (info && (await isServerAlive(info))) {
      this.log(`[${this.folder.name}] attached to the backend at ${info.url} (pid ${info.pid})`);
      return info;
    }
    return undefined;
  }

  private async start(): Promise<ServerInfo> {
    const runtime = await this.runtime();
    if (!runtime) throw new Error('No Node.js runtime fits the backend; see the notification.');
    const folder = this.folder.uri.fsPath;
    const logs = join(folder, '.mlops', 'logs');
    mkdirSync(logs, { recursive: true, mode: 0o700 });
    const logFile = join(logs, 'server.log');
    const out = openSync(logFile, 'a', 0o600);
    const startedAt = (this.startedAt = fstatSync(out).size);
    this.log(`[${this.folder.name}] starting the backend with ${runtime.command} (Node ${runtime.version ?? '?'}, from ${runtime.source})`);
    const child = spawn(runtime.command, [join(this.extensionPath, 'dist', 'server.js'), '--workspace', folder, '--idle-exit-minutes', String(IDLE_EXIT_MINUTES)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: nodeProgramEnv(runtime.env),
      windowsHide: true,
    });
    child.unref();
    closeSync(out);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 150));
      const info = await this.attach();
      if (info) return info;
      if (child.exitCode !== null && child.exitCode !== 0) break;
    }
    const reason = startFailureReason(readFrom(logFile, startedAt));
    throw new Error(`The backend did not start${reason ? `: ${reason}` : ` (exit code ${child.exitCode ?? 'none yet'})`}. Its log: ${logFile}`);
  }

  /** `from`: the log offset where a backend this editor started began, so its start-up lines show too. */
  private follow(from?: number): void {
    this.stopFollowing();
    this.tail = new LogTail(join(this.folder.uri.fsPath, '.mlops', 'logs', 'server.log'), (text) => {
      for (const line of text.split('\n')) if (line.trim()) this.log(`[${this.folder.name}] ${line}`);
      for (const warning of this.warnings.take(text)) {
        void vscode.window.showWarningMessage(`MLOps backend for ${this.folder.name}: ${warning}`, 'Show Log').then((pick) => {
          if (pick) void vscode.commands.executeCommand('mlops.showLog');
        });
      }
    });
    if (from === undefined) void this.tail.skipExisting();
    else this.tail.startAt(from);
    this.subscription = new EventSubscription(
      () => this.info,
      (event) => {
        this.events.fire(event);
        if (event.kind === 'run') void this.refreshSummary();
      },
      (live) => {
        if (this.current.kind === 'connected' && this.current.live !== live) this.setState({ ...this.current, live });
        void this.reattachIfReplaced();
      },
      (event) => this.deploymentEvents.fire(event),
    );
    void this.refreshSummary();
    this.summaryTimer = setInterval(() => void this.refreshSummary(), 10_000);
  }

  /**
   * After the stream dropped or came back: another process may serve the folder
   * now (a new port, or the same port and token, as a backend restarted from a
   * terminal keeps them).
   */
  private async reattachIfReplaced(): Promise<void> {
    const info = await readServerFile(this.folder.uri.fsPath);
    if (!info || this.current.kind !== 'connected') return;
    if (info.url === this.current.info.url && info.pid === this.current.info.pid) return;
    if (!(await isServerAlive(info))) return;
    await this.prepareConnection(info);
    if (this.current.kind !== 'connected') return;
    this.log(`[${this.folder.name}] attached to the backend at ${info.url} (pid ${info.pid}), which replaced pid ${this.current.info.pid}`);
    this.setState({ ...this.current, info });
  }

  private async refreshSummary(): Promise<void> {
    const summary = await this.request<StoreSummary>('GET', '/api/v1/summary').catch(() => undefined);
    if (summary && this.current.kind === 'connected') this.setState({ ...this.current, summary });
  }

  /** A request to the backend with its token; JSON in and out. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const info = this.info;
    if (!info) throw new Error('The MLOps backend is not connected.');
    const res = await fetch(info.url + path, {
      method,
      headers: { Authorization: `Bearer ${info.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    // An error answer that is not JSON (a proxy, a crash) still says its status.
    const json = (res.ok ? await res.json() : await res.json().catch(() => ({}))) as T & { message?: string; error_code?: string };
    if (!res.ok) throw new BackendRequestError(json.message ?? `HTTP ${res.status}`, res.status, json.error_code);
    return json;
  }

  /** Stops the backend (SIGTERM; jobs reconnect to the same URL and token) and starts it again. */
  async restart(): Promise<void> {
    const info = this.info ?? (await readServerFile(this.folder.uri.fsPath));
    this.stopFollowing();
    if (info) {
      try {
        process.kill(info.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await isServerAlive(info))) await new Promise((r) => setTimeout(r, 100));
    }
    await this.connect();
  }

  private stopFollowing(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    this.tail?.dispose();
    this.tail = undefined;
    if (this.summaryTimer) clearInterval(this.summaryTimer);
  }

  dispose(): void {
    this.stopFollowing();
    this.changed.dispose();
    this.events.dispose();
    this.deploymentEvents.dispose();
  }
}

/** What a file holds from `offset` on (at most 64 KiB), or '' when it cannot be read. */
function readFrom(file: string, offset: number): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const length = Math.max(0, Math.min(fstatSync(fd).size - offset, 64 * 1024));
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, offset);
      return buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

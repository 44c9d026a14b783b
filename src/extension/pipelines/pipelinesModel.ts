import * as vscode from 'vscode';
import type { PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { DepWatcher } from './depWatcher';
import { findPipelineFiles, PIPELINE_GLOB } from './pipelineFiles';
import { fetchPipelineStatus } from './pipelineRequests';

export type StatusOrProblem = PipelineStatusResponse | { problem: string; backend?: WorkspaceBackend };

/**
 * The workspace's pipeline files and, per file, what the backend says of its
 * steps. Statuses are fetched on demand and dropped when something they depend
 * on changes: the file itself, a dep (chokidar), or a run (the backend's event
 * stream: a step starts or ends). Changes are batched, so a pipeline of many
 * fast steps refreshes a few times a second at most.
 */
export class PipelinesModel implements vscode.Disposable {
  private files?: Promise<vscode.Uri[]>;
  private readonly statuses = new Map<string, Promise<StatusOrProblem>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** A file's status changed (undefined: the list of files, or every status). */
  readonly onDidChange = this.changed.event;
  private readonly deps = new DepWatcher((files) => files.forEach((f) => this.invalidate(vscode.Uri.file(f))));
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly watchedBackends = new Set<WorkspaceBackend>();

  constructor(private readonly workbench: Workbench) {
    const watcher = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB);
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(() => this.invalidateAll(true)),
      watcher.onDidDelete((u) => (this.deps.forget(u.fsPath), this.invalidateAll(true))),
      watcher.onDidChange((u) => this.invalidate(u)),
      workbench.onDidAddBackend((b) => this.watch(b)),
    );
    for (const b of workbench.all()) this.watch(b);
  }

  private watch(backend: WorkspaceBackend): void {
    if (this.watchedBackends.has(backend)) return;
    this.watchedBackends.add(backend);
    this.subscriptions.push(
      backend.onDidChangeState(() => this.invalidateAll(false)),
      // Runs starting and ending, and the outcome tags the runner writes as each step ends.
      backend.onDidChange((e) => {
        if (e.kind === 'run' || e.kind === 'tags' || e.kind === 'resync') this.invalidateAll(false);
      }),
    );
  }

  listFiles(): Promise<vscode.Uri[]> {
    this.files ??= findPipelineFiles();
    return this.files;
  }

  status(uri: vscode.Uri): Promise<StatusOrProblem> {
    const key = uri.toString();
    let p = this.statuses.get(key);
    if (!p) {
      p = this.load(uri);
      this.statuses.set(key, p);
    }
    return p;
  }

  /** Fetches again now, bypassing the batching (after a command the user just gave). */
  refreshNow(uri?: vscode.Uri): void {
    if (uri) this.statuses.delete(uri.toString());
    else {
      this.statuses.clear();
      this.files = undefined;
    }
    this.changed.fire(uri);
  }

  private async load(uri: vscode.Uri): Promise<StatusOrProblem> {
    if (!vscode.workspace.isTrusted) return { problem: 'trust this workspace to see its pipelines (they run its code)' };
    const backend = this.workbench.backendOf(uri);
    if (!backend) return { problem: 'not in an open workspace folder' };
    if (backend.state.kind === 'starting') return { problem: 'starting the MLOps backend…', backend };
    if (backend.state.kind === 'error') return { problem: `backend problem: ${backend.state.message.split('. ')[0]}`, backend };
    try {
      const status = await fetchPipelineStatus(backend, uri);
      this.deps.setDeps(uri.fsPath, status.steps.flatMap((s) => s.deps));
      return status;
    } catch (err) {
      return { problem: (err as Error).message, backend };
    }
  }

  invalidate(uri: vscode.Uri): void {
    this.pending.add(uri.toString());
    this.schedule();
  }

  private listChanged = false;
  private invalidateAll(listToo: boolean): void {
    this.pending.add('*');
    if (listToo) this.listChanged = true;
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const all = this.pending.has('*');
      if (this.listChanged) this.files = undefined;
      if (all) this.statuses.clear();
      else for (const key of this.pending) this.statuses.delete(key);
      const one = !all && this.pending.size === 1 ? vscode.Uri.parse([...this.pending][0]) : undefined;
      this.pending.clear();
      this.listChanged = false;
      this.changed.fire(one);
    }, 300);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.deps.dispose();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

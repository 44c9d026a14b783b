import * as vscode from 'vscode';
import type { RunsTableResponse, RunsTableRow } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { runTooltip, statusIcon } from './runPresentation';
import { runDescription } from './runRowText';
import { childRunsOf } from './childRuns';
import { backendStateMessage, messageItem, SHOW_LOG, type MessageNode } from '../views/treeMessages';

interface ExperimentJson {
  experiment_id: string;
  name: string;
}

export type ExperimentsNode =
  | { kind: 'folder'; backend: WorkspaceBackend }
  | { kind: 'experiment'; backend: WorkspaceBackend; experimentId: string; name: string }
  | { kind: 'run'; backend: WorkspaceBackend; run: RunsTableRow }
  | MessageNode;

const PARENT_TAG = 'mlflow.parentRunId';
// Runs per experiment shown in the tree; the runs table is where thousands are handled.
const RUNS_IN_TREE = 500;

/**
 * Experiments, then runs (newest first; child runs under their parent), live
 * from the backends' event streams, with a debounced refresh.
 */
export class ExperimentsTree implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly runsCache = new Map<string, RunsTableRow[]>();
  private refreshTimer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly watched = new Set<WorkspaceBackend>();
  /** Deleted runs are listed (greyed, with Restore) only when asked for, as in MLflow's UI. */
  private showDeleted = false;

  /** A run's row says how long ago it ended ("2h ago"): redrawn each minute from the runs held (the experiments are listed again). */
  private readonly clock = setInterval(() => this.changed.fire(undefined), 60_000);

  constructor(private readonly workbench: Workbench) {}

  /** Called when backends appear; subscribes to their state and events. */
  watch(backend: WorkspaceBackend): void {
    if (this.watched.has(backend)) return;
    this.watched.add(backend);
    this.subscriptions.push(backend.onDidChangeState(() => this.refreshSoon()), backend.onDidChange(() => this.refreshSoon()));
    this.refreshSoon();
  }

  /** Shows or hides deleted runs; returns the new setting. */
  setShowDeleted(show: boolean): boolean {
    this.showDeleted = show;
    this.runsCache.clear(); // what is cached was listed with the other setting
    void vscode.commands.executeCommand('setContext', 'mlops.showingDeletedRuns', this.showDeleted);
    this.refreshSoon();
    return this.showDeleted;
  }

  refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.runsCache.clear();
      this.changed.fire(undefined);
    }, 300);
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.backend.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'mlops.folder';
        return item;
      }
      case 'experiment': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.backend.folder.uri}#exp:${node.experimentId}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'mlops.experiment';
        item.tooltip = `Experiment ${node.name} (id ${node.experimentId})`;
        return item;
      }
      case 'run': {
        const run = node.run;
        const hasChildren = (this.runsCache.get(this.cacheKey(node.backend, run.experimentId)) ?? []).some((r) => r.tags[PARENT_TAG] === run.runId);
        const item = new vscode.TreeItem(run.runName, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.backend.folder.uri}#run:${run.runId}`;
        item.iconPath = statusIcon(run.status);
        item.description = runDescription(run);
        item.tooltip = runTooltip(run);
        item.contextValue = run.lifecycleStage === 'deleted' ? 'mlops.run.deleted' : `mlops.run.${run.status.toLowerCase()}`;
        item.command = { command: 'mlops.openRun', title: 'Open Run', arguments: [node, { preview: true }] };
        if (run.lifecycleStage === 'deleted') item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('disabledForeground'));
        return item;
      }
      case 'message':
        return messageItem(node);
    }
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) {
      const backends = this.workbench.all();
      if (backends.length === 0) return []; // the welcome view explains what to do
      if (backends.length > 1) return backends.map((backend) => ({ kind: 'folder', backend }));
      return this.experimentsOf(backends[0]);
    }
    if (node.kind === 'folder') return this.experimentsOf(node.backend);
    if (node.kind === 'experiment') {
      const runs = await this.runsOf(node.backend, node.experimentId);
      if (runs === undefined) return [{ kind: 'message', text: 'Could not load runs: see the MLOps log', icon: 'warning', command: SHOW_LOG }];
      const ids = new Set(runs.map((r) => r.runId));
      // Top level: runs without a parent in this experiment.
      return runs.filter((r) => !ids.has(r.tags[PARENT_TAG] ?? '')).map((run) => ({ kind: 'run', backend: node.backend, run }));
    }
    if (node.kind === 'run') {
      const runs = this.runsCache.get(this.cacheKey(node.backend, node.run.experimentId)) ?? [];
      return childRunsOf(node.run, runs).map((run) => ({ kind: 'run', backend: node.backend, run }));
    }
    return [];
  }

  /** The view's node for a run, searched as the view lists it (so only runs the view shows). */
  async findRun(runId: string, under?: ExperimentsNode): Promise<ExperimentsNode | undefined> {
    for (const child of await this.getChildren(under)) {
      if (child.kind === 'run' && child.run.runId === runId) return child;
      if (child.kind !== 'message') {
        const found = await this.findRun(runId, child);
        if (found) return found;
      }
    }
    return undefined;
  }

  private async experimentsOf(backend: WorkspaceBackend): Promise<ExperimentsNode[]> {
    const notConnected = backendStateMessage(backend);
    if (notConnected) return [notConnected];
    try {
      const result = await backend.request<{ experiments?: ExperimentJson[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000, order_by: ['last_update_time DESC'] });
      const experiments = result.experiments ?? [];
      // Experiments with runs first; an empty Default experiment would only add noise.
      const withRuns = await Promise.all(experiments.map(async (e) => ({ e, runs: await this.runsOf(backend, e.experiment_id) })));
      const shown = withRuns.filter(({ e, runs }) => (runs?.length ?? 0) > 0 || e.experiment_id !== '0');
      if (shown.length === 0) return [];
      return shown.map(({ e }) => ({ kind: 'experiment', backend, experimentId: e.experiment_id, name: e.name }));
    } catch (err) {
      return [{ kind: 'message', text: `Could not load experiments: ${(err as Error).message}`, icon: 'warning', command: SHOW_LOG }];
    }
  }

  private cacheKey(backend: WorkspaceBackend, experimentId: string): string {
    return `${backend.folder.uri}#${experimentId}`;
  }

  private async runsOf(backend: WorkspaceBackend, experimentId: string): Promise<RunsTableRow[] | undefined> {
    const key = this.cacheKey(backend, experimentId);
    const cached = this.runsCache.get(key);
    if (cached) return cached;
    try {
      const page = await backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', {
        experimentIds: [experimentId],
        maxResults: RUNS_IN_TREE,
        orderBy: ['attributes.start_time DESC'],
        viewType: this.showDeleted ? 'ALL' : 'ACTIVE_ONLY',
      });
      this.runsCache.set(key, page.runs);
      return page.runs;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    clearInterval(this.clock);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

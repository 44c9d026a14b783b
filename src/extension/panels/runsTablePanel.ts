import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { RunsTableResponse, RunsTableRow } from '../../protocol/native';
import type { ExperimentChoice, RunsTableFromHost, RunsTableToHost } from '../../protocol/runsTableMessages';
import { runsTableSchemas } from '../lazySchemas';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { PARENT_RUN_TAG } from '../../protocol/runLabels';

const VIEW_TYPE = 'mlops.runsTable';
/** The backend's page size limit; more runs are fetched page by page. */
const PAGE_SIZE = 50_000;
/** The first page is small so the first screenful paints while the rest loads. */
const FIRST_PAGE = 300;
/** Beyond this many runs the panel shows the newest ones and says so. */
const MAX_ROWS = 200_000;
const REFRESH_DEBOUNCE_MS = 300;
/** Parents fetched per request (their ids make the filter); at most MAX_PARENTS in all. */
const PARENT_BATCH = 200;
const MAX_PARENTS = 2000;

type Rendered = Extract<RunsTableToHost, { type: 'rendered' }>;

/** What the panel last showed, for tests (`_mlops.runsTable.state`). */
export interface RunsTableSnapshot {
  open: boolean;
  rendered?: Rendered;
  /** The first screenful of the last query, painted before all its runs arrived. */
  firstPage?: Rendered;
  renderCount: number;
  error?: string;
  lastCompare?: string[];
  /** Host clock: the backend's answer to the last query (all pages), and the rows posted. */
  backendMs?: number;
  postedRows?: number;
}

/** Registers "MLOps: Open Runs Table" (mlops.openRunsTable). */
export function registerRunsTablePanel(context: vscode.ExtensionContext, workbench: Workbench): void {
  let current: RunsTablePanel | undefined;
  const open = (panel: vscode.WebviewPanel, backend: WorkspaceBackend, experimentIds?: string[]) => {
    current = new RunsTablePanel(panel, context.extensionUri, backend, experimentIds);
    panel.onDidDispose(() => {
      if (current?.panel === panel) current = undefined;
    });
    return current;
  };
  const serializer: vscode.WebviewPanelSerializer = {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      // The window reloaded: wait for the backends, then bring the panel back
      // (its columns, sort and filter come back from the webview's own state;
      // its experiments from the saved state too, should the webview's be gone).
      if (!workbench.current()) await workbench.start();
      const backend = workbench.current();
      if (!backend) return panel.dispose();
      panel.webview.options = webviewOptions(context.extensionUri);
      open(panel, backend, experimentIdsOf(state));
    },
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.openRunsTable', (arg?: unknown) => {
      const experimentIds = experimentIdsOf(arg);
      const backend = workbench.current();
      if (!backend) return void vscode.window.showInformationMessage('MLOps: open a folder to use the runs table.');
      if (current && current.backend === backend) {
        current.panel.reveal();
        if (experimentIds) current.showExperiments(experimentIds);
        return;
      }
      current?.panel.dispose();
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'MLOps Runs', vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
      open(panel, backend, experimentIds);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    // Test hooks (not in the palette): what the panel shows, and a filter applied as typed.
    vscode.commands.registerCommand('_mlops.runsTable.state', (): RunsTableSnapshot => current?.snapshot() ?? { open: false, renderCount: 0 }),
    vscode.commands.registerCommand('_mlops.runsTable.applyFilter', (filter: string) => current?.post({ type: 'applyFilter', filter })),
    vscode.commands.registerCommand('_mlops.runsTable.setView', (view: { onlyDiffering?: boolean; showMostlyEmpty?: boolean; toggle?: string }) => current?.post({ type: 'setView', ...view })),
    // What a window reload does: a panel of this view type handed to the serializer with a saved state.
    vscode.commands.registerCommand('_mlops.runsTable.revive', (state: unknown) =>
      serializer.deserializeWebviewPanel(vscode.window.createWebviewPanel(VIEW_TYPE, 'MLOps Runs', vscode.ViewColumn.Active, {}), state),
    ),
    { dispose: () => current?.panel.dispose() },
  );
}

function experimentIdsOf(arg: unknown): string[] | undefined {
  if (Array.isArray(arg) && arg.every((x) => typeof x === 'string')) return arg.length ? arg : undefined;
  if (typeof arg === 'string') return [arg];
  if (arg && typeof arg === 'object') {
    const o = arg as { experimentIds?: unknown; experimentId?: unknown; experiment?: { experimentId?: unknown } };
    if (Array.isArray(o.experimentIds)) return experimentIdsOf(o.experimentIds);
    if (typeof o.experimentId === 'string') return [o.experimentId];
    if (typeof o.experiment?.experimentId === 'string') return [o.experiment.experimentId];
  }
  return undefined;
}

class RunsTablePanel {
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer?: NodeJS.Timeout;
  private shownExperimentIds: string[] = [];
  private latestRequest = 0;
  private pendingQuery?: Extract<RunsTableToHost, { type: 'query' }>;
  private state: RunsTableSnapshot = { open: true, renderCount: 0 };

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly backend: WorkspaceBackend,
    private initialExperimentIds?: string[],
  ) {
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: 'runsTable', title: 'MLOps Runs' });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data) => this.receive(data)),
      backend.onDidChange((event) => {
        // Changes to experiments the table does not show do not refresh it.
        const ids = this.shownExperimentIds;
        if (event.kind !== 'experiment' && event.kind !== 'resync' && event.experimentId && ids.length && !ids.includes(event.experimentId)) return;
        this.refreshSoon(event.kind === 'experiment' || event.kind === 'resync');
      }),
      backend.onDidChangeState((s) => {
        if (s.kind === 'connected' && this.pendingQuery) void this.query(this.pendingQuery);
        if (s.kind === 'connected') void this.sendExperiments('experiments');
        if (s.kind === 'error' && this.pendingQuery) this.post({ type: 'error', requestId: this.pendingQuery.requestId, message: `The MLOps backend is not running: ${s.message}` });
      }),
    );
    panel.onDidDispose(() => this.dispose());
  }

  snapshot(): RunsTableSnapshot {
    return { ...this.state };
  }

  post(message: RunsTableFromHost): void {
    void this.panel.webview.postMessage(message);
  }

  showExperiments(experimentIds: string[]): void {
    this.initialExperimentIds = experimentIds;
    void this.sendExperiments('init');
  }

  private receive(data: unknown): void {
    const parsed = runsTableSchemas().runsTableToHost.safeParse(data);
    if (!parsed.success) return void console.warn('MLOps runs table: ignored a malformed message from the panel', parsed.error.issues[0]);
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        void this.sendExperiments('init');
        break;
      case 'query':
        void this.query(message);
        break;
      case 'compare':
        this.state.lastCompare = message.runIds;
        void vscode.commands.executeCommand('mlops.compareRuns', { runIds: message.runIds }).then(undefined, (err: Error) =>
          vscode.window.showErrorMessage(`MLOps: could not open the comparison: ${err.message}`),
        );
        break;
      case 'rendered':
        if (!message.complete) this.state.firstPage = message;
        this.state = { ...this.state, rendered: message, renderCount: this.state.renderCount + 1, error: undefined };
        break;
    }
  }

  private async experiments(): Promise<ExperimentChoice[]> {
    const result = await this.backend.request<{ experiments?: { experiment_id: string; name: string }[] }>('POST', '/api/2.0/mlflow/experiments/search', {
      max_results: 1000,
      order_by: ['name ASC'],
    });
    return (result.experiments ?? []).map((e) => ({ id: e.experiment_id, name: e.name }));
  }

  private async sendExperiments(type: 'init' | 'experiments'): Promise<void> {
    if (this.backend.state.kind !== 'connected') {
      if (type === 'init') this.post({ type: 'init', experiments: [], experimentIds: this.initialExperimentIds });
      return;
    }
    const experiments = await this.experiments().catch(() => [] as ExperimentChoice[]);
    if (type === 'init') {
      this.post({ type: 'init', experiments, experimentIds: this.initialExperimentIds });
      this.initialExperimentIds = undefined;
    } else this.post({ type: 'experiments', experiments });
  }

  private refreshSoon(experimentsToo: boolean): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (experimentsToo) void this.sendExperiments('experiments');
      this.post({ type: 'refresh' });
    }, REFRESH_DEBOUNCE_MS);
  }

  private async query(q: Extract<RunsTableToHost, { type: 'query' }>): Promise<void> {
    this.latestRequest = q.requestId;
    this.pendingQuery = q;
    if (this.backend.state.kind === 'starting') return this.post({ type: 'loading', requestId: q.requestId });
    if (this.backend.state.kind === 'error') return this.post({ type: 'error', requestId: q.requestId, message: `The MLOps backend is not running: ${this.backend.state.message}` });
    this.post({ type: 'loading', requestId: q.requestId });
    try {
      const experimentIds = q.experimentIds.length ? q.experimentIds : (await this.experiments()).map((e) => e.id);
      this.shownExperimentIds = q.experimentIds;
      let runs: RunsTableRow[] = [];
      const firstPage: RunsTableRow[] = [];
      let posted = 0;
      const columns = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
      let pageToken: string | undefined;
      let truncated = false;
      const started = performance.now();
      if (experimentIds.length) {
        do {
          const page: RunsTableResponse = await this.backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', {
            experimentIds,
            filter: q.filter.trim() || undefined,
            orderBy: ['attributes.start_time DESC'],
            maxResults: posted === 0 && runs.length === 0 ? FIRST_PAGE : PAGE_SIZE,
            pageToken,
          });
          if (q.requestId !== this.latestRequest) return; // superseded
          runs.push(...page.runs);
          if (posted === 0 && page.nextPageToken) {
            // Paint the first screenful now; the rest follows in one message.
            this.post({ type: 'rows', requestId: q.requestId, runs, columns: sortedColumns(columns), total: runs.length, truncated: false, append: false, partial: true });
            posted = runs.length;
            firstPage.push(...runs);
            runs = [];
          }
          for (const k of page.columns.params) columns.params.add(k);
          for (const k of page.columns.metrics) columns.metrics.add(k);
          for (const k of page.columns.tags) columns.tags.add(k);
          pageToken = page.nextPageToken;
          if (pageToken && posted + runs.length >= MAX_ROWS) {
            truncated = true;
            break;
          }
        } while (pageToken);
      }
      if (q.requestId !== this.latestRequest) return;
      const parents = await this.missingParents(experimentIds, firstPage.concat(runs)).catch(() => [] as RunsTableRow[]);
      if (q.requestId !== this.latestRequest) return;
      this.pendingQuery = undefined;
      this.state.backendMs = performance.now() - started;
      this.state.postedRows = posted + runs.length;
      this.post({ type: 'rows', requestId: q.requestId, runs, parents, columns: sortedColumns(columns), total: posted + runs.length, truncated, append: posted > 0, partial: false });
    } catch (err) {
      if (q.requestId !== this.latestRequest) return;
      this.pendingQuery = undefined;
      const message = (err as Error).message;
      this.state.error = message;
      this.post({ type: 'error', requestId: q.requestId, message });
    }
  }

  /**
   * Parent runs of the rows that the filter left out, so the table can say which
   * pipeline run a step belongs to ("evaluate · churn (lr=0.3)") when only steps match.
   */
  private async missingParents(experimentIds: string[], rows: RunsTableRow[]): Promise<RunsTableRow[]> {
    const present = new Set(rows.map((r) => r.runId));
    const wanted = [...new Set(rows.map((r) => r.tags[PARENT_RUN_TAG]).filter((id): id is string => !!id && !present.has(id) && /^[\w-]+$/.test(id)))].slice(0, MAX_PARENTS);
    const parents: RunsTableRow[] = [];
    for (let i = 0; i < wanted.length; i += PARENT_BATCH) {
      const ids = wanted.slice(i, i + PARENT_BATCH);
      const page = await this.backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', {
        experimentIds,
        filter: `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(', ')})`,
        maxResults: PARENT_BATCH,
      });
      parents.push(...page.runs);
    }
    return parents;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.state.open = false;
    for (const d of this.disposables) d.dispose();
  }
}

function sortedColumns(c: { params: Set<string>; metrics: Set<string>; tags: Set<string> }) {
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { params: sorted(c.params), metrics: sorted(c.metrics), tags: sorted(c.tags) };
}

import * as vscode from 'vscode';
import type { RunsTableResponse, SeriesResponse } from '../../protocol/native';
import {
  comparisonState,
  comparisonToHost,
  type ComparisonReport,
  type ComparisonRun,
  type PackedSeries,
  type HostToComparison,
  type StepRange,
} from '../../protocol/comparisonMessages';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import type { ExperimentsNode } from '../experiments/experimentsTree';
import { webviewHtml, webviewOptions } from './webviewHtml';

const VIEW_TYPE = 'mlops.comparison';
// About one point per pixel of a chart in the grid. It also keeps requests on the
// backend's fast path: a series of S steps has S/64 stored M4 bucket summaries
// (4 points each); asking for more points than those give falls back to reading
// raw points (10k-step series: ~0.3 s for 100 runs x 5 keys at 600, ~5 s at 1000).
const MAX_POINTS = 600;
const LIVE_DEBOUNCE_MS = 500;
const DRAWN_TIMEOUT_MS = 60_000;

/** Registers "MLOps: Compare Runs" (mlops.compareRuns) for the selected runs. */
export function registerComparisonPanel(context: vscode.ExtensionContext, workbench: Workbench, selection: () => readonly ExperimentsNode[]): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.compareRuns', async (arg?: unknown, selected?: unknown): Promise<ComparisonReport | undefined> => {
      const started = performance.now();
      const picked = runsToCompare(arg, selected, selection());
      const backend = picked.backend ?? workbench.current();
      if (picked.runIds.length === 0) {
        void vscode.window.showInformationMessage('MLOps: select one or more runs in the Experiments view (Ctrl/Shift-click for several), then Compare Runs.');
        return undefined;
      }
      if (!backend) {
        void vscode.window.showInformationMessage('MLOps: open a folder with an MLOps backend to compare runs.');
        return undefined;
      }
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title(picked.runIds.length), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
      const comparison = new ComparisonPanel(panel, context.extensionUri, backend, picked.runIds, workbench, true);
      return comparison.firstDrawn(started);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const parsed = comparisonState.safeParse(state);
        const backend = workbench.current() ?? (await nextBackend(workbench));
        if (!parsed.success || !backend) {
          panel.dispose();
          return;
        }
        panel.webview.options = webviewOptions(context.extensionUri);
        new ComparisonPanel(panel, context.extensionUri, backend, parsed.data.runIds, workbench, false);
      },
    }),
  );
}

function nextBackend(workbench: Workbench): Promise<WorkspaceBackend | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (sub.dispose(), resolve(undefined)), 10_000);
    const sub = workbench.onDidAddBackend((b) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(b);
    });
  });
}

/** A panel restored at startup may come before its backend has connected. */
function connected(backend: WorkspaceBackend): Promise<void> {
  if (backend.state.kind !== 'starting') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (sub.dispose(), resolve()), 30_000);
    const sub = backend.onDidChangeState((state) => {
      if (state.kind === 'starting') return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

function title(n: number): string {
  return `Compare ${n} run${n === 1 ? '' : 's'}`;
}

/** The runs a command invocation means: tree arguments, `{ runIds }`, or the view's selection. */
function runsToCompare(arg: unknown, selected: unknown, viewSelection: readonly ExperimentsNode[]): { runIds: string[]; backend?: WorkspaceBackend } {
  if (arg && typeof arg === 'object' && Array.isArray((arg as { runIds?: unknown }).runIds)) {
    const ids = (arg as { runIds: unknown[] }).runIds.filter((id): id is string => typeof id === 'string' && id.length > 0);
    return { runIds: [...new Set(ids)] };
  }
  let nodes: ExperimentsNode[] = [];
  if (Array.isArray(selected) && selected.length > 0) nodes = selected as ExperimentsNode[];
  else if (isNode(arg)) {
    // A right-click on a run outside the selection compares that run with the selection.
    nodes = viewSelection.some((n) => n === arg) ? [...viewSelection] : viewSelection.length > 0 ? [...viewSelection, arg] : [arg];
  } else nodes = [...viewSelection];
  const runs = nodes.filter((n): n is Extract<ExperimentsNode, { kind: 'run' }> => isNode(n) && n.kind === 'run');
  return { runIds: [...new Set(runs.map((n) => n.run.runId))], backend: runs[0]?.backend };
}

function isNode(v: unknown): v is ExperimentsNode {
  return !!v && typeof v === 'object' && typeof (v as { kind?: unknown }).kind === 'string';
}

/** One comparison panel: fetches runs and series from the backend and keeps them live. */
class ComparisonPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private runs: ComparisonRun[] = [];
  private keys: string[] = [];
  private prefetch?: Promise<PackedSeries>;
  private x: 'step' | 'time' = 'step';
  private range: StepRange | null = null;
  private liveTimer?: NodeJS.Timeout;
  private readonly changedRuns = new Set<string>();
  private drawnWaiters: ((report: ComparisonReport['charts'] | undefined, timings?: ComparisonReport['webview']) => void)[] = [];
  private disposed = false;
  /** Set by the webview's "ready": messages posted before it would be lost. */
  private webviewReady = false;
  private readonly runInfo: Promise<void>;
  /** performance.now() of milestones of the first load, for the command's report. */
  private readonly milestones: Record<string, number> = {};

  constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly backend: WorkspaceBackend,
    private readonly runIds: string[],
    private readonly workbench: Workbench,
    prefetchSteps: boolean,
  ) {
    panel.title = title(runIds.length);
    // Data is fetched while the webview loads; it asks once it is ready.
    this.runInfo = this.loadRuns();
    if (prefetchSteps) this.prefetch = this.runInfo.then(() => this.fetchSeries(this.runIds, 'step', null));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      backend.onDidChange((e) => {
        if (e.runId && this.runIds.includes(e.runId) && (e.kind === 'metrics' || e.kind === 'run' || e.kind === 'params')) this.liveUpdate(e.runId);
      }),
    );
    panel.onDidChangeViewState(() => {
      // A hidden panel's webview is unloaded (no retained context): wait for its next "ready".
      if (!panel.visible) this.webviewReady = false;
    }, undefined, this.disposables);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: 'comparison', title: title(runIds.length) });
  }

  /** Resolves when the webview first reports every chart drawn (or undefined after a minute). */
  firstDrawn(started: number): Promise<ComparisonReport | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), DRAWN_TIMEOUT_MS);
      this.drawnWaiters.push((charts, timings) => {
        clearTimeout(timer);
        resolve(charts && timings ? { runIds: this.runIds, charts, commandToDrawnMs: performance.now() - started, webview: timings, host: Object.fromEntries(Object.entries(this.milestones).map(([k, t]) => [k, t - started])) } : undefined);
      });
    });
  }

  private post(message: HostToComparison): void {
    if (!this.disposed && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  private async loadRuns(): Promise<void> {
    await connected(this.backend);
    const search = await this.backend.request<{ experiments?: { experiment_id: string }[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000, view_type: 'ALL' });
    const experimentIds = (search.experiments ?? []).map((e) => e.experiment_id);
    if (experimentIds.length === 0) throw new Error('No experiments in this workspace.');
    const filter = `attributes.run_id IN (${this.runIds.map((id) => `'${id.replace(/'/g, '')}'`).join(',')})`;
    const table = await this.backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', { experimentIds, filter, maxResults: Math.max(1, this.runIds.length), viewType: 'ALL' });
    const byId = new Map(table.runs.map((r) => [r.runId, r]));
    // Keep the order the runs were chosen in: it fixes their colours.
    this.runs = this.runIds.flatMap((id) => {
      const r = byId.get(id);
      return r ? [{ runId: r.runId, runName: r.runName, status: r.status, startTime: r.startTime, params: r.params, metrics: r.metrics }] : [];
    });
    const keys = new Set<string>();
    for (const r of this.runs) for (const k of Object.keys(r.metrics)) keys.add(k);
    this.keys = [...keys].sort(compareKeys);
    this.milestones.runsLoaded ??= performance.now();
  }

  private async fetchSeries(runIds: string[], x: 'step' | 'time', range: StepRange | null): Promise<PackedSeries> {
    if (this.keys.length === 0 || runIds.length === 0) return pack([]);
    const body = { runIds, keys: this.keys, maxPoints: MAX_POINTS, x, ...(range ?? {}) };
    const res = await this.backend.request<SeriesResponse>('POST', '/api/v1/series', body);
    this.milestones.seriesFetched ??= performance.now();
    return pack(res.series);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = comparisonToHost.safeParse(raw);
    if (!parsed.success) {
      this.workbench.log(`comparison panel: ignored a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const m = parsed.data;
    try {
      switch (m.type) {
        case 'ready': {
          this.webviewReady = true;
          await this.runInfo;
          this.post({ type: 'runs', runs: this.runs, keys: this.keys });
          const prefetched = m.x === 'step' && !m.range ? this.prefetch : undefined;
          this.prefetch = undefined;
          await this.sendSeries(0, m.x, m.range, prefetched);
          break;
        }
        case 'requestSeries':
          await this.sendSeries(m.requestId, m.x, m.range);
          break;
        case 'drawn': {
          // Only the answer to "ready" (request 0) or a later request, not a live update.
          if (m.requestId < 0) break;
          const waiters = this.drawnWaiters;
          this.drawnWaiters = [];
          for (const w of waiters) w(m.charts, m.timings);
          break;
        }
        case 'exportPng':
          await this.save(`${m.key.replace(/[^\w.-]+/g, '_')}.png`, { 'PNG image': ['png'] }, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64'));
          break;
        case 'exportCsv':
          await this.save('comparison.csv', { CSV: ['csv'] }, Buffer.from(m.csv, 'utf8'));
          break;
      }
    } catch (err) {
      const message = (err as Error).message;
      this.workbench.log(`comparison panel: ${message}`);
      this.post({ type: 'error', message });
      const waiters = this.drawnWaiters;
      this.drawnWaiters = [];
      for (const w of waiters) w(undefined);
    }
  }

  private async sendSeries(requestId: number, x: 'step' | 'time', range: StepRange | null, prefetched?: Promise<PackedSeries>): Promise<void> {
    this.x = x;
    this.range = range;
    this.milestones.webviewReady ??= performance.now();
    const series = await (prefetched ?? this.fetchSeries(this.runIds, x, range));
    this.post({ type: 'series', requestId, x, range, partial: false, series });
    this.milestones.seriesPosted ??= performance.now();
  }

  /** A run in the panel changed: re-fetch (debounced) so running curves grow. */
  private liveUpdate(runId: string): void {
    if (!this.webviewReady) return; // "ready" fetches everything anyway
    this.changedRuns.add(runId);
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      const ids = [...this.changedRuns];
      this.changedRuns.clear();
      void this.refreshRuns(ids).catch((err: Error) => this.workbench.log(`comparison panel: live update failed: ${err.message}`));
    }, LIVE_DEBOUNCE_MS);
  }

  private async refreshRuns(ids: string[]): Promise<void> {
    const keysBefore = this.keys.join('\n');
    await this.loadRuns();
    this.post({ type: 'runs', runs: this.runs, keys: this.keys });
    const keysChanged = this.keys.join('\n') !== keysBefore;
    const series = await this.fetchSeries(keysChanged ? this.runIds : ids, this.x, this.range);
    this.post({ type: 'series', requestId: -1, x: this.x, range: this.range, partial: !keysChanged, series });
  }

  private async save(defaultName: string, filters: Record<string, string[]>, data: Buffer): Promise<void> {
    const folder = this.backend.folder.uri;
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, defaultName), filters });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, data);
    void vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.liveTimer) clearTimeout(this.liveTimer);
    for (const w of this.drawnWaiters) w(undefined);
    this.drawnWaiters = [];
    for (const d of this.disposables) d.dispose();
  }
}

/** User metrics first, then system/ metrics; alphabetical within each. */
function compareKeys(a: string, b: string): number {
  const sa = a.startsWith('system/') ? 1 : 0;
  const sb = b.startsWith('system/') ? 1 : 0;
  return sa - sb || a.localeCompare(b);
}

/** The backend's series as one binary block (see packedSeries); non-finite values become NaN. */
function pack(series: SeriesResponse['series']): PackedSeries {
  let n = 0;
  for (const s of series) n += s.x.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const withSteps = series.some((s) => s.steps);
  const steps = withSteps ? new Float64Array(n) : null;
  const slices: PackedSeries['slices'] = [];
  let offset = 0;
  for (const s of series) {
    if (s.x.length === 0) continue;
    slices.push({ runId: s.runId, key: s.key, total: s.total, downsampled: s.downsampled, offset, length: s.x.length });
    x.set(s.x, offset);
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i];
      y[offset + i] = typeof v === 'number' ? v : NaN;
    }
    if (steps && s.steps) steps.set(s.steps, offset);
    offset += s.x.length;
  }
  return { slices, x, y, steps };
}

import * as vscode from 'vscode';
import type { RunsTableResponse, RunsTableRow, SeriesResponse } from '../../protocol/native';
import { LABEL_TAGS, PARENT_RUN_TAG } from '../../protocol/runLabels';
import type {
  ComparisonParent,
  ComparisonReport,
  ComparisonRun,
  ChartReport,
  ParallelReport,
  RunRanges,
  PackedSeries,
  HostToComparison,
  StepRange,
} from '../../protocol/comparisonMessages';
import { comparisonSchemas } from '../lazySchemas';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { connected, restoringSerializer } from './panelBackend';
import type { Workbench } from '../workbench';
import type { ExperimentsNode } from '../experiments/experimentsTree';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { packSeries } from './packedSeries';
import { exportName, pngBytes, saveExport } from './saveExport';
import { compareCandidates } from './compareCandidates';

const VIEW_TYPE = 'mlops.comparison';
// About one point per pixel of a chart in the grid. It also keeps requests on the
// backend's fast path: a series of S steps has S/64 stored M4 bucket summaries
// (4 points each); asking for more points than those give falls back to reading
// raw points (10k-step series: ~0.3 s for 100 runs x 5 keys at 600, ~5 s at 1000).
const MAX_POINTS = 600;
// Live updates: at most one re-fetch per interval (a running run logs many batches), never two at once.
const LIVE_DEBOUNCE_MS = 250;
const DRAWN_TIMEOUT_MS = 60_000;
/** A visible panel that drew nothing this long after a Compare has a stuck webview. */
const STALLED_MS = 15_000;
/** Parents fetched for labels, at most: past that, steps are told apart by their params or order. */
const MAX_PARENTS = 200;

/** What the comparison panel last drew, for tests (`_mlops.comparison.state`). */
export interface ComparisonSnapshot {
  /** Comparison panels open (one unless "Open in New Panel" was used). */
  panels: number;
  runIds: string[];
  title?: string;
  /** Draws reported by the webview (the first load, zooms, live updates). */
  drawCount: number;
  lastDrawn?: { requestId: number; charts: ChartReport[]; parallel?: ParallelReport; legend?: string[]; at: number };
}

/** How many of the newest runs the Compare Runs picker offers. */
const PICK_MAX_RUNS = 200;

/** Registers "MLOps: Compare Runs" (mlops.compareRuns) for the selected runs. */
export function registerComparisonPanel(context: vscode.ExtensionContext, workbench: Workbench, selection: () => readonly ExperimentsNode[]): void {
  const panels = new Set<ComparisonPanel>();
  // The panel a Compare reuses: the one last active.
  let current: ComparisonPanel | undefined;
  const track = (comparison: ComparisonPanel) => {
    panels.add(comparison);
    current = comparison;
    comparison.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) current = comparison;
    });
    comparison.panel.onDidDispose(() => {
      panels.delete(comparison);
      if (current === comparison) current = [...panels].at(-1);
    });
    return comparison;
  };
  const serializer = restoringSerializer(
    context.extensionUri,
    workbench,
    (state) => comparisonSchemas().comparisonState.safeParse(state).data,
    (panel, backend, state) => track(new ComparisonPanel(panel, context.extensionUri, backend, state.runIds, workbench, false)),
  );
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.compareRuns', async (arg?: unknown, selected?: unknown): Promise<ComparisonReport | undefined> => {
      const started = performance.now();
      const picked = runsToCompare(arg, selected, selection());
      const backend = picked.backend ?? workbench.current();
      // From the palette with fewer than two runs selected: ask which, rather than compare one run with nothing.
      if (arg === undefined && selected === undefined && picked.runIds.length < 2 && backend?.state.kind === 'connected') {
        const experimentIds = selection().flatMap((n) => (n.kind === 'run' ? [n.run.experimentId] : []));
        const chosen = await pickRunsToCompare(backend, picked.runIds, experimentIds);
        if (!chosen) return undefined;
        picked.runIds = chosen;
      }
      if (picked.runIds.length === 0) {
        void vscode.window.showInformationMessage('MLOps: select one or more runs in the Experiments view (Ctrl/Shift-click for several), then Compare Runs.');
        return undefined;
      }
      if (!backend) {
        void vscode.window.showInformationMessage('MLOps: open a folder with an MLOps backend to compare runs.');
        return undefined;
      }
      if (current && current.backend === backend && !wantsNewPanel(arg)) {
        // Another Compare replaces the runs of the open panel rather than piling up tabs.
        const reused = current;
        workbench.log(`comparison: ${picked.runIds.length} runs into the open panel (${reused.describe()})`);
        const drawn = reused.firstDrawn(started);
        reused.replaceRuns(picked.runIds);
        reused.panel.reveal(undefined, false);
        return drawn;
      }
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title(picked.runIds.length), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
      const comparison = track(new ComparisonPanel(panel, context.extensionUri, backend, picked.runIds, workbench, true));
      return comparison.firstDrawn(started);
    }),
    // Test hook: the x axis and zoom, set as the toolbar and a drag on a chart would.
    vscode.commands.registerCommand('_mlops.comparison.setView', (x: unknown, range: unknown) => current?.setView(x, range) ?? false),
    // Test hook (not in the palette): what the comparison panel last drew.
    vscode.commands.registerCommand('_mlops.comparison.state', (): ComparisonSnapshot => ({ panels: panels.size, ...(current?.snapshot() ?? { runIds: [], drawCount: 0 }) })),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    // Test hook: what a window reload does, a panel of this view type handed to the serializer with a saved state.
    vscode.commands.registerCommand('_mlops.comparison.revive', (state: unknown) =>
      serializer.deserializeWebviewPanel(vscode.window.createWebviewPanel(VIEW_TYPE, 'Compare', vscode.ViewColumn.Active, {}), state),
    ),
  );
}

/** The runs to compare, picked from the experiments of the selection (else all); undefined when dismissed. */
async function pickRunsToCompare(backend: WorkspaceBackend, selectedRunIds: string[], experimentIds: string[]): Promise<string[] | undefined> {
  let ids = [...new Set(experimentIds)];
  if (ids.length === 0) {
    const search = await backend.request<{ experiments?: { experiment_id: string }[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000 });
    ids = (search.experiments ?? []).map((e) => e.experiment_id);
  }
  if (ids.length === 0) return [];
  const table = await backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', { experimentIds: ids, maxResults: PICK_MAX_RUNS, orderBy: ['attributes.start_time DESC'] });
  const candidates = compareCandidates(table.runs, selectedRunIds);
  if (candidates.length === 0) return [];
  const items = candidates.map((c) => ({ label: c.label, description: c.description, picked: c.picked, runId: c.runId }));
  const chosen = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Compare Runs', placeHolder: 'Pick the runs to compare (two or more): type to filter, Space to pick' });
  return chosen?.map((c) => c.runId);
}

function wantsNewPanel(arg: unknown): boolean {
  return !!arg && typeof arg === 'object' && (arg as { newPanel?: unknown }).newPanel === true;
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
  private parents: ComparisonParent[] = [];
  private keys: string[] = [];
  private prefetch?: Promise<PackedSeries>;
  private x: 'step' | 'time' = 'step';
  private range: StepRange | null = null;
  private runRanges: RunRanges | null = null;
  private liveTimer?: NodeJS.Timeout;
  private refreshing = false;
  private readonly changedRuns = new Set<string>();
  /** Each waits for a "drawn" answering request `from` or a later one. */
  private drawnWaiters: { from: number; done: (report: ComparisonReport['charts'] | undefined, timings?: ComparisonReport['webview']) => void }[] = [];
  /** The webview's latest request id: a replacement of the runs continues after it. */
  private lastRequestId = 0;
  private lastDrawn?: ComparisonSnapshot['lastDrawn'];
  private drawCount = 0;
  private disposed = false;
  /** Set by the webview's "ready": messages posted before it would be lost. */
  private webviewReady = false;
  private runInfo: Promise<void>;
  /** performance.now() of milestones of the first load, for the command's report. */
  private readonly milestones: Record<string, number> = {};

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly backend: WorkspaceBackend,
    private runIds: string[],
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
    this.loadWebview = () => {
      this.webviewReady = false;
      panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: 'comparison', title: title(this.runIds.length) });
    };
    this.loadWebview();
  }

  /** When the webview last sent anything: a webview that talks is loading or drawing, not stuck. */
  private lastHeardAt = 0;

  /** (Re)loads the webview: a fresh nonce makes new HTML, which VS Code loads anew. */
  private readonly loadWebview: () => void;

  /** Resolves when the webview next reports every chart drawn for its runs (or undefined after a minute). */
  firstDrawn(started: number): Promise<ComparisonReport | undefined> {
    // A reload of the webview starts again at request 0; a replacement of the runs continues after the last request.
    const from = this.webviewReady ? this.lastRequestId + 1 : 0;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.workbench.log(`comparison panel: nothing drawn ${DRAWN_TIMEOUT_MS / 1000} s after Compare (${this.describe()}, ${this.progress(started)})`);
        this.drawnWaiters = this.drawnWaiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, DRAWN_TIMEOUT_MS);
      // A webview whose script load was cut off (a reveal while it loaded) never says
      // "ready" and stays blank: a visible panel that has drawn nothing in a while is reloaded once.
      const stalled = setTimeout(() => {
        const silent = performance.now() - this.lastHeardAt >= STALLED_MS;
        if (this.disposed || !this.panel.visible || !silent || !this.drawnWaiters.includes(waiter)) return;
        this.workbench.log(`comparison panel: nothing drawn ${STALLED_MS / 1000} s after Compare (${this.describe()}, ${this.progress(started)}); reloading its webview and its runs`);
        // The runs are asked for again too: a request to a backend that stalled would hold up the reloaded webview as well.
        this.runInfo = this.loadRuns();
        this.loadWebview();
      }, STALLED_MS);
      const waiter: (typeof this.drawnWaiters)[number] = {
        from,
        done: (charts, timings) => {
          clearTimeout(timer);
          clearTimeout(stalled);
          resolve(charts && timings ? { runIds: this.runIds, charts, commandToDrawnMs: performance.now() - started, webview: timings, host: Object.fromEntries(Object.entries(this.milestones).map(([k, t]) => [k, t - started])) } : undefined);
        },
      };
      this.drawnWaiters.push(waiter);
    });
  }

  /** For the log: how far the data for a Compare got, ms after it. */
  private progress(started: number): string {
    const steps = Object.entries(this.milestones).map(([k, t]) => `${k} +${Math.round(t - started)} ms`);
    return `${steps.join(', ') || 'no runs loaded yet'}; webview last heard ${this.lastHeardAt ? `${Math.round(performance.now() - this.lastHeardAt)} ms ago` : 'never'}`;
  }

  /** For the log: the state a Compare finds the panel in. */
  describe(): string {
    return `visible ${this.panel.visible}, webview ready ${this.webviewReady}, last request ${this.lastRequestId}, waiting ${this.drawnWaiters.map((w) => w.from).join(',') || 'none'}`;
  }

  snapshot(): Omit<ComparisonSnapshot, 'panels'> {
    return { runIds: this.runs.length ? this.runs.map((r) => r.runId) : this.runIds, title: this.panel.title, drawCount: this.drawCount, lastDrawn: this.lastDrawn };
  }

  setView(x: unknown, range: unknown): boolean {
    const message = comparisonSchemas().hostToComparison.safeParse({ type: 'setView', x, range: range ?? null });
    if (!message.success || !this.webviewReady) return false;
    this.post(message.data);
    return true;
  }

  /** Shows other runs in this panel (another Compare): zoom and series start afresh. */
  replaceRuns(runIds: string[]): void {
    this.runIds = runIds;
    this.panel.title = title(runIds.length);
    this.parents = [];
    this.prefetch = undefined;
    this.range = null;
    this.runRanges = null;
    this.changedRuns.clear();
    for (const k of Object.keys(this.milestones)) delete this.milestones[k];
    this.runInfo = this.loadRuns();
    if (!this.webviewReady) return; // its next "ready" asks for the new runs
    const requestId = ++this.lastRequestId;
    void (async () => {
      try {
        await this.runInfo;
        this.post({ type: 'runs', runs: this.runs, parents: this.parents, keys: this.keys, resetTo: requestId });
        await this.sendSeries(requestId, this.x, null, null);
      } catch (err) {
        this.failed(err as Error);
      }
    })();
  }

  private failed(err: Error): void {
    this.workbench.log(`comparison panel: ${err.message}`);
    this.post({ type: 'error', message: err.message });
    const waiters = this.drawnWaiters;
    this.drawnWaiters = [];
    for (const w of waiters) w.done(undefined);
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
      return r ? [{ runId: r.runId, runName: r.runName, status: r.status, startTime: r.startTime, params: r.params, metrics: r.metrics, tags: labelTags(r.tags) }] : [];
    });
    this.parents = await this.missingParents(experimentIds, table.runs).catch((err: Error) => {
      // Without them the labels fall back to the pipeline's name: worth a log line, not a failed panel.
      this.workbench.log(`comparison panel: parent runs for the labels not loaded: ${err.message}`);
      return [];
    });
    const keys = new Set<string>();
    for (const r of this.runs) for (const k of Object.keys(r.metrics)) keys.add(k);
    this.keys = [...keys].sort(compareKeys);
    this.milestones.runsLoaded ??= performance.now();
  }

  /**
   * The parent runs of compared runs that are not compared themselves: two
   * "train" steps of two pipeline runs are told apart by their parents' names
   * and params ("train · churn (lr=0.3)").
   */
  private async missingParents(experimentIds: string[], rows: RunsTableRow[]): Promise<ComparisonParent[]> {
    const present = new Set(rows.map((r) => r.runId));
    const wanted = [...new Set(rows.map((r) => r.tags[PARENT_RUN_TAG]).filter((id): id is string => !!id && !present.has(id) && /^[\w-]+$/.test(id)))].slice(0, MAX_PARENTS);
    // A live update reloads the runs often; parents already loaded are kept (their names and params are set at their start).
    const known = new Map(this.parents.map((p) => [p.runId, p]));
    const missing = wanted.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const filter = `attributes.run_id IN (${missing.map((id) => `'${id}'`).join(',')})`;
      const page = await this.backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', { experimentIds, filter, maxResults: missing.length, viewType: 'ALL' });
      for (const r of page.runs) known.set(r.runId, { runId: r.runId, runName: r.runName, startTime: r.startTime, params: r.params, tags: labelTags(r.tags) });
    }
    return wanted.flatMap((id) => known.get(id) ?? []);
  }

  private async fetchSeries(runIds: string[], x: 'step' | 'time', range: StepRange | null, runRanges: RunRanges | null = null): Promise<PackedSeries> {
    if (this.keys.length === 0 || runIds.length === 0) return packSeries([]);
    const body = { runIds, keys: this.keys, maxPoints: MAX_POINTS, x, ...(range ?? {}), ...(runRanges ? { runRanges } : {}) };
    const res = await this.backend.request<SeriesResponse>('POST', '/api/v1/series', body);
    this.milestones.seriesFetched ??= performance.now();
    return packSeries(res.series);
  }

  private async onMessage(raw: unknown): Promise<void> {
    this.lastHeardAt = performance.now();
    const parsed = comparisonSchemas().comparisonToHost.safeParse(raw);
    if (!parsed.success) {
      this.workbench.log(`comparison panel: ignored a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const m = parsed.data;
    try {
      switch (m.type) {
        case 'ready': {
          this.webviewReady = true;
          this.lastRequestId = 0;
          // A (re)loaded webview draws the current runs as request 0: a Compare that
          // replaced the runs just before the reload is answered by that draw.
          for (const w of this.drawnWaiters) w.from = 0;
          if (this.drawnWaiters.length) this.workbench.log(`comparison panel: webview (re)loaded while a Compare waits (${this.describe()})`);
          await this.runInfo;
          this.post({ type: 'runs', runs: this.runs, parents: this.parents, keys: this.keys });
          const prefetched = m.x === 'step' && !m.range ? this.prefetch : undefined;
          this.prefetch = undefined;
          await this.sendSeries(0, m.x, m.range, null, prefetched);
          break;
        }
        case 'requestSeries':
          this.lastRequestId = Math.max(this.lastRequestId, m.requestId);
          await this.sendSeries(m.requestId, m.x, m.range, m.runRanges);
          break;
        case 'drawn': {
          this.drawCount++;
          this.lastDrawn = { requestId: m.requestId, charts: m.charts, parallel: m.parallel, legend: m.legend, at: Date.now() };
          // Only the answer to "ready" (request 0) or a later request, not a live update.
          if (m.requestId < 0) break;
          const waiters = this.drawnWaiters.filter((w) => m.requestId >= w.from);
          this.drawnWaiters = this.drawnWaiters.filter((w) => m.requestId < w.from);
          for (const w of waiters) w.done(m.charts, m.timings);
          break;
        }
        case 'exportPng':
          await saveExport(this.backend.folder.uri, exportName(m.key, 'png'), { 'PNG image': ['png'] }, pngBytes(m.dataUrl));
          break;
        case 'exportCsv':
          await saveExport(this.backend.folder.uri, 'comparison.csv', { CSV: ['csv'] }, Buffer.from(m.csv, 'utf8'));
          break;
      }
    } catch (err) {
      this.failed(err as Error);
    }
  }

  private async sendSeries(requestId: number, x: 'step' | 'time', range: StepRange | null, runRanges: RunRanges | null, prefetched?: Promise<PackedSeries>): Promise<void> {
    this.x = x;
    this.range = range;
    this.runRanges = runRanges;
    this.milestones.webviewReady ??= performance.now();
    const series = await (prefetched ?? this.fetchSeries(this.runIds, x, range, runRanges));
    this.post({ type: 'series', requestId, x, range, runRanges, partial: false, series });
    this.milestones.seriesPosted ??= performance.now();
  }

  /** A run in the panel changed: re-fetch (debounced) so running curves grow. */
  private liveUpdate(runId: string): void {
    if (!this.webviewReady) return; // "ready" fetches everything anyway
    this.changedRuns.add(runId);
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      if (this.refreshing) return this.liveUpdate(runId); // after the one under way
      const ids = [...this.changedRuns];
      this.changedRuns.clear();
      this.refreshing = true;
      void this.refreshRuns(ids)
        .catch((err: Error) => this.workbench.log(`comparison panel: live update failed: ${err.message}`))
        .finally(() => (this.refreshing = false));
    }, LIVE_DEBOUNCE_MS);
  }

  private async refreshRuns(ids: string[]): Promise<void> {
    const keysBefore = this.keys.join('\n');
    // The changed runs' series with the keys known so far, while the runs (latest values, new keys) load.
    const [, changed] = await Promise.all([this.loadRuns(), this.fetchSeries(ids, this.x, this.range, this.runRanges)]);
    this.post({ type: 'runs', runs: this.runs, parents: this.parents, keys: this.keys });
    const keysChanged = this.keys.join('\n') !== keysBefore;
    const series = keysChanged ? await this.fetchSeries(this.runIds, this.x, this.range, this.runRanges) : changed;
    this.post({ type: 'series', requestId: -1, x: this.x, range: this.range, runRanges: this.runRanges, partial: !keysChanged, series });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.liveTimer) clearTimeout(this.liveTimer);
    for (const w of this.drawnWaiters) w.done(undefined);
    this.drawnWaiters = [];
    for (const d of this.disposables) d.dispose();
  }
}

/** Of a run's tags, those its label reads: the webview needs no others. */
function labelTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(LABEL_TAGS.flatMap((k) => (tags[k] !== undefined ? [[k, tags[k]]] : [])));
}

/** User metrics first, then system/ metrics; alphabetical within each. */
function compareKeys(a: string, b: string): number {
  const sa = a.startsWith('system/') ? 1 : 0;
  const sb = b.startsWith('system/') ? 1 : 0;
  return sa - sb || a.localeCompare(b);
}

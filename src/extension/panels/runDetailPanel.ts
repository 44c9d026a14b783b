import * as vscode from 'vscode';
import type { ChangeEvent, RunsTableResponse } from '../../protocol/native';
import type {
  HostToRunDetail,
  PreviewReport,
  RunChartReport,
  RunDetail,
  RunDetailReport,
  RunDetailToHost,
  TextExcerpt,
} from '../../protocol/runDetailMessages';
import { runDetailSchemas } from '../lazySchemas';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { connected, restoringSerializer } from './panelBackend';
import type { ExperimentsNode } from '../experiments/experimentsTree';
import type { Workbench } from '../workbench';
import {
  DIFF_ARTIFACT,
  PIP_FREEZE_ARTIFACT,
  downloadArtifact,
  environmentOf,
  listArtifacts,
  loadChartSeries,
  loadLinkedRuns,
  loadRegistrations,
  loadRun,
  loadSparklines,
  stepSeriesSources,
  type SeriesSources,
  optionalTextArtifact,
  previewArtifact,
  type ChartView,
} from './runDetailData';
import { exportName, pngBytes, saveExport } from './saveExport';
import { RunLogFollower } from './runLogFollower';
import { webviewOptions } from './webviewHtml';
import { WebviewPanelHost } from './webviewPanelHost';

const VIEW_TYPE = 'mlops.runDetail';
const NOTE_TAG = 'mlflow.note.content';
const LIVE_DEBOUNCE_MS = 400;
const REPORT_TIMEOUT_MS = 60_000;

/**
 * Registers "MLOps: Open Run" (mlops.openRun): one panel per run (opening an
 * open run reveals it). A click in the Experiments view opens a *preview*
 * panel that the next click reuses, as VS Code's editors do; the context menu,
 * other panels and `executeCommand('mlops.openRun', runId)` open a kept one.
 * The command resolves with the panel's report once it has drawn (tests read it).
 */
export function registerRunDetailPanel(context: vscode.ExtensionContext, workbench: Workbench, selection: () => readonly ExperimentsNode[]): void {
  const panels = new Set<RunDetailPanel>();
  let previewPanel: RunDetailPanel | undefined;
  const find = (runId: string) => [...panels].find((p) => p.runId === runId);
  const track = (p: RunDetailPanel) => {
    panels.add(p);
    p.onDispose(() => {
      panels.delete(p);
      if (previewPanel === p) previewPanel = undefined;
    });
    return p;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.openRun', async (arg?: unknown, second?: unknown): Promise<RunDetailReport | undefined> => {
      const current = workbench.current();
      // From the palette with nothing selected: choose among the newest runs.
      const target = runTarget(arg, selection()) ?? (current && arg === undefined ? await pickRun(current) : undefined);
      if (!target) return;
      const backend = target.backend ?? current;
      if (!backend) return void vscode.window.showInformationMessage('MLOps: open a folder with an MLOps backend to see runs.');
      const preview = !!second && typeof second === 'object' && !Array.isArray(second) && (second as { preview?: unknown }).preview === true;
      const existing = find(target.runId);
      if (existing) {
        if (!preview && previewPanel === existing) previewPanel = undefined; // opened on purpose: keep it
        existing.panel.reveal(undefined, preview);
        return existing.report();
      }
      if (preview && previewPanel && previewPanel.backend === backend) {
        previewPanel.show(target.runId);
        previewPanel.panel.reveal(undefined, true);
        return previewPanel.report();
      }
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Run', { viewColumn: vscode.ViewColumn.Active, preserveFocus: preview }, webviewOptions(context.extensionUri));
      const detail = track(new RunDetailPanel(panel, context.extensionUri, backend, target.runId, workbench));
      if (preview) previewPanel = detail;
      detail.onKept = () => {
        if (previewPanel === detail) previewPanel = undefined;
      };
      return detail.report();
    }),
    vscode.window.registerWebviewPanelSerializer(
      VIEW_TYPE,
      restoringSerializer(
        context.extensionUri,
        workbench,
        (state) => runDetailSchemas().runDetailState.safeParse(state).data,
        (panel, backend, state) => track(new RunDetailPanel(panel, context.extensionUri, backend, state.runId, workbench)),
      ),
    ),
    // Test hooks (not in the palette): the last report of a run's panel, and a preview as the webview drew it.
    vscode.commands.registerCommand('_mlops.runDetail.report', (runId: string) => find(runId)?.lastReport),
    vscode.commands.registerCommand('_mlops.runDetail.preview', (runId: string, path: string) => find(runId)?.preview(path)),
    // Opens a run's metric chart as a click on the metric's row does; resolves with what the chart drew.
    vscode.commands.registerCommand('_mlops.runDetail.openChart', (runId: string, keys: string[], view?: { x?: string; range?: { min: number; max: number } | null }) => find(runId)?.openChart(keys, view)),
    { dispose: () => [...panels].forEach((p) => p.panel.dispose()) },
  );
}

/** The run a command invocation means: a run id, `{ runId }`, a tree node, or the view's selection. */
function runTarget(arg: unknown, viewSelection: readonly ExperimentsNode[]): { runId: string; backend?: WorkspaceBackend } | undefined {
  if (typeof arg === 'string' && arg) return { runId: arg };
  const node = (arg ?? viewSelection[0]) as ExperimentsNode | { runId?: unknown } | undefined;
  if (node && typeof node === 'object') {
    if ('kind' in node && node.kind === 'run') return { runId: node.run.runId, backend: node.backend };
    if ('runId' in node && typeof node.runId === 'string' && node.runId) return { runId: node.runId };
  }
  return undefined;
}

async function pickRun(backend: WorkspaceBackend): Promise<{ runId: string; backend: WorkspaceBackend } | undefined> {
  try {
    const search = await backend.request<{ experiments?: { experiment_id: string; name: string }[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000 });
    const names = new Map((search.experiments ?? []).map((e) => [e.experiment_id, e.name]));
    if (names.size === 0) return void vscode.window.showInformationMessage('MLOps: no runs yet.');
    const table = await backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', { experimentIds: [...names.keys()], maxResults: 300, orderBy: ['attributes.start_time DESC'] });
    const picked = await vscode.window.showQuickPick(
      table.runs.map((r) => ({ label: r.runName, description: `${r.status.toLowerCase()} · ${names.get(r.experimentId) ?? r.experimentId}`, detail: r.runId, runId: r.runId })),
      { title: 'Open Run', placeHolder: 'Newest runs first; type to filter by name, experiment or id', matchOnDescription: true, matchOnDetail: true },
    );
    return picked && { runId: picked.runId, backend };
  } catch (err) {
    void vscode.window.showErrorMessage(`MLOps: could not list runs: ${(err as Error).message}`);
    return undefined;
  }
}

/** One run's detail panel: loads the run from the backend and keeps it live. */
class RunDetailPanel extends WebviewPanelHost<HostToRunDetail, RunDetailToHost, RunDetailReport> {
  private run?: RunDetail;
  private logFollower?: RunLogFollower;
  private diff?: Promise<TextExcerpt | null>;
  private pipFreeze?: Promise<TextExcerpt | null>;
  private generation = 0;
  private refreshTimer?: NodeJS.Timeout;
  private readonly changed = new Set<ChangeEvent['kind']>();
  private readonly previewWaiters = new Map<number, (report: PreviewReport | undefined) => void>();
  private nextPreviewId = -1;
  /** What the open metric chart shows (its last request): live metrics re-fetch it. */
  private chartView?: ChartView;
  /** Where a pipeline run's step metrics have their history (its step runs). */
  private seriesSources: SeriesSources = new Map();
  private readonly chartWaiters = new Map<number, (report: RunChartReport | undefined) => void>();
  private nextChartId = -1;
  /** Called when the user does something that makes a preview panel worth keeping. */
  onKept?: () => void;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly backend: WorkspaceBackend,
    public runId: string,
    workbench: Workbench,
  ) {
    super(panel, extensionUri, workbench, { name: 'runDetail', title: 'Run', imageBlobs: true, what: 'run detail panel' });
    this.disposables.push(backend.onDidChange((e) => this.onChange(e)));
  }

  /** Shows another run in this panel (a reused preview panel). */
  show(runId: string): void {
    if (runId === this.runId) return;
    this.runId = runId;
    this.run = undefined;
    this.diff = this.pipFreeze = undefined;
    this.lastReport = undefined;
    this.chartView = undefined;
    this.logFollower?.dispose();
    this.logFollower = undefined;
    if (this.webviewReady) void this.loadAll();
  }

  /** A report of another run (before a reused preview panel drew this one) is not the current one. */
  protected override reportIsCurrent(report: RunDetailReport): boolean {
    return report.runId === this.runId;
  }

  /** Asks the webview to preview an artifact; resolves with what it drew. */
  preview(path: string): Promise<PreviewReport | undefined> {
    const requestId = this.nextPreviewId--;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.previewWaiters.delete(requestId), resolve(undefined)), REPORT_TIMEOUT_MS);
      this.previewWaiters.set(requestId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.post({ type: 'selectArtifact', requestId, path });
    });
  }

  /** Opens the chart of `keys` in the webview as a click would; resolves with what it drew (undefined if it could not). */
  openChart(keys: string[], view: { x?: string; range?: { min: number; max: number } | null } = {}): Promise<RunChartReport | undefined> {
    const message = runDetailSchemas().hostToRunDetail.safeParse({ type: 'openChart', requestId: this.nextChartId--, keys, x: view.x, range: view.range ?? null });
    if (!message.success || message.data.type !== 'openChart' || !this.webviewReady) return Promise.resolve(undefined);
    const { requestId } = message.data;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.chartWaiters.delete(requestId), resolve(undefined)), REPORT_TIMEOUT_MS);
      this.chartWaiters.set(requestId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.post(message.data);
    });
  }

  protected messageSchema() {
    return runDetailSchemas().runDetailToHost;
  }

  protected onFailure(message: string): void {
    this.post({ type: 'error', message });
  }

  protected async handle(m: RunDetailToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A (re)loaded webview has no chart until it asks for one.
        this.chartView = undefined;
        await this.loadAll();
        break;
      case 'listArtifacts': {
        const files = await listArtifacts(this.backend, this.runId, m.path).catch((err: Error) => err);
        if (files instanceof Error) this.post({ type: 'artifacts', path: m.path, files: [], error: files.message });
        else this.post({ type: 'artifacts', path: m.path, files });
        break;
      }
      case 'preview': {
        const run = this.run;
        if (!run) break;
        const content = await previewArtifact(this.backend, run, m.path, m.size);
        if (run.runId === this.runId) this.post({ type: 'preview', requestId: m.requestId, path: m.path, content });
        break;
      }
      case 'openArtifact':
        await this.openArtifact(m.path);
        break;
      case 'registerModel':
        this.onKept?.();
        await vscode.commands.executeCommand('mlops.registerModel', { runId: this.runId, path: m.path }, m.name ? { name: m.name } : undefined);
        await this.sendRegistrations();
        break;
      case 'openModel':
        await vscode.commands.executeCommand('mlops.openModel', { name: m.name, version: m.version });
        break;
      case 'openRun':
        await vscode.commands.executeCommand('mlops.openRun', m.runId);
        break;
      case 'saveNote':
        this.onKept?.();
        await this.backend.request('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: this.runId, key: NOTE_TAG, value: m.text });
        void vscode.window.setStatusBarMessage('Saved the run note', 2000);
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.setStatusBarMessage(`Copied ${m.text.length > 40 ? 'to the clipboard' : m.text}`, 2000);
        break;
      case 'rendered':
        if (m.report.runId === this.runId) this.reported(m.report);
        break;
      case 'requestSeries': {
        const runId = this.runId;
        const view: ChartView = { keys: m.keys, x: m.x, range: m.range, runRanges: m.runRanges };
        this.chartView = view;
        const series = await loadChartSeries(this.backend, runId, view, this.seriesSources);
        if (runId === this.runId) this.post({ type: 'series', requestId: m.requestId, x: view.x, range: view.range, runRanges: view.runRanges, series });
        break;
      }
      case 'chartClosed':
        this.chartView = undefined;
        break;
      case 'chartRendered':
        this.chartWaiters.get(m.requestId)?.(m.report);
        this.chartWaiters.delete(m.requestId);
        break;
      case 'exportPng':
        await saveExport(this.backend.folder.uri, exportName(m.key, 'png'), { 'PNG image': ['png'] }, pngBytes(m.dataUrl));
        break;
      case 'previewRendered':
        this.previewWaiters.get(m.requestId)?.(m.report);
        this.previewWaiters.delete(m.requestId);
        break;
    }
  }

  /** Everything the panel shows, in the order it is drawn. */
  private async loadAll(): Promise<void> {
    const generation = ++this.generation;
    const runId = this.runId;
    const stale = () => generation !== this.generation || runId !== this.runId || this.disposed;
    try {
      await connected(this.backend);
      const run = await loadRun(this.backend, runId);
      if (stale()) return;
      await this.sendDetail(run);
      const [sparklines, files] = await Promise.all([
        loadSparklines(this.backend, run, this.seriesSources).catch((err: Error) => (this.workbench.log(`run detail panel: series: ${err.message}`), [])),
        listArtifacts(this.backend, runId, '').catch((err: Error) => err),
      ]);
      if (stale()) return;
      this.post({ type: 'sparklines', series: sparklines });
      await this.sendRegistrations();
      if (files instanceof Error) this.post({ type: 'artifacts', path: '', files: [], error: files.message });
      else this.post({ type: 'artifacts', path: '', files });
      this.logFollower?.dispose();
      this.logFollower = new RunLogFollower(this.backend, run, (m) => {
        if (runId === this.runId) this.post(m);
      });
      await this.logFollower.start(run.status === 'RUNNING');
    } catch (err) {
      if (stale()) return;
      const message = (err as Error).message;
      this.log(message);
      this.post({ type: 'error', message: `Could not load run ${runId}: ${message}` });
      this.releaseReportWaiters();
    }
  }

  private async sendDetail(run: RunDetail): Promise<void> {
    this.run = run;
    this.panel.title = `Run ${run.runName}`;
    this.diff ??= optionalTextArtifact(this.backend, run, DIFF_ARTIFACT);
    this.pipFreeze ??= optionalTextArtifact(this.backend, run, PIP_FREEZE_ARTIFACT);
    const [linked, diff, pipFreeze] = await Promise.all([loadLinkedRuns(this.backend, run), this.diff, this.pipFreeze]);
    if (run.runId !== this.runId) return;
    this.seriesSources = stepSeriesSources(run, linked.children);
    this.post({ type: 'detail', detail: run, linked, environment: environmentOf(run, pipFreeze), diff });
  }

  /** The model versions registered from this run; the registry's trouble only leaves them out. */
  private async sendRegistrations(): Promise<void> {
    const runId = this.runId;
    const registrations = await loadRegistrations(this.backend, runId).catch((err: Error) => (this.log(`registered versions: ${err.message}`), []));
    if (runId === this.runId) this.post({ type: 'registrations', registrations });
  }

  private onChange(e: ChangeEvent): void {
    if (!this.webviewReady || !this.run) return;
    // A version registered from this run, or an alias moved in the registry: say where its files are registered.
    if (e.kind === 'model' || e.kind === 'model_version') return void this.registryChanged();
    // Another run's creation or end may change this one's children or re-runs.
    const ours = e.runId === this.runId;
    if (!ours && !(e.kind === 'run' || e.kind === 'resync')) return;
    this.changed.add(ours ? e.kind : 'run');
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const kinds = new Set(this.changed);
      this.changed.clear();
      void this.refresh(kinds).catch((err: Error) => this.workbench.log(`run detail panel: live update failed: ${err.message}`));
    }, LIVE_DEBOUNCE_MS);
  }

  private registryTimer?: NodeJS.Timeout;
  private registryChanged(): void {
    if (this.registryTimer) return;
    this.registryTimer = setTimeout(() => {
      this.registryTimer = undefined;
      void this.sendRegistrations();
    }, LIVE_DEBOUNCE_MS);
  }

  private async refresh(kinds: Set<ChangeEvent['kind']>): Promise<void> {
    const runId = this.runId;
    const before = this.run;
    const run = await loadRun(this.backend, runId);
    if (runId !== this.runId || this.disposed) return;
    if (kinds.has('artifacts') || kinds.has('resync')) this.diff = this.pipFreeze = undefined;
    await this.sendDetail(run);
    if (kinds.has('metrics') || kinds.has('resync')) {
      this.post({ type: 'sparklines', series: await loadSparklines(this.backend, run, this.seriesSources) });
      // The open chart grows with the run: its view again, as a live update (-1).
      const view = this.chartView;
      if (view) {
        const series = await loadChartSeries(this.backend, runId, view, this.seriesSources);
        if (runId === this.runId && view === this.chartView) this.post({ type: 'series', requestId: -1, x: view.x, range: view.range, runRanges: view.runRanges, series });
      }
    }
    if (kinds.has('artifacts') || kinds.has('resync')) this.post({ type: 'artifacts', path: '', files: await listArtifacts(this.backend, runId, '') });
    if (kinds.has('resync')) await this.sendRegistrations();
    if (before?.status === 'RUNNING' && run.status !== 'RUNNING') this.logFollower?.finish();
    else if (before && before.status !== 'RUNNING' && run.status === 'RUNNING') await this.logFollower?.start(true);
  }

  private async openArtifact(path: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    const file = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Downloading ${path}` }, () => downloadArtifact(this.backend, run, path, this.workbench.downloads));
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true });
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.registryTimer) clearTimeout(this.registryTimer);
    this.logFollower?.dispose();
    for (const w of this.previewWaiters.values()) w(undefined);
    this.previewWaiters.clear();
    for (const w of this.chartWaiters.values()) w(undefined);
    this.chartWaiters.clear();
    super.dispose();
  }
}

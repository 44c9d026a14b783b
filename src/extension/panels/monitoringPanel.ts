import * as vscode from 'vscode';
import type { MonitoringState } from '../../protocol/monitoring';
import type { HostToMonitoring, MonitoringReport, MonitoringToHost, MonitoringUnavailable } from '../../protocol/monitoringPanelMessages';
import { BackendRequestError, type WorkspaceBackend } from '../backend/workspaceBackend';
import { monitoringPanelSchemas, monitoringSchemas } from '../lazySchemas';
import type { Workbench } from '../workbench';
import { fitForPanel, monitoringCommandFor, unavailableFrom, withWorkspaceTrust } from './monitoringActions';
import { MonitoringSeries } from './monitoringSeries';
import { restoringSerializer } from './panelBackend';
import { webviewOptions } from './webviewHtml';
import { WebviewPanelHost } from './webviewPanelHost';
import { KeyedPanels } from './keyedPanels';

const VIEW_TYPE = 'mlops.monitoring';
/** The deployment's stats interval: a faster poll would show nothing new. */
const POLL_MS = 2000;

export type MonitoringLoad = { state: MonitoringState } | { reason: MonitoringUnavailable; message: string };

/** Where a Monitoring panel gets its state: the backend (live), or a test's fixture. */
export interface MonitoringSource {
  /** One panel per key: the backend's folder and the deployment. */
  key: string;
  deployment: string;
  load(): Promise<MonitoringLoad>;
}

/** The backend's GET /api/v1/deployments/NAME/monitoring, checked against the contract; each poll gets only the new points. */
export function backendMonitoringSource(backend: WorkspaceBackend, deployment: string): MonitoringSource {
  const series = new MonitoringSeries(deployment);
  return {
    key: `${backend.folder.uri.toString()}#${deployment}`,
    deployment,
    load: async () => {
      if (backend.state.kind !== 'connected') {
        const why = backend.state.kind === 'error' ? backend.state.message : 'it is starting';
        return { reason: 'no-backend', message: `The MLOps backend of ${backend.folder.name} is not connected (${why}). The panel updates once it is.` };
      }
      let answer: unknown;
      try {
        answer = await backend.request<unknown>('GET', series.nextPath());
      } catch (err) {
        const e = err as Error;
        return unavailableFrom(deployment, e instanceof BackendRequestError ? { message: e.message, status: e.status, code: e.code } : { message: e.message });
      }
      const parsed = monitoringSchemas().monitoringState.safeParse(answer);
      if (parsed.success) return { state: series.merge(parsed.data) };
      const issue = parsed.error.issues[0];
      return { reason: 'error', message: `The backend's monitoring state of '${deployment}' does not fit this extension's contract (${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}). Restart the backend (MLOps: Restart Backend).` };
    },
  };
}

export interface MonitoringPanels {
  /** Opens (or reveals) the deployment's panel; resolves with its first report once it has drawn. */
  show(source: MonitoringSource): Promise<MonitoringReport | undefined>;
}

/**
 * The Monitoring panel of a deployment: one per deployment (showing an open
 * one reveals it), titled "Monitoring: NAME", live while visible, restored
 * after a window reload.
 */
export function registerMonitoringPanel(context: vscode.ExtensionContext, workbench: Workbench): MonitoringPanels {
  const panels = new KeyedPanels<MonitoringPanel>();
  const byName = (name: string) => panels.values().find((p) => p.source.deployment === name);
  const track = (webviewPanel: vscode.WebviewPanel, source: MonitoringSource) =>
    panels.add(source.key, new MonitoringPanel(webviewPanel, context.extensionUri, source, workbench));
  const serializer = restoringSerializer(
    context.extensionUri,
    workbench,
    (state) => monitoringPanelSchemas().monitoringPanelState.safeParse(state).data,
    (webviewPanel, backend, state) => {
      const source = backendMonitoringSource(backend, state.deployment);
      if (panels.has(source.key)) return webviewPanel.dispose();
      track(webviewPanel, source);
    },
  );
  const show = async (source: MonitoringSource): Promise<MonitoringReport | undefined> => {
    const since = Date.now();
    let panel = panels.get(source.key);
    if (panel) {
      panel.source = source;
      panel.panel.reveal(undefined, false);
      panel.pollNow();
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, titleOf(source.deployment), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
      panel = track(webviewPanel, source);
    }
    return panel.reportWhere((r) => (r.fetchedAt ?? 0) >= since);
  };
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    // Test hooks (not in the palette): a deployment's panel's report (`fresh`: its next drawing),
    // selecting a feature as a click would, and a window reload's revival.
    vscode.commands.registerCommand('_mlops.monitoring.report', (name: string, fresh?: boolean) => byName(name)?.report(fresh === true)),
    vscode.commands.registerCommand('_mlops.monitoring.select', async (name: string, feature: string) => {
      const panel = byName(name);
      if (!panel) return undefined;
      panel.select(feature);
      return panel.reportWhere((r) => r.selectedFeature === feature);
    }),
    vscode.commands.registerCommand('_mlops.monitoring.revive', (state: unknown) =>
      serializer.deserializeWebviewPanel(vscode.window.createWebviewPanel(VIEW_TYPE, 'Monitoring', vscode.ViewColumn.Active, {}), state),
    ),
    panels,
  );
  return { show };
}

function titleOf(deployment: string): string {
  return `Monitoring: ${deployment}`;
}

/** One deployment's panel: fetches its state when the webview is ready, then every 2 s while the panel is visible. */
class MonitoringPanel extends WebviewPanelHost<HostToMonitoring, MonitoringToHost, MonitoringReport> {
  private timer?: NodeJS.Timeout;
  private loading?: Promise<void>;
  private lastProblem?: string;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    public source: MonitoringSource,
    workbench: Workbench,
  ) {
    super(panel, extensionUri, workbench, { name: 'monitoring', title: titleOf(source.deployment), what: 'monitoring panel' });
    // A hidden webview is discarded (and says "ready" again when shown): no polling in between.
    this.disposables.push(panel.onDidChangeViewState(() => !panel.visible && this.stopPolling()));
  }

  protected messageSchema() {
    return monitoringPanelSchemas().monitoringToHost;
  }

  protected onFailure(message: string): void {
    this.post({ type: 'unavailable', deployment: this.source.deployment, fetchedAt: Date.now(), reason: 'error', message });
  }

  protected async handle(m: MonitoringToHost): Promise<void> {
    if (m.type === 'ready') return this.startPolling();
    if (m.type === 'rendered') return this.reported(m.report);
    const action = monitoringCommandFor(m, this.source.deployment);
    if (!action) return;
    await this.runAction(action);
    // A retrain shows in the state (its alert, lastRetrainAt): at once rather than at the next tick.
    if (m.type === 'retrain') this.pollNow();
  }

  select(feature: string): void {
    this.post({ type: 'select', feature });
  }

  /** The first report (the current one, or a later one) that `ok` accepts; undefined when none comes. */
  async reportWhere(ok: (r: MonitoringReport) => boolean, timeoutMs = 30_000): Promise<MonitoringReport | undefined> {
    if (this.lastReport && ok(this.lastReport)) return this.lastReport;
    const deadline = Date.now() + timeoutMs;
    while (!this.disposed && Date.now() < deadline) {
      const r = await this.report(true);
      if (!r) return undefined;
      if (ok(r)) return r;
    }
    return undefined;
  }

  private startPolling(): void {
    this.pollNow();
    this.timer ??= setInterval(() => this.pollNow(), POLL_MS);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One fetch at a time: a slow backend gets no pile of requests. */
  pollNow(): void {
    if (this.loading || this.disposed || !this.webviewReady) return;
    this.loading = this.load().finally(() => (this.loading = undefined));
  }

  private async load(): Promise<void> {
    const deployment = this.source.deployment;
    let result: MonitoringLoad;
    try {
      result = await this.source.load();
    } catch (err) {
      result = { reason: 'error', message: (err as Error).message };
    }
    const fetchedAt = Date.now();
    if ('state' in result) {
      this.lastProblem = undefined;
      this.post({ type: 'state', deployment, fetchedAt, state: withWorkspaceTrust(fitForPanel(result.state), vscode.workspace.isTrusted) });
      return;
    }
    // Said once in the log, not every 2 s.
    if (result.message !== this.lastProblem) this.log(`${deployment}: ${result.message}`);
    this.lastProblem = result.message;
    this.post({ type: 'unavailable', deployment, fetchedAt, reason: result.reason, message: result.message });
  }

  override dispose(): void {
    this.stopPolling();
    super.dispose();
  }
}

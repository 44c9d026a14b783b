import * as vscode from 'vscode';
import type { PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { HostToPipelineDag, PipelineDagReport } from '../../protocol/pipelineDagMessages';
import { pipelineDagSchemas } from '../lazySchemas';
import { restoringSerializer } from './panelBackend';
import { dagCommandFor } from './pipelineDagActions';
import type { Workbench } from '../workbench';
import { webviewHtml, webviewOptions } from './webviewHtml';

const VIEW_TYPE = 'mlops.pipelineDag';
const REFRESH_DEBOUNCE_MS = 150;
const REPORT_TIMEOUT_MS = 60_000;

/**
 * Where a DAG panel gets its data: the Pipelines feature supplies one per
 * pipeline file. `load` answers the file's status (or why there is none);
 * `onDidChange` fires when it may have changed (file edited, a run moved on).
 */
export interface PipelineDagSource {
  /** How the file is shown in the panel (e.g. its workspace-relative path). */
  label: string;
  load(): Promise<PipelineStatusResponse | { error: string }>;
  onDidChange: vscode.Event<void>;
}

/**
 * The "Show DAG" panel: one per pipeline file (showing an open one reveals
 * it), titled "DAG: <file name>", refreshed when its source changes, restored
 * after a window reload. `sourceFor` answers undefined for a file that is not
 * a pipeline (the panel then does not open, or is not restored).
 */
export function registerPipelineDagPanel(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  sourceFor: (file: vscode.Uri) => PipelineDagSource | undefined,
): { show(file: vscode.Uri): void } {
  const panels = new Map<string, PipelineDagPanel>();
  const track = (webviewPanel: vscode.WebviewPanel, file: vscode.Uri, source: PipelineDagSource) => {
    const panel = new PipelineDagPanel(webviewPanel, context.extensionUri, file, source, workbench);
    panels.set(file.fsPath, panel);
    panel.onDispose = () => {
      if (panels.get(file.fsPath) === panel) panels.delete(file.fsPath);
    };
    return panel;
  };
  const serializer = restoringSerializer(
    context.extensionUri,
    workbench,
    (state) => pipelineDagSchemas().pipelineDagState.safeParse(state).data,
    (webviewPanel, _backend, state) => {
      const file = vscode.Uri.file(state.file);
      const source = sourceFor(file);
      // No longer a pipeline file we know, or already shown: nothing to restore.
      if (!source || panels.has(file.fsPath)) return webviewPanel.dispose();
      track(webviewPanel, file, source);
    },
  );
  const show = (file: vscode.Uri) => {
    const open = panels.get(file.fsPath);
    if (open) return open.panel.reveal(undefined, false);
    const source = sourceFor(file);
    if (!source) return void vscode.window.showInformationMessage(`MLOps: ${basename(file)} is not a pipeline file (*.pipeline.yaml) of an open folder.`);
    const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, titleOf(file), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    track(webviewPanel, file, source);
  };
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    // Test hooks (not in the palette): what a file's panel drew (`fresh`: its next drawing), and a window reload's revival.
    vscode.commands.registerCommand('_mlops.pipelineDag.report', (file: string, fresh?: boolean) => panels.get(file)?.report(fresh === true)),
    vscode.commands.registerCommand('_mlops.pipelineDag.revive', (state: unknown) =>
      serializer.deserializeWebviewPanel(vscode.window.createWebviewPanel(VIEW_TYPE, 'DAG', vscode.ViewColumn.Active, {}), state),
    ),
    { dispose: () => [...panels.values()].forEach((p) => p.panel.dispose()) },
  );
  return { show };
}

function basename(file: vscode.Uri): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}

function titleOf(file: vscode.Uri): string {
  return `DAG: ${basename(file)}`;
}

/** One pipeline file's panel: loads its source's status when the webview is ready and whenever the source changes. */
class PipelineDagPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private refreshTimer?: NodeJS.Timeout;
  private loading?: Promise<void>;
  private reloadAfter = false;
  private reportWaiters: ((report: PipelineDagReport | undefined) => void)[] = [];
  private disposed = false;
  lastReport?: PipelineDagReport;
  onDispose?: () => void;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly file: vscode.Uri,
    private readonly source: PipelineDagSource,
    private readonly workbench: Workbench,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden webview is discarded (no retained context): it asks again with `ready` when shown.
        if (!panel.visible) this.webviewReady = false;
      }),
      source.onDidChange(() => this.refreshSoon()),
    );
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mlops.svg');
    panel.title = titleOf(file);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: 'pipelineDag', title: titleOf(file) });
  }

  /** The webview's next report; with `fresh` false, the current one when there is one. */
  report(fresh = false): Promise<PipelineDagReport | undefined> {
    if (this.lastReport && !fresh) return Promise.resolve(this.lastReport);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), REPORT_TIMEOUT_MS);
      this.reportWaiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  private post(message: HostToPipelineDag): void {
    if (!this.disposed && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = pipelineDagSchemas().pipelineDagToHost.safeParse(raw);
    if (!parsed.success) {
      this.workbench.log(`pipeline DAG panel: ignored a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const m = parsed.data;
    if (m.type === 'ready') {
      this.webviewReady = true;
      this.refresh();
      return;
    }
    if (m.type === 'rendered') {
      this.lastReport = m.report;
      const waiters = this.reportWaiters;
      this.reportWaiters = [];
      for (const w of waiters) w(m.report);
      return;
    }
    const action = dagCommandFor(m, this.file.fsPath);
    if (!action) return;
    try {
      await vscode.commands.executeCommand(action.command, ...action.args);
    } catch (err) {
      const message = (err as Error).message;
      this.workbench.log(`pipeline DAG panel: ${action.title}: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: ${action.title} failed: ${message}`);
    }
  }

  /** Changes come in bursts (a run's steps start and end together): one load per burst. */
  private refreshSoon(): void {
    if (!this.webviewReady || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** One load at a time; a change during a load loads once more after it, so the last answer shown is the newest. */
  private refresh(): void {
    if (this.loading) {
      this.reloadAfter = true;
      return;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.reloadAfter && !this.disposed) {
        this.reloadAfter = false;
        this.refresh();
      }
    });
  }

  private async load(): Promise<void> {
    let result: PipelineStatusResponse | { error: string };
    try {
      result = await this.source.load();
    } catch (err) {
      result = { error: (err as Error).message };
    }
    if ('error' in result) {
      this.workbench.log(`pipeline DAG panel: ${this.source.label}: ${result.error}`);
      this.post({ type: 'error', file: this.file.fsPath, label: this.source.label, message: result.error });
    } else {
      this.post({ type: 'status', file: this.file.fsPath, label: this.source.label, status: result });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const w of this.reportWaiters) w(undefined);
    this.reportWaiters = [];
    for (const d of this.disposables) d.dispose();
    this.onDispose?.();
  }
}
